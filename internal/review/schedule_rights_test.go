package review_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
)

// slackDirectory is a Directory whose Slack can stop answering, and whose
// people can change while the service runs.
type slackDirectory struct {
	mu     sync.Mutex
	down   bool
	people map[string]assessment.Person
}

func (d *slackDirectory) set(down bool, people ...assessment.Person) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.down = down
	for _, p := range people {
		d.people[p.ID] = p
	}
}

func (d *slackDirectory) Self() string { return "UBOT" }
func (d *slackDirectory) GroupMembers(context.Context, string) ([]string, error) {
	return nil, &review.Refused{Reason: "missing_scope"}
}
func (d *slackDirectory) ChannelMembers(context.Context, string) ([]string, error) { return nil, nil }
func (d *slackDirectory) ChannelName(context.Context, string) (string, error)      { return "", nil }
func (d *slackDirectory) People(_ context.Context, ids []string) (map[string]assessment.Person, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.down {
		return nil, errors.New("slack did not answer")
	}
	out := map[string]assessment.Person{}
	for _, id := range ids {
		if p, ok := d.people[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

// A scheduled run starts only in the name of a creator who is still an
// admin. While Slack cannot confirm it (down past ADMIN_CACHE_TTL) the
// run waits, within its window, and nothing is marked or said; once Slack
// says the creator is no longer an admin (here: a guest now), the run is
// skipped, the schedule orphaned and the other admins told once; the runs
// resume, in the new owner's name, after another admin takes it over.
func TestScheduledRunsNeedAnAdminCreator(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC) // a Monday
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setNow := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }

	_, st, rec, cat := newServiceAt(t, clock)
	dir := &slackDirectory{people: map[string]assessment.Person{
		"UADA": {ID: "UADA"}, "UBEA": {ID: "UBEA"}, "UAMY": {ID: "UAMY", TZ: "Europe/Berlin"},
	}}
	svc := review.New(onStore(st, review.Config{Messenger: rec, Directory: dir, Frameworks: cat,
		Now: clock, Owner: "test", Lease: time.Minute, Tick: time.Hour, AdminUsers: []string{"UADA", "UBEA"}}))
	sc, err := svc.AddSchedule(ctx, review.ScheduleRequest{Spec: "0 9 * * 1", TZ: "UTC", FrameworkID: "cs-exec-maturity",
		Audience: review.Audience{Users: []string{"UAMY"}}, DigestChannel: "C1", Window: 48 * time.Hour, CreatedBy: "UADA"})
	if err != nil {
		t.Fatal(err)
	}
	reviews := func() []string {
		ids, err := st.RecentReviews(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	stored := func() *assessment.Schedule {
		s, err := st.Schedule(ctx, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	orphanNotices := func() []string {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return append([]string(nil), rec.orphaned...)
	}
	monday := func(week int) time.Time { return time.Date(2026, 11, 30+7*week, 9, 0, 1, 0, time.UTC) }

	// Week 0: Slack is down, longer than the cache may stand in for it.
	dir.set(true)
	setNow(monday(0))
	svc.FireSchedules(ctx)
	svc.FireSchedules(ctx)
	pending, _ := st.PendingOccurrences(ctx)
	if len(reviews()) != 0 || len(pending) != 1 || stored().Orphaned || len(orphanNotices()) != 0 {
		t.Fatalf("with Slack down: reviews %v, pending %v, orphaned %v, notices %v; want the run waiting, nothing else",
			reviews(), pending, stored().Orphaned, orphanNotices())
	}
	// Slack is back within the run's window: the run starts.
	dir.set(false)
	setNow(monday(0).Add(time.Hour))
	svc.FireSchedules(ctx)
	if got := reviews(); len(got) != 1 {
		t.Fatalf("with Slack back: reviews %v, want the week's run", got)
	}

	// The creator is a guest now: weeks 1 and 2 are skipped, told once.
	dir.set(false, assessment.Person{ID: "UADA", Guest: true})
	for week := 1; week <= 2; week++ {
		setNow(monday(week))
		svc.FireSchedules(ctx)
		if got := reviews(); len(got) != 1 {
			t.Fatalf("week %d: reviews %v; a run started in the name of a creator who is no longer an admin", week, got)
		}
		if !stored().Orphaned {
			t.Fatalf("week %d: the schedule is not marked orphaned", week)
		}
		if got := orphanNotices(); len(got) != 1 || got[0] != sc.ID+" to UBEA" {
			t.Fatalf("week %d: notices %v, want one, to UBEA", week, got)
		}
	}

	// UBEA takes it over: week 3 starts, in UBEA's name.
	if _, err := svc.ChangeSchedule(ctx, "UADA", review.ScheduleTake, sc.ID); assessment.ErrorCode(err) != assessment.EFORBIDDEN {
		t.Fatalf("a take-over by the former admin: %v, want refused", err)
	}
	taken, err := svc.ChangeSchedule(ctx, "UBEA", review.ScheduleTake, sc.ID)
	if err != nil || taken.CreatedBy != "UBEA" || taken.Orphaned {
		t.Fatalf("take over: %+v, %v", taken, err)
	}
	setNow(monday(3))
	svc.FireSchedules(ctx)
	got := reviews()
	if len(got) != 2 {
		t.Fatalf("after the take-over: reviews %v, want week 3's", got)
	}
	r, _, err := st.Review(ctx, got[0])
	if err != nil || r.CreatedBy != "UBEA" {
		t.Fatalf("week 3's review: %+v, %v; want it in UBEA's name", r, err)
	}
}

var _ review.Directory = (*slackDirectory)(nil)
