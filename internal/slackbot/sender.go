package slackbot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// sender calls Slack with retries: 429 waits Retry-After, 5xx and network
// errors back off exponentially; Slack's own "ok":false errors are final.
type sender struct {
	log      *slog.Logger
	attempts int
	base     time.Duration
	metrics  *metrics
}

// permanent reports whether err is an answer from Slack that retrying will
// not change (e.g. channel_not_found, invalid_blocks).
func permanent(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se)
}

// do runs fn until it succeeds, fails permanently, or runs out of attempts.
func (s *sender) do(ctx context.Context, method string, fn func(ctx context.Context) error) error {
	delay := s.base
	var err error
	for attempt := 1; ; attempt++ {
		err = fn(ctx)
		if err == nil {
			s.metrics.slackCalls.WithLabelValues(method, "ok").Inc()
			return nil
		}
		var wait time.Duration
		var rl *slack.RateLimitedError
		var sc slack.StatusCodeError
		var ne net.Error
		switch {
		case errors.As(err, &rl):
			wait = rl.RetryAfter
			if wait <= 0 {
				wait = time.Second
			}
			s.metrics.slackCalls.WithLabelValues(method, "rate_limited").Inc()
		case errors.As(err, &sc) && (sc.Code >= 500 || sc.Code == 429):
			wait = delay
			s.metrics.slackCalls.WithLabelValues(method, "server_error").Inc()
		case errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			wait = delay
			s.metrics.slackCalls.WithLabelValues(method, "network_error").Inc()
		default:
			s.metrics.slackCalls.WithLabelValues(method, "error").Inc()
			return err
		}
		if attempt >= s.attempts {
			s.log.Error("slack call failed after retries", "method", method, "attempts", attempt, "err", err)
			return err
		}
		s.log.Warn("slack call will be retried", "method", method, "attempt", attempt, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
		if delay < 30*time.Second {
			delay *= 2
		}
	}
}

// Secrets never reach a log line: a response_url can rewrite a person's
// message for 30 minutes, and tokens speak for the app. Errors from
// slack-go and net/http quote URLs ("Post \"https://hooks.slack.com/…\"").
var secretPatterns = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`https?://hooks\.slack\.com/[^\s"'<>]*`), "https://hooks.slack.com/[redacted]"},
	// response_url-shaped paths on any host (Slack's, a proxy's, a test double's)
	{regexp.MustCompile(`(https?://[^\s"'<>/]+)/(?:actions|commands|response|services)/[^\s"'<>]*`), "$1/[redacted]"},
	{regexp.MustCompile(`xox[a-z]-[A-Za-z0-9-]+`), "xox?-[redacted]"},
	{regexp.MustCompile(`xapp-[A-Za-z0-9-]+`), "xapp-[redacted]"},
	// a password in a URL (redis://user:password@host)
	{regexp.MustCompile(`([a-z][a-z0-9+.-]*://[^:@/\s"']*):[^@/\s"']+@`), "$1:[redacted]@"},
}

// redact removes secrets from s.
func redact(s string) string {
	for _, p := range secretPatterns {
		if p.re.MatchString(s) {
			s = p.re.ReplaceAllString(s, p.with)
		}
	}
	return s
}

// scrubbed is an error whose text has a known secret (a response_url)
// removed; errors.Is and As still see the cause.
type scrubbed struct {
	err    error
	secret string
}

func scrub(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	return &scrubbed{err: err, secret: secret}
}

func (e *scrubbed) Error() string {
	return redact(strings.ReplaceAll(e.err.Error(), e.secret, "[response_url]"))
}
func (e *scrubbed) Unwrap() error { return e.err }

// redactingHandler redacts every message and attribute of the slog records
// it passes on: the one guard for everything slackbot logs.
type redactingHandler struct{ h slog.Handler }

func redactingLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return nil
	}
	if _, ok := l.Handler().(redactingHandler); ok {
		return l
	}
	return slog.New(redactingHandler{h: l.Handler()})
}

func (r redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return r.h.Enabled(ctx, l)
}

func (r redactingHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = redactAttr(a)
	}
	return redactingHandler{h: r.h.WithAttrs(out)}
}

func (r redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{h: r.h.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, x := range g {
			out[i] = redactAttr(x)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, redact(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, redact(x.String()))
		case []byte:
			return slog.String(a.Key, redact(string(x)))
		default:
			return slog.String(a.Key, redact(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
