package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name the sentinels of a Sentinel group monitor.
const MasterName = "mymaster"

// Sentinel is a private Sentinel group: a master, one or more replicas and
// three sentinels, each a process started by the test and killed by pid when
// it ends.
type Sentinel struct {
	t         testing.TB
	Dir       string
	data      []*proc // the master, then its replicas, in start order
	sentinels []*proc

	mu     sync.Mutex
	killed string // the master Kill stopped, for WaitFailover
}

// StartSentinel starts a master, one replica of it and three sentinels:
// StartSentinelReplicas(t, 1).
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	return StartSentinelReplicas(t, 1)
}

// StartSentinelReplicas starts a master, the given number of replicas of it
// (without append-only files, which CONFIG SET appendonly yes turns on, in
// appendonlydir-<port> of Dir) and three sentinels (quorum 2, down-after 1s) on free ports, and waits
// until every replica is in sync and every sentinel knows all the replicas
// and the other two sentinels, so that a failover can be agreed on.
func StartSentinelReplicas(t testing.TB, replicas int) *Sentinel {
	t.Helper()
	if replicas < 1 {
		t.Fatalf("StartSentinelReplicas: %d replicas, want at least 1", replicas)
	}
	needBinaries(t, "redis-server")
	s := &Sentinel{t: t, Dir: t.TempDir()}
	const sentinels = 3
	ports := freePorts(t, 1+replicas+sentinels, false)
	for i, port := range ports[:1+replicas] {
		p := strconv.Itoa(port)
		log := filepath.Join(s.Dir, "redis-"+p+".log")
		args := []string{"--port", p, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--appenddirname", "appendonlydir-" + p,
			"--dir", s.Dir, "--dbfilename", "dump-" + p + ".rdb", "--logfile", log}
		if i > 0 {
			args = append(args, "--replicaof", "127.0.0.1", strconv.Itoa(ports[0]))
		}
		n := spawn(t, port, log, args...)
		n.waitReady(t, 10*time.Second)
		s.data = append(s.data, n)
	}
	for i, port := range ports[1+replicas:] {
		p := strconv.Itoa(port)
		conf := filepath.Join(s.Dir, fmt.Sprintf("sentinel-%d.conf", i+1))
		log := filepath.Join(s.Dir, fmt.Sprintf("sentinel-%d.log", i+1))
		// Sentinel rewrites its config file (known peers, epochs), so it is
		// written fresh into the test's own directory.
		text := strings.Join([]string{
			"port " + p,
			"bind 127.0.0.1",
			"dir " + s.Dir,
			"logfile " + log,
			"sentinel resolve-hostnames no",
			fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2", MasterName, ports[0]),
			"sentinel down-after-milliseconds " + MasterName + " 1000",
			"sentinel failover-timeout " + MasterName + " 5000",
			"sentinel parallel-syncs " + MasterName + " 1",
		}, "\n") + "\n"
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		n := spawn(t, port, log, conf, "--sentinel")
		n.waitReady(t, 10*time.Second)
		s.sentinels = append(s.sentinels, n)
	}
	if !poll(30*time.Second, 50*time.Millisecond, s.ready) {
		t.Fatalf("sentinel group not ready within 30s:\n%s", s.describe())
	}
	return s
}

// Addrs returns the sentinels' addresses.
func (s *Sentinel) Addrs() []string {
	out := make([]string, len(s.sentinels))
	for i, n := range s.sentinels {
		out[i] = n.addr
	}
	return out
}

// DataAddrs returns the addresses of the data servers as started: the
// master first, then its replicas in start order.
func (s *Sentinel) DataAddrs() []string {
	out := make([]string, len(s.data))
	for i, n := range s.data {
		out[i] = n.addr
	}
	return out
}

// MasterName returns the name the sentinels monitor.
func (s *Sentinel) MasterName() string { return MasterName }

// URL returns the group in go-redis's failover URL form:
// redis://sentinel1?master_name=mymaster&addr=sentinel2&addr=sentinel3.
func (s *Sentinel) URL() string {
	a := s.Addrs()
	u := "redis://" + a[0] + "?master_name=" + MasterName
	for _, x := range a[1:] {
		u += "&addr=" + x
	}
	return u
}

// Options returns failover client options with timeouts short enough for
// tests that kill the master.
func (s *Sentinel) Options() *redis.FailoverOptions {
	return &redis.FailoverOptions{MasterName: MasterName, SentinelAddrs: s.Addrs(),
		DialTimeout: 500 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second}
}

// Client returns a failover client that follows the master the sentinels
// name; it is closed when the test ends.
func (s *Sentinel) Client() *redis.Client {
	rdb := redis.NewFailoverClient(s.Options())
	s.t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// Master returns the master's address as the first answering sentinel
// reports it.
func (s *Sentinel) Master() string {
	s.t.Helper()
	var last error
	for _, n := range s.sentinels {
		if !n.alive() {
			continue
		}
		addr, err := masterAddr(n.addr)
		if err == nil {
			return addr
		}
		last = err
	}
	s.t.Fatalf("no sentinel names the master: %v", last)
	return ""
}

// Pid returns the process id of the server or sentinel at addr.
func (s *Sentinel) Pid(addr string) int { return s.proc(addr).pid() }

// Kill sends SIGKILL to the server or sentinel at addr. Killing the current
// master is remembered for WaitFailover.
func (s *Sentinel) Kill(addr string) {
	s.t.Helper()
	p := s.proc(addr)
	if addr == s.Master() {
		s.mu.Lock()
		s.killed = addr
		s.mu.Unlock()
	}
	p.kill()
}

// Restart starts a server or sentinel killed with Kill again; the
// sentinels turn a former master into a replica of the new one.
func (s *Sentinel) Restart(addr string) {
	s.t.Helper()
	s.proc(addr).restart(s.t)
}

// WaitFailover waits until every live sentinel names a master other than
// the one Kill stopped and that server answers ROLE as master; it returns
// the new master's address.
func (s *Sentinel) WaitFailover() string {
	s.t.Helper()
	s.mu.Lock()
	old := s.killed
	s.mu.Unlock()
	if old == "" {
		s.t.Fatalf("WaitFailover: no master was killed with Kill")
	}
	var now string
	ok := poll(30*time.Second, 50*time.Millisecond, func() bool {
		now = ""
		for _, n := range s.sentinels {
			if !n.alive() {
				continue
			}
			addr, err := masterAddr(n.addr)
			if err != nil || addr == old || (now != "" && addr != now) {
				return false
			}
			now = addr
		}
		return now != "" && role(now) == "master"
	})
	if !ok {
		s.t.Fatalf("no failover from %s within 30s:\n%s", old, s.describe())
	}
	return now
}

func (s *Sentinel) proc(addr string) *proc {
	s.t.Helper()
	for _, n := range append(append([]*proc(nil), s.data...), s.sentinels...) {
		if n.addr == addr {
			return n
		}
	}
	s.t.Fatalf("no server or sentinel %s in this group", addr)
	return nil
}

// ready reports whether every replica is in sync and every sentinel knows
// the master, all the replicas and the other sentinels.
func (s *Sentinel) ready() bool {
	for _, n := range s.data[1:] {
		if !replicaInSync(n.addr) {
			return false
		}
	}
	for _, n := range s.sentinels {
		rdb := nodeClient(n.addr)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		replicas, err1 := rdb.Do(ctx, "SENTINEL", "REPLICAS", MasterName).Slice()
		peers, err2 := rdb.Do(ctx, "SENTINEL", "SENTINELS", MasterName).Slice()
		cancel()
		rdb.Close()
		if err1 != nil || err2 != nil || len(replicas) != len(s.data)-1 || len(peers) != len(s.sentinels)-1 {
			return false
		}
	}
	return true
}

// describe is what a failure message shows: each sentinel's view of the
// master and the tail of its log.
func (s *Sentinel) describe() string {
	var b strings.Builder
	for _, n := range s.sentinels {
		if !n.alive() {
			fmt.Fprintf(&b, "sentinel %s: killed\n", n.addr)
			continue
		}
		addr, err := masterAddr(n.addr)
		fmt.Fprintf(&b, "sentinel %s: master %s %v\n%s\n", n.addr, addr, err, tail(n.log))
	}
	return b.String()
}

// masterAddr asks one sentinel for the master's address.
func masterAddr(sentinel string) (string, error) {
	rdb := redis.NewSentinelClient(&redis.Options{Addr: sentinel, DialTimeout: 300 * time.Millisecond,
		ReadTimeout: time.Second, MaxRetries: -1, PoolSize: 1})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	hp, err := rdb.GetMasterAddrByName(ctx, MasterName).Result()
	if err != nil {
		return "", err
	}
	if len(hp) != 2 {
		return "", fmt.Errorf("get-master-addr-by-name answered %v", hp)
	}
	return net.JoinHostPort(hp[0], hp[1]), nil
}

// role returns the first element of ROLE ("master", "slave", ...) or "".
func role(addr string) string {
	rdb := nodeClient(addr)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	v, err := rdb.Do(ctx, "ROLE").Slice()
	if err != nil || len(v) == 0 {
		return ""
	}
	r, _ := v[0].(string)
	return r
}

// replicaInSync reports whether the replica at addr has its link to the
// master up.
func replicaInSync(addr string) bool {
	rdb := nodeClient(addr)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	info, err := rdb.Info(ctx, "replication").Result()
	return err == nil && infoField(info, "master_link_status") == "up"
}
