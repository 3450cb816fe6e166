package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/store"
)

// TestMembershipOrphansExpire: a membership written for a review that is
// never created (a start that failed or died between the two writes)
// expires after MembershipGrace; CreateReview makes it permanent; once
// the review exists, writing a membership again changes nothing (a
// retried start, even after Delink, cannot bring it back).
func TestMembershipOrphansExpire(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	s := store.New(rdb, prefix)
	key := func(id string) string { return prefix + "{r:" + id + "}:segm" }
	m := assessment.Membership{"SEMEA": {"UAMY", "UBEN"}, "SAMER": {"UBEN", "UCAT"}}

	if err := s.SetMembership(ctx, "rorphan", m); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, key("rorphan")).Val(); ttl <= 0 || ttl > store.MembershipGrace {
		t.Errorf("an orphan membership lives %v, want at most %v", ttl, store.MembershipGrace)
	}

	id := "rtest" + time.Now().Format("150405")
	if err := s.SetMembership(ctx, id, m); err != nil {
		t.Fatal(err)
	}
	r := &assessment.Review{ID: id, FrameworkID: "cs-excellence", Respondents: []string{"UAMY", "UBEN", "UCAT"},
		DigestChannel: "C1", CreatedBy: "UADMIN", CreatedAt: time.Now(), Deadline: time.Now().Add(time.Hour), Threshold: 3, Status: assessment.StatusOpen}
	if _, err := s.CreateReview(ctx, r, excellence(t)); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, key(id)).Val(); ttl != -1 {
		t.Errorf("the created review's membership expires in %v, want never (until Delink)", ttl)
	}
	got, err := s.Membership(ctx, id)
	if err != nil || len(got["SEMEA"]) != 2 || len(got["SAMER"]) != 2 {
		t.Fatalf("membership %v, %v", got, err)
	}
	if err := s.SetMembership(ctx, id, assessment.Membership{"SEMEA": {"UAMY"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Membership(ctx, id); len(got["SEMEA"]) != 2 || len(got["SAMER"]) != 2 {
		t.Errorf("a second write changed an existing review's membership: %v", got)
	}
	if ttl := rdb.PTTL(ctx, key(id)).Val(); ttl != -1 {
		t.Errorf("a second write gave the membership a life: %v", ttl)
	}
}
