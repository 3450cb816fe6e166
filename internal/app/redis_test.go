package app

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/fakeslack"
	"github.com/assessbot/assessbot/internal/redistest"
)

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Redis failing at start is one line: the address (never the password),
// the cause and what to check; no respondent's sentence, no go-redis lines.
func TestStartupRedisError(t *testing.T) {
	t.Parallel()
	srv := redistest.StartServer(t)
	// Set after the start: StartServer's PING has no password.
	if err := redistest.Client(srv).ConfigSet(context.Background(), "requirepass", "rightpw").Err(); err != nil {
		t.Fatal(err)
	}
	closed := closedPort(t)
	cases := []struct {
		name, url string
		want      []string
	}{
		{"closed port", "redis://:pw@" + closed + "/0", []string{"cannot use Redis at " + closed, "REDIS_URL=redis://:xxxxx@" + closed + "/0", "connection refused", "is redis-server running"}},
		{"bad password", "redis://:wrongpw@" + srv.Addr() + "/0", []string{"cannot use Redis at " + srv.Addr(), "WRONGPASS", "check the user and password in REDIS_URL"}},
		{"no password", srv.URL(), []string{"NOAUTH", "the server wants a password"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := fakeSlackConfig(t)
			c.RedisURL = tc.url
			c.LogLevel = "info"
			logs, err := openFails(t, c)
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q: %s", w, msg)
				}
			}
			for _, bad := range []string{"\n", "pw@", "wrongpw", "Your answer", "store:", "assessment:"} {
				if strings.Contains(msg, bad) {
					t.Errorf("error contains %q: %s", bad, msg)
				}
			}
			if log := logs; strings.Contains(log, "pool.go") || strings.Contains(log, "wrongpw") {
				t.Errorf("the log has go-redis lines or the password:\n%s", log)
			}
		})
	}
}

type readiness struct {
	code   int
	status map[string]string
}

func readyz(t *testing.T, m *Main) readiness {
	t.Helper()
	resp, err := http.Get("http://" + m.HTTPAddr() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := readiness{code: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&r.status); err != nil {
		t.Fatalf("/readyz body: %v", err)
	}
	return r
}

// openReady opens a bot on redisURL with a health server and waits until
// Slack is connected.
func openReady(t *testing.T, redisURL, prefix string) *Main {
	t.Helper()
	fs := fakeslack.New()
	t.Cleanup(fs.Close)
	c := testConfig(fs)
	c.RedisURL, c.RedisPrefix, c.HTTPAddr, c.LogLevel = redisURL, prefix, "127.0.0.1:0", "info"
	m := NewMain(c, &logBuffer{})
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fs.WaitFor(ctx, m.Bot.Connected); err != nil {
		t.Fatalf("not connected: %v", err)
	}
	return m
}

// /readyz is green when Redis takes a write, and leaves only a short-lived
// key behind.
func TestReadyzWrites(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	m := openReady(t, redistest.URL(), prefix)
	r := readyz(t, m)
	if r.code != http.StatusOK || r.status["redis"] != "ok" || r.status["slack"] != "connected" {
		t.Fatalf("/readyz = %d %v", r.code, r.status)
	}
	keys, err := rdb.Keys(context.Background(), prefix+"ready:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("ready keys %v, %v", keys, err)
	}
	if ttl := rdb.TTL(context.Background(), keys[0]).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("ready key TTL %v", ttl)
	}
}

// A read-only replica answers PING but refuses every save: /readyz is 503
// and says why.
func TestReadyzReadOnlyReplica(t *testing.T) {
	t.Parallel()
	_, port, _ := net.SplitHostPort(closedPort(t))
	srv := redistest.StartServer(t, "--replicaof", "127.0.0.1", port)
	m := openReady(t, srv.URL(), "test:ro:")
	r := readyz(t, m)
	if r.code != http.StatusServiceUnavailable || !strings.HasPrefix(r.status["redis"], "not writable: READONLY") {
		t.Fatalf("/readyz = %d %v, want 503 with READONLY", r.code, r.status)
	}
}

// A Redis out of memory (noeviction) refuses writes: /readyz is 503 with OOM.
func TestReadyzOutOfMemory(t *testing.T) {
	t.Parallel()
	srv := redistest.StartServer(t, "--maxmemory-policy", "noeviction")
	m := openReady(t, srv.URL(), "test:oom:")
	if r := readyz(t, m); r.code != http.StatusOK {
		t.Fatalf("/readyz before filling = %d %v", r.code, r.status)
	}
	// 4 MB of data, then a 1 MB limit: filling up to the limit itself stops
	// at the first refused value, with the memory below the limit again.
	rdb := redistest.Client(srv)
	ctx := context.Background()
	value := strings.Repeat("x", 16<<10)
	pipe := rdb.Pipeline()
	for i := range 256 {
		pipe.Set(ctx, "fill:"+strconv.Itoa(i), value, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", "1mb").Err(); err != nil {
		t.Fatal(err)
	}
	err := rdb.Set(ctx, "one-more", "x", 0).Err()
	var reply redis.Error
	if !errors.As(err, &reply) || !strings.HasPrefix(err.Error(), "OOM") {
		t.Fatalf("Redis is not out of memory: %v", err)
	}
	r := readyz(t, m)
	if r.code != http.StatusServiceUnavailable || !strings.HasPrefix(r.status["redis"], "not writable: OOM") {
		t.Fatalf("/readyz = %d %v, want 503 with OOM", r.code, r.status)
	}
}

// Redis down: /readyz says it does not answer.
func TestReadyzRedisDown(t *testing.T) {
	t.Parallel()
	srv := redistest.StartServer(t)
	m := openReady(t, srv.URL(), "test:down:")
	srv.Stop()
	r := readyz(t, m)
	if r.code != http.StatusServiceUnavailable || !strings.HasPrefix(r.status["redis"], "not answering: ") {
		t.Fatalf("/readyz = %d %v, want 503, not answering", r.code, r.status)
	}
}
