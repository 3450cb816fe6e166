// Command assessbot runs customer-success maturity reviews in Slack.
//
//	assessbot [run]                 the bot (Socket Mode), configured from the environment
//	assessbot demo                  a whole review on this machine: no Slack, no Redis server
//	assessbot frameworks list|validate|show
//	assessbot score --framework ID --answers FILE.csv
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/assessbot/assessbot/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		code := 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(code)
	}
}

const usage = `assessbot runs customer-success maturity reviews in Slack.

Usage:
  assessbot [run]                          run the bot (configured from the environment; see README)
  assessbot demo                           run a whole review on this machine, no Slack or Redis needed
  assessbot frameworks list [--format text|json]
  assessbot frameworks validate [FILE...]
  assessbot frameworks show ID
  assessbot score --framework ID|FILE --answers FILE.csv [--format text|json] [--threshold N]
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return runBot(ctx, stderr)
	}
	switch args[0] {
	case "run":
		return runBot(ctx, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "frameworks":
		return cmdFrameworks(args[1:], stdout)
	case "score":
		return cmdScore(args[1:], stdout)
	case "help", "-h", "--help":
		_, err := io.WriteString(stdout, usage)
		return err
	}
	return usageErr("unknown command %q\n\n%s", args[0], usage)
}

func runBot(ctx context.Context, stderr io.Writer) error {
	cfg, err := app.LoadConfig()
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	m := app.NewMain(cfg, stderr)
	if err := m.Open(ctx); err != nil {
		m.Close()
		return &exitError{code: 1, msg: err.Error()}
	}
	select {
	case <-ctx.Done():
	case err = <-m.Done():
	}
	m.Close()
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	return nil
}
