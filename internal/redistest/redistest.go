// Package redistest gives tests a real Redis: the shared server named by
// TEST_REDIS_URL (default redis://127.0.0.1:6379/0) with a key prefix of
// their own, or a private redis-server they may stop and restart. It never
// flushes a database; it deletes only the keys under the test's prefix.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// URL returns the test Redis URL.
func URL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

const howToStart = `Redis is needed for these tests and did not answer at %s (%v).
Start one with:  redis-server --daemonize yes --save "" --appendonly no
(install it with: apt-get install -y redis-server), or point TEST_REDIS_URL at one.`

// New returns a client for the shared test Redis and a fresh key prefix;
// the prefix's keys are deleted when the test ends. The test fails (never
// skips) when Redis does not answer.
func New(t testing.TB) (*redis.Client, string) {
	t.Helper()
	opt, err := redis.ParseURL(URL())
	if err != nil {
		t.Fatalf("TEST_REDIS_URL=%q: %v", URL(), err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf(howToStart, URL(), err)
	}
	prefix := "test:" + randHex(6) + ":"
	t.Cleanup(func() {
		DeletePrefix(t, rdb, prefix)
		_ = rdb.Close()
	})
	return rdb, prefix
}

// DeletePrefix removes every key under prefix: on a cluster, on every
// master (SCAN sees one node's keys only). Keys are deleted one command
// each, in pipelines, as keys of many slots may not share a DEL there.
func DeletePrefix(t testing.TB, rdb redis.UniversalClient, prefix string) {
	ctx := context.Background()
	var err error
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return deleteOn(ctx, node, prefix)
		})
	} else {
		err = deleteOn(ctx, rdb, prefix)
	}
	if err != nil {
		t.Logf("cleaning up %s*: %v", prefix, err)
	}
}

func deleteOn(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var keys []string
	flush := func() error {
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.Unlink(ctx, k)
			}
			return nil
		})
		keys = keys[:0]
		return err
	}
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 500 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(keys) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	return iter.Err()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Server is a private redis-server process for tests that stop or restart
// Redis.
type Server struct {
	t    testing.TB
	Port int
	Dir  string
	Args []string
	cmd  *exec.Cmd
}

// StartServer starts redis-server on a free port with a data dir of its own;
// extra arguments (e.g. "--appendonly", "yes") are passed through. It is
// stopped when the test ends.
func StartServer(t testing.TB, args ...string) *Server {
	t.Helper()
	_, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not installed (apt-get install -y redis-server): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{t: t, Port: port, Dir: t.TempDir(), Args: args}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Addr returns host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// URL returns the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Start (re)starts the server on its port and waits until it answers.
func (s *Server) Start() {
	s.t.Helper()
	args := append([]string{"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1", "--save", "", "--dir", s.Dir,
		"--logfile", filepath.Join(s.Dir, "redis.log")}, s.Args...)
	s.cmd = exec.Command("redis-server", args...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if rdb.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("redis-server on port %d did not answer within 10s", s.Port)
}

// Stop kills the server (SIGKILL: nothing is saved on the way out).
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// String describes the server.
func (s *Server) String() string { return fmt.Sprintf("redis-server %s", s.Addr()) }

// Client returns a client for a private server, closed when the test ends.
func Client(s *Server) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1, DialTimeout: time.Second})
	s.t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}
