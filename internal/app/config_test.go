package app

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	goodBot = "xoxb-1234-5678-abcdefSECRETbot"
	goodApp = "xapp-1-A0123-4567-abcdefSECRETapp"
)

// env is a lookup over a map; a key present with "" is set but empty.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func withTokens(vars map[string]string) map[string]string {
	out := map[string]string{"SLACK_BOT_TOKEN": goodBot, "SLACK_APP_TOKEN": goodApp}
	for k, v := range vars {
		out[k] = v
	}
	return out
}

// Every bad value is refused at start with the variable, the value (secrets
// masked) and what is allowed.
func TestLoadConfigRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		vars map[string]string
		want []string // substrings of the error
		hide []string // never in the error
	}{
		{"bare bot prefix", map[string]string{"SLACK_BOT_TOKEN": "xoxb-"}, []string{"SLACK_BOT_TOKEN=xoxb-: only the prefix"}, nil},
		{"bare app prefix", map[string]string{"SLACK_APP_TOKEN": "xapp-\n"}, []string{"SLACK_APP_TOKEN=xapp-: only the prefix", "connections:write"}, nil},
		{"inner space", map[string]string{"SLACK_BOT_TOKEN": "xoxb-12 34SECRET"}, []string{"SLACK_BOT_TOKEN=xoxb-…(16 characters): has spaces"}, []string{"SECRET"}},
		{"quoted", map[string]string{"SLACK_APP_TOKEN": `"xapp-1-SECRET"`}, []string{"SLACK_APP_TOKEN=…(15 characters): must start with xapp-"}, []string{"SECRET"}},
		{"swapped", map[string]string{"SLACK_BOT_TOKEN": goodApp, "SLACK_APP_TOKEN": goodBot}, []string{"SLACK_BOT_TOKEN=xapp-…", "which goes in SLACK_APP_TOKEN", "SLACK_APP_TOKEN=xoxb-…", "which goes in SLACK_BOT_TOKEN", "Create the Slack app"}, []string{"SECRET"}},
		{"user token", map[string]string{"SLACK_BOT_TOKEN": "xoxp-123SECRET"}, []string{"SLACK_BOT_TOKEN=xoxp-…(14 characters)", "a user token"}, []string{"SECRET"}},
		{"placeholder", map[string]string{"SLACK_BOT_TOKEN": "xoxb-replace-me"}, []string{"placeholder"}, nil},
		{"no tokens", map[string]string{"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": " "}, []string{"SLACK_BOT_TOKEN is not set", "SLACK_APP_TOKEN is not set"}, nil},
		{"lease 1ms", map[string]string{"LEASE": "1ms"}, []string{"LEASE=1ms: a duration from 1s to 1h0m0s"}, nil},
		{"lease 2h", map[string]string{"LEASE": "2h"}, []string{"LEASE=2h: "}, nil},
		{"admin name", map[string]string{"ADMIN_USERS": "alice"}, []string{"ADMIN_USERS=alice: alice: not a user id", "U0123ABCDEF", "* alone"}, nil},
		{"admin lower-case id", map[string]string{"ADMIN_USERS": "U0123,u0456"}, []string{"ADMIN_USERS=U0123,u0456: u0456: not a user id"}, nil},
		{"admin star and id", map[string]string{"ADMIN_USERS": "U0123,*"}, []string{"ADMIN_USERS=U0123,*: * (everyone) must stand alone"}, nil},
		{"admin star and group", map[string]string{"ADMIN_USERS": "*", "ADMIN_USERGROUP": "S0123"}, []string{"ADMIN_USERS=*: everyone is an admin"}, nil},
		{"usergroup is a user", map[string]string{"ADMIN_USERGROUP": "U123"}, []string{"ADMIN_USERGROUP=U123: a user group id such as S0123ABCDEF; that is a user id"}, nil},
		{"usergroup mention", map[string]string{"ADMIN_USERGROUP": "@leads"}, []string{"ADMIN_USERGROUP=@leads: a user group id"}, nil},
		{"away word without a word", map[string]string{"AWAY_WORDS": "Urlaub, --"}, []string{`AWAY_WORDS="Urlaub, --": "--" has no word and no emoji code`}, nil},
		{"workers -1", map[string]string{"WORKERS": "-1"}, []string{"WORKERS=-1: a whole number from 1 to 256 (default 16)"}, nil},
		{"workers 0", map[string]string{"WORKERS": "0"}, []string{"WORKERS=0: a whole number from 1 to 256"}, nil},
		{"workers 257", map[string]string{"WORKERS": "257"}, []string{"WORKERS=257: "}, nil},
		{"workers empty", map[string]string{"WORKERS": ""}, []string{`WORKERS="": a whole number from 1 to 256`}, []string{"envconfig", "assigning"}},
		{"workers word", map[string]string{"WORKERS": "many"}, []string{"WORKERS=many: a whole number"}, []string{"strconv"}},
		{"tick 0s", map[string]string{"TICK": "0s"}, []string{"TICK=0s: a duration from 100ms to 5m0s"}, nil},
		{"tick no unit", map[string]string{"TICK": "10"}, []string{"TICK=10: a duration"}, []string{"missing unit"}},
		{"tick 1h", map[string]string{"TICK": "1h"}, []string{"TICK=1h: "}, nil},
		{"tick empty", map[string]string{"TICK": ""}, []string{`TICK="": a duration`}, nil},
		{"log format xml", map[string]string{"LOG_FORMAT": "xml"}, []string{"LOG_FORMAT=xml: text or json"}, nil},
		{"log format empty", map[string]string{"LOG_FORMAT": ""}, []string{`LOG_FORMAT="": text or json`}, nil},
		{"log level verbose", map[string]string{"LOG_LEVEL": "verbose"}, []string{"LOG_LEVEL=verbose: debug, info, warn or error"}, nil},
		{"log level empty", map[string]string{"LOG_LEVEL": ""}, []string{`LOG_LEVEL="": debug, info`}, nil},
		{"api url not a url", map[string]string{"SLACK_API_URL": "notaurl"}, []string{"SLACK_API_URL=notaurl: an absolute http(s) URL"}, nil},
		{"api url ftp", map[string]string{"SLACK_API_URL": "ftp://slack.com/api/"}, []string{"SLACK_API_URL=ftp://slack.com/api/: "}, nil},
		{"api url empty", map[string]string{"SLACK_API_URL": ""}, []string{`SLACK_API_URL="": an absolute`}, nil},
		{"http addr port only", map[string]string{"HTTP_ADDR": "8080"}, []string{"HTTP_ADDR=8080: a host:port such as :8080"}, nil},
		{"http addr bad port", map[string]string{"HTTP_ADDR": ":99999"}, []string{"HTTP_ADDR=:99999: "}, nil},
		{"http addr url", map[string]string{"HTTP_ADDR": "http://0.0.0.0:8080"}, []string{"HTTP_ADDR=http://0.0.0.0:8080: "}, nil},
		{"prefix empty", map[string]string{"REDIS_PREFIX": ""}, []string{`REDIS_PREFIX="": a non-empty key prefix`}, nil},
		{"prefix space", map[string]string{"REDIS_PREFIX": "my bot:"}, []string{`REDIS_PREFIX="my bot:": a non-empty key prefix without spaces`}, nil},
		{"redis bad db", map[string]string{"REDIS_URL": "redis://:s3cret@db:6379/zero"}, []string{"REDIS_URL=redis://:xxxxx@db:6379/zero: ", "invalid database number", "rediss://"}, []string{"s3cret"}},
		{"redis bad scheme", map[string]string{"REDIS_URL": "http://u:s3cret@db:6379"}, []string{"REDIS_URL=http://u:xxxxx@db:6379: redis: invalid URL scheme: http"}, []string{"s3cret"}},
		{"redis unparsable", map[string]string{"REDIS_URL": "redis://u:s3cr%zzet@db:6379/0"}, []string{"REDIS_URL=redis://u:xxxxx@db:6379/0: "}, []string{"s3cr", "%zz"}},
		{"redis mode unknown", map[string]string{"REDIS_URL": "redis://db:6379/0", "REDIS_MODE": "ring"}, []string{"REDIS_MODE=ring: single, cluster or sentinel"}, nil},
		{"redis mode without url", map[string]string{"REDIS_MODE": "cluster"}, []string{"REDIS_MODE=cluster: needs REDIS_URL"}, nil},
		{"redis sentinel without master", map[string]string{"REDIS_URL": "redis://:s3cret@s1:26379?addr=s2:26379", "REDIS_MODE": "sentinel"}, []string{"REDIS_URL=redis://:xxxxx@s1:26379?addr=s2:26379: ", "master_name"}, []string{"s3cret"}},
		{"redis cluster database", map[string]string{"REDIS_URL": "redis://h1:7000/2?addr=h2:7001"}, []string{"REDIS_URL=", "Redis Cluster has only database 0"}, nil},
		{"wait replicas word", map[string]string{"REDIS_WAIT_REPLICAS": "many"}, []string{"REDIS_WAIT_REPLICAS=many: auto (the default"}, nil},
		{"wait replicas too many", map[string]string{"REDIS_WAIT_REPLICAS": "9"}, []string{"REDIS_WAIT_REPLICAS=9: "}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadConfig(env(withTokens(tc.vars)))
			if err == nil {
				t.Fatalf("%v accepted", tc.vars)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "assessbot cannot start") {
				t.Errorf("error does not start with the headline:\n%s", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			for _, h := range tc.hide {
				if strings.Contains(msg, h) {
					t.Errorf("error shows %q:\n%s", h, msg)
				}
			}
		})
	}
}

// Several problems are listed together, one line each.
func TestLoadConfigListsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(env(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-", "WORKERS": "0", "TICK": "0s", "LEASE": "1ms",
		"LOG_FORMAT": "xml", "ADMIN_USERS": "alice", "SLACK_API_URL": "notaurl",
	}))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, v := range []string{"SLACK_BOT_TOKEN=", "SLACK_APP_TOKEN is not set", "WORKERS=", "TICK=", "LEASE=", "LOG_FORMAT=", "ADMIN_USERS=", "SLACK_API_URL="} {
		if n := strings.Count(err.Error(), "\n  "+v); n != 1 {
			t.Errorf("%q on %d lines, want 1:\n%s", v, n, err)
		}
	}
}

// Good values, including whitespace around tokens, and the defaults.
func TestLoadConfigAccepts(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(map[string]string{"SLACK_BOT_TOKEN": goodBot + "\n", "SLACK_APP_TOKEN": "  " + goodApp + " "}))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		SlackBotToken: goodBot, SlackAppToken: goodApp, SlackAPIURL: "https://slack.com/api/", RedisPrefix: "assessbot:",
		HTTPAddr: ":8080", LogLevel: "info", LogFormat: "text", Workers: 16, Tick: 10 * time.Second, Lease: 2 * time.Minute,
	}
	if !sameSettings(c, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", c, want)
	}

	c, err = loadConfig(env(withTokens(map[string]string{
		"SLACK_API_URL": "http://127.0.0.1:9/api", "REDIS_URL": "rediss://u:p@db:6380/2", "REDIS_PREFIX": "bot2:",
		"ADMIN_USERS": " U0123ABC, W0456DEF ,", "ADMIN_USERGROUP": "S0789", "HTTP_ADDR": "", "LOG_LEVEL": "DEBUG",
		"LOG_FORMAT": "JSON", "WORKERS": "256", "TICK": "100ms", "LEASE": "1h",
	})))
	if err != nil {
		t.Fatal(err)
	}
	want = Config{
		SlackBotToken: goodBot, SlackAppToken: goodApp, SlackAPIURL: "http://127.0.0.1:9/api/", RedisURL: "rediss://u:p@db:6380/2",
		RedisPrefix: "bot2:", AdminUsers: []string{"U0123ABC", "W0456DEF"}, AdminUsergroup: "S0789", LogLevel: "DEBUG",
		LogFormat: "json", Workers: 256, Tick: 100 * time.Millisecond, Lease: time.Hour,
	}
	if !sameSettings(c, want) {
		t.Errorf("explicit values:\n got %+v\nwant %+v", c, want)
	}

	c, err = loadConfig(env(withTokens(map[string]string{"AWAY_WORDS": " Urlaub, im Krankenstand ,,:beach_with_umbrella:,"})))
	if want := []string{"Urlaub", "im Krankenstand", ":beach_with_umbrella:"}; err != nil || !slices.Equal(c.AwayWords, want) {
		t.Errorf("AWAY_WORDS: %q, %v; want %q", c.AwayWords, err, want)
	}
	if c, err = loadConfig(env(withTokens(map[string]string{"ADMIN_USERS": "*"}))); err != nil || len(c.AdminUsers) != 1 {
		t.Errorf("ADMIN_USERS=*: %v, %v", c.AdminUsers, err)
	}
}

// A Config literal's zero values get the defaults; tests may tick faster
// than the environment may, but nothing is negative.
func TestCheckLiteral(t *testing.T) {
	t.Parallel()
	c := Config{SlackBotToken: "xoxb-test", SlackAppToken: "xapp-test", Tick: 40 * time.Millisecond, Lease: 2 * time.Second}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	want := Config{
		SlackBotToken: "xoxb-test", SlackAppToken: "xapp-test", SlackAPIURL: "https://slack.com/api/", RedisPrefix: "assessbot:",
		LogLevel: "info", LogFormat: "text", Workers: 16, Tick: 40 * time.Millisecond, Lease: 2 * time.Second,
	}
	if !sameSettings(c, want) {
		t.Errorf("\n got %+v\nwant %+v", c, want)
	}
	bad := Config{SlackBotToken: "xoxb-test", SlackAppToken: "xapp-test", Workers: -1, Tick: -time.Second, Lease: -time.Second}
	err := bad.Check()
	for _, w := range []string{"WORKERS=-1: ", "TICK=-1s: ", "LEASE=-1s: "} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}

func sameSettings(a, b Config) bool {
	return a.SlackBotToken == b.SlackBotToken && a.SlackAppToken == b.SlackAppToken && a.SlackAPIURL == b.SlackAPIURL &&
		a.RedisURL == b.RedisURL && a.RedisPrefix == b.RedisPrefix && a.FrameworksDir == b.FrameworksDir &&
		strings.Join(a.AdminUsers, ",") == strings.Join(b.AdminUsers, ",") && a.AdminUsergroup == b.AdminUsergroup &&
		a.HTTPAddr == b.HTTPAddr && a.LogLevel == b.LogLevel && a.LogFormat == b.LogFormat &&
		a.Workers == b.Workers && a.Tick == b.Tick && a.Lease == b.Lease
}

// REDIS_WAIT_REPLICAS: auto (0) by default, 0 turns the wait off (NoWait),
// a count asks for that many replicas.
func TestRedisWaitReplicasSetting(t *testing.T) {
	for v, want := range map[string]int{"auto": 0, "0": NoWait, "none": NoWait, "1": 1, " 2 ": 2} {
		c, err := loadConfig(func(name string) (string, bool) {
			switch name {
			case "SLACK_BOT_TOKEN":
				return goodBot, true
			case "SLACK_APP_TOKEN":
				return goodApp, true
			case "REDIS_WAIT_REPLICAS":
				return v, true
			case "REDIS_URL":
				return "redis://h1:7000?addr=h2:7001", true
			}
			return "", false
		})
		if err != nil || c.RedisWaitReplicas != want {
			t.Errorf("REDIS_WAIT_REPLICAS=%q: %d, %v; want %d", v, c.RedisWaitReplicas, err, want)
		}
	}
}
