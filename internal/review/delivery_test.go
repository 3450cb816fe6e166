package review_test

import (
	"context"
	"errors"
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
	settle(t, svc, st, r.ID, func(n map[string]int) bool { return n[assessment.JobIntro] == 3 })
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

// A reminder is marked before it is sent, so that a crash inside the send
// or a failover that loses the job's claim costs one reminder instead of
// sending it twice; a send that fails takes the mark back and is tried
// again; a mark another job made since the state was read stops a second
// reminder.
func TestReminderMarkedBeforeItIsSent(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	clk.advance(time.Until(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))) // a Monday morning
	svc, st, rec, cat := newServiceAt(t, clk.now)
	f, _ := cat.Get("cs-checklist")
	r, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: []string{"UAMY", "UBEN", "UCAT"}},
		DigestChannel: "CLEADS", Deadline: clk.now().Add(48 * time.Hour), CreatedBy: "UADMIN", DeliverNow: true, Reminders: []string{"50%"}})
	if err != nil {
		t.Fatal(err)
	}
	settle(t, svc, st, r.ID, func(n map[string]int) bool {
		return n[assessment.JobIntro] == 0 && n[assessment.JobRemind] == 3 && rec.introsTo("UBEN") == 1
	})
	markedAtSend := false
	rec.mu.Lock()
	rec.onRemind = func(user string) error {
		if user != "UBEN" {
			return nil
		}
		rs, _ := st.ReminderState(ctx, r.ID, "UBEN")
		markedAtSend = !rs.LastReminded.IsZero()
		return errors.New("slack: 503") // a passing failure
	}
	rec.mu.Unlock()
	clk.advance(25 * time.Hour) // past the 50% mark, in working hours
	svc.RunJobs(ctx)
	if !markedAtSend {
		t.Fatal("the reminder was sent before it was marked: a crash inside the send would send it again")
	}
	if rs, _ := st.ReminderState(ctx, r.ID, "UBEN"); !rs.LastReminded.IsZero() || rec.remindersTo("UBEN") != 0 {
		t.Fatalf("after a failed send: last reminded %v, %d sent; want the mark taken back and none sent", rs.LastReminded, rec.remindersTo("UBEN"))
	}
	if rec.remindersTo("UAMY") != 1 || rec.remindersTo("UCAT") != 1 {
		t.Fatalf("reminders: Amy %d, Cat %d; want 1 each", rec.remindersTo("UAMY"), rec.remindersTo("UCAT"))
	}
	rec.mu.Lock()
	rec.onRemind = nil
	rec.mu.Unlock()
	clk.advance(2 * time.Minute) // the failed job's claim lapses
	svc.RunJobs(ctx)
	if n := rec.remindersTo("UBEN"); n != 1 {
		t.Fatalf("Ben's reminder after the failure: %d sent, want 1", n)
	}
	// Another replica read the state before the mark: its mark is refused.
	if marked, err := st.Reminded(ctx, r.ID, "UBEN", time.Time{}, clk.now()); err != nil || marked {
		t.Fatalf("a second mark from the state before the first: marked %v, %v", marked, err)
	}
}
