// Package app is the only wiring of assessbot: one Config with its
// defaults; Redis (or the embedded one) -> store -> review (the use cases)
// -> slackbot; the frameworks; and the health/metrics server. The command,
// its demo, the load tool and the end-to-end tests all run this same Main.
// It may import every package of ours.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/kelseyhightower/envconfig"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot"
	"github.com/assessbot/assessbot/internal/store"
)

// Config is the whole configuration of `assessbot run`, read from the
// environment.
type Config struct {
	SlackBotToken  string        `envconfig:"SLACK_BOT_TOKEN"`
	SlackAppToken  string        `envconfig:"SLACK_APP_TOKEN"`
	SlackAPIURL    string        `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`
	RedisURL       string        `envconfig:"REDIS_URL"`
	RedisPrefix    string        `envconfig:"REDIS_PREFIX" default:"assessbot:"`
	FrameworksDir  string        `envconfig:"FRAMEWORKS_DIR"`
	AdminUsers     []string      `envconfig:"ADMIN_USERS"`
	AdminUsergroup string        `envconfig:"ADMIN_USERGROUP"`
	HTTPAddr       string        `envconfig:"HTTP_ADDR" default:":8080"`
	LogLevel       string        `envconfig:"LOG_LEVEL" default:"info"`
	LogFormat      string        `envconfig:"LOG_FORMAT" default:"text"`
	Workers        int           `envconfig:"WORKERS" default:"16"`
	Tick           time.Duration `envconfig:"TICK" default:"10s"`
	Lease          time.Duration `envconfig:"LEASE" default:"2m"`

	// Now replaces the clock (tests only).
	Now func() time.Time `ignored:"true"`
	// Registry replaces the Prometheus registry (tests run several bots).
	Registry *prometheus.Registry `ignored:"true"`
	// WrapTransport, when set, wraps the bot's HTTP transport (the load tool
	// counts the connections it opens).
	WrapTransport func(*http.Transport) http.RoundTripper `ignored:"true"`
	// RedisHook, when set, is added to the bot's Redis client (the load
	// tool counts round trips).
	RedisHook redis.Hook `ignored:"true"`
}

const appHelp = `Create the Slack app from deploy/slack-app-manifest.yaml:
  1. https://api.slack.com/apps → Create New App → From an app manifest → paste the file.
  2. Install it to your workspace; copy the Bot User OAuth Token (xoxb-…) into SLACK_BOT_TOKEN.
  3. Basic Information → App-Level Tokens → Generate with scope connections:write; put the xapp-… token in SLACK_APP_TOKEN.
Or try it without Slack: make demo`

// LoadConfig reads and checks the environment.
func LoadConfig() (Config, error) {
	var c Config
	if err := envconfig.Process("", &c); err != nil {
		return c, fmt.Errorf("configuration: %w", err)
	}
	return c, c.Check()
}

// Check validates the configuration, saying how to fix each problem.
func (c *Config) Check() error {
	var problems []string
	switch {
	case c.SlackBotToken == "":
		problems = append(problems, "SLACK_BOT_TOKEN is not set.")
	case !strings.HasPrefix(c.SlackBotToken, "xoxb-"):
		problems = append(problems, "SLACK_BOT_TOKEN must be a bot token starting with xoxb- (not a user or app token).")
	}
	switch {
	case c.SlackAppToken == "":
		problems = append(problems, "SLACK_APP_TOKEN is not set (Socket Mode needs an app-level token).")
	case !strings.HasPrefix(c.SlackAppToken, "xapp-"):
		problems = append(problems, "SLACK_APP_TOKEN must be an app-level token starting with xapp-.")
	}
	var admins []string
	for _, u := range c.AdminUsers {
		if u = strings.TrimSpace(u); u != "" {
			admins = append(admins, u)
		}
	}
	c.AdminUsers = admins
	c.AdminUsergroup = strings.TrimSpace(c.AdminUsergroup)
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		tokens := strings.Contains(strings.Join(problems, " "), "TOKEN")
		msg := "assessbot cannot start:\n  " + strings.Join(problems, "\n  ")
		if tokens {
			msg += "\n\n" + appHelp
		}
		return errors.New(msg)
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("LOG_LEVEL=%q: use debug, info, warn or error", s)
	}
	return l, nil
}

// Main is the running program: Redis, frameworks, the bot and the HTTP
// server for health and metrics. End-to-end tests build the same Main.
type Main struct {
	Config  Config
	Log     *slog.Logger
	Store   *store.Redis
	Service *review.Service
	Bot     *slackbot.Bot

	mini   *miniredis.Miniredis
	rdb    redis.UniversalClient
	ln     net.Listener
	srv    *http.Server
	cancel context.CancelFunc
	done   chan error
	wg     sync.WaitGroup
}

// NewMain prepares a Main that logs to w.
func NewMain(c Config, w io.Writer) *Main {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return &Main{Config: c, Log: slog.New(h), done: make(chan error, 1)}
}

// Open connects everything and starts the bot in the background.
func (m *Main) Open(ctx context.Context) error {
	c := m.Config
	if err := c.Check(); err != nil {
		return err
	}
	cat, err := LoadCatalog(c.FrameworksDir)
	if err != nil {
		return fmt.Errorf("frameworks did not load; fix these and restart (assessbot frameworks validate checks them):\n%w", err)
	}
	m.Log.Info("frameworks loaded", "ids", strings.Join(cat.IDs(), ","))

	if c.RedisURL == "" {
		m.mini, err = miniredis.Run()
		if err != nil {
			return fmt.Errorf("embedded redis: %w", err)
		}
		m.Log.Warn("REDIS_URL is not set: using an EMBEDDED IN-MEMORY Redis. Every review and answer is LOST when the bot stops. Set REDIS_URL=redis://host:6379/0 for real use.")
		m.rdb = redis.NewClient(&redis.Options{Addr: m.mini.Addr()})
	} else {
		opt, err := redis.ParseURL(c.RedisURL)
		if err != nil {
			return fmt.Errorf("REDIS_URL: %w (expected redis://[user:password@]host:port/db or rediss://…)", err)
		}
		m.rdb = redis.NewClient(opt)
	}
	if c.RedisHook != nil {
		m.rdb.AddHook(c.RedisHook)
	}
	m.Store = store.New(m.rdb, c.RedisPrefix)
	pctx, cancelPing := context.WithTimeout(ctx, 5*time.Second)
	err = m.Store.Ping(pctx)
	cancelPing()
	if err != nil {
		return fmt.Errorf("redis at REDIS_URL does not answer: %w", err)
	}

	if len(c.AdminUsers) == 0 && c.AdminUsergroup == "" {
		m.Log.Warn("no ADMIN_USERS or ADMIN_USERGROUP set: EVERYONE in the workspace may start and close reviews")
	}
	reg := c.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	// One client for the Web API and response URLs, keeping enough idle
	// connections that clicks do not open a new (TLS) connection each.
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true,
		MaxIdleConns: 128, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	var rt http.RoundTripper = transport
	if c.WrapTransport != nil {
		rt = c.WrapTransport(transport)
	}
	httpClient := &http.Client{Timeout: 30 * time.Second, Transport: rt}
	api := slack.New(c.SlackBotToken, slack.OptionAppLevelToken(c.SlackAppToken), slack.OptionAPIURL(c.SlackAPIURL),
		slack.OptionHTTPClient(httpClient))
	// store -> review -> slackbot: the one place the parts meet.
	now := c.Now
	if now == nil {
		now = time.Now
	}
	owner := assessment.NewReviewID()
	sl := slackbot.NewClient(api, slackbot.ClientConfig{
		SlackAttempts: 6, RetryBase: 500 * time.Millisecond, Log: m.Log, Registerer: reg, HTTPClient: httpClient,
	})
	m.Service = review.New(review.Config{
		Store: m.Store, Queue: m.Store, Leases: m.Store, Messenger: sl, Directory: sl, Frameworks: cat,
		Now: now, Log: m.Log, Owner: owner, Lease: c.Lease, Tick: c.Tick,
		AdminUsers: c.AdminUsers, AdminUsergroup: c.AdminUsergroup,
	})
	m.Bot = slackbot.New(sl, m.Service, cat, m.Store, slackbot.Config{Workers: c.Workers, Log: m.Log, Now: now})

	if c.HTTPAddr != "" {
		m.ln, err = net.Listen("tcp", c.HTTPAddr)
		if err != nil {
			return fmt.Errorf("HTTP_ADDR=%s: %w", c.HTTPAddr, err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
		mux.HandleFunc("/readyz", m.ready)
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		m.wg.Add(1)
		go func() { defer m.wg.Done(); _ = m.srv.Serve(m.ln) }()
		m.Log.Info("health and metrics listening", "addr", m.ln.Addr().String())
	}

	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		err := m.Bot.Run(bctx)
		if err != nil {
			m.Log.Error("bot stopped", "err", err)
		}
		m.done <- err
	}()
	return nil
}

// HTTPAddr returns the address the health server listens on.
func (m *Main) HTTPAddr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// Done delivers the bot's exit error (nil when it stopped because of Close).
func (m *Main) Done() <-chan error { return m.done }

func (m *Main) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := map[string]string{"slack": "connected", "redis": "ok"}
	code := http.StatusOK
	if m.Bot == nil || !m.Bot.Connected() {
		status["slack"] = "not connected"
		code = http.StatusServiceUnavailable
	}
	if err := m.Store.Ping(ctx); err != nil {
		status["redis"] = "not answering"
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(status)
}

// Close stops the bot, the HTTP server and Redis connections.
func (m *Main) Close() error {
	if m.cancel != nil {
		m.cancel()
	}
	if m.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = m.srv.Shutdown(ctx)
		cancel()
	}
	m.wg.Wait()
	if m.rdb != nil {
		_ = m.rdb.Close()
	}
	if m.mini != nil {
		m.mini.Close()
	}
	return nil
}

// The store implements every storage port of the use cases; slackbot's
// Client is their Messenger and Directory.
var (
	_ review.Store       = (*store.Redis)(nil)
	_ review.Queue       = (*store.Redis)(nil)
	_ review.Leases      = (*store.Redis)(nil)
	_ slackbot.Envelopes = (*store.Redis)(nil)
)

// LoadCatalog loads the embedded frameworks plus those in dir, if set.
func LoadCatalog(dir string) (*framework.Catalog, error) {
	sources := []framework.Source{{FS: frameworks.FS(), Label: "frameworks"}}
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("FRAMEWORKS_DIR=%s is not a directory; point it at a folder of *.yaml framework files or unset it", dir)
		}
		sources = append(sources, framework.Source{FS: os.DirFS(dir), Label: dir})
	}
	return framework.Load(sources...)
}
