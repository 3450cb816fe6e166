package redistest

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// A test binary starts at most one shared cluster and one shared Sentinel
// group, on first use, and stops them when Main's m.Run returns: starting
// six nodes per test would make every suite slow. Tests that kill nodes
// start their own with StartCluster or StartSentinel.
var shared struct {
	mu       sync.Mutex
	cleanups []func()

	clusterOnce sync.Once
	cluster     *Cluster
	clusterErr  string

	sentinelOnce sync.Once
	sentinel     *Sentinel
	sentinelErr  string
}

// Main runs the tests of a package that uses SharedCluster or
// SharedSentinel and stops those servers afterwards. Call it from TestMain:
//
//	func TestMain(m *testing.M) { redistest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	shared.mu.Lock()
	cs := shared.cleanups
	shared.cleanups = nil
	shared.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
	os.Exit(code)
}

// sharedTB is the test that asked first, with cleanups and temporary
// directories that belong to the whole test binary instead: a failure to
// start fails that test, and the servers outlive it.
type sharedTB struct {
	testing.TB
	failed *string
}

func (s sharedTB) Helper() {}

func (s sharedTB) Cleanup(f func()) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.cleanups = append(shared.cleanups, f)
}

func (s sharedTB) TempDir() string {
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		s.Fatalf("temporary directory: %v", err)
	}
	s.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func (s sharedTB) Fatalf(format string, args ...any) {
	*s.failed = "did not start"
	s.TB.Fatalf(format, args...)
}

func (s sharedTB) Fatal(args ...any) {
	*s.failed = "did not start"
	s.TB.Fatal(args...)
}

// SharedCluster returns the test binary's 3+3 cluster, starting it on
// first use. Use it through URL, Options and NewOn; do not kill its nodes.
// The package's TestMain must call Main.
func SharedCluster(t testing.TB) *Cluster {
	t.Helper()
	shared.clusterOnce.Do(func() {
		shared.clusterErr = "did not start"
		c := StartCluster(sharedTB{TB: t, failed: &shared.clusterErr})
		shared.cluster, shared.clusterErr = c, ""
	})
	if shared.cluster == nil {
		t.Fatalf("the shared Redis Cluster %s (see the first test that used it)", shared.clusterErr)
	}
	return shared.cluster
}

// SharedSentinel returns the test binary's Sentinel group (a master, a
// replica, three sentinels), starting it on first use. Do not kill its
// servers. The package's TestMain must call Main.
func SharedSentinel(t testing.TB) *Sentinel {
	t.Helper()
	shared.sentinelOnce.Do(func() {
		shared.sentinelErr = "did not start"
		s := StartSentinel(sharedTB{TB: t, failed: &shared.sentinelErr})
		shared.sentinel, shared.sentinelErr = s, ""
	})
	if shared.sentinel == nil {
		t.Fatalf("the shared Sentinel group %s (see the first test that used it)", shared.sentinelErr)
	}
	return shared.sentinel
}

// NewOn takes rdb (closed at the end) and returns it with a fresh key prefix whose keys
// are deleted when the test ends (on every master of a cluster).
func NewOn(t testing.TB, rdb redis.UniversalClient) (redis.UniversalClient, string) {
	t.Helper()
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("test Redis does not answer: %v", err)
	}
	prefix := "test:" + randHex(6) + ":"
	t.Cleanup(func() {
		DeletePrefix(t, rdb, prefix)
		_ = rdb.Close()
	})
	return rdb, prefix
}
