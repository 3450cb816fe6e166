package slackbot

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func newJob(id string) *job { return &job{envelopeID: id, done: make(chan struct{})} }

// One person's jobs run in order; a flood of one person waits behind
// nobody and holds back nobody else; a full queue refuses at once.
func TestLaneOrderFairnessAndBound(t *testing.T) {
	l := newLane(8)
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	l.start(2, func(j *job) {
		if j.envelopeID == "flood-0" {
			<-release
		}
		mu.Lock()
		order = append(order, j.envelopeID)
		mu.Unlock()
	})
	for i := range 8 {
		if ok, _ := l.push("flood", newJob(fmt.Sprintf("flood-%d", i))); !ok {
			t.Fatalf("push %d refused", i)
		}
	}
	time.Sleep(20 * time.Millisecond) // flood-0 is running, 7 wait
	// Pushes past the bound return at once, refused.
	start := time.Now()
	for i := 8; i < 300; i++ {
		l.push("flood", newJob(fmt.Sprintf("flood-%d", i)))
	}
	if ok, _ := l.push("flood", newJob("flood-x")); ok || time.Since(start) > 100*time.Millisecond {
		t.Fatalf("a full queue accepted a job or blocked (%v)", time.Since(start))
	}
	other := newJob("other")
	l.push("other", other)
	select {
	case <-other.done:
	case <-time.After(time.Second):
		t.Fatal("another person's job waited behind a stuck flood")
	}
	close(release)
	l.close()
	<-l.wait()
	var flood []string
	for _, id := range order {
		if strings.HasPrefix(id, "flood-") {
			flood = append(flood, id)
		}
	}
	if len(flood) < 8 || flood[0] != "flood-0" || flood[1] != "flood-1" || flood[7] != "flood-7" {
		t.Fatalf("flood ran out of order: %v", flood)
	}
	if last := l.last("flood"); last != nil {
		t.Fatal("last() of a drained person is not nil")
	}
}

func TestLaneCoalescesAndAbandons(t *testing.T) {
	l := newLane(8)
	release := make(chan struct{})
	var ran []string
	var mu sync.Mutex
	l.start(1, func(j *job) {
		if j.envelopeID == "busy" {
			<-release
		}
		mu.Lock()
		ran = append(ran, j.envelopeID)
		mu.Unlock()
	})
	l.push("u", newJob("busy"))
	time.Sleep(20 * time.Millisecond)
	a, b, c := newJob("next-1"), newJob("submit"), newJob("next-2")
	a.coalesce, c.coalesce = "navigate", "navigate"
	l.push("u", a)
	l.push("u", b)
	if _, replaced := l.push("u", c); replaced != a {
		t.Fatalf("next-2 did not replace next-1: %v", replaced)
	}
	if l.last("u") != c.done {
		t.Fatal("last() is not the newest job")
	}
	close(release)
	l.close()
	<-l.wait()
	if got := strings.Join(ran, ","); got != "busy,submit,next-2" {
		t.Fatalf("ran %s", got)
	}

	l = newLane(8)
	block := make(chan struct{})
	l.start(1, func(j *job) { <-block })
	l.push("u", newJob("running"))
	time.Sleep(20 * time.Millisecond)
	l.push("u", newJob("waiting-1"))
	l.push("v", newJob("waiting-2"))
	l.close()
	left := l.abandon()
	close(block)
	<-l.wait()
	if len(left) != 2 {
		t.Fatalf("abandon returned %d jobs, want 2", len(left))
	}
}

func TestRedactedLogs(t *testing.T) {
	var buf bytes.Buffer
	log := redactingLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ru := "https://hooks.slack.com/actions/T0/123/abcdefSECRET"
	err := &url.Error{Op: "Post", URL: ru, Err: errors.New("connection reset")}
	log.Warn("slack call will be retried", "err", err, "url", ru)
	log.With("token", "xoxb-123-456-SECRET").Info("x", "app", "xapp-1-A1-SECRET", "redis", "redis://u:hunter2@h:6379/0")
	log.Info("fake", "err", scrub(fmt.Errorf("post: %w", &url.Error{Op: "Post", URL: "http://127.0.0.1:1/r/ID1SECRET", Err: errors.New("EOF")}), "http://127.0.0.1:1/r/ID1SECRET"))
	log.Info("fake2", "err", errors.New(`Post "http://127.0.0.1:5/response/SECRET2": EOF`))
	out := buf.String()
	for _, s := range []string{"SECRET", "hunter2"} {
		if strings.Contains(out, s) {
			t.Fatalf("a secret reached the log:\n%s", out)
		}
	}
	if !strings.Contains(out, "connection reset") || !strings.Contains(out, "[redacted]") {
		t.Fatalf("redaction lost the error:\n%s", out)
	}
	var ue *url.Error
	if !errors.As(scrub(err, ru), &ue) {
		t.Fatal("scrub hides the cause from errors.As")
	}
}
