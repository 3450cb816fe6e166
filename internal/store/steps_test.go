package store

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/redistest"
)

// The crash tests of the multi-step operations (see the package doc): each
// stops an operation between two of its steps, as a crash or a failover
// would, and checks that the readers of the queues heal what is left, on
// all three deployments.

func onModes(t *testing.T, fn func(t *testing.T, s *Redis)) {
	for _, mode := range []Mode{ModeSingle, ModeCluster, ModeSentinel} {
		t.Run(string(mode), func(t *testing.T) {
			var rdb redis.UniversalClient
			var prefix string
			switch mode {
			case ModeSingle:
				rdb, prefix = redistest.New(t)
			case ModeCluster:
				c, _, err := Dial(redistest.SharedCluster(t).URL(), "")
				if err != nil {
					t.Fatal(err)
				}
				rdb, prefix = redistest.NewOn(t, c)
			case ModeSentinel:
				c, _, err := Dial(redistest.SharedSentinel(t).URL(), "")
				if err != nil {
					t.Fatal(err)
				}
				rdb, prefix = redistest.NewOn(t, c)
			}
			fn(t, New(rdb, prefix))
		})
	}
}

func stepsReview(id string, deadline time.Time) *assessment.Review {
	now := time.Now()
	return &assessment.Review{ID: id, FrameworkID: "fw", Respondents: []string{"U1", "U2"}, DigestChannel: "C1",
		CreatedBy: "UADMIN", CreatedAt: now, Deadline: deadline, Threshold: 3, Status: assessment.StatusOpen}
}

var tinyFramework = &assessment.Framework{ID: "fw", Title: "fw"}

// A crash after CreateReview's first step: the queues name a review that
// does not exist. Nobody acts on it; after the grace it is dropped.
func TestCreateCrashAfterQueues(t *testing.T) {
	onModes(t, func(t *testing.T, s *Redis) {
		ctx := context.Background()
		r := stepsReview("rorphan", time.Now().Add(-time.Minute)) // deadline passed
		if err := s.queueNew(ctx, r); err != nil {
			t.Fatal(err)
		}
		if ids, err := s.FanoutPending(ctx); err != nil || len(ids) != 0 {
			t.Fatalf("fan-out offers %v (%v), want nothing while the review does not exist", ids, err)
		}
		if ids, err := s.DueReviews(ctx, time.Now()); err != nil || len(ids) != 0 {
			t.Fatalf("due reviews %v (%v), want none", ids, err)
		}
		// Still queued: it is young, its creator may be about to write it.
		if n, _ := s.rdb.ZCard(ctx, s.ikey("reviews:open")).Result(); n != 1 {
			t.Fatalf("a young orphan was dropped: %d entries", n)
		}
		old := float64(time.Now().Add(-orphanGrace - time.Second).UnixMilli())
		s.rdb.ZAdd(ctx, s.ikey("fanout:pending"), redis.Z{Score: old, Member: r.ID})
		if _, err := s.FanoutPending(ctx); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"reviews:open", "fanout:pending"} {
			if n, _ := s.rdb.ZCard(ctx, s.ikey(q)).Result(); n != 0 {
				t.Errorf("%s still holds the old orphan", q)
			}
		}
		// Its creator comes back after all: the review is created and queued again.
		if created, err := s.CreateReview(ctx, r, tinyFramework); err != nil || !created {
			t.Fatalf("create = %v, %v", created, err)
		}
		if ids, _ := s.DueReviews(ctx, time.Now()); !slices.Equal(ids, []string{r.ID}) {
			t.Fatalf("due after creation = %v", ids)
		}
	})
}

// A crash after the review's own keys: the listings are missing until
// FanoutDone writes them.
func TestCreateCrashBeforeListings(t *testing.T) {
	onModes(t, func(t *testing.T, s *Redis) {
		ctx := context.Background()
		r := stepsReview("rnolist", time.Now().Add(time.Hour))
		if err := s.queueNew(ctx, r); err != nil {
			t.Fatal(err)
		}
		meta, _ := toJSON(toDBReview(r))
		fw, _ := toJSON(tinyFramework)
		keys := []string{s.rkey(r.ID, "meta"), s.rkey(r.ID, "fw"), s.rkey(r.ID, "status"), s.rkey(r.ID, "who"), s.rkey(r.ID, "segm")}
		if err := createReview.Run(ctx, s.rdb, keys, meta, fw, "U1", "U2").Err(); err != nil {
			t.Fatal(err)
		}
		if ids, _ := s.UserReviews(ctx, "U1", 10); len(ids) != 0 {
			t.Fatalf("listed before the crash was healed: %v", ids)
		}
		ids, err := s.FanoutPending(ctx)
		if err != nil || !slices.Equal(ids, []string{r.ID}) {
			t.Fatalf("fan-out pending = %v, %v", ids, err)
		}
		if err := s.FanoutDone(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		for _, u := range r.Respondents {
			if ids, _ := s.UserReviews(ctx, u, 10); !slices.Equal(ids, []string{r.ID}) {
				t.Errorf("%s's reviews = %v after FanoutDone", u, ids)
			}
		}
		if ids, _ := s.RecentReviews(ctx, 10); !slices.Equal(ids, []string{r.ID}) {
			t.Errorf("recent reviews = %v after FanoutDone", ids)
		}
	})
}

// A crash after Close's first step: the review is closed but still in the
// deadline queue and not in the digest queue. The next sweep's DueReviews
// returns it before its deadline, and Close finishes the move.
func TestCloseCrashBetweenSteps(t *testing.T) {
	onModes(t, func(t *testing.T, s *Redis) {
		ctx := context.Background()
		r := stepsReview("rhalfclosed", time.Now().Add(24*time.Hour))
		if _, err := s.CreateReview(ctx, r, tinyFramework); err != nil {
			t.Fatal(err)
		}
		keys := []string{s.rkey(r.ID, "status"), s.rkey(r.ID, "closed"), s.rkey(r.ID, "digest")}
		if err := closeReview.Run(ctx, s.rdb, keys, `{"by":"x"}`).Err(); err != nil {
			t.Fatal(err)
		}
		if ids, _ := s.OpenReviews(ctx); len(ids) != 0 {
			t.Errorf("open reviews list a closed review: %v", ids)
		}
		due, err := s.DueReviews(ctx, time.Now())
		if err != nil || !slices.Equal(due, []string{r.ID}) {
			t.Fatalf("due = %v, %v; want the half-closed review", due, err)
		}
		if closed, err := s.Close(ctx, r.ID, "deadline", time.Now()); err != nil || closed {
			t.Fatalf("close again = %v, %v; want false (closed before), nil", closed, err)
		}
		if p, _ := s.PendingDigests(ctx); !slices.Equal(p, []string{r.ID}) {
			t.Fatalf("pending digests = %v", p)
		}
		if due, _ := s.DueReviews(ctx, time.Now()); len(due) != 0 {
			t.Fatalf("still due after the repair: %v", due)
		}
		// Posted, and half-recorded: the queue entry stays, the state says Sent.
		if err := s.rdb.Set(ctx, s.rkey(r.ID, "digest"), "C1/1.2", 0).Err(); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.PendingDigests(ctx); !slices.Equal(p, []string{r.ID}) {
			t.Fatalf("pending digests = %v", p)
		}
		if st, _ := s.DigestState(ctx, r.ID); st.Kind != assessment.Sent {
			t.Fatalf("digest state = %+v", st)
		}
		if err := s.DigestPosted(ctx, r.ID, assessment.MessageRef{Channel: "C1", TS: "1.2"}); err != nil {
			t.Fatal(err)
		}
		// A later close (an admin's) does not queue a posted digest again.
		if _, err := s.Close(ctx, r.ID, "UADMIN", time.Now()); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.PendingDigests(ctx); len(p) != 0 {
			t.Fatalf("a posted digest is queued again: %v", p)
		}
	})
}

// Every schedule step on one slot: two replicas advancing the same run,
// only one queues it; a schedule deleted during Advance stays deleted.
func TestSchedulesOneSlot(t *testing.T) {
	onModes(t, func(t *testing.T, s *Redis) {
		ctx := context.Background()
		at := time.Unix(1800000000, 0).UTC()
		sc := &assessment.Schedule{ID: "s1", Spec: "0 9 * * 1", TZ: "UTC", FrameworkID: "fw", Next: at}
		if err := s.SaveSchedule(ctx, sc); err != nil {
			t.Fatal(err)
		}
		due, err := s.DueSchedules(ctx, at)
		if err != nil || !due["s1"].Equal(at) {
			t.Fatalf("due = %v, %v", due, err)
		}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.Advance(ctx, "s1", at, at.Add(7*24*time.Hour))
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d advanced the run, want 1", wins.Load())
		}
		got, err := s.Schedule(ctx, "s1")
		if err != nil || !got.Next.Equal(at.Add(7*24*time.Hour)) {
			t.Fatalf("stored next = %v, %v", got, err)
		}
		occ, _ := s.PendingOccurrences(ctx)
		if len(occ) != 1 {
			t.Fatalf("occurrences = %v", occ)
		}
		if err := s.OccurrenceDone(ctx, occ[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSchedule(ctx, "s1"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.Advance(ctx, "s1", at.Add(7*24*time.Hour), at.Add(14*24*time.Hour)); ok {
			t.Fatal("a deleted schedule advanced")
		}
		if all, _ := s.Schedules(ctx); len(all) != 0 {
			t.Fatalf("schedules after delete = %v", all)
		}
		// Jobs, time zones, leases: one key each.
		job := assessment.Job{Kind: assessment.JobIntro, Review: "r1", User: "U1", At: at}
		if err := s.AddJobs(ctx, []assessment.Job{job}); err != nil {
			t.Fatal(err)
		}
		if js, err := s.ClaimJobs(ctx, at, time.Minute, 10); err != nil || len(js) != 1 {
			t.Fatalf("claimed %v, %v", js, err)
		}
		if err := s.SetTimeZones(ctx, map[string]string{"U1": "UTC", "U2": "Europe/Paris"}); err != nil {
			t.Fatal(err)
		}
		if tz, err := s.TimeZones(ctx, []string{"U1", "U2", "U3"}); err != nil || len(tz) != 2 {
			t.Fatalf("zones = %v, %v", tz, err)
		}
	})
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
