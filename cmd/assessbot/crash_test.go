package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/fakeslack"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/store"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the assessbot command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "assessbot-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "assessbot")
		out, err := exec.Command("go", "build", "-race", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is the bot as a real process, killed with SIGKILL.
type proc struct {
	cmd  *exec.Cmd
	addr string
}

// crashHarness runs the real binary against fakeslack and real Redis.
type crashHarness struct {
	t      *testing.T
	ctx    context.Context
	slack  *fakeslack.Server
	prefix string
	rdb    *redis.Client
	st     *store.Redis
	p      *proc
	dir    string
}

func newCrashHarness(t *testing.T, users ...string) *crashHarness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	fs := fakeslack.New()
	t.Cleanup(fs.Close)
	fs.AddUser(fakeslack.User{ID: admin, Name: "ada", TZ: "UTC"})
	for _, u := range users {
		fs.AddUser(fakeslack.User{ID: u, Name: strings.ToLower(u), TZ: "UTC"})
	}
	fs.AddChannel(leads, "cs-leadership", admin)
	rdb, prefix := redistest.New(t)
	h := &crashHarness{t: t, ctx: ctx, slack: fs, prefix: prefix, rdb: rdb, st: store.New(rdb, prefix), dir: t.TempDir()}
	t.Cleanup(func() {
		if h.p != nil {
			h.kill()
		}
		checkLogFilesNoSecrets(t, h.dir, fs.Secrets())
		if t.Failed() {
			logs, _ := filepath.Glob(filepath.Join(h.dir, "bot-*.log"))
			for _, l := range logs {
				if b, err := os.ReadFile(l); err == nil {
					t.Logf("%s:\n%s", filepath.Base(l), b)
				}
			}
		}
	})
	return h
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// starts numbers the bot processes of a test run, for their log files.
var starts int

// start runs a new bot process and waits until /readyz is green.
func (h *crashHarness) start() {
	h.t.Helper()
	starts++
	addr := freePort(h.t)
	logf, err := os.Create(filepath.Join(h.dir, fmt.Sprintf("bot-%d.log", starts)))
	if err != nil {
		h.t.Fatal(err)
	}
	cmd := exec.Command(binary(h.t), "run")
	cmd.Env = append(os.Environ(),
		"SLACK_BOT_TOKEN="+h.slack.BotToken(), "SLACK_APP_TOKEN="+h.slack.AppToken(), "SLACK_API_URL="+h.slack.APIURL(),
		"REDIS_URL="+redistest.URL(), "REDIS_PREFIX="+h.prefix, "ADMIN_USERS="+admin,
		"HTTP_ADDR="+addr, "LOG_LEVEL=debug", "TICK=100ms", "LEASE=2s")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.p = &proc{cmd: cmd, addr: addr}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatalf("the bot did not become ready")
}

// kill sends SIGKILL: no defer, no graceful stop.
func (h *crashHarness) kill() {
	_ = h.p.cmd.Process.Signal(syscall.SIGKILL)
	_ = h.p.cmd.Wait()
	h.p = nil
}

func (h *crashHarness) wait(what string, cond func() bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	if err := h.slack.WaitFor(ctx, cond); err != nil {
		h.t.Fatalf("waiting for %s: %v", what, err)
	}
}

func (h *crashHarness) latestReview() (*assessment.Review, []assessment.Response) {
	ids, err := h.st.RecentReviews(context.Background(), 1)
	if err != nil || len(ids) == 0 {
		return nil, nil
	}
	r, _, err := h.st.Review(context.Background(), ids[0])
	if err != nil {
		return nil, nil
	}
	rs, _ := h.st.Responses(context.Background(), r)
	return r, rs
}

// Killed in the middle of the fan-out: the next process sends the rest;
// nobody is skipped; a duplicate can only come from a DM in flight.
func TestKillMidFanout(t *testing.T) {
	var users, mentions []string
	for i := 0; i < 24; i++ {
		u := fmt.Sprintf("U%02d", i)
		users = append(users, u)
		mentions = append(mentions, "<@"+u+"|x>")
	}
	h := newCrashHarness(t, users...)
	h.start()
	h.slack.FailNext("chat.postMessage", 1000, fakeslack.Fault{Delay: 150 * time.Millisecond})
	if _, err := h.slack.SlashCommand(h.ctx, admin, leads, "/review", "start cs-checklist to "+strings.Join(mentions, " ")+" digest <#CLEADS|x> due 3d now"); err != nil {
		t.Fatal(err)
	}
	h.wait("the first intros", func() bool { return total(h.slack, users) >= 6 })
	h.kill()
	before := total(h.slack, users)
	time.Sleep(300 * time.Millisecond) // DMs in flight land
	inflight := total(h.slack, users) - before
	h.start()
	h.wait("every intro", func() bool {
		for _, u := range users {
			if countIntros(h.slack, u) == 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(500 * time.Millisecond)
	dups := total(h.slack, users) - len(users)
	t.Logf("kill -9 after %d intro DMs: %d were in flight, %d duplicate DMs after the restart", before, inflight, dups)
	// A DM that reached Slack before the kill but was not recorded is found
	// in the DM's history, so nobody is asked twice.
	if dups > 1 {
		t.Fatalf("%d duplicate intro DMs after one crash, want at most 1", dups)
	}
}

func total(fs *fakeslack.Server, users []string) int {
	n := 0
	for _, u := range users {
		n += countIntros(fs, u)
	}
	return n
}

// Killed right after a click was acked, before its message was updated:
// the answer is stored.
func TestKillAfterAck(t *testing.T) {
	h := newCrashHarness(t, "UAMY")
	h.start()
	if _, err := h.slack.SlashCommand(h.ctx, admin, leads, "/review", "start cs-checklist to <@UAMY|amy> digest <#CLEADS|x> due 3d now anyway"); err != nil {
		t.Fatal(err)
	}
	var intro fakeslack.Message
	h.wait("the intro", func() bool {
		for _, m := range h.slack.DMs("UAMY") {
			if strings.Contains(string(m.Blocks), `"start"`) {
				intro = m
				return true
			}
		}
		return false
	})
	if _, err := h.slack.Click(h.ctx, "UAMY", intro, "start", ""); err != nil {
		t.Fatal(err)
	}
	var section fakeslack.Message
	h.wait("the first section", func() bool {
		for _, m := range h.slack.DMs("UAMY") {
			if strings.Contains(string(m.Blocks), `"answer|`) {
				section = m
				return true
			}
		}
		return false
	})
	h.slack.FailNext("response_url", 5, fakeslack.Fault{Delay: 3 * time.Second})
	action := firstAnswerAction(section)
	ack, err := h.slack.Click(h.ctx, "UAMY", section, action, "")
	if err != nil {
		t.Fatal(err)
	}
	h.kill() // the message update is still on its way
	q := strings.Split(action, "|")[1]
	_, rs := h.latestReview()
	if len(rs) == 0 || rs[0].Answers[q].Option == "" {
		t.Fatalf("an acknowledged answer (acked after %v) was lost: %+v", ack.Latency, rs)
	}
	h.start()
	h.kill()
}

// Killed while posting the digest: the next process posts it; at most one
// duplicate, and only when the kill fell inside the Slack call.
func TestKillWhilePostingDigest(t *testing.T) {
	h := newCrashHarness(t, "UAMY")
	h.start()
	if _, err := h.slack.SlashCommand(h.ctx, admin, leads, "/review", "start cs-checklist to <@UAMY|amy> digest <#CLEADS|x> due 3d now anyway"); err != nil {
		t.Fatal(err)
	}
	h.wait("the intro", func() bool { return countIntros(h.slack, "UAMY") == 1 })
	time.Sleep(200 * time.Millisecond)
	h.slack.FailNext("chat.postMessage", 1, fakeslack.Fault{Delay: 1500 * time.Millisecond})
	if _, err := h.slack.SlashCommand(h.ctx, admin, leads, "/review", "close"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	h.kill()
	h.start()
	digests := func() int {
		n := 0
		for _, m := range h.slack.ChannelMessages(leads) {
			if m.ThreadTS == "" || m.ThreadTS == m.TS {
				n++
			}
		}
		return n
	}
	h.wait("the digest", func() bool { return digests() >= 1 })
	time.Sleep(3 * time.Second) // past the lease: any second attempt would show
	n := digests()
	t.Logf("kill -9 inside the digest's chat.postMessage: %d digest(s) posted", n)
	// The post reached Slack before the kill; the next process finds it in
	// the channel's history instead of posting it again.
	if n != 1 {
		t.Fatalf("%d digests, want 1", n)
	}
	r, _ := h.latestReview()
	st, _ := h.st.DigestState(context.Background(), r.ID)
	if st.Kind != assessment.Sent || r.Status != assessment.StatusClosed {
		t.Fatalf("review %s status %s digest state %+v", r.ID, r.Status, st)
	}
}
