package app

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/store"
)

// A setting is one environment variable: what it is for, how its text
// becomes a field of Config and back, and the one rule its value follows,
// for a value from the environment and from a literal alike.
type setting struct {
	name string
	// help says what it is for (backticks mark code); `assessbot help`
	// and the README's table print it.
	help string
	// allowed says what is allowed when the text is not of the setting's
	// form (check words its own problems).
	allowed string
	// blankOK: an empty value means something (none, off); otherwise an
	// empty or blank value is refused, as the default would hide it.
	blankOK bool
	// required: unset (or blank) is a problem, worded "is not set".
	required bool
	// mask shows a value without its secrets; nil shows it as it is.
	mask func(string) string
	// value writes c's value as the environment would.
	value func(c *Config) string
	// parse reads the environment's text into c; false when the text is
	// not of the setting's form.
	parse func(c *Config, v string) bool
	// check says what is wrong with c's (tidied) value, "" when nothing;
	// env says the value came from the environment, where the minimum
	// holds (a literal may go lower: tests tick every few milliseconds).
	check func(c *Config, env bool) string
}

// Bounds of the numeric settings.
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
	// The admin cache: at least a minute (Slack's hiccups are shorter),
	// at most an hour (a removed admin keeps their rights no longer).
	minAdminCacheTTL, maxAdminCacheTTL = time.Minute, time.Hour
)

const (
	botTokenWhat = "the Bot User OAuth Token (xoxb-…, OAuth & Permissions after installing the app)"
	appTokenWhat = "an app-level token (xapp-…) with the scope connections:write, for Socket Mode"
)

var (
	apiURLAllowed    = "an absolute http(s) URL such as " + defaults().SlackAPIURL + " (only for Slack-compatible test servers; unset it to talk to Slack)"
	prefixAllowed    = fmt.Sprintf("a non-empty key prefix without spaces, such as %s (unset it for the default)", defaults().RedisPrefix)
	modeAllowed      = "single, cluster or sentinel (unset: inferred from REDIS_URL, where master_name= means sentinel and addr= cluster)"
	waitAllowed      = fmt.Sprintf("auto (the default: 1 when Redis reports a replica at start, else 0), 0 to never wait, or a number of replicas up to %d", maxWaitReplicas)
	levelAllowed     = "debug, info, warn or error (default " + defaults().LogLevel + ")"
	formatAllowed    = "text or json (default " + defaults().LogFormat + ")"
	workersAllowed   = fmt.Sprintf("a whole number from %d to %d (default %d)", minWorkers, maxWorkers, defaults().Workers)
	tickAllowed      = fmt.Sprintf("a duration from %v to %v such as 10s or 1m (default %v)", minTick, maxTick, defaults().Tick)
	leaseAllowed     = fmt.Sprintf("a duration from %v to %v such as 2m (default %v)", minLease, maxLease, defaults().Lease)
	retentionAllowed = fmt.Sprintf("a number of days from %d to %d such as 400d (or a duration such as 9600h; default %s)",
		int(minRetention.Hours()/24), int(maxRetention.Hours()/24), days(defaults().Retention))
	adminCacheAllowed = fmt.Sprintf("a duration from %v to %v such as 5m (default %v)", shortDuration(minAdminCacheTTL), shortDuration(maxAdminCacheTTL), shortDuration(defaults().AdminCacheTTL))
	httpAddrAllowed   = "a host:port such as :8080 or 127.0.0.1:8080, or empty to turn off /healthz, /readyz and /metrics"
)

var settings = []setting{
	{name: "SLACK_BOT_TOKEN", required: true, blankOK: true, mask: maskToken,
		help:  "required: the bot token (Bot User OAuth Token), `xoxb-…`",
		value: func(c *Config) string { return c.SlackBotToken },
		parse: func(c *Config, v string) bool { c.SlackBotToken = v; return true },
		check: func(c *Config, _ bool) string { return checkToken(c.SlackBotToken, "xoxb-", botTokenWhat) }},
	{name: "SLACK_APP_TOKEN", required: true, blankOK: true, mask: maskToken,
		help:  "required: an app-level token with `connections:write` (Socket Mode), `xapp-…`",
		value: func(c *Config) string { return c.SlackAppToken },
		parse: func(c *Config, v string) bool { c.SlackAppToken = v; return true },
		check: func(c *Config, _ bool) string { return checkToken(c.SlackAppToken, "xapp-", appTokenWhat) }},
	{name: "SLACK_API_URL", allowed: apiURLAllowed,
		help:  "Web API base; any Slack-compatible endpoint",
		value: func(c *Config) string { return c.SlackAPIURL },
		parse: func(c *Config, v string) bool { c.SlackAPIURL = v; return true },
		check: func(c *Config, _ bool) string { return unless(apiURLValid(c.SlackAPIURL), apiURLAllowed) }},
	{name: "REDIS_URL", blankOK: true, mask: func(v string) string { return store.RedactURL(strings.TrimSpace(v)) },
		help: "one server `redis://[user:password@]host:6379/0`, a Cluster `redis://host1:7000?addr=host2:7001`, " +
			"or Sentinel `redis://sentinel1:26379?master_name=mymaster&addr=sentinel2:26379&password=<master's>`; " +
			"`rediss://` for TLS; unset: an embedded in-memory Redis that loses everything when the bot stops. " +
			"Its passwords are never shown, in any form",
		value: func(c *Config) string { return c.RedisURL },
		parse: func(c *Config, v string) bool { c.RedisURL = v; return true },
		check: func(c *Config, _ bool) string { return redisURLProblem(c) }},
	{name: "REDIS_PREFIX", allowed: prefixAllowed,
		help:  "prefix of every key",
		value: func(c *Config) string { return c.RedisPrefix },
		parse: func(c *Config, v string) bool { c.RedisPrefix = v; return true },
		check: func(c *Config, _ bool) string {
			return unless(c.RedisPrefix != "" && !strings.ContainsFunc(c.RedisPrefix, func(r rune) bool { return r <= ' ' || r == 0x7f }), prefixAllowed)
		}},
	{name: "REDIS_MODE", allowed: modeAllowed,
		help:  "`single`, `cluster` or `sentinel`; unset: inferred from `REDIS_URL` (a one-seed cluster URL needs it)",
		value: func(c *Config) string { return c.RedisMode },
		parse: func(c *Config, v string) bool { c.RedisMode = v; return true },
		check: func(c *Config, _ bool) string {
			if !validMode(c.RedisMode) {
				return modeAllowed
			}
			return unless(c.RedisMode == "" || c.RedisURL != "", "needs REDIS_URL (the embedded Redis is one server); unset it or set REDIS_URL")
		}},
	{name: "REDIS_WAIT_REPLICAS", allowed: waitAllowed,
		help: "replicas an answer waits for (`WAIT`) before it is acknowledged: `auto` waits for 1 when the server has replicas at start, " +
			"`0` never waits, a number waits for that many",
		value: func(c *Config) string {
			switch c.RedisWaitReplicas {
			case 0:
				return "auto"
			case NoWait:
				return "0"
			}
			return strconv.Itoa(c.RedisWaitReplicas)
		},
		parse: func(c *Config, v string) bool {
			switch v = strings.ToLower(strings.TrimSpace(v)); v {
			case "auto":
				c.RedisWaitReplicas = 0
				return true
			case "0", "none":
				c.RedisWaitReplicas = NoWait
				return true
			}
			n, err := strconv.Atoi(v)
			c.RedisWaitReplicas = n
			return err == nil && n > 0
		},
		check: func(c *Config, _ bool) string {
			return unless(c.RedisWaitReplicas >= NoWait && c.RedisWaitReplicas <= maxWaitReplicas, waitAllowed)
		}},
	{name: "FRAMEWORKS_DIR", blankOK: true,
		help:  "a folder of `*.yaml` frameworks added to (or replacing, by id) the shipped ones",
		value: func(c *Config) string { return c.FrameworksDir },
		parse: func(c *Config, v string) bool { c.FrameworksDir = v; return true },
		check: func(c *Config, _ bool) string { return checkFrameworksDir(c.FrameworksDir) }},
	{name: "ADMIN_USERS", blankOK: true,
		help: "comma-separated user ids (`U…`) who may start, close, schedule and inspect reviews; " +
			"`*` is the explicit opt-in for everyone in the workspace",
		value: func(c *Config) string { return strings.Join(c.AdminUsers, ",") },
		parse: func(c *Config, v string) bool { c.AdminUsers = strings.Split(v, ","); return true },
		check: func(c *Config, _ bool) string { return adminUsersProblem(c) }},
	{name: "ADMIN_USERGROUP", blankOK: true,
		help:  "a user group id (`S…`) whose members are admins. With neither set, admin commands are refused: set one of the two",
		value: func(c *Config) string { return c.AdminUsergroup },
		parse: func(c *Config, v string) bool { c.AdminUsergroup = v; return true },
		check: func(c *Config, _ bool) string {
			switch {
			case c.AdminUsergroup == "" || usergroupIDPattern.MatchString(c.AdminUsergroup):
				return ""
			case userIDPattern.MatchString(c.AdminUsergroup):
				return "a user group id such as S0123ABCDEF; that is a user id, which belongs in ADMIN_USERS"
			}
			return "a user group id such as S0123ABCDEF"
		}},
	{name: "ADMIN_CACHE_TTL", allowed: adminCacheAllowed,
		help: "how long Slack's last word on an admin (their profile, the admin user group) still counts when Slack does not answer; " +
			"past it, admin commands are refused until Slack confirms them again",
		value: func(c *Config) string { return shortDuration(c.AdminCacheTTL) },
		parse: func(c *Config, v string) bool { return parseDuration(&c.AdminCacheTTL, v) },
		check: func(c *Config, env bool) string {
			return unless(within(c.AdminCacheTTL, minAdminCacheTTL, maxAdminCacheTTL, env), adminCacheAllowed)
		}},
	{name: "HTTP_ADDR", blankOK: true,
		help:  "`/healthz` (alive), `/readyz` (Slack connected and Redis answering, else 503), `/metrics` (Prometheus); empty: none of them",
		value: func(c *Config) string { return c.HTTPAddr },
		parse: func(c *Config, v string) bool { c.HTTPAddr = v; return true },
		check: func(c *Config, _ bool) string { return unless(checkHTTPAddr(c.HTTPAddr), httpAddrAllowed) }},
	{name: "LOG_LEVEL", allowed: levelAllowed,
		help:  "`debug`, `info`, `warn` or `error`",
		value: func(c *Config) string { return c.LogLevel },
		parse: func(c *Config, v string) bool { c.LogLevel = v; return true },
		check: func(c *Config, _ bool) string {
			_, err := parseLevel(c.LogLevel)
			return unless(err == nil, levelAllowed)
		}},
	{name: "LOG_FORMAT", allowed: formatAllowed,
		help:  "`text` or `json`",
		value: func(c *Config) string { return c.LogFormat },
		parse: func(c *Config, v string) bool { c.LogFormat = v; return true },
		check: func(c *Config, _ bool) string {
			return unless(c.LogFormat == "text" || c.LogFormat == "json", formatAllowed)
		}},
	{name: "WORKERS", allowed: workersAllowed,
		help:  "workers handling envelopes after their ack",
		value: func(c *Config) string { return strconv.Itoa(c.Workers) },
		parse: func(c *Config, v string) bool {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			c.Workers = n
			return err == nil
		},
		check: func(c *Config, env bool) string {
			return unless(within(c.Workers, minWorkers, maxWorkers, env), workersAllowed)
		}},
	{name: "TICK", allowed: tickAllowed,
		help:  "how often schedules, deadlines, DMs and reminders due, and unposted digests are checked",
		value: func(c *Config) string { return shortDuration(c.Tick) },
		parse: func(c *Config, v string) bool { return parseDuration(&c.Tick, v) },
		check: func(c *Config, env bool) string { return unless(within(c.Tick, minTick, maxTick, env), tickAllowed) }},
	{name: "LEASE", allowed: leaseAllowed,
		help: "how long a claim on a piece of work (a digest, a DM, a scheduled run, an acked command in the inbox) holds " +
			"before another process may take over the work of one that died",
		value: func(c *Config) string { return shortDuration(c.Lease) },
		parse: func(c *Config, v string) bool { return parseDuration(&c.Lease, v) },
		check: func(c *Config, env bool) string {
			return unless(within(c.Lease, minLease, maxLease, env), leaseAllowed)
		}},
	{name: "RETENTION", allowed: retentionAllowed,
		help:  "how long a closed review's answers are kept; then they are deleted and only its figures stay",
		value: func(c *Config) string { return days(c.Retention) },
		parse: func(c *Config, v string) bool {
			if n, ok := strings.CutSuffix(strings.TrimSpace(v), "d"); ok {
				d, err := strconv.Atoi(n)
				c.Retention = time.Duration(d) * 24 * time.Hour
				return err == nil
			}
			return parseDuration(&c.Retention, v)
		},
		check: func(c *Config, env bool) string {
			return unless(within(c.Retention, minRetention, maxRetention, env), retentionAllowed)
		}},
	{name: "AWAY_WORDS", blankOK: true,
		help: "comma-separated words, phrases or emoji (`:beach_with_umbrella:`) of a Slack status that say its person is away, " +
			"added to the built-in ones (holiday, vacation, out of office, sick, parental leave, `:palm_tree:`, `:airplane:`…)",
		value: func(c *Config) string { return strings.Join(c.AwayWords, ",") },
		parse: func(c *Config, v string) bool { c.AwayWords = strings.Split(v, ","); return true },
		check: func(c *Config, _ bool) string {
			for _, w := range c.AwayWords {
				if !review.AwayWordOK(w) {
					return fmt.Sprintf("%q has no word and no emoji code; give words, phrases or emoji codes such as :beach_with_umbrella:, comma-separated", w)
				}
			}
			return ""
		}},
}

// unless is "" when ok, else what is allowed.
func unless(ok bool, allowed string) string {
	if ok {
		return ""
	}
	return allowed
}

// within says whether n is in [lo, hi]; a literal's n may go below lo,
// never below 1.
func within[T int | time.Duration](n, lo, hi T, env bool) bool {
	if !env {
		lo = min(lo, 1)
	}
	return n >= lo && n <= hi
}

func parseDuration(d *time.Duration, v string) bool {
	var err error
	*d, err = time.ParseDuration(strings.TrimSpace(v))
	return err == nil
}

// days writes a whole number of days as "400d".
func days(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return shortDuration(d)
}

// adminUsersProblem: user ids, or * alone (and then no group).
func adminUsersProblem(c *Config) string {
	var bad []string
	for _, u := range c.AdminUsers {
		if u != "*" && !userIDPattern.MatchString(u) {
			bad = append(bad, u)
		}
	}
	everyone := len(c.AdminUsers) > 0 && c.AdminUsers[0] == "*"
	switch {
	case len(bad) > 0:
		return fmt.Sprintf("%s: not a user id; use comma-separated Slack user ids such as U0123ABCDEF (profile → ⋮ → Copy member ID), or * alone to let everyone in", strings.Join(bad, ", "))
	case (everyone && len(c.AdminUsers) > 1) || (!everyone && slices.Contains(c.AdminUsers, "*")):
		return "* (everyone) must stand alone"
	case everyone && c.AdminUsergroup != "":
		return "everyone is an admin, so ADMIN_USERGROUP would not matter; unset one of them"
	}
	return ""
}
