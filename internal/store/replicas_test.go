package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/store"
)

// replicaGroup is a private Sentinel group, a client on it as the bot dials
// it, a store whose saves wait for one replica (WAIT 1) and an open review.
type replicaGroup struct {
	s      *redistest.Sentinel
	rdb    redis.UniversalClient
	st     *store.Redis
	review string

	mu    sync.Mutex
	saves int // number of the last question saved
}

func startReplicaGroup(t *testing.T, replicas int) *replicaGroup {
	t.Helper()
	ctx := context.Background()
	s := redistest.StartSentinelReplicas(t, replicas)
	rdb, _, err := store.Dial(s.URL(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	if n, err := store.Replicas(ctx, rdb); err != nil || n != replicas {
		t.Fatalf("replicas = %d, %v; want %d", n, err, replicas)
	}
	g := &replicaGroup{s: s, rdb: rdb, st: store.New(rdb, "replicas:", store.WithWait(1, time.Second))}
	g.review = newReviewID(t, g.st, fmt.Sprintf("rrepl%d", replicas), "U1").ID
	if a := g.try(); a.err != nil || a.readErr != nil {
		t.Fatalf("save with WAIT 1 before the kill: %v, read back: %v", a.err, a.readErr)
	}
	return g
}

// attempt is one click: an answer to a new question saved with WAIT 1 and,
// when acknowledged, read back.
type attempt struct {
	start   time.Time // when the save was sent
	at      time.Time // when it returned
	q       string
	err     error // the save's refusal
	readErr error // the acknowledged answer is not read back
}

// try saves one answer to a new question and reads an acknowledged one
// back. It does not touch t, so that it may run off the test goroutine.
func (g *replicaGroup) try() attempt {
	g.mu.Lock()
	g.saves++
	n := g.saves
	g.mu.Unlock()
	a := attempt{q: fmt.Sprintf("q%d", n), start: time.Now()}
	opt := []string{"yes", "no"}[n%2]
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second) // Slack's ack budget
	defer cancel()
	_, _, a.err = g.st.SaveAnswer(ctx, g.review, "U1", a.q, assessment.Answer{Option: opt}, false)
	a.at = time.Now()
	if a.err != nil {
		return a
	}
	sh, err := g.st.Response(ctx, g.review, "U1")
	switch {
	case err != nil:
		a.readErr = err
	case sh.Answers[a.q].Option != opt:
		a.readErr = fmt.Errorf("answer %s = %q, want %q", a.q, sh.Answers[a.q].Option, opt)
	}
	return a
}

// check fails the test unless a is acknowledged and read back, or refused
// with EUNAVAILABLE.
func (a attempt) check(t *testing.T) {
	t.Helper()
	if a.readErr != nil {
		t.Fatalf("acknowledged save %s not read back: %v", a.q, a.readErr)
	}
	if a.err != nil && assessment.ErrorCode(a.err) != assessment.EUNAVAILABLE {
		t.Fatalf("save %s failed with %v, want unavailable", a.q, a.err)
	}
}

// noCopy reports whether a refusal says the write landed on the master but
// no replica acknowledged it: the master was reached.
func noCopy(err error) bool {
	return err != nil && strings.Contains(err.Error(), "replicas had the write")
}

func outcome(err error) string {
	if err == nil {
		return "acknowledged"
	}
	return "refused: " + err.Error()
}

// clicker saves answers in a loop, as a person clicking again after each
// refusal, from the kill of the master until one is acknowledged.
type clicker struct {
	mu       sync.Mutex
	first    attempt // the click made at the kill
	refusals []attempt
	acked    attempt
	done     chan struct{} // closed at the first acknowledged save
}

func (g *replicaGroup) startClicking(t *testing.T) *clicker {
	c := &clicker{done: make(chan struct{})}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			a := g.try()
			c.mu.Lock()
			if c.first.q == "" {
				c.first = a
			}
			if a.err == nil {
				c.acked = a
				c.mu.Unlock()
				close(c.done)
				return
			}
			c.refusals = append(c.refusals, a)
			c.mu.Unlock()
			time.Sleep(50 * time.Millisecond) // the person reads the error and clicks again
		}
	}()
	// Registered after the client's Close, so it runs before it.
	t.Cleanup(func() { close(stop); wg.Wait() })
	return c
}

// report checks every refusal and the acknowledged save, if any, and
// describes the refusals relative to the kill.
func (c *clicker) report(t *testing.T, killed time.Time) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	since := func(at time.Time) time.Duration { return at.Sub(killed).Round(time.Millisecond) }
	var copies []attempt
	for _, a := range c.refusals {
		a.check(t)
		if noCopy(a.err) {
			copies = append(copies, a)
		}
	}
	if c.acked.q != "" {
		c.acked.check(t)
	}
	s := fmt.Sprintf("the click made at the kill returned %v after it (%s)", since(c.first.at), outcome(c.first.err))
	if len(c.refusals) == 0 {
		return s + "; no save refused"
	}
	s += fmt.Sprintf("; %d saves refused from %v to %v after the kill", len(c.refusals),
		since(c.refusals[0].at), since(c.refusals[len(c.refusals)-1].at))
	if len(copies) > 0 {
		s += fmt.Sprintf(", %d of them written on the new master without a replica's copy (from %v to %v after the kill)",
			len(copies), since(copies[0].at), since(copies[len(copies)-1].at))
	}
	return s
}

// killMaster kills the master with SIGKILL and waits for the sentinels to
// promote a replica; it returns the old master and the kill and promotion
// times. Clicks start at the kill.
func (g *replicaGroup) killMaster(t *testing.T) (old string, c *clicker, killed, promoted time.Time) {
	t.Helper()
	old = g.s.Master()
	g.s.Kill(old)
	killed = time.Now()
	c = g.startClicking(t)
	now := g.s.WaitFailover()
	promoted = time.Now()
	t.Logf("killed master %s; sentinels promoted %s %v after the kill", old, now, promoted.Sub(killed).Round(time.Millisecond))
	return old, c, killed, promoted
}

// assertDead fails the test if the server at addr answers.
func assertDead(t *testing.T, addr string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 300 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatalf("the old master %s answers: it must stay dead in this test", addr)
	}
}

// With two replicas per master the replica the sentinels promote still has
// one, once the sentinels have pointed the other at it: clicks saved with
// WAIT 1 are acknowledged again soon after the promotion while the old
// master stays dead, and from then on every one is.
func TestFailoverWithTwoReplicasKeepsAcking(t *testing.T) {
	g := startReplicaGroup(t, 2)
	old, c, killed, promoted := g.killMaster(t)

	select {
	case <-c.done:
	case <-time.After(time.Until(promoted.Add(20 * time.Second))):
		t.Fatalf("saves with WAIT 1 still refused 20s after the promotion with the old master dead: %s", c.report(t, killed))
	}
	assertDead(t, old)
	refusals := c.report(t, killed)
	// The sentinels send the other replica REPLICAOF as soon as the promoted
	// one reports itself master and it resyncs within milliseconds, so the
	// first ack comes about when WaitFailover returns, sometimes just before
	// (the second figure is then negative).
	t.Logf("%s; first WAIT 1 save acknowledged %v after the kill, %v relative to WaitFailover's return",
		refusals, c.acked.at.Sub(killed).Round(time.Millisecond), c.acked.at.Sub(promoted).Round(time.Millisecond))
	if n, err := store.Replicas(context.Background(), g.rdb); err != nil || n != 1 {
		t.Errorf("the new master has %d replicas, %v; want the remaining one", n, err)
	}

	const streak = 50
	for i := range streak {
		a := g.try()
		a.check(t)
		if a.err != nil {
			t.Fatalf("save %d of %d after the first acknowledged one refused with the old master dead: %v", i+1, streak, a.err)
		}
	}
	assertDead(t, old)
	t.Logf("%d consecutive WAIT 1 saves acknowledged and read back with the old master dead", streak)
}

// The contrast: with one replica per master the promoted replica has none
// while the old master is dead, so every save with WAIT 1 is written but
// refused with EUNAVAILABLE, until the old master is back as its replica.
func TestFailoverWithOneReplicaRefusesUntilOldMasterReturns(t *testing.T) {
	g := startReplicaGroup(t, 1)
	old, c, killed, promoted := g.killMaster(t)

	const gap = 5 * time.Second
	select {
	case <-c.done:
		c.report(t, killed)
		t.Fatalf("a save with WAIT 1 was acknowledged %v after the promotion with the old master dead and no other replica",
			c.acked.at.Sub(promoted).Round(time.Millisecond))
	case <-time.After(time.Until(promoted.Add(gap))):
	}
	assertDead(t, old)
	c.mu.Lock()
	var after int
	for _, a := range c.refusals {
		if a.at.After(promoted) && noCopy(a.err) {
			after++
		}
	}
	c.mu.Unlock()
	if after == 0 {
		t.Errorf("no save after the promotion reached the new master and was refused for want of a replica")
	}
	t.Logf("%s; %d refused for want of a replica in the %v after the promotion, with the old master dead",
		c.report(t, killed), after, gap)

	// The old master comes back; the sentinels make it a replica of the new
	// one and clicks are acknowledged again.
	g.s.Restart(old)
	restarted := time.Now()
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("saves with WAIT 1 still refused 20s after the old master restarted: %s", c.report(t, killed))
	}
	t.Logf("old master restarted %v after the kill; %s; first WAIT 1 save acknowledged %v after the restart (%v after the kill)",
		restarted.Sub(killed).Round(time.Millisecond), c.report(t, killed),
		c.acked.at.Sub(restarted).Round(time.Millisecond), c.acked.at.Sub(killed).Round(time.Millisecond))
}
