package app

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// An Option gives NewMain what is not configuration: a clock, a registry,
// the load tool's hooks. `assessbot run` passes none.
type Option func(*options)

type options struct {
	now           func() time.Time
	registry      *prometheus.Registry
	wrapTransport func(*http.Transport) http.RoundTripper
	redisHook     redis.Hook
	onAnswerSaved func(reviewID, user string)
}

// WithClock replaces the clock (the demo's fast clock, tests moving time).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithRegistry replaces the Prometheus registry /metrics serves (tests run
// several bots in one process and read their metrics); without it each
// Main has a registry of its own with the Go and process collectors.
func WithRegistry(r *prometheus.Registry) Option { return func(o *options) { o.registry = r } }

// WithTransport wraps the bot's HTTP transport (the load tool counts the
// connections it opens).
func WithTransport(wrap func(*http.Transport) http.RoundTripper) Option {
	return func(o *options) { o.wrapTransport = wrap }
}

// WithRedisHook adds a hook to the bot's Redis client, and to every node's
// on a cluster (the load tool counts round trips).
func WithRedisHook(h redis.Hook) Option { return func(o *options) { o.redisHook = h } }

// WithSaveHook is called after each answer is stored (the load tool paces
// its respondents by it).
func WithSaveHook(f func(reviewID, user string)) Option {
	return func(o *options) { o.onAnswerSaved = f }
}
