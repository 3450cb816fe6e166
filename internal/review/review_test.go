package review_test

import (
	"context"
	"errors"
	"sync"
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

// The use cases run against the real store on real Redis, with a
// recording Messenger and Directory where Slack is not the point.

type recorder struct {
	mu       sync.Mutex
	intros   map[string]int
	digests  []string // where each digest went
	refuse   map[string]string
	found    *assessment.MessageRef
	notified []error
}

func newRecorder() *recorder {
	return &recorder{intros: map[string]int{}, refuse: map[string]string{}}
}

func (m *recorder) SendIntro(_ context.Context, r *assessment.Review, _ *assessment.Framework, user string) (assessment.MessageRef, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if reason := m.refuse[user]; reason != "" {
		return assessment.MessageRef{}, &review.Refused{Reason: reason}
	}
	m.intros[user]++
	return assessment.MessageRef{Channel: "D" + user, TS: "1.1"}, nil
}

func (m *recorder) FindIntro(context.Context, *assessment.Review, string, time.Time) (assessment.MessageRef, bool) {
	return assessment.MessageRef{}, false
}

func (m *recorder) SendReminder(context.Context, *assessment.Review, *assessment.Framework, string, int, int) error {
	return nil
}

func (m *recorder) PostDigest(_ context.Context, to string, _ digest.Digest, _ *assessment.Review, _ string) (assessment.MessageRef, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if reason := m.refuse[to]; reason != "" {
		return assessment.MessageRef{}, &review.Refused{Reason: reason}
	}
	m.digests = append(m.digests, to)
	return assessment.MessageRef{Channel: to, TS: "2.2"}, nil
}

func (m *recorder) FindDigest(context.Context, *assessment.Review, time.Time) (assessment.MessageRef, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.found != nil {
		return *m.found, true
	}
	return assessment.MessageRef{}, false
}

func (m *recorder) ScheduleNotStarted(_ context.Context, _ *assessment.Schedule, _ time.Time, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notified = append(m.notified, err)
}

func (m *recorder) introsTo(user string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.intros[user]
}

func (m *recorder) posted() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.digests...)
}

type directory struct{ people map[string]assessment.Person }

func (d directory) Self() string { return "UBOT" }
func (d directory) GroupMembers(context.Context, string) ([]string, error) {
	return nil, &review.Refused{Reason: "missing_scope"}
}
func (d directory) ChannelMembers(context.Context, string) ([]string, error) { return nil, nil }
func (d directory) People(_ context.Context, ids []string) (map[string]assessment.Person, error) {
	out := map[string]assessment.Person{}
	for _, id := range ids {
		if p, ok := d.people[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

func newService(t *testing.T) (*review.Service, *store.Redis, *recorder, *framework.Catalog) {
	t.Helper()
	return newServiceAt(t, time.Now)
}

// newServiceAt is newService on a clock of the test's.
func newServiceAt(t *testing.T, now review.Clock) (*review.Service, *store.Redis, *recorder, *framework.Catalog) {
	t.Helper()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	cat, err := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	dir := directory{people: map[string]assessment.Person{
		"UBOTTY": {ID: "UBOTTY", Bot: true}, "UGONE": {ID: "UGONE", Deleted: true}, "UAMY": {ID: "UAMY", TZ: "Europe/Berlin"},
	}}
	svc := review.New(review.Config{Store: st, Queue: st, Leases: st, Messenger: rec, Directory: dir, Frameworks: cat,
		Now: now, Owner: "test", Lease: time.Minute, Tick: time.Hour})
	return svc, st, rec, cat
}

func start(t *testing.T, svc *review.Service, cat *framework.Catalog, users ...string) *assessment.Review {
	t.Helper()
	f, _ := cat.Get("cs-checklist")
	r, err := svc.Start(context.Background(), review.StartRequest{Framework: f, Audience: review.Audience{Users: users},
		DigestChannel: "CLEADS", Deadline: svc.Now().Add(time.Hour), CreatedBy: "UADMIN", DeliverNow: true, Anyway: true})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStartLeavesOutBotsAndTheDeactivated(t *testing.T) {
	svc, _, _, cat := newService(t)
	r := start(t, svc, cat, "UAMY", "UBOTTY", "UGONE", "UBOT", "UAMY", "UBEN")
	if got := r.Respondents; len(got) != 2 || got[0] != "UAMY" || got[1] != "UBEN" {
		t.Fatalf("respondents = %v, want [UAMY UBEN]", got)
	}
	f, _ := cat.Get("cs-checklist")
	_, err := svc.Start(context.Background(), review.StartRequest{Framework: f, Audience: review.Audience{Groups: []string{"SCS"}},
		DigestChannel: "C1", Deadline: time.Now().Add(time.Hour)})
	if reason, args := assessment.ErrorReason(err); reason != assessment.RGroupUnreadable || len(args) != 2 || args[1] != "missing_scope" {
		t.Fatalf("unreadable group: err = %v, want reason %s with Slack's reason", err, assessment.RGroupUnreadable)
	}
}

// The last submission does not close the review at once: answers can
// still change during the grace period; then the deadline sweep closes it
// and posts its digest once, and a second post attempt (another replica,
// the next sweep) is a no-op.
func TestLastSubmissionPostsTheDigestOnceAfterTheGrace(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	svc, st, rec, cat := newServiceAt(t, clk.now)
	r := start(t, svc, cat, "UAMY", "UBEN")
	for _, u := range r.Respondents {
		if _, err := svc.Answer(ctx, r.ID, u, "team-roles-documented", assessment.Answer{Option: "yes"}, false); err != nil {
			t.Fatal(err)
		}
	}
	first, err := svc.Submit(ctx, r.ID, "UAMY")
	if err != nil || first.Everyone || !first.ClosesEarly.IsZero() {
		t.Fatalf("first submission: %+v, %v", first, err)
	}
	last, err := svc.Submit(ctx, r.ID, "UBEN")
	// The review's deadline is an hour away, as long as the default grace:
	// it closes at the deadline.
	if err != nil || !last.Everyone || !last.ClosesEarly.Equal(r.Deadline.Truncate(time.Second)) {
		t.Fatalf("last submission: everyone %v closes %v (deadline %v), %v", last.Everyone, last.ClosesEarly, r.Deadline, err)
	}
	svc.Sweep(ctx)
	if got := rec.posted(); len(got) != 0 {
		t.Fatalf("digest posted at the last submission: %v", got)
	}
	if _, err := svc.Answer(ctx, r.ID, "UAMY", "team-roles-documented", assessment.Answer{Option: "no"}, false); err != nil {
		t.Fatalf("answer within the grace period: %v", err)
	}
	clk.advance(time.Hour + time.Second)
	svc.Sweep(ctx)
	if !svc.PostDigest(ctx, r.ID) {
		t.Fatal("a repeated post says the digest is not out")
	}
	if got := rec.posted(); len(got) != 1 || got[0] != "CLEADS" {
		t.Fatalf("digests posted to %v, want once to CLEADS", got)
	}
	if _, err := svc.Answer(ctx, r.ID, "UAMY", "team-roles-documented", assessment.Answer{Option: "yes"}, false); !errors.Is(err, assessment.ErrClosed) {
		t.Fatalf("answer after close: err = %v, want closed", err)
	}
	if _, err := st.DigestState(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
}

// A digest channel that refuses the bot sends the digest to the review's
// creator instead; a digest found after a crash inside the post is not
// posted again.
func TestDigestRefusedAndFoundAfterACrash(t *testing.T) {
	ctx := context.Background()
	svc, st, rec, cat := newService(t)
	rec.refuse["CLEADS"] = "channel_not_found"
	r := start(t, svc, cat, "UAMY")
	if c, err := svc.CloseNow(ctx, r.ID, "UADMIN"); err != nil || !c.Closed || !c.Posted {
		t.Fatalf("close: %+v, %v", c, err)
	}
	if got := rec.posted(); len(got) != 1 || got[0] != "UADMIN" {
		t.Fatalf("digests posted to %v, want the creator", got)
	}

	r2 := start(t, svc, cat, "UAMY")
	if _, err := svc.Close(ctx, r2.ID, "test"); err != nil {
		t.Fatal(err)
	}
	// A process died inside the Slack call: the mark is there, the ref is not.
	if err := st.DigestPosting(ctx, r2.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	rec.found = &assessment.MessageRef{Channel: "CLEADS", TS: "9.9"}
	if !svc.PostDigest(ctx, r2.ID) {
		t.Fatal("the digest found after a crash is not recorded as out")
	}
	if got := rec.posted(); len(got) != 1 {
		t.Fatalf("digests posted %v: the one found after the crash went out again", got)
	}
	if s, _ := st.DigestState(ctx, r2.ID); s.Kind != assessment.Sent || s.Ref.TS != "9.9" {
		t.Fatalf("digest state = %+v, want the found message", s)
	}
}

// Intro DMs go out once each; one Slack refuses for good is recorded as
// refused, not retried.
func TestIntrosOnceAndRefusalsRecorded(t *testing.T) {
	ctx := context.Background()
	svc, st, rec, cat := newService(t)
	rec.refuse["UBEN"] = "user_not_found"
	r := start(t, svc, cat, "UAMY", "UBEN")
	// Start plans and sends in the background; more attempts (the next
	// sweeps, another replica) beside and after it must not send again.
	deadline := time.Now().Add(10 * time.Second)
	for {
		svc.Plan(ctx, r.ID)
		svc.RunJobs(ctx)
		d, err := st.Delivery(ctx, r.ID, "UBEN")
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := st.Delivery(ctx, r.ID, "UAMY"); a.Kind == assessment.Sent && d.Kind == assessment.Refused {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the intros were not delivered within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for range 3 {
		svc.Plan(ctx, r.ID)
		svc.RunJobs(ctx)
	}
	if n := rec.introsTo("UAMY"); n != 1 || rec.introsTo("UBEN") != 0 {
		t.Fatalf("intros to UAMY = %d, to UBEN = %d; want 1 and 0", n, rec.introsTo("UBEN"))
	}
	d, err := st.Delivery(ctx, r.ID, "UBEN")
	if err != nil || d.Kind != assessment.Refused || d.Reason != "user_not_found" {
		t.Fatalf("UBEN's delivery = %+v, %v; want refused (user_not_found)", d, err)
	}
}
