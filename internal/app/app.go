// Package app is the only wiring of assessbot: one Config with its
// defaults; Redis (or the embedded one) -> store -> review (the use cases)
// -> slackbot; the frameworks; and the health/metrics server. The command,
// its demo, the load tool and the end-to-end tests all run this same Main.
// It may import every package of ours.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
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

// Main is the running program: Redis, frameworks, the bot and the HTTP
// server for health and metrics. End-to-end tests build the same Main.
type Main struct {
	Config  Config
	Log     *slog.Logger
	Store   *store.Redis
	Service *review.Service
	Bot     *slackbot.Bot

	opts options
	mini *miniredis.Miniredis
	rdb  redis.UniversalClient
	// waitReplicas is how many replicas an answer waits for (WAIT).
	waitReplicas int
	owner        string // names this process in the /readyz write probe
	ln           net.Listener
	srv          *http.Server
	cancel       context.CancelFunc
	done         chan error
	wg           sync.WaitGroup
}

// NewMain prepares a Main that logs to w. No log line it writes, whoever
// logs it, holds the tokens or a password of REDIS_URL.
func NewMain(c Config, w io.Writer, opts ...Option) *Main {
	m := &Main{Config: c, done: make(chan error, 1), owner: randomID()}
	for _, o := range opts {
		o(&m.opts)
	}
	level, _ := parseLevel(strings.TrimSpace(c.LogLevel))
	ho := &slog.HandlerOptions{Level: level, ReplaceAttr: scrubAttr(c.secrets())}
	var h slog.Handler = slog.NewTextHandler(w, ho)
	if strings.EqualFold(strings.TrimSpace(c.LogFormat), "json") {
		h = slog.NewJSONHandler(w, ho)
	}
	m.Log = slog.New(h)
	quietRedis(m.Log)
	return m
}

// Open connects everything and starts the bot in the background.
func (m *Main) Open(ctx context.Context) error {
	if err := m.Config.Check(); err != nil {
		return err
	}
	cat, err := m.loadFrameworks()
	if err != nil {
		return err
	}
	if err := m.openRedis(ctx); err != nil {
		return err
	}
	reg := m.opts.registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	m.wire(cat, reg)
	if err := m.serveHTTP(reg); err != nil {
		return err
	}
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		err := m.Bot.Run(bctx)
		if err != nil {
			// Done delivers err, and whoever reads it reports it: an error
			// logged here too would be said twice.
			m.Log.Debug("bot stopped", "err", err)
		}
		m.done <- err
	}()
	return nil
}

// loadFrameworks loads the shipped frameworks and FRAMEWORKS_DIR's, and
// warns when that folder holds none.
func (m *Main) loadFrameworks() (*framework.Catalog, error) {
	dir := m.Config.FrameworksDir
	cat, err := LoadCatalog(dir)
	if err != nil {
		return nil, fmt.Errorf("frameworks did not load; fix these and restart (assessbot frameworks validate checks them):\n%w", err)
	}
	if dir != "" && frameworkFiles(dir) == 0 {
		m.Log.Warn("FRAMEWORKS_DIR holds no *.yaml or *.yml file: only the shipped frameworks are loaded", "dir", dir)
	}
	m.Log.Info("frameworks loaded", "ids", strings.Join(cat.IDs(), ","))
	return cat, nil
}

// wire builds store -> review -> slackbot: the one place the parts meet.
func (m *Main) wire(cat *framework.Catalog, reg *prometheus.Registry) {
	c := m.Config
	m.Store = store.New(m.rdb, c.RedisPrefix, store.WithWait(m.waitReplicas, defaultWaitTimeout), store.WithSaveHook(m.opts.onAnswerSaved))
	everyone := len(c.AdminUsers) == 1 && c.AdminUsers[0] == "*"
	admins := c.AdminUsers
	if everyone {
		admins = nil
		m.Log.Warn("ADMIN_USERS=*: every member of the workspace (not guests) may start, close, export and inspect reviews")
	} else if len(c.AdminUsers) == 0 && c.AdminUsergroup == "" {
		m.Log.Warn("no ADMIN_USERS or ADMIN_USERGROUP set: admin commands are refused until one is set (ADMIN_USERS=U…, or ADMIN_USERS=* for everyone)")
	}
	// One client for the Web API and response URLs, keeping enough idle
	// connections that clicks do not open a new (TLS) connection each.
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true,
		MaxIdleConns: 128, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	var rt http.RoundTripper = transport
	if m.opts.wrapTransport != nil {
		rt = m.opts.wrapTransport(transport)
	}
	httpClient := &http.Client{Timeout: 30 * time.Second, Transport: rt}
	api := slack.New(c.SlackBotToken, slack.OptionAppLevelToken(c.SlackAppToken), slack.OptionAPIURL(c.SlackAPIURL),
		slack.OptionHTTPClient(httpClient))
	now := m.opts.now
	if now == nil {
		now = time.Now
	}
	sl := slackbot.NewClient(api, slackbot.ClientConfig{
		SlackAttempts: 6, RetryBase: 500 * time.Millisecond, Log: m.Log, Registerer: reg, HTTPClient: httpClient,
	})
	m.Service = review.New(review.Config{
		// The store plays every storage port.
		Reviews: m.Store, Answers: m.Store, Deliveries: m.Store, Digests: m.Store, Privacy: m.Store, Absences: m.Store,
		TimeZones: m.Store, Schedules: m.Store, Queue: m.Store, Leases: m.Store, Answerers: m.Store, Segments: m.Store, Actions: m.Store, TeamTrendSecret: c.SlackBotToken,
		Messenger: sl, ActionMessenger: sl, Directory: sl, Frameworks: cat,
		Now: now, Log: m.Log, Owner: assessment.NewReviewID(), Lease: c.Lease, Tick: c.Tick, Retention: c.Retention,
		AdminUsers: admins, AdminUsergroup: c.AdminUsergroup, AdminsEveryone: everyone, AdminCacheTTL: c.AdminCacheTTL,
		AwayWords: c.AwayWords,
	})
	m.Bot = slackbot.New(sl, m.Service, cat, envelopes{m.Store}, slackbot.Config{Workers: c.Workers, Log: m.Log, Now: now, InboxLease: c.Lease})
}

// serveHTTP starts /healthz, /readyz and /metrics on HTTP_ADDR, if set.
func (m *Main) serveHTTP(reg *prometheus.Registry) error {
	if m.Config.HTTPAddr == "" {
		return nil
	}
	var err error
	m.ln, err = net.Listen("tcp", m.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR=%s: %w", m.Config.HTTPAddr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("/readyz", m.ready)
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	m.wg.Add(1)
	go func() { defer m.wg.Done(); _ = m.srv.Serve(m.ln) }()
	m.Log.Info("health and metrics listening", "addr", m.ln.Addr().String())
	return nil
}

// openRedis connects to REDIS_URL (one server, a Cluster or a Sentinel
// group: store.Dial's URL forms), or starts the embedded Redis, checks that
// it answers and decides how many replicas an answer waits for. A failure
// is one line: where, why and what to check.
func (m *Main) openRedis(ctx context.Context) error {
	c := m.Config
	at, err := m.dialRedis()
	if err != nil {
		return err
	}
	if h := m.opts.redisHook; h != nil {
		m.rdb.AddHook(h)
		if cc, ok := m.rdb.(*redis.ClusterClient); ok {
			// The answer path's WAIT pipeline runs on a node's own client.
			cc.OnNewNode(func(n *redis.Client) { n.AddHook(h) })
		}
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := m.rdb.Ping(pctx).Err(); err != nil {
		return redisStartError(at, err)
	}
	m.waitReplicas = 0
	switch {
	case c.RedisWaitReplicas > 0:
		m.waitReplicas = c.RedisWaitReplicas
	case c.RedisWaitReplicas == 0 && m.mini == nil:
		n, err := store.Replicas(pctx, m.rdb)
		if err != nil {
			m.Log.Warn("cannot read INFO replication; answers do not wait for replicas (set REDIS_WAIT_REPLICAS to choose)", "err", err)
		}
		m.waitReplicas = min(n, 1)
	}
	m.Log.Info("redis connected", "mode", string(at.mode), "wait_replicas", m.waitReplicas)
	return nil
}

// redisAt is the Redis a Main connects to, as start-up errors name it.
type redisAt struct {
	where  string // "Redis at host:port (REDIS_URL=redis://:xxxxx@host:port/0)"
	rawURL string // REDIS_URL as set, for the hints and to scrub its passwords
	mode   store.Mode
	db     int // the database a single server is asked for
}

// dialRedis makes the client of REDIS_URL, or starts the embedded Redis.
func (m *Main) dialRedis() (redisAt, error) {
	c := m.Config
	at := redisAt{rawURL: c.RedisURL, mode: store.ModeSingle}
	if c.RedisURL == "" {
		mini, err := miniredis.Run()
		if err != nil {
			return at, fmt.Errorf("embedded redis: %w", err)
		}
		m.mini = mini
		m.Log.Warn("REDIS_URL is not set: using an EMBEDDED IN-MEMORY Redis. Every review and answer is LOST when the bot stops. Set REDIS_URL=redis://host:6379/0 for real use.")
		m.rdb = redis.NewClient(&redis.Options{Addr: mini.Addr()})
		at.where = "the embedded Redis at " + mini.Addr()
		return at, nil
	}
	shown := fmt.Sprintf("(REDIS_URL=%s)", store.RedactURL(c.RedisURL))
	t, err := store.ParseURL(c.RedisURL, c.RedisMode)
	if err != nil { // Check parsed it already
		return at, fmt.Errorf("REDIS_URL=%s does not parse", store.RedactURL(c.RedisURL))
	}
	at.mode = t.Mode
	m.rdb = t.Client()
	switch t.Mode {
	case store.ModeCluster:
		at.where = fmt.Sprintf("Redis Cluster at %s %s", strings.Join(t.Cluster.Addrs, ", "), shown)
	case store.ModeSentinel:
		at.where = fmt.Sprintf("Redis master %q through Sentinel at %s %s", t.Sentinel.MasterName, strings.Join(t.Sentinel.SentinelAddrs, ", "), shown)
		at.db = t.Sentinel.DB
	default:
		at.where = fmt.Sprintf("Redis at %s %s", t.Single.Addr, shown)
		at.db = t.Single.DB
	}
	return at, nil
}

// startError is an error whose words were chosen (and scrubbed of secrets)
// apart from its cause, which stays reachable with errors.Is/As.
type startError struct {
	msg string
	err error
}

func (e *startError) Error() string { return e.msg }
func (e *startError) Unwrap() error { return e.err }

// redisStartError words a failed PING at start; no password ever appears,
// even when a server echoes it.
func redisStartError(at redisAt, err error) error {
	cause := store.Scrub(at.rawURL, strings.TrimSuffix(strings.TrimSpace(err.Error()), "."))
	var hint string
	switch {
	case strings.Contains(cause, "without any password configured"):
		hint = "the server has no password: remove it from REDIS_URL, or set one on the server (requirepass)"
	case strings.HasPrefix(cause, "NOAUTH"):
		hint = "the server wants a password: REDIS_URL=redis://[user]:password@host:port/db"
	case strings.HasPrefix(cause, "WRONGPASS"), strings.Contains(cause, "invalid password"), strings.Contains(cause, "invalid username-password"):
		hint = "check the user and password in REDIS_URL"
	case strings.Contains(cause, "DB index is out of range"):
		hint = fmt.Sprintf("REDIS_URL asks for database %d, which the server does not have: it has as many as its `databases` setting (16 unless changed), numbered from 0; use /0", at.db)
	case strings.Contains(cause, "tls:") && strings.HasPrefix(at.rawURL, "rediss://"):
		hint = "the server does not speak TLS there: use redis:// (or the server's TLS port)"
	case errors.Is(err, io.EOF) || strings.Contains(cause, "connection reset"):
		hint = "the server closed the connection: if it wants TLS use rediss://, and check the password in REDIS_URL"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(cause, "timeout"):
		hint = "no answer within 5s: check the host and port, a firewall, and that redis-server is up"
	case strings.Contains(cause, "connection refused"), strings.Contains(cause, "no such host"):
		hint = "is redis-server running, and listening on that host and port (its bind address)?"
	default:
		hint = "check that redis-server is running at that host and port, the password in REDIS_URL, and rediss:// if it wants TLS"
	}
	return &startError{msg: fmt.Sprintf("cannot use %s: %s; %s", at.where, cause, hint), err: err}
}

// redisLog receives go-redis's own log lines (pool.go: "failed to dial
// after 5 attempts"…), which would repeat the start-up error in another
// format; they go to the newest Main's log at debug level.
var (
	redisLog     atomic.Pointer[slog.Logger]
	redisLogOnce sync.Once
)

type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	if l := redisLog.Load(); l != nil {
		l.DebugContext(ctx, "go-redis: "+fmt.Sprintf(format, v...))
	}
}

func quietRedis(l *slog.Logger) {
	redisLog.Store(l)
	redisLogOnce.Do(func() { redis.SetLogger(redisLogger{}) })
}

func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
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

// ready answers /readyz: 200 when Slack is connected and Redis takes a
// write. A PING alone stays green on a read-only replica or a Redis out of
// memory while every save fails, so it SETs a small key with a short TTL.
func (m *Main) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := map[string]string{"slack": "connected", "redis": "ok"}
	code := http.StatusOK
	if m.Bot == nil || !m.Bot.Connected() {
		status["slack"] = "not connected"
		code = http.StatusServiceUnavailable
	}
	key := m.Config.RedisPrefix + "ready:" + m.owner
	if err := m.rdb.Set(ctx, key, time.Now().UTC().Format(time.RFC3339), time.Minute).Err(); err != nil {
		var reply redis.Error
		cause := store.Scrub(m.Config.RedisURL, err.Error())
		if errors.As(err, &reply) {
			status["redis"] = "not writable: " + cause
		} else {
			status["redis"] = "not answering: " + cause
		}
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
	_ review.Reviews     = (*store.Redis)(nil)
	_ review.Answers     = (*store.Redis)(nil)
	_ review.Deliveries  = (*store.Redis)(nil)
	_ review.Digests     = (*store.Redis)(nil)
	_ review.Privacy     = (*store.Redis)(nil)
	_ review.Absences    = (*store.Redis)(nil)
	_ review.TimeZones   = (*store.Redis)(nil)
	_ review.Schedules   = (*store.Redis)(nil)
	_ review.Queue       = (*store.Redis)(nil)
	_ review.Actions     = (*store.Redis)(nil)
	_ review.Leases      = (*store.Redis)(nil)
	_ slackbot.Envelopes = envelopes{}
)

// envelopes is the store as slackbot's Envelopes: the inbox's entries in
// slackbot's own type.
type envelopes struct{ *store.Redis }

func (e envelopes) InboxDue(ctx context.Context, lease time.Duration, max int) ([]slackbot.InboxEntry, error) {
	got, err := e.Redis.InboxDue(ctx, lease, max)
	out := make([]slackbot.InboxEntry, len(got))
	for i, x := range got {
		out[i] = slackbot.InboxEntry(x)
	}
	return out, err
}

// LoadCatalog loads the embedded frameworks plus those in dir, if set.
func LoadCatalog(dir string) (*framework.Catalog, error) {
	sources := []framework.Source{{FS: frameworks.FS(), Label: "frameworks"}}
	if dir != "" {
		if allowed := checkFrameworksDir(dir); allowed != "" {
			return nil, fmt.Errorf("FRAMEWORKS_DIR=%s: %s", dir, allowed)
		}
		sources = append(sources, framework.Source{FS: os.DirFS(dir), Label: dir})
	}
	return framework.Load(sources...)
}

// frameworkFiles counts the framework files framework.Load reads in dir.
func frameworkFiles(dir string) int {
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			n++
		}
	}
	return n
}
