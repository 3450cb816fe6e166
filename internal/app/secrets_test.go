package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/fakeslack"
	"github.com/assessbot/assessbot/internal/redistest"
)

// Every password here holds this mark, which must appear nowhere.
const mark = "S3cr3t"

// fakeSlackConfig is testConfig for a fakeslack of the test's own.
func fakeSlackConfig(t *testing.T) Config {
	t.Helper()
	fs := fakeslack.New()
	t.Cleanup(fs.Close)
	return testConfig(fs)
}

// openFails opens a Main on c, which must fail, and returns what the Main
// logged and the error.
func openFails(t *testing.T, c Config) (logs string, err error) {
	t.Helper()
	buf := &logBuffer{}
	m := NewMain(c, buf)
	defer m.Close()
	if err = m.Open(context.Background()); err == nil {
		t.Fatal("open succeeded")
	}
	return buf.String(), err
}

// TestRedactRedisURLAtStart: whatever form REDIS_URL carries a password
// in, neither the start-up error nor any log line (at debug level) shows
// it: the URL is redacted and the cause scrubbed. Each URL points at a
// closed port, so the bot fails where it names the URL.
func TestRedactRedisURLAtStart(t *testing.T) {
	t.Parallel()
	closed := closedPort(t)
	cases := []struct{ name, url string }{
		{"user and password", "redis://bot:" + mark + "@" + closed + "/0"},
		{"password only, TLS", "rediss://:" + mark + "@" + closed + "/0"},
		{"escaped password", "redis://:p%40" + mark + "@" + closed + "/0"},
		{"password without its colon", "redis://" + mark + "@" + closed + "/0"},
		{"sentinel: the README's form", "redis://" + closed + "?master_name=mymaster&password=" + mark},
		{"sentinel: both passwords", "redis://:" + mark + "A@" + closed + "?master_name=m&username=bot&password=" + mark + "B"},
		{"cluster", "redis://:" + mark + "@" + closed + "?addr=" + closed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := fakeSlackConfig(t)
			c.RedisURL = tc.url
			logs, err := openFails(t, c)
			if !strings.Contains(err.Error(), "xxxxx") {
				t.Errorf("the error does not show the redacted URL: %v", err)
			}
			for what, text := range map[string]string{"error": err.Error(), "log": logs} {
				if strings.Contains(text, mark) {
					t.Errorf("the %s shows the password:\n%s", what, text)
				}
			}
		})
	}
}

// TestRedactRedisURLInConfigProblems: a REDIS_URL that does not parse, in
// every form that carries a password, is listed among the problems
// without it.
func TestRedactRedisURLInConfigProblems(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"redis://bot:" + mark + "@db:6379/0?bogus=1",
		"redis://" + mark + "@db:6379/zero",
		"redis://s1:26379?master_name=m&password=" + mark + "&bogus=1",
		"redis://s1:26379?master_name=m&sentinel_password=" + mark,
		"redis://s1:26379?master_name=m&Password=" + mark + "&bogus=1",
		"redis://h1:7000?addr=u:" + mark + "@h2:7001",
		"redis://s1:26379?master_name=m&password=ab#" + mark,
		"redis://u:ab#" + mark + "@db:6379",
		"redis://u:Zq/" + mark + "@db:6379",
		"redis://:12?" + mark + "@db:6379",
		"redis://u:Zq%zz" + mark + "@db:6379",
		"u:" + mark + "@db:6379",
	} {
		_, err := loadConfig(env(withTokens(map[string]string{"REDIS_URL": u})))
		if err == nil || !strings.Contains(err.Error(), "REDIS_URL=") {
			t.Errorf("REDIS_URL=%s: accepted or not named: %v", u, err)
			continue
		}
		if strings.Contains(err.Error(), mark) {
			t.Errorf("REDIS_URL=%s: the error shows the password:\n%v", u, err)
		}
	}
}

// TestProblemsListedTogether: a FRAMEWORKS_DIR that is not a folder is
// one of the problems listed at start, with the others.
func TestProblemsListedTogether(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file.yaml")
	if err := os.WriteFile(file, []byte("id: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{
		"/nonexistent": "FRAMEWORKS_DIR=/nonexistent: no such directory",
		file:           "FRAMEWORKS_DIR=" + file + ": not a directory",
	} {
		_, err := loadConfig(env(withTokens(map[string]string{"FRAMEWORKS_DIR": dir, "WORKERS": "0"})))
		if err == nil {
			t.Fatalf("FRAMEWORKS_DIR=%s accepted", dir)
		}
		for _, w := range []string{"assessbot cannot start", "\n  WORKERS=0: ", "\n  " + want} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("FRAMEWORKS_DIR=%s: the error lacks %q:\n%v", dir, w, err)
			}
		}
	}
}

// TestEmptyFrameworksDirWarns: a FRAMEWORKS_DIR without a framework file
// starts the bot with the shipped frameworks and a warning that says so.
func TestEmptyFrameworksDirWarns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a framework"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := fakeSlackConfig(t)
	c.FrameworksDir, c.LogLevel = dir, "info"
	logs := &logBuffer{}
	m := NewMain(c, logs)
	defer m.Close()
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"level=WARN", "FRAMEWORKS_DIR holds no *.yaml or *.yml file", "dir=" + dir} {
		if !strings.Contains(logs.String(), w) {
			t.Errorf("the log lacks %q:\n%s", w, logs.String())
		}
	}
}

// TestRedisDatabaseOutOfRange: REDIS_URL=…/99 on a server with 16
// databases is answered with the database number, not a hint about
// passwords.
func TestRedisDatabaseOutOfRange(t *testing.T) {
	t.Parallel()
	u := strings.TrimSuffix(strings.TrimSuffix(redistest.URL(), "/0"), "/") + "/99"
	c := fakeSlackConfig(t)
	c.RedisURL = u
	_, err := openFails(t, c)
	if msg := err.Error(); !strings.Contains(msg, "database 99") || strings.Contains(msg, "password") {
		t.Errorf("REDIS_URL=%s: %v\nwant the database number and nothing about passwords", u, err)
	}
}
