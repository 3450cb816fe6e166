package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/store"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// modes are the three deployments every store test runs on: the shared
// test server, the binary's shared 3+3 cluster and its Sentinel group.
var modes = []store.Mode{store.ModeSingle, store.ModeCluster, store.ModeSentinel}

// clientOn returns a client for mode, through store.Dial and the URL form
// a deployment would use, and a fresh key prefix cleaned up afterwards.
func clientOn(t testing.TB, mode store.Mode) (redis.UniversalClient, string) {
	t.Helper()
	var url string
	switch mode {
	case store.ModeSingle:
		return redistest.New(t)
	case store.ModeCluster:
		url = redistest.SharedCluster(t).URL()
	case store.ModeSentinel:
		url = redistest.SharedSentinel(t).URL()
	}
	rdb, got, err := store.Dial(url, "")
	if err != nil || got != mode {
		t.Fatalf("dial %s: mode %s, %v", url, got, err)
	}
	return redistest.NewOn(t, rdb)
}

// onEach runs a test once per mode, each with a store of its own prefix.
func onEach(t *testing.T, fn func(t *testing.T, s *store.Redis), opts ...store.Option) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			rdb, prefix := clientOn(t, mode)
			fn(t, store.New(rdb, prefix, opts...))
		})
	}
}

func excellence(t testing.TB) *assessment.Framework {
	cat, err := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := cat.Get("cs-excellence")
	return f
}

func newReview(t *testing.T, s *store.Redis, users ...string) *assessment.Review {
	t.Helper()
	now := time.Now()
	r := &assessment.Review{ID: "rtest" + time.Now().Format("150405"), FrameworkID: "cs-excellence", Respondents: users,
		DigestChannel: "C1", CreatedBy: "UADMIN", CreatedAt: now, Deadline: now.Add(time.Hour), Threshold: 3, Status: assessment.StatusOpen}
	if _, err := s.CreateReview(context.Background(), r, excellence(t)); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSaveAnswerRules(t *testing.T) {
	onEach(t, func(t *testing.T, s *store.Redis) {
		ctx := context.Background()
		r := newReview(t, s, "U1", "U2")
		now := time.Now()

		sh, _, err := s.SaveAnswer(ctx, r.ID, "U1", "q1", assessment.Answer{Option: "yes"}, false)
		if err != nil {
			t.Fatal(err)
		}
		if sh.Answers["q1"].Option != "yes" || sh.Submitted {
			t.Fatalf("sheet after first answer = %+v", sh)
		}
		// A comment keeps the option; changing the option keeps the comment.
		if _, _, err := s.SaveAnswer(ctx, r.ID, "U1", "q1", assessment.Answer{Comment: "we half do"}, true); err != nil {
			t.Fatal(err)
		}
		sh, _, err = s.SaveAnswer(ctx, r.ID, "U1", "q1", assessment.Answer{Option: "no"}, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := sh.Answers["q1"]; got.Option != "no" || got.Comment != "we half do" {
			t.Fatalf("answer = %+v, want option no with the comment kept", got)
		}

		tests := []struct {
			name, user string
			code       string
		}{
			{"not a respondent", "U9", assessment.EFORBIDDEN},
		}
		for _, tc := range tests {
			_, _, err := s.SaveAnswer(ctx, r.ID, tc.user, "q1", assessment.Answer{Option: "yes"}, false)
			if assessment.ErrorCode(err) != tc.code {
				t.Errorf("%s: err = %v, want code %s", tc.name, err, tc.code)
			}
		}
		if _, _, err := s.SaveAnswer(ctx, "rnope", "U1", "q1", assessment.Answer{Option: "yes"}, false); assessment.ErrorCode(err) != assessment.ENOTFOUND {
			t.Errorf("unknown review: err = %v", err)
		}

		closed, err := s.Close(ctx, r.ID, "UADMIN", now)
		if err != nil || !closed {
			t.Fatalf("close = %v, %v", closed, err)
		}
		_, _, err = s.SaveAnswer(ctx, r.ID, "U1", "q1", assessment.Answer{Option: "yes"}, false)
		if assessment.ErrorCode(err) != assessment.ECLOSED {
			t.Fatalf("answer after close: err = %v, want closed", err)
		}
		sh, _ = s.Response(ctx, r.ID, "U1")
		if sh.Answers["q1"].Option != "no" {
			t.Fatalf("a refused answer changed the stored one: %+v", sh.Answers["q1"])
		}
	})
}

func TestSubmitAndResponses(t *testing.T) {
	onEach(t, func(t *testing.T, s *store.Redis) {
		ctx := context.Background()
		r := newReview(t, s, "U1", "U2")
		for _, u := range r.Respondents {
			if _, _, err := s.SaveAnswer(ctx, r.ID, u, "q2", assessment.Answer{Option: assessment.NotSure}, false); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.Submit(ctx, r.ID, "U1")
		if err != nil || all {
			t.Fatalf("first submit: all=%v err=%v", all, err)
		}
		all, err = s.Submit(ctx, r.ID, "U1") // twice is harmless
		if err != nil || all {
			t.Fatalf("repeat submit: all=%v err=%v", all, err)
		}
		if all, err = s.Submit(ctx, r.ID, "U2"); err != nil || !all {
			t.Fatalf("last submit: all=%v err=%v", all, err)
		}
		rs, err := s.Responses(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 2 || !rs[0].Submitted || rs[1].Answers["q2"].Option != assessment.NotSure {
			t.Fatalf("responses = %+v", rs)
		}
		// The frozen framework comes back whole.
		_, f, err := s.Review(ctx, r.ID)
		if err != nil || len(f.Sections) != 7 || f.Scales["yesno"] == nil {
			t.Fatalf("frozen framework = %v sections, err %v", len(f.Sections), err)
		}
	})
}

// Many concurrent closers: exactly one wins and the digest is queued once.
func TestCloseExactlyOnce(t *testing.T) {
	onEach(t, func(t *testing.T, s *store.Redis) {
		ctx := context.Background()
		r := newReview(t, s, "U1")
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.Close(ctx, r.ID, "x", time.Now())
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
			t.Fatalf("%d closers won, want 1", wins.Load())
		}
		pending, _ := s.PendingDigests(ctx)
		if len(pending) != 1 || pending[0] != r.ID {
			t.Fatalf("pending digests = %v", pending)
		}
		if err := s.DigestPosted(ctx, r.ID, assessment.MessageRef{Channel: "C1", TS: "1.2"}); err != nil {
			t.Fatal(err)
		}
		pending, _ = s.PendingDigests(ctx)
		st, _ := s.DigestState(ctx, r.ID)
		if len(pending) != 0 || st.Kind != assessment.Sent || st.Ref != (assessment.MessageRef{Channel: "C1", TS: "1.2"}) {
			t.Fatalf("after posting: pending %v state %+v", pending, st)
		}
		open, _ := s.OpenReviews(ctx)
		if len(open) != 0 {
			t.Fatalf("closed review still open: %v", open)
		}
	})
}

func TestEnvelopeDedupeAndLeases(t *testing.T) {
	onEach(t, func(t *testing.T, s *store.Redis) {
		ctx := context.Background()
		first, err := s.FirstDelivery(ctx, "E1", time.Minute)
		if err != nil || !first {
			t.Fatalf("first = %v %v", first, err)
		}
		if again, _ := s.FirstDelivery(ctx, "E1", time.Minute); again {
			t.Fatal("a repeated envelope was taken as new")
		}
		ok, _ := s.Claim(ctx, "job", "A", time.Minute)
		ok2, _ := s.Claim(ctx, "job", "B", time.Minute)
		if !ok || ok2 {
			t.Fatalf("claims = %v %v, want true false", ok, ok2)
		}
		_ = s.Release(ctx, "job", "B") // not B's: must not release
		if ok3, _ := s.Claim(ctx, "job", "C", time.Minute); ok3 {
			t.Fatal("a lease was released by someone who did not hold it")
		}
		_ = s.Release(ctx, "job", "A")
		if ok4, _ := s.Claim(ctx, "job", "C", time.Minute); !ok4 {
			t.Fatal("lease not free after its owner released it")
		}
	})
}

// With Redis gone, a save fails with EUNAVAILABLE (so the user is told).
func TestRedisDownIsUnavailable(t *testing.T) {
	srv := redistest.StartServer(t)
	rdb := redistest.Client(srv)
	s := store.New(rdb, "t:")
	ctx := context.Background()
	r := newReview(t, s, "U1")
	srv.Stop()
	_, _, err := s.SaveAnswer(ctx, r.ID, "U1", "q1", assessment.Answer{Option: "yes"}, false)
	if assessment.ErrorCode(err) != assessment.EUNAVAILABLE {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if _, ok := assessment.ReasonAs[assessment.StoreUnavailable](err); !ok {
		t.Fatalf("reason = %v, want %s", assessment.ErrorReason(err), assessment.StoreUnavailable{}.Name())
	}
}
