package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/fakeslack"
)

// startup runs `assessbot run` with only env (and PATH/HOME) set, and
// returns its exit code and stderr; it fails the test if the bot is still
// running after 30 seconds.
func startup(t *testing.T, env ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), "run")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "HTTP_ADDR="}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("assessbot run was still running after 30s:\n%s", out.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String()
}

func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// An app-level token without connections:write: exit 1 at once, saying
// which token lacks which scope and how to get one.
func TestStartupMissingScope(t *testing.T) {
	t.Parallel()
	fs := fakeslack.New()
	defer fs.Close()
	fs.FailNext("apps.connections.open", 50, fakeslack.Fault{Error: "missing_scope", Needed: "connections:write", Provided: "authorizations:read"})
	code, out := startup(t, "SLACK_BOT_TOKEN="+fs.BotToken(), "SLACK_APP_TOKEN="+fs.AppToken(), "SLACK_API_URL="+fs.APIURL())
	if code != 1 {
		t.Errorf("exit code %d, want 1:\n%s", code, out)
	}
	mustContain(t, out, "slack refused SLACK_APP_TOKEN", "missing_scope", "needed: connections:write", "App-Level Tokens")
	if n := len(fs.Calls("apps.connections.open")); n != 1 {
		t.Errorf("apps.connections.open called %d times, want 1", n)
	}
}

// No network: one error, at once, naming the URL.
func TestStartupNoNetwork(t *testing.T) {
	t.Parallel()
	api := "http://" + freePort(t) + "/api/"
	binary(t) // built before the clock starts
	start := time.Now()
	code, out := startup(t, "SLACK_BOT_TOKEN=xoxb-test", "SLACK_APP_TOKEN=xapp-test", "SLACK_API_URL="+api)
	if code != 1 {
		t.Errorf("exit code %d, want 1:\n%s", code, out)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v to give up", took)
	}
	mustContain(t, out, "cannot reach Slack at "+api+": dial tcp ", "check the network, a proxy (HTTPS_PROXY) or SLACK_API_URL")
	if n := strings.Count(out, "dial tcp"); n != 1 {
		t.Errorf("the cause is said %d times, want once:\n%s", n, out)
	}
}

// Bad settings: exit 2, every problem listed, in our words.
func TestStartupBadConfig(t *testing.T) {
	t.Parallel()
	code, out := startup(t, "SLACK_BOT_TOKEN=xoxb-", "SLACK_APP_TOKEN=xapp-1-SECRET-x\n", "WORKERS=", "LEASE=1ms",
		"SLACK_API_URL=notaurl", "ADMIN_USERS=alice", "ADMIN_USERGROUP=U123", "LOG_FORMAT=xml", "TICK=0s")
	if code != 2 {
		t.Errorf("exit code %d, want 2:\n%s", code, out)
	}
	mustContain(t, out, "SLACK_BOT_TOKEN=xoxb-: only the prefix", `WORKERS="": a whole number from 1 to 256`, "LEASE=1ms: ",
		"SLACK_API_URL=notaurl: ", "ADMIN_USERS=alice: ", "ADMIN_USERGROUP=U123: ", "LOG_FORMAT=xml: ", "TICK=0s: ", "Create the Slack app")
	for _, bad := range []string{"envconfig", "SECRET", "SLACK_APP_TOKEN="} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q:\n%s", bad, out)
		}
	}
}

// Redis not there: one line with the address, no password, no go-redis
// pool.go lines, no respondent's sentence.
func TestStartupRedisDown(t *testing.T) {
	t.Parallel()
	fs := fakeslack.New()
	defer fs.Close()
	addr := freePort(t)
	code, out := startup(t, "SLACK_BOT_TOKEN="+fs.BotToken(), "SLACK_APP_TOKEN="+fs.AppToken(), "SLACK_API_URL="+fs.APIURL(),
		"REDIS_URL=redis://:hunter2@"+addr+"/0")
	if code != 1 {
		t.Errorf("exit code %d, want 1:\n%s", code, out)
	}
	mustContain(t, out, "cannot use Redis at "+addr+" (REDIS_URL=redis://:xxxxx@"+addr+"/0): dial tcp", "is redis-server running")
	for _, bad := range []string{"hunter2", "pool.go", "Your answer", "redis: "} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q:\n%s", bad, out)
		}
	}
	if n := strings.Count(out, "\n"); n > 2 {
		t.Errorf("%d lines, want the frameworks line and the error:\n%s", n, out)
	}
}
