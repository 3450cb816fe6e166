package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/store"
)

// Config is the whole configuration of `assessbot run`. LoadConfig reads it
// from the environment; tests and the demo build it as a literal, where a
// zero value means the default.
type Config struct {
	SlackBotToken string // SLACK_BOT_TOKEN, xoxb-…
	SlackAppToken string // SLACK_APP_TOKEN, xapp-… with connections:write
	SlackAPIURL   string // SLACK_API_URL
	RedisURL      string // REDIS_URL; empty: an embedded in-memory Redis
	RedisPrefix   string // REDIS_PREFIX
	RedisMode     string // REDIS_MODE: single, cluster or sentinel; empty: inferred from REDIS_URL
	// RedisWaitReplicas is REDIS_WAIT_REPLICAS: how many replicas must have
	// an answer before the bot acknowledges it (Redis WAIT). 0 (auto): 1
	// when Redis reports a replica at start (every master's, on a
	// cluster), else none; NoWait (REDIS_WAIT_REPLICAS=0): never wait.
	RedisWaitReplicas int
	FrameworksDir     string        // FRAMEWORKS_DIR
	AdminUsers        []string      // ADMIN_USERS, comma-separated user ids, or "*"
	AdminUsergroup    string        // ADMIN_USERGROUP, an S… id
	HTTPAddr          string        // HTTP_ADDR; empty: no health/metrics server
	LogLevel          string        // LOG_LEVEL
	LogFormat         string        // LOG_FORMAT
	Workers           int           // WORKERS
	Tick              time.Duration // TICK
	Lease             time.Duration // LEASE
	Retention         time.Duration // RETENTION: how long a closed review's answers are kept

	// Now replaces the clock (tests only).
	Now func() time.Time
	// Registry replaces the Prometheus registry (tests run several bots).
	Registry *prometheus.Registry
	// WrapTransport, when set, wraps the bot's HTTP transport (the load tool
	// counts the connections it opens).
	WrapTransport func(*http.Transport) http.RoundTripper
	// RedisHook, when set, is added to the bot's Redis client (the load
	// tool counts round trips).
	RedisHook redis.Hook
	// OnAnswerSaved, when set, is called after each answer is stored (the
	// load tool paces its respondents by it).
	OnAnswerSaved func(reviewID, user string)
}

// The defaults, written once: Check gives them to zero values, so a Config
// literal and an unset variable mean the same. HTTP_ADDR is the exception:
// unset in the environment it is defaultHTTPAddr, while an empty HTTPAddr
// (a literal, or HTTP_ADDR=) turns the server off.
const (
	defaultSlackAPIURL = "https://slack.com/api/"
	defaultRedisPrefix = "assessbot:"
	defaultHTTPAddr    = ":8080"
	defaultLogLevel    = "info"
	defaultLogFormat   = "text"
	defaultWorkers     = 16
	defaultTick        = 10 * time.Second
	defaultLease       = 2 * time.Minute
	defaultRetention   = 400 * 24 * time.Hour
	defaultWaitTimeout = 500 * time.Millisecond
)

// NoWait is the RedisWaitReplicas of REDIS_WAIT_REPLICAS=0: answers are
// acknowledged once the master has them.
const NoWait = -1

// Bounds of the numeric settings. The environment must stay within them; a
// literal may go below the minimum (tests tick every few milliseconds) but
// not above the maximum, and not below zero.
const (
	minWorkers, maxWorkers = 1, 256
	minTick, maxTick       = 100 * time.Millisecond, 5 * time.Minute
	// A lease shorter than 10s risks a second process taking over work that
	// is still being done; the crash tests run the real binary with LEASE=2s
	// to see a takeover quickly, so the floor is 1s.
	minLease, maxLease = time.Second, time.Hour
	// Retention: at least a day (the digest must be posted first), at most
	// ten years.
	minRetention, maxRetention = 24 * time.Hour, 3650 * 24 * time.Hour
	maxWaitReplicas            = 5
)

const appHelp = `Create the Slack app from deploy/slack-app-manifest.yaml:
  1. https://api.slack.com/apps → Create New App → From an app manifest → paste the file.
  2. Install it to your workspace; copy the Bot User OAuth Token (xoxb-…) into SLACK_BOT_TOKEN.
  3. Basic Information → App-Level Tokens → Generate with scope connections:write; put the xapp-… token in SLACK_APP_TOKEN.
Or try it without Slack: make demo`

var (
	userIDPattern      = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	usergroupIDPattern = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
	tokenPattern       = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
)

// problem is one bad setting: the variable, the value as it may be shown
// (secrets masked) and what is allowed.
type problem struct {
	name, value, allowed string
	unset                bool
}

func (p problem) String() string {
	if p.unset {
		return p.name + " is not set: " + p.allowed
	}
	return p.name + "=" + p.value + ": " + p.allowed
}

// shown quotes a value when its spaces or control characters would
// otherwise be invisible.
func shown(v string) string {
	if v == "" || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == '"' || r == 0x7f }) {
		return strconv.Quote(v)
	}
	return v
}

// setting reads one environment variable into c; it returns what is
// allowed when the value is not.
type setting struct {
	name string
	// secret masks the value in messages.
	secret func(string) string
	set    func(c *Config, v string) string
}

var settings = []setting{
	{name: "SLACK_BOT_TOKEN", secret: maskToken, set: func(c *Config, v string) string { c.SlackBotToken = v; return "" }},
	{name: "SLACK_APP_TOKEN", secret: maskToken, set: func(c *Config, v string) string { c.SlackAppToken = v; return "" }},
	{name: "SLACK_API_URL", set: func(c *Config, v string) string {
		if strings.TrimSpace(v) == "" {
			return apiURLAllowed
		}
		c.SlackAPIURL = v
		return ""
	}},
	{name: "REDIS_URL", secret: redactURL, set: func(c *Config, v string) string { c.RedisURL = strings.TrimSpace(v); return "" }},
	{name: "REDIS_PREFIX", set: func(c *Config, v string) string {
		if v == "" {
			return prefixAllowed
		}
		c.RedisPrefix = v
		return ""
	}},
	{name: "REDIS_MODE", set: func(c *Config, v string) string {
		c.RedisMode = strings.ToLower(strings.TrimSpace(v))
		if c.RedisMode == "" {
			return modeAllowed
		}
		return ""
	}},
	{name: "REDIS_WAIT_REPLICAS", set: func(c *Config, v string) string {
		switch v = strings.ToLower(strings.TrimSpace(v)); v {
		case "auto":
			c.RedisWaitReplicas = 0
			return ""
		case "0", "none":
			c.RedisWaitReplicas = NoWait
			return ""
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxWaitReplicas {
			return waitAllowed
		}
		c.RedisWaitReplicas = n
		return ""
	}},
	{name: "FRAMEWORKS_DIR", set: func(c *Config, v string) string { c.FrameworksDir = strings.TrimSpace(v); return "" }},
	{name: "ADMIN_USERS", set: func(c *Config, v string) string { c.AdminUsers = strings.Split(v, ","); return "" }},
	{name: "ADMIN_USERGROUP", set: func(c *Config, v string) string { c.AdminUsergroup = v; return "" }},
	{name: "HTTP_ADDR", set: func(c *Config, v string) string { c.HTTPAddr = strings.TrimSpace(v); return "" }},
	{name: "LOG_LEVEL", set: func(c *Config, v string) string {
		if strings.TrimSpace(v) == "" {
			return levelAllowed
		}
		c.LogLevel = v
		return ""
	}},
	{name: "LOG_FORMAT", set: func(c *Config, v string) string {
		if strings.TrimSpace(v) == "" {
			return formatAllowed
		}
		c.LogFormat = v
		return ""
	}},
	{name: "WORKERS", set: func(c *Config, v string) string {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < minWorkers || n > maxWorkers {
			return workersAllowed
		}
		c.Workers = n
		return ""
	}},
	{name: "TICK", set: func(c *Config, v string) string {
		d, ok := parseDuration(v, minTick, maxTick)
		if !ok {
			return tickAllowed
		}
		c.Tick = d
		return ""
	}},
	{name: "LEASE", set: func(c *Config, v string) string {
		d, ok := parseDuration(v, minLease, maxLease)
		if !ok {
			return leaseAllowed
		}
		c.Lease = d
		return ""
	}},
	{name: "RETENTION", set: func(c *Config, v string) string {
		d, ok := parseDays(v, minRetention, maxRetention)
		if !ok {
			return retentionAllowed
		}
		c.Retention = d
		return ""
	}},
}

var (
	apiURLAllowed    = "an absolute http(s) URL such as " + defaultSlackAPIURL + " (only for Slack-compatible test servers; unset it to talk to Slack)"
	prefixAllowed    = fmt.Sprintf("a non-empty key prefix without spaces, such as %s (unset it for the default)", defaultRedisPrefix)
	modeAllowed      = "single, cluster or sentinel (unset: inferred from REDIS_URL, where master_name= means sentinel and addr= cluster)"
	waitAllowed      = fmt.Sprintf("auto (the default: 1 when Redis reports a replica at start, else 0), 0 to never wait, or a number of replicas up to %d", maxWaitReplicas)
	levelAllowed     = "debug, info, warn or error (default " + defaultLogLevel + ")"
	formatAllowed    = "text or json (default " + defaultLogFormat + ")"
	workersAllowed   = fmt.Sprintf("a whole number from %d to %d (default %d)", minWorkers, maxWorkers, defaultWorkers)
	tickAllowed      = fmt.Sprintf("a duration from %v to %v such as 10s or 1m (default %v)", minTick, maxTick, defaultTick)
	retentionAllowed = fmt.Sprintf("a number of days from %d to %d such as 400d (or a duration such as 9600h; default %dd)",
		int(minRetention.Hours()/24), int(maxRetention.Hours()/24), int(defaultRetention.Hours()/24))
	leaseAllowed = fmt.Sprintf("a duration from %v to %v such as 2m (default %v)", minLease, maxLease, defaultLease)
)

func parseDuration(v string, lo, hi time.Duration) (time.Duration, bool) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	return d, err == nil && d >= lo && d <= hi
}

// parseDays reads "400d" as 400 days, or a Go duration, within [lo, hi].
func parseDays(v string, lo, hi time.Duration) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		d := time.Duration(days) * 24 * time.Hour
		return d, err == nil && d >= lo && d <= hi
	}
	return parseDuration(v, lo, hi)
}

// LoadConfig reads and checks the environment.
func LoadConfig() (Config, error) { return loadConfig(os.LookupEnv) }

// loadConfig reads every setting with lookup and reports every problem at
// once, each naming the variable, its value (secrets masked) and what is
// allowed.
func loadConfig(lookup func(string) (string, bool)) (Config, error) {
	c := Config{HTTPAddr: defaultHTTPAddr}
	var problems []problem
	for _, s := range settings {
		v, ok := lookup(s.name)
		if !ok {
			continue
		}
		if allowed := s.set(&c, v); allowed != "" {
			value := shown(v)
			if s.secret != nil {
				value = s.secret(v)
			}
			problems = append(problems, problem{name: s.name, value: value, allowed: allowed})
		}
	}
	problems = append(problems, c.problems()...)
	order := make(map[string]int, len(settings))
	for i, s := range settings {
		order[s.name] = i
	}
	slices.SortStableFunc(problems, func(a, b problem) int { return order[a.name] - order[b.name] })
	return c, cannotStart(problems)
}

// Check validates the configuration and gives zero values their defaults,
// saying how to fix each problem.
func (c *Config) Check() error { return cannotStart(c.problems()) }

func cannotStart(problems []problem) error {
	if len(problems) == 0 {
		return nil
	}
	lines := make([]string, len(problems))
	tokens := false
	for i, p := range problems {
		lines[i] = p.String()
		tokens = tokens || strings.HasSuffix(p.name, "_TOKEN")
	}
	msg := "assessbot cannot start; fix these settings:\n  " + strings.Join(lines, "\n  ")
	if tokens {
		msg += "\n\n" + appHelp
	}
	return errors.New(msg)
}

// problems applies the defaults and lists what is wrong.
func (c *Config) problems() []problem {
	var ps []problem
	add := func(name, value, allowed string) {
		ps = append(ps, problem{name: name, value: value, allowed: allowed})
	}

	c.SlackBotToken = strings.TrimSpace(c.SlackBotToken)
	c.SlackAppToken = strings.TrimSpace(c.SlackAppToken)
	if p, bad := checkToken("SLACK_BOT_TOKEN", c.SlackBotToken, "xoxb-", "the Bot User OAuth Token (xoxb-…, OAuth & Permissions after installing the app)"); bad {
		ps = append(ps, p)
	}
	if p, bad := checkToken("SLACK_APP_TOKEN", c.SlackAppToken, "xapp-", "an app-level token (xapp-…) with the scope connections:write, for Socket Mode"); bad {
		ps = append(ps, p)
	}

	if c.SlackAPIURL == "" {
		c.SlackAPIURL = defaultSlackAPIURL
	}
	c.SlackAPIURL = strings.TrimSpace(c.SlackAPIURL)
	if u, err := url.Parse(c.SlackAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("SLACK_API_URL", shown(c.SlackAPIURL), apiURLAllowed)
	} else if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}

	c.RedisMode = strings.ToLower(strings.TrimSpace(c.RedisMode))
	modeOK := true
	switch store.Mode(c.RedisMode) {
	case "", store.ModeSingle, store.ModeCluster, store.ModeSentinel:
		if c.RedisMode != "" && c.RedisURL == "" {
			add("REDIS_MODE", c.RedisMode, "needs REDIS_URL (the embedded Redis is one server); unset it or set REDIS_URL")
		}
	default:
		modeOK = false
		add("REDIS_MODE", shown(c.RedisMode), modeAllowed)
	}
	if c.RedisURL != "" && modeOK {
		if _, err := store.ParseURL(c.RedisURL, c.RedisMode); err != nil {
			// store's message names the redacted URL, then the cause.
			cause := err.Error()
			if _, after, ok := strings.Cut(cause, store.RedactURL(c.RedisURL)+": "); ok {
				cause = strings.TrimPrefix(after, "as single: ")
			}
			add("REDIS_URL", redactURL(c.RedisURL), fmt.Sprintf("%s; expected redis://[user:password@]host:port/db (one server), redis://host1:port?addr=host2:port (Cluster) or redis://sentinel1:port?master_name=name&addr=sentinel2:port (Sentinel), rediss://… for TLS (unset: an embedded in-memory Redis)", cause))
		}
	}
	if c.RedisWaitReplicas < NoWait || c.RedisWaitReplicas > maxWaitReplicas {
		add("REDIS_WAIT_REPLICAS", strconv.Itoa(c.RedisWaitReplicas), waitAllowed)
	}
	if c.RedisPrefix == "" {
		c.RedisPrefix = defaultRedisPrefix
	}
	if strings.ContainsFunc(c.RedisPrefix, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		add("REDIS_PREFIX", shown(c.RedisPrefix), prefixAllowed)
	}

	var admins, bad []string
	for _, u := range c.AdminUsers {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		admins = append(admins, u)
		if u != "*" && !userIDPattern.MatchString(u) {
			bad = append(bad, u)
		}
	}
	c.AdminUsers = admins
	c.AdminUsergroup = strings.TrimSpace(c.AdminUsergroup)
	everyone := len(admins) > 0 && admins[0] == "*"
	switch {
	case len(bad) > 0:
		add("ADMIN_USERS", shown(strings.Join(admins, ",")), fmt.Sprintf("%s: not a user id; use comma-separated Slack user ids such as U0123ABCDEF (profile → ⋮ → Copy member ID), or * alone to let everyone in", strings.Join(bad, ", ")))
	case (everyone && len(admins) > 1) || (!everyone && slices.Contains(admins, "*")):
		add("ADMIN_USERS", shown(strings.Join(admins, ",")), "* (everyone) must stand alone")
	case everyone && c.AdminUsergroup != "":
		add("ADMIN_USERS", "*", "everyone is an admin, so ADMIN_USERGROUP would not matter; unset one of them")
	}
	if c.AdminUsergroup != "" && !usergroupIDPattern.MatchString(c.AdminUsergroup) {
		allowed := "a user group id such as S0123ABCDEF"
		if userIDPattern.MatchString(c.AdminUsergroup) {
			allowed += "; that is a user id, which belongs in ADMIN_USERS"
		}
		add("ADMIN_USERGROUP", shown(c.AdminUsergroup), allowed)
	}

	if c.HTTPAddr != "" {
		host, port, err := net.SplitHostPort(c.HTTPAddr)
		n, perr := strconv.Atoi(port)
		if err != nil || perr != nil || n < 0 || n > 65535 || strings.ContainsAny(host, " /") {
			add("HTTP_ADDR", shown(c.HTTPAddr), "a host:port such as :8080 or 127.0.0.1:8080, or empty to turn off /healthz, /readyz and /metrics")
		}
	}

	if c.LogLevel == "" {
		c.LogLevel = defaultLogLevel
	}
	c.LogLevel = strings.TrimSpace(c.LogLevel)
	if _, err := parseLevel(c.LogLevel); err != nil {
		add("LOG_LEVEL", shown(c.LogLevel), levelAllowed)
	}
	if c.LogFormat == "" {
		c.LogFormat = defaultLogFormat
	}
	c.LogFormat = strings.ToLower(strings.TrimSpace(c.LogFormat))
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("LOG_FORMAT", shown(c.LogFormat), formatAllowed)
	}

	if c.Workers == 0 {
		c.Workers = defaultWorkers
	}
	if c.Workers < 0 || c.Workers > maxWorkers {
		add("WORKERS", strconv.Itoa(c.Workers), workersAllowed)
	}
	if c.Tick == 0 {
		c.Tick = defaultTick
	}
	if c.Tick < 0 || c.Tick > maxTick {
		add("TICK", c.Tick.String(), tickAllowed)
	}
	if c.Lease == 0 {
		c.Lease = defaultLease
	}
	if c.Lease < 0 || c.Lease > maxLease {
		add("LEASE", c.Lease.String(), leaseAllowed)
	}
	if c.Retention == 0 {
		c.Retention = defaultRetention
	}
	if c.Retention < 0 || c.Retention > maxRetention {
		add("RETENTION", c.Retention.String(), retentionAllowed)
	}
	return ps
}

// checkToken reports what is wrong with a token (already trimmed) that must
// start with prefix.
func checkToken(name, v, prefix, what string) (problem, bool) {
	p := problem{name: name, value: maskToken(v)}
	switch {
	case v == "":
		p.unset, p.allowed = true, "set it to "+what
	case !strings.HasPrefix(v, prefix):
		p.allowed = "must start with " + prefix + ": " + what
		switch {
		case strings.HasPrefix(v, "xapp-"):
			p.allowed += "; this is the app-level token, which goes in SLACK_APP_TOKEN"
		case strings.HasPrefix(v, "xoxb-"):
			p.allowed += "; this is the bot token, which goes in SLACK_BOT_TOKEN"
		case strings.HasPrefix(v, "xoxp-"):
			p.allowed += "; this is a user token, not the bot's"
		}
	case v == prefix:
		p.allowed = "only the prefix; paste the whole token: " + what
	case strings.Contains(strings.ToLower(v), "replace-me"):
		p.allowed = "still the placeholder from the example; set it to " + what
	case !tokenPattern.MatchString(v):
		p.allowed = "has spaces, quotes or other characters a Slack token never has; paste the token alone: " + what
	default:
		return p, false
	}
	return p, true
}

// maskToken shows a token's kind and length, never its secret part.
func maskToken(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return `""`
	}
	kind := ""
	for _, p := range []string{"xoxb-", "xapp-", "xoxp-", "xoxa-", "xoxe-", "xoxs-"} {
		if strings.HasPrefix(v, p) {
			kind = p
		}
	}
	if kind == v {
		return v
	}
	return fmt.Sprintf("%s…(%d characters)", kind, len(v))
}

// redactURL hides the password of a Redis URL, even one that does not
// parse: everything before the last @ but the scheme.
func redactURL(v string) string {
	v = strings.TrimSpace(v)
	if u, err := url.Parse(v); err == nil && u.User != nil {
		return u.Redacted()
	}
	i := strings.LastIndex(v, "@")
	if i < 0 {
		return shown(v)
	}
	scheme, _, ok := strings.Cut(v[:i], "://")
	if !ok {
		return "xxxxx" + v[i:]
	}
	return scheme + "://xxxxx" + v[i:]
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("LOG_LEVEL=%q: use debug, info, warn or error", s)
	}
	return l, nil
}

// Variable is one environment variable of `assessbot run`, with its
// default ("" for none), in the order they are read.
type Variable struct{ Name, Default string }

// Variables lists the environment variables LoadConfig reads.
func Variables() []Variable {
	defaults := map[string]string{
		"SLACK_API_URL": defaultSlackAPIURL, "REDIS_PREFIX": defaultRedisPrefix, "HTTP_ADDR": defaultHTTPAddr,
		"LOG_LEVEL": defaultLogLevel, "LOG_FORMAT": defaultLogFormat, "WORKERS": strconv.Itoa(defaultWorkers),
		"TICK": shortDuration(defaultTick), "LEASE": shortDuration(defaultLease), "RETENTION": strconv.Itoa(int(defaultRetention.Hours()/24)) + "d", "REDIS_WAIT_REPLICAS": "auto",
	}
	out := make([]Variable, 0, len(settings))
	for _, s := range settings {
		out = append(out, Variable{Name: s.name, Default: defaults[s.name]})
	}
	return out
}

// shortDuration writes whole minutes as "2m" where Duration.String says "2m0s".
func shortDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return d.String()
}
