package review_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
)

// clock is a test clock that runs on from real time, moved forward by
// advance.
type clock struct{ skew atomic.Int64 }

func newClock() *clock { return &clock{} }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.skew.Load())) }
func (c *clock) advance(d time.Duration) { c.skew.Add(int64(d)) }

// Once everyone has submitted, the review closes after its grace period,
// not at once and not at its later deadline; a repeated submission never
// postpones it, and every sheet says when it closes.
func TestGracePeriodAfterEveryoneSubmitted(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	svc, _, rec, cat := newServiceAt(t, clk.now)
	f, _ := cat.Get("cs-checklist")
	r, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: []string{"UAMY", "UBEN", "UCAT"}},
		DigestChannel: "CLEADS", Deadline: clk.now().Add(72 * time.Hour), CreatedBy: "UADMIN", DeliverNow: true, Grace: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"UAMY", "UBEN"} {
		if sub, err := svc.Submit(ctx, r.ID, u); err != nil || sub.Everyone {
			t.Fatalf("%s submits: %+v, %v", u, sub, err)
		}
	}
	at := clk.now()
	last, err := svc.Submit(ctx, r.ID, "UCAT")
	want := at.Add(2 * time.Hour)
	if err != nil || !last.Everyone || last.ClosesEarly.Before(want.Add(-2*time.Second)) || last.ClosesEarly.After(want.Add(2*time.Second)) {
		t.Fatalf("last submission: everyone %v closes %v, want about %v; %v", last.Everyone, last.ClosesEarly, want, err)
	}
	if last.Review.Deadline.Sub(r.Deadline) != 0 {
		t.Fatalf("the stored deadline moved: %v, was %v", last.Review.Deadline, r.Deadline)
	}

	// Within the grace: answers change, and sheets say when it closes.
	clk.advance(time.Hour)
	svc.Sweep(ctx)
	sh, err := svc.Answer(ctx, r.ID, "UAMY", "team-roles-documented", assessment.Answer{Option: "no"}, false)
	if err != nil || !sh.ClosesEarly.Equal(last.ClosesEarly) {
		t.Fatalf("answer within the grace: closes %v, %v", sh.ClosesEarly, err)
	}
	if sh, err := svc.Open(ctx, r.ID, "UBEN"); err != nil || !sh.ClosesEarly.Equal(last.ClosesEarly) {
		t.Fatalf("open within the grace: closes %v, %v", sh.ClosesEarly, err)
	}
	// Submitting again later does not postpone the close.
	if again, err := svc.Submit(ctx, r.ID, "UCAT"); err != nil || !again.ClosesEarly.Equal(last.ClosesEarly) {
		t.Fatalf("second submission: closes %v, want %v; %v", again.ClosesEarly, last.ClosesEarly, err)
	}
	if got := rec.posted(); len(got) != 0 {
		t.Fatalf("digest posted within the grace: %v", got)
	}

	// After the grace: closed by the sweep, digest posted once.
	clk.advance(time.Hour + 2*time.Second)
	svc.Sweep(ctx)
	if got := rec.posted(); len(got) != 1 {
		t.Fatalf("digests after the grace: %v, want one", got)
	}
	if _, err := svc.Answer(ctx, r.ID, "UAMY", "team-roles-documented", assessment.Answer{Option: "yes"}, false); assessment.ErrorCode(err) != assessment.ECLOSED {
		t.Fatalf("answer after the grace: %v, want closed", err)
	}
}

// A review with fewer people than its anonymity threshold starts only
// when asked to anyway; grace periods out of bounds are refused.
func TestStartBelowThresholdAndGraceBounds(t *testing.T) {
	ctx := context.Background()
	svc, _, _, cat := newService(t)
	f, _ := cat.Get("cs-checklist")
	req := review.StartRequest{Framework: f, Audience: review.Audience{Users: []string{"UAMY", "UBEN"}},
		DigestChannel: "CLEADS", Deadline: time.Now().Add(time.Hour), CreatedBy: "UADMIN"}
	_, err := svc.Start(ctx, req)
	if reason, ok := assessment.ReasonAs[assessment.AudienceBelowThreshold](err); !ok || reason.People != 2 || reason.Threshold != 3 {
		t.Fatalf("2 people, threshold 3: err = %v, want %s with 2 and 3", err, assessment.AudienceBelowThreshold{}.Name())
	}
	req.Threshold = 2
	if _, err := svc.Start(ctx, req); err == nil {
		t.Fatal("2 people, threshold 2: started below the floor of 3")
	}
	req.Threshold = 5
	req.Anyway = true
	if _, err := svc.Start(ctx, req); err != nil {
		t.Fatalf("2 people, threshold 5, anyway: %v", err)
	}
	for _, g := range []time.Duration{time.Second, 8 * 24 * time.Hour} {
		req.Grace = g
		if _, err := svc.Start(ctx, req); assessment.ErrorCode(err) != assessment.EINVALID {
			t.Fatalf("grace %v: err = %v, want invalid", g, err)
		}
	}
}
