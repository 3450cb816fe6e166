// Command assessbot runs customer-success maturity reviews in Slack.
//
//	assessbot [run]                 the bot (Socket Mode), configured from the environment
//	assessbot demo                  a whole review on this machine: no Slack, no Redis server
//	assessbot frameworks list|validate|show|template
//	assessbot score --framework ID --answers FILE.csv
//	assessbot version
//
// `assessbot help` lists every command with its flags and the environment.
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
	args := os.Args[1:]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, args, os.Stdout, os.Stderr)
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

// run runs the command line args, as main does; a help request is not an
// error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, stdout, stderr)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return runBot(ctx, stderr)
	}
	switch args[0] {
	case "run":
		if err := parseFlags(newFlagSet(cmdRun), args[1:], stdout); err != nil {
			return err
		}
		return runBot(ctx, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "frameworks":
		return cmdFrameworks(args[1:], stdout)
	case "score":
		return cmdScore(args[1:], stdout)
	case "forget":
		return cmdForget(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		return cmdVersion(args[1:], stdout)
	case "help", "-h", "-help", "--help":
		return cmdHelp(args[1:], stdout)
	}
	return usageErr("unknown command %q\n\n%s", args[0], usage())
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
