package app

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/fakeslack"
	"github.com/assessbot/assessbot/internal/slackbot"
)

// logBuffer is a log sink that tests read while the bot writes.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testConfig is a bot for fs on the embedded Redis, without HTTP server.
func testConfig(fs *fakeslack.Server) Config {
	return Config{
		SlackBotToken: fs.BotToken(), SlackAppToken: fs.AppToken(), SlackAPIURL: fs.APIURL(),
		AdminUsers: []string{"UADMIN"}, LogLevel: "debug",
	}
}

// stopsWith opens m and returns the error the bot stops with, failing the
// test if it does not stop within d.
func stopsWith(t *testing.T, m *Main, d time.Duration) error {
	t.Helper()
	if err := m.Open(context.Background()); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	select {
	case err := <-m.Done():
		if err == nil {
			t.Fatal("the bot stopped without an error")
		}
		return err
	case <-time.After(d):
		t.Fatalf("the bot kept going for %v instead of stopping", d)
		return nil
	}
}

// Slack refusing a token stops the bot at once, with an error naming the
// token, Slack's error, the scope and the fix; nothing is retried.
func TestStartupTokenRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		setup  func(fs *fakeslack.Server, c *Config)
		method string
		want   []string
		auth   bool // errors.Is(err, slackbot.ErrInvalidAuth)
	}{
		{
			name: "app token without connections:write",
			setup: func(fs *fakeslack.Server, c *Config) {
				fs.FailNext("apps.connections.open", 20, fakeslack.Fault{Error: "missing_scope", Needed: "connections:write", Provided: "authorizations:read"})
			},
			method: "apps.connections.open",
			want:   []string{"SLACK_APP_TOKEN", "xapp-", "missing_scope", "needed: connections:write", "authorizations:read", "App-Level Tokens"},
		},
		{
			name: "missing_scope without needed",
			setup: func(fs *fakeslack.Server, c *Config) {
				fs.FailNext("apps.connections.open", 20, fakeslack.Fault{Error: "missing_scope"})
			},
			method: "apps.connections.open",
			want:   []string{"SLACK_APP_TOKEN", "missing_scope", "with the scope connections:write"},
		},
		{
			name:   "unknown app token",
			setup:  func(fs *fakeslack.Server, c *Config) { c.SlackAppToken = "xapp-1-unknown" },
			method: "apps.connections.open",
			want:   []string{"SLACK_APP_TOKEN", "invalid_auth", "copy it again"},
			auth:   true,
		},
		{
			name: "bot token given as app token",
			setup: func(fs *fakeslack.Server, c *Config) {
				fs.FailNext("apps.connections.open", 20, fakeslack.Fault{Error: "not_allowed_token_type"})
			},
			method: "apps.connections.open",
			want:   []string{"SLACK_APP_TOKEN", "not_allowed_token_type", "must be an app-level token"},
		},
		{
			name: "revoked app token",
			setup: func(fs *fakeslack.Server, c *Config) {
				fs.FailNext("apps.connections.open", 20, fakeslack.Fault{Error: "token_revoked"})
			},
			method: "apps.connections.open",
			want:   []string{"SLACK_APP_TOKEN", "token_revoked", "make a new one"},
			auth:   true,
		},
		{
			name:   "unknown bot token",
			setup:  func(fs *fakeslack.Server, c *Config) { c.SlackBotToken = "xoxb-1-unknown" },
			method: "auth.test",
			want:   []string{"SLACK_BOT_TOKEN", "xoxb-", "auth.test", "invalid_auth", "Bot User OAuth Token"},
			auth:   true,
		},
		{
			name: "inactive bot account",
			setup: func(fs *fakeslack.Server, c *Config) {
				fs.FailNext("auth.test", 20, fakeslack.Fault{Error: "account_inactive"})
			},
			method: "auth.test",
			want:   []string{"SLACK_BOT_TOKEN", "account_inactive", "reinstall"},
			auth:   true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := fakeslack.New()
			t.Cleanup(fs.Close)
			c := testConfig(fs)
			tc.setup(fs, &c)
			logs := &logBuffer{}
			err := stopsWith(t, NewMain(c, logs), 10*time.Second)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			var te *slackbot.TokenError
			if !errors.As(err, &te) || te.Method != tc.method {
				t.Errorf("error %T %v is not a TokenError for %s", err, err, tc.method)
			}
			if got := errors.Is(err, slackbot.ErrInvalidAuth); got != tc.auth {
				t.Errorf("errors.Is(err, ErrInvalidAuth) = %v, want %v", got, tc.auth)
			}
			if n := len(fs.Calls(tc.method)); n != 1 {
				t.Errorf("%s called %d times, want once (no retry)", tc.method, n)
			}
			log := logs.String()
			if te != nil && (!strings.Contains(log, "slack refused a token; stopping") || !strings.Contains(log, "fix=") || !strings.Contains(log, te.Code)) {
				t.Errorf("the log does not say why and how to fix it:\n%s", log)
			}
			if strings.Contains(log, "reconnecting") || strings.Contains(log, "retrying with backoff") || strings.Contains(log, "will be retried") {
				t.Errorf("the log speaks of retrying:\n%s", log)
			}
		})
	}
}

// A failure Slack may get over is retried, and the log says why.
func TestStartupTransientConnectionError(t *testing.T) {
	t.Parallel()
	for _, f := range []fakeslack.Fault{{Status: 503}, {Error: "internal_error"}, {CloseConn: true}} {
		fs := fakeslack.New()
		t.Cleanup(fs.Close)
		fs.FailNext("apps.connections.open", 2, f)
		logs := &logBuffer{}
		m := NewMain(testConfig(fs), logs)
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := fs.WaitFor(ctx, m.Bot.Connected)
		cancel()
		if err != nil {
			t.Fatalf("%+v: the bot did not connect after the fault: %v\n%s", f, err, logs.String())
		}
		log := logs.String()
		if n := strings.Count(log, "socket mode connection failed; retrying with backoff"); n != 2 || !strings.Contains(log, "retry_in=") || !strings.Contains(log, "err=") {
			t.Errorf("%+v: want two retries logged with their cause:\n%s", f, log)
		}
	}
}

// No network: one error at once, naming the URL and what to check.
func TestStartupSlackUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	api := "http://" + ln.Addr().String() + "/api/"
	ln.Close()
	logs := &logBuffer{}
	m := NewMain(Config{SlackBotToken: "xoxb-test", SlackAppToken: "xapp-test", SlackAPIURL: api, LogLevel: "info"}, logs)
	start := time.Now()
	err = stopsWith(t, m, 10*time.Second)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %v to give up", took)
	}
	want := "cannot reach Slack at " + api + ": dial tcp " + ln.Addr().String()
	if !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "; check the network, a proxy (HTTPS_PROXY) or SLACK_API_URL") {
		t.Errorf("error = %q, want %q…", err, want)
	}
	if log := logs.String(); strings.Contains(log, "dial tcp") || strings.Contains(log, "retried") {
		t.Errorf("the log repeats the error or retries:\n%s", log)
	}
}

// SLACK_API_URL=notaurl is refused by Open's check, not retried.
func TestStartupBadAPIURL(t *testing.T) {
	t.Parallel()
	m := NewMain(Config{SlackBotToken: "xoxb-test", SlackAppToken: "xapp-test", SlackAPIURL: "notaurl"}, &logBuffer{})
	defer m.Close()
	err := m.Open(context.Background())
	if err == nil || !strings.Contains(err.Error(), "SLACK_API_URL=notaurl: an absolute http(s) URL") {
		t.Fatalf("open: %v", err)
	}
}
