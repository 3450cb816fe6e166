package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const installHint = "apt-get install -y redis-server"

// needBinaries fails the test, saying how to install them, when a Redis
// binary is missing: a test that needs a cluster must never pass by skipping.
func needBinaries(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			t.Fatalf("%s is not installed; install it with: %s (%v)", name, installHint, err)
		}
	}
}

// proc is one redis-server process started by a test. Its pid is known, so
// it is stopped by pid (never by name) at cleanup or when a test kills it.
type proc struct {
	addr string
	port int
	log  string
	args []string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// spawn starts redis-server with args, its log written to logPath, and
// registers a cleanup that kills it.
func spawn(t testing.TB, port int, logPath string, args ...string) *proc {
	t.Helper()
	p := &proc{addr: "127.0.0.1:" + strconv.Itoa(port), port: port, log: logPath, args: args}
	p.start(t)
	t.Cleanup(p.kill)
	return p
}

// start runs the process (again) with its arguments.
func (p *proc) start(t testing.TB) {
	t.Helper()
	cmd := exec.Command("redis-server", p.args...)
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server %s: %v", strings.Join(p.args, " "), err)
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
}

// restart starts a killed process again on its port, with its arguments
// and data directory, as a supervisor would, and waits until it answers.
func (p *proc) restart(t testing.TB) {
	t.Helper()
	if p.alive() {
		t.Fatalf("restart %s: it is still running", p.addr)
	}
	p.start(t)
	p.waitReady(t, 10*time.Second)
}

// kill sends SIGKILL to the process and waits until it is gone.
func (p *proc) kill() {
	if !p.alive() {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// waitReady waits until the process answers PING, and fails the test with
// the tail of its log when it exits or does not answer in time.
func (p *proc) waitReady(t testing.TB, timeout time.Duration) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: p.addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if !p.alive() {
			t.Fatalf("redis-server %s exited at start:\n%s", p.addr, tail(p.log))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("redis-server %s did not answer within %v:\n%s", p.addr, timeout, tail(p.log))
}

// tail returns the last lines of a log file, for failure messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// freePorts returns n distinct ports that were free a moment ago. With bus
// true each port P also has P+10000 free, for the Redis Cluster bus. The
// listeners are held until all ports are picked, so no port is handed out
// twice.
func freePorts(t testing.TB, n int, bus bool) []int {
	t.Helper()
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 200 {
			t.Fatalf("found only %d of %d free ports", len(ports), n)
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if !bus {
			held = append(held, l)
			ports = append(ports, port)
			continue
		}
		if port+10000 > 65535 {
			l.Close()
			continue
		}
		lb, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		if err != nil {
			l.Close()
			continue
		}
		held = append(held, l, lb)
		ports = append(ports, port)
	}
	return ports
}

// poll calls f every interval until it returns true or timeout passes; it
// reports whether f succeeded.
func poll(timeout, interval time.Duration, f func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if f() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
}

// nodeClient is a short-lived client for one node, for admin commands.
func nodeClient(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 300 * time.Millisecond,
		ReadTimeout: time.Second, MaxRetries: -1, PoolSize: 1})
}

// infoField returns one "name:value" field of an INFO or CLUSTER INFO text.
func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}
