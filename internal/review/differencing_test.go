package review_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/store"
)

// runReview starts a review of cs-checklist for audience (on schedule
// sched when not empty), has answerers answer every question of its first
// section, closes it and posts its digest, and returns the digest.
func runReview(t *testing.T, svc *review.Service, cat *framework.Catalog, sched string, audience, answerers []string) (*assessment.Review, digest.Digest) {
	t.Helper()
	ctx := context.Background()
	f, _ := cat.Get("cs-checklist")
	r, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: audience}, ScheduleID: sched,
		DigestChannel: "CLEADS", Deadline: svc.Now().Add(time.Hour), CreatedBy: "UADMIN", Anyway: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range answerers {
		for qi, q := range f.Sections[0].Questions {
			opt := []string{"yes", "no"}[(i+qi)%2]
			if _, err := svc.Answer(ctx, r.ID, u, q.ID, assessment.Answer{Option: opt}, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if c, err := svc.CloseNow(ctx, r.ID, "UADMIN"); err != nil || !c.Posted {
		t.Fatalf("close %s: %+v, %v", r.ID, c, err)
	}
	d, _, err := svc.Digest(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r, d
}

// shows reports whether a digest shows any section score.
func shows(d digest.Digest) bool {
	for _, s := range d.Result.Sections {
		if s.Score != nil {
			return true
		}
	}
	return false
}

func withheldBy(d digest.Digest) (digest.Withheld, bool) {
	for _, w := range d.Withheld {
		if w.Why == digest.WhyDifferencing {
			return w, true
		}
	}
	return digest.Withheld{}, false
}

// The store keeps the differencing record the service finds in it.
var _ review.Answerers = (*store.Redis)(nil)

var team = []string{"UALICE", "UBOB", "UCAROL", "UDAVE"}

// TestPaddingIsCaughtAtPublish: R2's audience is R1's minus alice plus
// three who never answer, so it passes the start-time audience check (it
// differs by 4); but its answerers differ from R1's by one, alice, and
// 4·mean(R1) − 3·mean(R2) would be her answers. None of R2's figures show.
func TestPaddingIsCaughtAtPublish(t *testing.T) {
	ctx := context.Background()
	svc, _, _, cat := newService(t)
	r1, d1 := runReview(t, svc, cat, "", team, team)
	if !shows(d1) {
		t.Fatal("R1 shows no figures")
	}
	r2, d2 := runReview(t, svc, cat, "", []string{"UBOB", "UCAROL", "UDAVE", "UX1", "UX2", "UX3"}, []string{"UBOB", "UCAROL", "UDAVE"})
	if shows(d2) || d2.Result.Band != nil || d2.Result.Alignment != nil {
		t.Fatalf("R2 shows figures: %+v", d2.Result.Sections)
	}
	w, ok := withheldBy(d2)
	if !ok || w.Review != r1.ID || w.Differ != 1 || w.Figure != digest.FigAll {
		t.Fatalf("R2 withheld = %+v, want everything, against %s, by 1", d2.Withheld, r1.ID)
	}
	// The verdict stands after the digest (its answers are unlinked): the
	// results and the export show nothing either.
	res, err := svc.Results(ctx, r2.ID, "UADMIN")
	if err != nil || res.Digest == nil || shows(*res.Digest) {
		t.Fatalf("results of R2: %+v, %v", res.Digest, err)
	}
	ex, err := svc.Export(ctx, r2.ID, "UADMIN")
	if err != nil || ex.Responses != nil || ex.Texts != nil || shows(ex.Digest) {
		t.Fatalf("export of R2: %d rows, %v", len(ex.Responses), err)
	}
}

// TestForgetDoesNotResetDifferencing: forget rewrites R1's audience, so the
// start-time check lets R2 (R1 without alice) start; the record of who
// answered R1 is kept under keyed hashes that forget leaves alone, and R2's
// figures are withheld.
func TestForgetDoesNotResetDifferencing(t *testing.T) {
	ctx := context.Background()
	svc, st, _, cat := newService(t)
	r1, _ := runReview(t, svc, cat, "", team, team)
	if _, _, err := st.Forget(ctx, "UALICE"); err != nil {
		t.Fatal(err)
	}
	_, d2 := runReview(t, svc, cat, "", team[1:], team[1:])
	if w, ok := withheldBy(d2); shows(d2) || !ok || w.Review != r1.ID || w.Differ != 1 {
		t.Fatalf("R2 after forget @alice: shows %v, withheld %+v", shows(d2), d2.Withheld)
	}
}

// TestDifferencingLeavesTrendsAndOthersAlone: what the check lets through.
func TestDifferencingLeavesTrendsAndOthersAlone(t *testing.T) {
	t.Run("runs of one schedule a week apart", func(t *testing.T) {
		c := newClock()
		svc, _, _, cat := newServiceAt(t, c.now)
		runReview(t, svc, cat, "sched1", team, team)
		c.advance(review.TrendGap)
		if _, d := runReview(t, svc, cat, "sched1", team, team[1:]); !shows(d) {
			t.Fatalf("the next week's run is withheld: %+v", d.Withheld)
		}
	})
	t.Run("runs of one schedule less than a week apart", func(t *testing.T) {
		c := newClock()
		svc, _, _, cat := newServiceAt(t, c.now)
		runReview(t, svc, cat, "sched1", team, team)
		c.advance(review.TrendGap - time.Hour)
		if _, d := runReview(t, svc, cat, "sched1", team, team[1:]); shows(d) {
			t.Fatal("a run six days later, one answerer fewer, shows figures")
		}
	})
	t.Run("published before the window", func(t *testing.T) {
		c := newClock()
		svc, _, _, cat := newServiceAt(t, c.now)
		runReview(t, svc, cat, "", team, team)
		c.advance(review.DifferencingWindow + time.Hour)
		if _, d := runReview(t, svc, cat, "", team[1:], team[1:]); !shows(d) {
			t.Fatalf("withheld against a review published %v ago: %+v", review.DifferencingWindow+time.Hour, d.Withheld)
		}
	})
	t.Run("the same answerers, or others altogether", func(t *testing.T) {
		svc, _, _, cat := newService(t)
		runReview(t, svc, cat, "", team, team)
		if _, d := runReview(t, svc, cat, "", team, team); !shows(d) {
			t.Fatalf("the same four again are withheld: %+v", d.Withheld)
		}
		others := []string{"UE1", "UE2", "UE3", "UE4", "UE5"}
		if _, d := runReview(t, svc, cat, "", others, others); !shows(d) {
			t.Fatalf("five others are withheld: %+v", d.Withheld)
		}
	})
}

// TestDifferencingRecordNamesNobody: the record holds no user id, and
// survives forget.
func TestDifferencingRecordNamesNobody(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	cat, err := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	if err != nil {
		t.Fatal(err)
	}
	svc := review.New(onStore(st, review.Config{Messenger: newRecorder(), Directory: adminDir("UADMIN"), Frameworks: cat,
		Now: time.Now, Owner: "t", Lease: time.Minute, Tick: time.Hour, AdminUsers: []string{"UADMIN"}}))
	runReview(t, svc, cat, "", team, team)
	before := keysAndValues(t, rdb, prefix)
	if _, _, err := st.Forget(ctx, "UALICE"); err != nil {
		t.Fatal(err)
	}
	after := keysAndValues(t, rdb, prefix)
	n := 0
	for k, v := range before {
		if !strings.Contains(k, "dset:") && !strings.Contains(k, ":differencing") {
			continue
		}
		n++
		for _, u := range team {
			if strings.Contains(k, u) || strings.Contains(v, u) {
				t.Errorf("%s names %s: %.200s", k, u, v)
			}
		}
		if after[k] != v {
			t.Errorf("forget changed %s", k)
		}
	}
	if n < 4 {
		t.Errorf("%d keys of the differencing record, want the key, the set, the listing and the verdict", n)
	}
}
