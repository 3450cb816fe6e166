package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/store"
)

// failoverRounds is how many times the failover tests kill a master: once
// in the default suite, FAILOVER_ROUNDS (make chaos: 5) in the long one.
func failoverRounds() int {
	if n, err := strconv.Atoi(os.Getenv("FAILOVER_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 1
}

// TestFailoverSentinelUnderLoad: respondents click while the master is
// killed with SIGKILL; every click the store acknowledged (WAIT 1) is there
// after the replica took over, the same client carries on by itself, and
// the refused clicks and the outage are counted.
func TestFailoverSentinelUnderLoad(t *testing.T) {
	s := redistest.StartSentinel(t)
	rdb, _, err := store.Dial(s.URL(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	failoverUnderLoad(t, rdb, func() (kill func(), heal func()) {
		master := s.Master()
		return func() { s.Kill(master) }, func() {
			t.Logf("sentinels promoted %s", s.WaitFailover())
			time.Sleep(time.Second) // a supervisor restarts the dead server a little later
			s.Restart(master)
		}
	})
}

// TestFailoverClusterUnderLoad is the same on a 3+3 cluster: the master of
// the first review's slot is killed; the other masters' reviews go on.
func TestFailoverClusterUnderLoad(t *testing.T) {
	c := redistest.StartCluster(t)
	rdb, _, err := store.Dial(c.URL(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	failoverUnderLoad(t, rdb, func() (kill func(), heal func()) {
		node, err := rdb.(*redis.ClusterClient).MasterForKey(context.Background(), "failover:{r:rload00}:status")
		if err != nil {
			t.Fatal(err)
		}
		master := node.Options().Addr
		return func() { c.Kill(master) }, func() {
			t.Logf("cluster promoted %s", c.WaitFailover(master))
			time.Sleep(time.Second)
			c.Restart(master)
		}
	})
}

type clickKey struct{ review, user, question string }

func failoverUnderLoad(t *testing.T, rdb redis.UniversalClient, victim func() (kill, heal func())) {
	ctx := context.Background()
	n, err := store.Replicas(ctx, rdb)
	if err != nil || n < 1 {
		t.Fatalf("replicas = %d, %v", n, err)
	}
	s := store.New(rdb, "failover:", store.WithWait(1, 500*time.Millisecond))
	const reviews, users = 6, 40
	var ids []string
	var who []string
	for u := range users {
		who = append(who, fmt.Sprintf("U%03d", u))
	}
	for i := range reviews {
		r := newReviewID(t, s, fmt.Sprintf("rload%02d", i), who...)
		ids = append(ids, r.ID)
	}
	for round := 1; round <= failoverRounds(); round++ {
		var (
			mu         sync.Mutex
			acked      = map[clickKey]string{}
			refused    atomic.Int64
			noCopy     atomic.Int64 // refused because no replica acknowledged in time
			lastNoCopy atomic.Int64
			first      atomic.Int64 // unix nanos of the first refusal
			last       atomic.Int64 // unix nanos of the last refusal
			seq        atomic.Int64
			stop       = make(chan struct{})
			wg         sync.WaitGroup
		)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					i := seq.Add(1)
					k := clickKey{ids[i%reviews], who[(i/reviews)%users], fmt.Sprintf("r%dq%d", round, i)}
					opt := []string{"yes", "no"}[(i+int64(w))%2]
					cctx, cancel := context.WithTimeout(ctx, 3*time.Second) // Slack's ack budget
					_, _, err := s.SaveAnswer(cctx, k.review, k.user, k.question, assessment.Answer{Option: opt}, false)
					cancel()
					if err != nil {
						if assessment.ErrorCode(err) != assessment.EUNAVAILABLE {
							t.Errorf("a click failed with %v, want unavailable", err)
							return
						}
						now := time.Now().UnixNano()
						first.CompareAndSwap(0, now)
						last.Store(now)
						refused.Add(1)
						if strings.Contains(err.Error(), "replicas had the write") {
							noCopy.Add(1)
							lastNoCopy.Store(now)
						}
						time.Sleep(50 * time.Millisecond) // the person reads the error and clicks again
						continue
					}
					mu.Lock()
					acked[k] = opt
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Second)
		kill, heal := victim()
		killed := time.Now()
		kill()
		heal()
		// Load goes on until clicks on every review are acknowledged again.
		deadline := time.Now().Add(30 * time.Second)
		for {
			before := seq.Load()
			time.Sleep(time.Second)
			if last.Load() < time.Now().Add(-time.Second).UnixNano() && seq.Load() > before {
				break
			}
			if time.Now().After(deadline) {
				close(stop)
				wg.Wait()
				t.Fatalf("round %d: clicks still refused 30s after the failover (%d refused)", round, refused.Load())
			}
		}
		close(stop)
		wg.Wait()
		outage := time.Duration(0)
		if first.Load() != 0 {
			outage = time.Duration(last.Load() - first.Load())
		}
		since := func(unixNano int64) time.Duration {
			if unixNano == 0 {
				return 0
			}
			return time.Duration(unixNano - killed.UnixNano()).Round(time.Millisecond)
		}
		t.Logf("round %d: %d clicks acknowledged, %d refused (the person is told), %d of them because no replica had them (the last %v after the kill); refusals from %v to %v after the kill (%v)",
			round, len(acked), refused.Load(), noCopy.Load(), since(lastNoCopy.Load()), since(first.Load()), since(last.Load()), outage.Round(time.Millisecond))
		// Every acknowledged click is there.
		lost := 0
		for _, id := range ids {
			for _, u := range who {
				sh, err := s.Response(ctx, id, u)
				if err != nil {
					t.Fatalf("read back %s/%s: %v", id, u, err)
				}
				for k, opt := range acked {
					if k.review == id && k.user == u && sh.Answers[k.question].Option != opt {
						lost++
					}
				}
			}
		}
		if lost > 0 {
			t.Fatalf("round %d: %d of %d acknowledged clicks lost in the failover", round, lost, len(acked))
		}
	}
}
