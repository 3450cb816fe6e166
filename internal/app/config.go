package app

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/store"
)

// Config is the whole configuration of `assessbot run`. LoadConfig reads it
// from the environment; the demo, the load tool and tests build it as a
// literal, where a zero value means the default. What is not configuration
// (a clock, a Prometheus registry, the load tool's hooks) is given to
// NewMain as Options.
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
	AdminCacheTTL     time.Duration // ADMIN_CACHE_TTL: how long Slack's last word on an admin stands when Slack does not answer
	HTTPAddr          string        // HTTP_ADDR; empty: no health/metrics server
	LogLevel          string        // LOG_LEVEL
	LogFormat         string        // LOG_FORMAT
	Workers           int           // WORKERS
	Tick              time.Duration // TICK
	Lease             time.Duration // LEASE
	Retention         time.Duration // RETENTION: how long a closed review's answers are kept
	AwayWords         []string      // AWAY_WORDS: comma-separated words and emoji of a Slack status that say "away"
}

// defaults is every default, written once. A Config literal's zero values
// take them (fillDefaults), and so does an unset environment variable.
// HTTPAddr is the exception: unset in the environment it is ":8080", while
// an empty HTTPAddr (a literal, or HTTP_ADDR=) turns the server off.
func defaults() Config {
	return Config{
		SlackAPIURL: "https://slack.com/api/", RedisPrefix: "assessbot:", HTTPAddr: ":8080",
		LogLevel: "info", LogFormat: "text", Workers: 16,
		Tick: 10 * time.Second, Lease: 2 * time.Minute, Retention: 400 * 24 * time.Hour, AdminCacheTTL: 5 * time.Minute,
	}
}

// fillDefaults gives a literal's zero values their defaults.
func (c *Config) fillDefaults() {
	d := defaults()
	c.SlackAPIURL = cmp.Or(c.SlackAPIURL, d.SlackAPIURL)
	c.RedisPrefix = cmp.Or(c.RedisPrefix, d.RedisPrefix)
	c.LogLevel = cmp.Or(c.LogLevel, d.LogLevel)
	c.LogFormat = cmp.Or(c.LogFormat, d.LogFormat)
	c.Workers = cmp.Or(c.Workers, d.Workers)
	c.Tick = cmp.Or(c.Tick, d.Tick)
	c.Lease = cmp.Or(c.Lease, d.Lease)
	c.Retention = cmp.Or(c.Retention, d.Retention)
	c.AdminCacheTTL = cmp.Or(c.AdminCacheTTL, d.AdminCacheTTL)
}

// tidy drops what does not matter in a value, on both ways in: the spaces
// around it, the case of words, empty entries of a list, the missing final
// slash of an API URL.
func (c *Config) tidy() {
	for _, s := range []*string{&c.SlackBotToken, &c.SlackAppToken, &c.SlackAPIURL, &c.RedisURL, &c.FrameworksDir,
		&c.AdminUsergroup, &c.HTTPAddr, &c.LogLevel} {
		*s = strings.TrimSpace(*s)
	}
	c.RedisMode = strings.ToLower(strings.TrimSpace(c.RedisMode))
	c.LogFormat = strings.ToLower(strings.TrimSpace(c.LogFormat))
	if apiURLValid(c.SlackAPIURL) && !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	var admins []string
	for _, u := range c.AdminUsers {
		if u = strings.TrimSpace(u); u != "" {
			admins = append(admins, u)
		}
	}
	c.AdminUsers = admins
	var words []string
	for _, w := range c.AwayWords {
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	c.AwayWords = words
}

// NoWait is the RedisWaitReplicas of REDIS_WAIT_REPLICAS=0: answers are
// acknowledged once the master has them.
const NoWait = -1

// defaultWaitTimeout is how long an answer waits for its replicas.
const defaultWaitTimeout = 500 * time.Millisecond

const appHelp = `Create the Slack app from deploy/slack-app-manifest.yaml:
  1. https://api.slack.com/apps → Create New App → From an app manifest → paste the file.
  2. Install it to your workspace; copy the Bot User OAuth Token (xoxb-…) into SLACK_BOT_TOKEN.
  3. Basic Information → App-Level Tokens → Generate with scope connections:write; put the xapp-… token in SLACK_APP_TOKEN.
Or try it without Slack: make demo`

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

// LoadConfig reads and checks the environment.
func LoadConfig() (Config, error) { return loadConfig(os.LookupEnv) }

// loadConfig reads every setting with lookup over the defaults and reports
// every problem at once, each naming the variable, its value (secrets
// masked) and what is allowed.
func loadConfig(lookup func(string) (string, bool)) (Config, error) {
	c := defaults()
	raw := map[string]string{} // the variables set, as written
	var unreadable []string    // those whose text is not of their form
	for _, s := range settings {
		v, ok := lookup(s.name)
		if !ok {
			continue
		}
		raw[s.name] = v
		if (strings.TrimSpace(v) == "" && !s.blankOK) || !s.parse(&c, v) {
			unreadable = append(unreadable, s.name)
		}
	}
	c.tidy()
	return c, cannotStart(c.problems(raw, unreadable))
}

// Check validates the configuration and gives zero values their defaults,
// saying how to fix each problem.
func (c *Config) Check() error {
	c.fillDefaults()
	c.tidy()
	return cannotStart(c.problems(nil, nil))
}

// problems checks every setting, in order. raw holds the variables read
// from the environment (where the minimums hold, and whose values are
// shown as written); unreadable, those whose text was not of their form.
func (c *Config) problems(raw map[string]string, unreadable []string) []problem {
	var ps []problem
	for _, s := range settings {
		v, env := raw[s.name]
		allowed := s.allowed
		if !slices.Contains(unreadable, s.name) {
			allowed = s.check(c, env)
		}
		if allowed == "" {
			continue
		}
		if !env {
			v = s.value(c)
		}
		p := problem{name: s.name, value: shown(v), allowed: allowed}
		if s.mask != nil {
			p.value = s.mask(v)
		}
		if s.required && strings.TrimSpace(v) == "" {
			p.unset = true
		}
		ps = append(ps, p)
	}
	return ps
}

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

// checkToken says what is wrong with a token (already tidied) that must
// start with prefix; "" when nothing.
func checkToken(v, prefix, what string) string {
	var allowed string
	switch {
	case v == "":
		return "set it to " + what
	case !strings.HasPrefix(v, prefix):
		allowed = "must start with " + prefix + ": " + what
		switch {
		case strings.HasPrefix(v, "xapp-"):
			allowed += "; this is the app-level token, which goes in SLACK_APP_TOKEN"
		case strings.HasPrefix(v, "xoxb-"):
			allowed += "; this is the bot token, which goes in SLACK_BOT_TOKEN"
		case strings.HasPrefix(v, "xoxp-"):
			allowed += "; this is a user token, not the bot's"
		}
	case v == prefix:
		allowed = "only the prefix; paste the whole token: " + what
	case strings.Contains(strings.ToLower(v), "replace-me"):
		allowed = "still the placeholder from the example; set it to " + what
	case !tokenPattern.MatchString(v):
		allowed = "has spaces, quotes or other characters a Slack token never has; paste the token alone: " + what
	}
	return allowed
}

var (
	userIDPattern      = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	usergroupIDPattern = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
	tokenPattern       = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
)

// maskToken shows a token's kind and length, never its secret part.
func maskToken(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return `""`
	}
	kind := ""
	for _, p := range []string{"xoxb-", "xoxp-", "xapp-", "xoxa-", "xoxe-", "xoxs-"} {
		if strings.HasPrefix(v, p) {
			kind = p
		}
	}
	if kind == v {
		return v
	}
	return fmt.Sprintf("%s…(%d characters)", kind, len(v))
}

// apiURLValid: an absolute http(s) URL.
func apiURLValid(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkHTTPAddr: a host:port, or empty for none.
func checkHTTPAddr(v string) bool {
	if v == "" {
		return true
	}
	host, port, err := net.SplitHostPort(v)
	n, perr := strconv.Atoi(port)
	return err == nil && perr == nil && n >= 0 && n <= 65535 && !strings.ContainsAny(host, " /")
}

// checkFrameworksDir says what is wrong with a FRAMEWORKS_DIR; "" when
// nothing (or unset).
func checkFrameworksDir(dir string) string {
	if dir == "" {
		return ""
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such directory; point it at a folder of *.yaml framework files, or unset it for the shipped frameworks only"
	case err != nil:
		return fmt.Sprintf("cannot be read (%v); point it at a folder of *.yaml framework files, or unset it", errors.Unwrap(err))
	case !st.IsDir():
		return "not a directory; point it at a folder of *.yaml framework files, or unset it"
	}
	return ""
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("LOG_LEVEL=%q: use debug, info, warn or error", s)
	}
	return l, nil
}

// Variable is one environment variable of `assessbot run`: its default
// ("" for none) and what it is for (backticks mark code), in the order
// they are read. `assessbot help` and the README's configuration table
// both print this list.
type Variable struct{ Name, Default, Help string }

// Variables lists the environment variables LoadConfig reads.
func Variables() []Variable {
	d := defaults()
	out := make([]Variable, 0, len(settings))
	for _, s := range settings {
		out = append(out, Variable{Name: s.name, Default: s.value(&d), Help: s.help})
	}
	return out
}

// IsUserID reports whether s looks like a Slack user id.
func IsUserID(s string) bool { return userIDPattern.MatchString(s) }

// redisURLProblem says what is wrong with a REDIS_URL (already tidied);
// "" when nothing. The message never holds a password: store's reason is
// scrubbed of them.
func redisURLProblem(c *Config) string {
	if c.RedisURL == "" || !validMode(c.RedisMode) {
		return ""
	}
	expected := "expected redis://[user:password@]host:port/db (one server), redis://host1:port?addr=host2:port (Cluster) or redis://sentinel1:port?master_name=name&addr=sentinel2:port (Sentinel), rediss://… for TLS (unset: an embedded in-memory Redis)"
	if _, err := store.ParseURL(c.RedisURL, c.RedisMode); err != nil {
		var ue *store.URLError
		if errors.As(err, &ue) {
			return ue.Reason + "; " + expected
		}
		return expected
	}
	for _, s := range store.Secrets(c.RedisURL) {
		if strings.Contains(strings.ToLower(s), "replace-me") {
			return "the password is still the placeholder from the example: set the Redis password (the same on the server)"
		}
	}
	return ""
}

func validMode(m string) bool {
	switch store.Mode(m) {
	case "", store.ModeSingle, store.ModeCluster, store.ModeSentinel:
		return true
	}
	return false
}

// shortDuration writes whole minutes as "2m" where Duration.String says "2m0s".
func shortDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return d.String()
}
