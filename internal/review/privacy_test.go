package review_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/store"
)

// Past its retention a review keeps its figures only: no open answer and
// no comment, word for word, stays anywhere in the store (the kept result
// included), and the figures do. A review expired before this rule (its
// result still holding the words) is trimmed by the next sweep.
func TestRetentionKeepsFiguresOnly(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	cat, _ := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	clock, advance := manualClock(time.Now())
	newSvc := func() *review.Service {
		dir := directory{people: map[string]assessment.Person{}}
		dir.addAdmins("UADMIN")
		return review.New(onStore(st, review.Config{Messenger: newRecorder(), Directory: dir, Frameworks: cat,
			Now: clock, Owner: "t", Lease: time.Minute, Tick: time.Hour, Retention: 30 * 24 * time.Hour, AdminUsers: []string{"UADMIN"}}))
	}
	svc := newSvc()
	f, _ := cat.Get("cs-foundations")
	// Five: the detail threshold, from which a section of one rated
	// question and the open answers show.
	users := []string{"UAMY", "UBEN", "UCAT", "UDEV", "UEVE"}
	r, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: users},
		DigestChannel: "CLEADS", Deadline: clock().Add(time.Hour), CreatedBy: "UADMIN", DeliverNow: true, Anyway: true})
	if err != nil {
		t.Fatal(err)
	}
	rating, open := f.Sections[0].Questions[0], f.Sections[0].Questions[1]
	words := func(u, kind string) string { return fmt.Sprintf("SECRET-%s-%s", kind, u) }
	for _, u := range users {
		for _, a := range []struct {
			q       string
			a       assessment.Answer
			comment bool
		}{
			{rating.ID, assessment.Answer{Option: f.Scales[rating.Scale].Options[1].ID}, false},
			{open.ID, assessment.Answer{Text: words(u, "text")}, false},
			{rating.ID, assessment.Answer{Comment: words(u, "comment")}, true},
		} {
			if _, err := svc.Answer(ctx, r.ID, u, a.q, a.a, a.comment); err != nil {
				t.Fatal(err)
			}
		}
	}
	if c, err := svc.CloseNow(ctx, r.ID, "UADMIN"); err != nil || !c.Posted {
		t.Fatalf("close: %+v %v", c, err)
	}
	before, _, _ := svc.Digest(ctx, r.ID)
	holding := func() []string {
		var out []string
		for k, v := range keysAndValues(t, rdb, prefix) {
			if strings.Contains(v, "SECRET-") {
				out = append(out, k)
			}
		}
		return out
	}
	if len(holding()) == 0 {
		t.Fatal("no key holds the open answers before the retention: the test looks in the wrong place")
	}
	expire := func(what string) {
		t.Helper()
		advance(31 * 24 * time.Hour)
		newSvc().Retain(ctx) // a new process: the sweep runs at once
		if keys := holding(); len(keys) > 0 {
			t.Errorf("%s: the words of open answers or comments are still in %v", what, keys)
		}
		after, _, err := svc.Digest(ctx, r.ID)
		if err != nil || after.Result.Respondents != len(users) || after.Result.Sections[0].Score == nil ||
			*after.Result.Sections[0].Score != *before.Result.Sections[0].Score {
			t.Fatalf("%s: the figures did not stay: %+v, %v", what, after.Result.Sections[0], err)
		}
	}
	expire("after the retention")

	// A review expired before: its result holds the words, its mark is the old one.
	res := before.Result
	if err := st.SetResult(ctx, r.ID, res); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, prefix+"{r:"+r.ID+"}:expired", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if len(holding()) == 0 {
		t.Fatal("the old result holds no words: the test looks in the wrong place")
	}
	expire("a review expired before figures-only")
}

// manualClock is a clock that stands still until advance moves it (tests
// move time; nobody sleeps).
func manualClock(start time.Time) (clock review.Clock, advance func(time.Duration)) {
	var mu sync.Mutex
	now := start
	return func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
		func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
}
