package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// An action is created once per id (a request handled again creates
// nothing), read back whole, saved only over the version it was read at,
// and listed under its owner and with its review.
func TestActionCreateSaveList(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().Truncate(time.Second)
	a := &assessment.Action{ID: "a1", Review: "r1", Framework: "fw", Schedule: "s1", Section: "sec", What: "Do it",
		Owner: "UOWN", Proposer: "UPROP", Due: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), Questions: []string{"q1"},
		Status: assessment.ActionProposed, Created: now, Changed: now, Rev: 1}
	for i, want := range []bool{true, false} {
		if created, err := s.CreateAction(ctx, a); err != nil || created != want {
			t.Fatalf("create #%d: %v, %v; want %v", i+1, created, err, want)
		}
	}
	got, err := s.Action(ctx, "r1", "a1")
	if err != nil || got.What != "Do it" || got.Owner != "UOWN" || !got.Due.Equal(a.Due) || got.Version != 1 || got.Schedule != "s1" || got.Questions[0] != "q1" {
		t.Fatalf("read back: %+v, %v", got, err)
	}
	stale := *got
	got.Status, got.Thread = assessment.ActionAccepted, assessment.MessageRef{Channel: "C1", TS: "1.2"}
	if saved, err := s.SaveAction(ctx, got); err != nil || !saved || got.Version != 2 {
		t.Fatalf("save: %v, %v, version %d", saved, err, got.Version)
	}
	stale.Status = assessment.ActionDeclined
	if saved, err := s.SaveAction(ctx, &stale); err != nil || saved {
		t.Fatalf("a save over a stale version: %v, %v", saved, err)
	}
	back, _ := s.Action(ctx, "r1", "a1")
	if back.Status != assessment.ActionAccepted || back.Thread.TS != "1.2" {
		t.Fatalf("after a stale save: %+v", back)
	}
	// A new owner lists it; the previous owner's entry is stale and skipped.
	back.Owner = "UNEW"
	if saved, err := s.SaveAction(ctx, back); err != nil || !saved {
		t.Fatal(saved, err)
	}
	for owner, want := range map[string]int{"UOWN": 0, "UNEW": 1, "": 1} {
		l, err := s.ListedActions(ctx, owner, 10)
		if err != nil || len(l) != want {
			t.Errorf("listed under %q: %d, %v; want %d", owner, len(l), err, want)
		}
	}
	if l, err := s.ReviewActions(ctx, "r1"); err != nil || len(l) != 1 || l[0].ID != "a1" {
		t.Fatalf("review actions: %+v, %v", l, err)
	}
	if _, err := s.Action(ctx, "r1", "nope"); assessment.ErrorCode(err) != assessment.ENOTFOUND {
		t.Fatalf("a missing action: %v", err)
	}
}

// Of concurrent writers over one version, exactly one saves.
func TestActionSaveOnceOverAVersion(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := &assessment.Action{ID: "a1", Review: "r1", Owner: "U1", Status: assessment.ActionProposed, Created: time.Now()}
	if _, err := s.CreateAction(ctx, a); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	saved := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := s.Action(ctx, "r1", "a1")
			if err != nil {
				t.Error(err)
				return
			}
			b.Version = 1
			b.Status = assessment.ActionAccepted
			if ok, err := s.SaveAction(ctx, b); err == nil && ok {
				mu.Lock()
				saved++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if saved != 1 {
		t.Fatalf("%d writers saved over version 1, want 1", saved)
	}
}

// Forget takes a person out of the actions that name them: an open action
// they owned is dropped without their name, one they proposed loses it,
// their listing goes, and a job is queued to edit each action's message.
func TestForgetActions(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newReview(t, s, "U1")
	now := time.Now()
	owned := &assessment.Action{ID: "a1", Review: r.ID, Owner: "UGONE", Proposer: "UP", Status: assessment.ActionAccepted, Created: now, Rev: 2}
	proposed := &assessment.Action{ID: "a2", Review: r.ID, Owner: "UO", Proposer: "UGONE", Status: assessment.ActionDone, Created: now, Rev: 3}
	for _, a := range []*assessment.Action{owned, proposed} {
		if _, err := s.CreateAction(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Forget(ctx, "UGONE"); err != nil {
		t.Fatal(err)
	}
	a1, _ := s.Action(ctx, r.ID, "a1")
	a2, _ := s.Action(ctx, r.ID, "a2")
	if a1.Owner != "" || a1.Status != assessment.ActionDropped || a1.Proposer != "UP" || a1.Rev != 3 {
		t.Errorf("the forgotten owner's action: %+v", a1)
	}
	if a2.Proposer != "" || a2.Status != assessment.ActionDone || a2.Owner != "UO" {
		t.Errorf("the forgotten proposer's action: %+v", a2)
	}
	if l, _ := s.ListedActions(ctx, "UGONE", 10); len(l) != 0 {
		t.Errorf("still listed under the forgotten person: %+v", l)
	}
	jobs, _ := s.PendingJobs(ctx, r.ID)
	if jobs[assessment.JobActionNotify] != 2 {
		t.Errorf("queued jobs %v, want 2 %s", jobs, assessment.JobActionNotify)
	}
}
