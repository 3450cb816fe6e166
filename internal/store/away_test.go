package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/store"
)

// The away set counts respondents whose intro waits and who have not
// answered; a person forgotten leaves it, one who is back leaves it, and
// after de-linking only the count is left: no key of the review names who
// was away.
func TestAwayCountOutlivesWhoWasAway(t *testing.T) {
	rdb, prefix := clientOn(t, store.ModeSingle)
	s := store.New(rdb, prefix)
	ctx := context.Background()
	f := excellence(t)
	now := time.Now()
	users := []string{"UAWA1", "UAWA2", "UAWA3", "UAWA4", "UAWA5"}
	r := &assessment.Review{ID: "raway" + now.Format("150405"), FrameworkID: f.ID, Respondents: users, Audience: "x",
		DigestChannel: "C1", CreatedBy: "UADMIN", CreatedAt: now, Deadline: now.Add(time.Hour), Threshold: 3, Status: assessment.StatusOpen}
	if _, err := s.CreateReview(ctx, r, f); err != nil {
		t.Fatal(err)
	}
	count := func(want int, when string) {
		t.Helper()
		if n, err := s.AwayCount(ctx, r.ID); err != nil || n != want {
			t.Errorf("%s: AwayCount = %d, %v; want %d", when, n, err, want)
		}
	}
	count(0, "nobody away")
	for _, u := range users[:4] {
		if err := s.SetAway(ctx, r.ID, u, true); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.SetAway(ctx, r.ID, "UOUTSIDER", true) // not a respondent: no trace
	count(4, "four away")
	_ = s.SetAway(ctx, r.ID, users[0], false)
	count(3, "one back")
	q := f.Sections[0].Questions[0]
	if _, _, err := s.SaveAnswer(ctx, r.ID, users[1], q.ID, assessment.Answer{Option: f.Scales[q.Scale].Options[0].ID}, false); err != nil {
		t.Fatal(err)
	}
	count(2, "one away answered anyway")
	if _, _, err := s.Forget(ctx, users[2]); err != nil {
		t.Fatal(err)
	}
	count(1, "one away forgotten")
	if _, err := s.Close(ctx, r.ID, "deadline", now); err != nil {
		t.Fatal(err)
	}
	r.Respondents = []string{users[0], users[1], users[3], users[4]}
	if err := s.Delink(ctx, r); err != nil {
		t.Fatal(err)
	}
	count(1, "after de-linking")
	if n := rdb.Exists(ctx, prefix+"{r:"+r.ID+"}:away").Val(); n != 0 {
		t.Error("the away set outlives de-linking")
	}
	_ = s.SetAway(ctx, r.ID, users[3], true)
	count(1, "a late mark after de-linking")
	keys, _ := rdb.Keys(ctx, prefix+"{r:"+r.ID+"}:*").Result()
	for _, k := range keys {
		if typ := rdb.Type(ctx, k).Val(); typ == "set" || typ == "hash" {
			for _, m := range append(rdb.SMembers(ctx, k).Val(), rdb.HKeys(ctx, k).Val()...) {
				if m == users[3] {
					t.Errorf("%s still names %s, who was away", k, users[3])
				}
			}
		}
	}
}
