package review_test

import (
	"context"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
)

// A "sending" mark younger than a lease, with no DM found in Slack, is
// another process posting right now (after a failover lost its claim, the
// mark is all that is left of it): the intro waits for a later attempt
// instead of going out twice. An old mark is a crash: the DM goes out.
func TestYoungSendingMarkWaits(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	clk.advance(time.Until(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))) // a Saturday: intros wait for Monday
	svc, st, rec, cat := newServiceAt(t, clk.now)
	f, _ := cat.Get("cs-checklist")
	r, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: []string{"UAMY", "UBEN", "UCAT"}},
		DigestChannel: "CLEADS", Deadline: clk.now().Add(7 * 24 * time.Hour), CreatedBy: "UADMIN"})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		svc.Plan(ctx, r.ID)
		if n, _ := st.PendingJobs(ctx, r.ID); n[assessment.JobIntro] == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the intros were not queued within 10s")
		}
	}
	if err := st.SetDelivery(ctx, r.ID, "UAMY", assessment.DeliveryState{Kind: assessment.Sending, Since: time.Now()}); err != nil {
		t.Fatal(err)
	}
	clk.advance(48 * time.Hour) // Monday noon
	svc.RunJobs(ctx)
	if rec.introsTo("UBEN") != 1 || rec.introsTo("UAMY") != 0 {
		t.Fatalf("intros: Ben %d, Amy %d; want 1 and 0 (Amy's is being posted elsewhere)", rec.introsTo("UBEN"), rec.introsTo("UAMY"))
	}
	if err := st.SetDelivery(ctx, r.ID, "UAMY", assessment.DeliveryState{Kind: assessment.Sending, Since: time.Now().Add(-2 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	clk.advance(2 * time.Minute) // the job's claim has lapsed
	svc.RunJobs(ctx)
	if n := rec.introsTo("UAMY"); n != 1 {
		t.Fatalf("Amy's intro after an old mark: %d sent, want 1", n)
	}
}
