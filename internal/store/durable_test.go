package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/store"
)

// Replicas reads what each deployment keeps: none on the shared test
// server, one per master on the cluster and the Sentinel group.
func TestReplicas(t *testing.T) {
	want := map[store.Mode]int{store.ModeSingle: 0, store.ModeCluster: 1, store.ModeSentinel: 1}
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			rdb, _ := clientOn(t, mode)
			n, err := store.Replicas(context.Background(), rdb)
			if err != nil || n != want[mode] {
				t.Fatalf("replicas = %d, %v; want %d", n, err, want[mode])
			}
		})
	}
}

// With WithWait(1) every answer and submission is on a replica before it
// returns, on every master of the cluster; asking for more replicas than
// there are refuses the click with EUNAVAILABLE after the timeout.
func TestWaitForReplicas(t *testing.T) {
	for _, mode := range []store.Mode{store.ModeCluster, store.ModeSentinel} {
		t.Run(string(mode), func(t *testing.T) {
			ctx := context.Background()
			rdb, prefix := clientOn(t, mode)
			s := store.New(rdb, prefix, store.WithWait(1, time.Second))
			// Enough reviews that the cluster's three masters each hold some.
			masters := map[string]bool{}
			for i := range 12 {
				r := newReviewID(t, s, fmt.Sprintf("rwait%02d", i), "U1")
				if cc, ok := rdb.(*redis.ClusterClient); ok {
					node, err := cc.MasterForKey(ctx, prefix+"{r:"+r.ID+"}:status")
					if err != nil {
						t.Fatal(err)
					}
					masters[node.Options().Addr] = true
				}
				if _, _, err := s.SaveAnswer(ctx, r.ID, "U1", "q1", assessment.Answer{Option: "yes"}, false); err != nil {
					t.Fatalf("save with WAIT 1: %v", err)
				}
				if _, err := s.Submit(ctx, r.ID, "U1"); err != nil {
					t.Fatalf("submit with WAIT 1: %v", err)
				}
				// A refusal of the script is still the script's.
				if _, _, err := s.SaveAnswer(ctx, r.ID, "U9", "q1", assessment.Answer{Option: "yes"}, false); assessment.ErrorCode(err) != assessment.EFORBIDDEN {
					t.Fatalf("outsider with WAIT: %v", err)
				}
			}
			if mode == store.ModeCluster && len(masters) != 3 {
				t.Fatalf("the reviews landed on %d masters, want 3", len(masters))
			}
			greedy := store.New(rdb, prefix, store.WithWait(2, 200*time.Millisecond))
			start := time.Now()
			_, _, err := greedy.SaveAnswer(ctx, "rwait00", "U1", "q2", assessment.Answer{Option: "no"}, false)
			if assessment.ErrorCode(err) != assessment.EUNAVAILABLE {
				t.Fatalf("WAIT 2 with one replica: err = %v, want unavailable", err)
			}
			if _, ok := assessment.ReasonAs[assessment.StoreUnavailable](err); !ok {
				t.Fatalf("reason = %v", assessment.ErrorReason(err))
			}
			if d := time.Since(start); d < 200*time.Millisecond || d > 2*time.Second {
				t.Errorf("the refusal took %v, want about the 200ms timeout", d)
			}
			// The marks written before a DM or a digest is posted wait too:
			// a post is made only once its trace survives a failover.
			sending := assessment.DeliveryState{Kind: assessment.Sending, Since: time.Now()}
			if err := s.SetDelivery(ctx, "rwait00", "U1", sending); err != nil {
				t.Fatalf("sending mark with WAIT 1: %v", err)
			}
			if err := s.DigestPosting(ctx, "rwait00", time.Now()); err != nil {
				t.Fatalf("digest mark with WAIT 1: %v", err)
			}
			if err := greedy.SetDelivery(ctx, "rwait00", "U1", sending); assessment.ErrorCode(err) != assessment.EUNAVAILABLE {
				t.Fatalf("sending mark with WAIT 2 and one replica: err = %v, want unavailable", err)
			}
			if err := greedy.DigestPosting(ctx, "rwait00", time.Now()); assessment.ErrorCode(err) != assessment.EUNAVAILABLE {
				t.Fatalf("digest mark with WAIT 2 and one replica: err = %v, want unavailable", err)
			}
			if err := greedy.SetDelivery(ctx, "rwait00", "U1", assessment.DeliveryState{Kind: assessment.Sent}); err != nil {
				t.Fatalf("a sent mark does not wait: %v", err)
			}
			if marked, err := s.Reminded(ctx, "rwait00", "U1", time.Time{}, time.Now()); err != nil || !marked {
				t.Fatalf("reminder mark with WAIT 1: %v, %v", marked, err)
			}
			if _, err := greedy.Reminded(ctx, "rwait01", "U1", time.Time{}, time.Now()); assessment.ErrorCode(err) != assessment.EUNAVAILABLE {
				t.Fatalf("reminder mark with WAIT 2 and one replica: err = %v, want unavailable", err)
			}
		})
	}
}

// A resharding under a client with the old slot map: go-redis follows
// MOVED for scripts and reads, and the WAIT path (which talks to the slot's
// master itself) re-reads the map and retries.
func TestClusterMovedSlot(t *testing.T) {
	ctx := context.Background()
	c := redistest.SharedCluster(t)
	rdb, prefix := clientOn(t, store.ModeCluster)
	plain := store.New(rdb, prefix)
	waiting := store.New(rdb, prefix, store.WithWait(1, time.Second))
	r := newReviewID(t, plain, "rmoved", "U1")
	if _, _, err := waiting.SaveAnswer(ctx, r.ID, "U1", "q1", assessment.Answer{Option: "yes"}, false); err != nil {
		t.Fatal(err)
	}
	cc := rdb.(*redis.ClusterClient)
	key := prefix + "{r:" + r.ID + "}:status"
	slot, err := cc.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	node, _ := cc.MasterForKey(ctx, key)
	from := node.Options().Addr
	var to string
	for _, m := range c.Masters() {
		if m != from {
			to = m
			break
		}
	}
	if err := c.MoveSlot(int(slot), to); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.MoveSlot(int(slot), from); err != nil {
			t.Logf("moving slot %d back: %v", slot, err)
		}
	})
	if _, _, err := waiting.SaveAnswer(ctx, r.ID, "U1", "q2", assessment.Answer{Option: "no"}, false); err != nil {
		t.Fatalf("save with WAIT after the slot moved: %v", err)
	}
	if _, _, err := plain.SaveAnswer(ctx, r.ID, "U1", "q3", assessment.Answer{Option: "yes"}, false); err != nil {
		t.Fatalf("save after the slot moved: %v", err)
	}
	if node, _ := cc.MasterForKey(ctx, key); node.Options().Addr != to {
		t.Fatalf("the client still routes slot %d to %s", slot, node.Options().Addr)
	}
	sh, err := plain.Response(ctx, r.ID, "U1")
	if err != nil || len(sh.Answers) != 3 {
		t.Fatalf("answers after the move = %+v, %v", sh.Answers, err)
	}
}

func newReviewID(t *testing.T, s *store.Redis, id string, users ...string) *assessment.Review {
	t.Helper()
	now := time.Now()
	r := &assessment.Review{ID: id, FrameworkID: "cs-excellence", Respondents: users,
		DigestChannel: "C1", CreatedBy: "UADMIN", CreatedAt: now, Deadline: now.Add(time.Hour), Threshold: 3, Status: assessment.StatusOpen}
	if _, err := s.CreateReview(context.Background(), r, excellence(t)); err != nil {
		t.Fatal(err)
	}
	return r
}

// During a failover a dead master restarted without its data can answer
// for a moment as a master. A review this process has read is never
// deleted, so finding it missing there is the store being unavailable
// ("could not be saved, try again"), not "there is no review"; a process
// that never read it still says there is none.
func TestReviewMissingFromTheServerIsUnavailable(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	s := store.New(rdb, prefix)
	r := newReviewID(t, s, "rlost001", "U1")
	if _, _, err := s.Review(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	// The server forgets the review, as an empty restarted master would.
	keys, err := rdb.Keys(ctx, prefix+"{r:"+r.ID+"}:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	if err := rdb.Del(ctx, keys...).Err(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SaveAnswer(ctx, r.ID, "U1", "q1", assessment.Answer{Option: "yes"}, false); assessment.ErrorCode(err) != assessment.EUNAVAILABLE {
		t.Errorf("save: %v, want unavailable", err)
	}
	if _, err := s.Submit(ctx, r.ID, "U1"); assessment.ErrorCode(err) != assessment.EUNAVAILABLE {
		t.Errorf("submit: %v, want unavailable", err)
	}
	if _, _, err := s.Review(ctx, r.ID); assessment.ErrorCode(err) != assessment.EUNAVAILABLE {
		t.Errorf("review: %v, want unavailable", err)
	}
	fresh := store.New(rdb, prefix)
	if _, _, err := fresh.SaveAnswer(ctx, r.ID, "U1", "q1", assessment.Answer{Option: "yes"}, false); assessment.ErrorCode(err) != assessment.ENOTFOUND {
		t.Errorf("save by a process that never read it: %v, want not found", err)
	}
}
