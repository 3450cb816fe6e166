package slackbot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
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
