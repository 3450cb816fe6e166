package review_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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
	orphaned []string // "schedule to admin,admin" per notice
	// onRemind runs inside SendReminder; its error is the send's.
	onRemind  func(user string) error
	reminders map[string]int
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

func (m *recorder) SendReminder(_ context.Context, _ *assessment.Review, _ *assessment.Framework, user string, _, _ int) error {
	m.mu.Lock()
	hook := m.onRemind
	m.mu.Unlock()
	if hook != nil {
		if err := hook(user); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.reminders == nil {
		m.reminders = map[string]int{}
	}
	m.reminders[user]++
	return nil
}

func (m *recorder) remindersTo(user string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reminders[user]
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

func (m *recorder) ScheduleOrphaned(_ context.Context, sc *assessment.Schedule, _ time.Time, tell []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.orphaned = append(m.orphaned, sc.ID+" to "+strings.Join(tell, ","))
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
func (d directory) ChannelName(context.Context, string) (string, error)      { return "", nil }
func (d directory) People(_ context.Context, ids []string) (map[string]assessment.Person, error) {
	out := map[string]assessment.Person{}
	for _, id := range ids {
		if p, ok := d.people[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

// admins are the admins of the tests' services: the admin use cases refuse
// everyone else.
var admins = []string{"UADMIN", "UOTHER", "UNOBODY"}

// addAdmins makes the directory know admins as members.
func (d directory) addAdmins(ids ...string) {
	for _, id := range ids {
		d.people[id] = assessment.Person{ID: id}
	}
}

// onStore sets every storage port of c to the Redis store.
func onStore(st *store.Redis, c review.Config) review.Config {
	c.Reviews, c.Answers, c.Deliveries, c.Digests, c.Privacy, c.TimeZones, c.Schedules = st, st, st, st, st, st, st
	c.Queue, c.Leases, c.Answerers, c.Absences, c.Segments = st, st, st, st, st
	return c
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
	dir.addAdmins(admins...)
	svc := review.New(onStore(st, review.Config{Messenger: rec, Directory: dir, Frameworks: cat,
		Now: now, Owner: "test", Lease: time.Minute, Tick: time.Hour, AdminUsers: admins}))
	return svc, st, rec, cat
}

// settle plans and runs a review's deliveries until done says the queue
// (pending jobs by kind) is as the test needs it, or fails after 10 s.
func settle(t *testing.T, svc *review.Service, st *store.Redis, reviewID string, done func(pending map[string]int) bool) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		svc.Plan(ctx, reviewID)
		svc.RunJobs(ctx)
		n, _ := st.PendingJobs(ctx, reviewID)
		if done(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deliveries did not settle within 10s: %v pending", n)
		}
	}
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
		DigestChannel: "C1", Deadline: time.Now().Add(time.Hour), CreatedBy: "UADMIN"})
	if reason, ok := assessment.ReasonAs[assessment.GroupUnreadable](err); !ok || reason.SlackError != "missing_scope" {
		t.Fatalf("unreadable group: err = %v, want reason %s with Slack's reason", err, assessment.GroupUnreadable{}.Name())
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

// The anonymity rules, as attacks a curious admin could try.

func TestThresholdFloorAndCreator(t *testing.T) {
	ctx := context.Background()
	svc, _, _, cat := newService(t)
	f, _ := cat.Get("cs-checklist")
	for _, th := range []int{1, 2} {
		_, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: []string{"UAMY", "UBEN", "UCAT"}},
			DigestChannel: "C1", Deadline: time.Now().Add(time.Hour), Threshold: th, CreatedBy: "UADMIN"})
		if _, ok := assessment.ReasonAs[assessment.ThresholdFloor](err); !ok {
			t.Errorf("threshold %d: err = %v, want it refused (%s)", th, err, assessment.ThresholdFloor{}.Name())
		}
	}
	// The creator answers too: three answers, but only two hide behind the
	// threshold from the creator, so nothing is shown.
	r, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: []string{"UADMIN", "UAMY", "UBEN"}},
		DigestChannel: "C1", Deadline: time.Now().Add(time.Hour), CreatedBy: "UADMIN", Anyway: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range r.Respondents {
		if _, err := svc.Answer(ctx, r.ID, u, "team-roles-documented", assessment.Answer{Option: "yes"}, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Close(ctx, r.ID, "test"); err != nil {
		t.Fatal(err)
	}
	d, _, err := svc.Digest(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Result.Sections {
		if s.Score != nil {
			t.Fatalf("section %s shows %v with 3 answers, one of them the creator's", s.ID, *s.Score)
		}
	}
	if d.Detail != assessment.MinDetailThreshold+1 {
		t.Fatalf("detail threshold = %d, want %d (the creator does not count)", d.Detail, assessment.MinDetailThreshold+1)
	}
}

// TestDetailThresholdRaiseOnly: a review's detail threshold can be raised,
// never lowered below its floor, and the digest says the one in force.
func TestDetailThresholdRaiseOnly(t *testing.T) {
	ctx := context.Background()
	svc, _, _, cat := newService(t)
	f, _ := cat.Get("cs-checklist")
	req := review.StartRequest{Framework: f, Audience: review.Audience{Users: []string{"UAMY", "UBEN", "UCAT"}},
		DigestChannel: "C1", Deadline: time.Now().Add(time.Hour), CreatedBy: "UADMIN"}
	for _, d := range []int{1, 4, 51} {
		req.Detail = d
		if _, err := svc.Start(ctx, req); err == nil {
			t.Errorf("detail %d: started, want it refused", d)
		}
	}
	req.Detail = 8
	r, err := svc.Start(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Close(ctx, r.ID, "test"); err != nil {
		t.Fatal(err)
	}
	d, _, err := svc.Digest(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Detail != 8 {
		t.Errorf("detail in force = %d, want 8", d.Detail)
	}
}

// The team, then the team minus one: the difference would be that
// person's answers.
func TestNearlyTheSameAudienceIsRefused(t *testing.T) {
	ctx := context.Background()
	svc, st, _, cat := newService(t)
	team := []string{"UAMY", "UBEN", "UCAT", "UDAN", "UEVE"}
	start(t, svc, cat, team...)
	f, _ := cat.Get("cs-checklist")
	// More reviews of other frameworks since than the check reads of the
	// most recent ones: the team's review is still found.
	other, _ := cat.Get("cs-excellence")
	for i := range 501 {
		r := &assessment.Review{ID: fmt.Sprintf("rother%03d", i), FrameworkID: other.ID, Title: other.Title,
			Respondents: []string{"UZED"}, DigestChannel: "C1", CreatedAt: time.Now(), Deadline: time.Now().Add(time.Hour),
			Threshold: 3, Status: assessment.StatusOpen}
		if _, err := st.CreateReview(ctx, r, other); err != nil {
			t.Fatal(err)
		}
	}
	try := func(users ...string) error {
		_, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: users},
			DigestChannel: "C1", Deadline: time.Now().Add(time.Hour), CreatedBy: "UADMIN"})
		return err
	}
	for _, c := range []struct {
		name  string
		users []string
		ok    bool
	}{
		{"minus one", team[:4], false},
		{"plus one", append(append([]string{}, team...), "UFAY"), false},
		{"one swapped", append(append([]string{}, team[:4]...), "UFAY"), false},
		{"the same people again", team, true},
		{"three others", []string{"UAMY", "UBEN", "UGUS", "UHAL", "UIVY"}, true},
	} {
		err := try(c.users...)
		_, overlap := assessment.ReasonAs[assessment.AudienceOverlap](err)
		if c.ok && err != nil {
			t.Errorf("%s: refused: %v", c.name, err)
		}
		if !c.ok && !overlap {
			t.Errorf("%s: err = %v, want %s", c.name, err, assessment.AudienceOverlap{}.Name())
		}
	}
	// Another framework is another question set: no difference to take.
	g, _ := cat.Get("cs-excellence")
	if _, err := svc.Start(ctx, review.StartRequest{Framework: g, Audience: review.Audience{Users: team[:4]},
		DigestChannel: "C1", Deadline: time.Now().Add(time.Hour), CreatedBy: "UADMIN"}); err != nil {
		t.Fatalf("another framework: %v", err)
	}
}

func TestAdminsFailClosed(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	dir := directory{people: map[string]assessment.Person{
		"UADA": {ID: "UADA"}, "UGUEST": {ID: "UGUEST", Guest: true}, "UBOTTY": {ID: "UBOTTY", Bot: true}, "UGONE": {ID: "UGONE", Deleted: true},
	}}
	build := func(users []string, everyone bool) *review.Service {
		return review.New(onStore(st, review.Config{Messenger: newRecorder(), Directory: dir,
			Now: time.Now, Owner: "t", Lease: time.Minute, Tick: time.Hour, AdminUsers: users, AdminsEveryone: everyone}))
	}
	none := build(nil, false)
	if none.AdminsConfigured() || none.IsAdmin(ctx, "UADA") {
		t.Fatal("with no admin configured, a member is an admin")
	}
	all := build(nil, true)
	for u, want := range map[string]bool{"UADA": true, "UGUEST": false, "UBOTTY": false, "UGONE": false, "UNKNOWN": false} {
		if got := all.IsAdmin(ctx, u); got != want {
			t.Errorf("ADMIN_USERS=*: IsAdmin(%s) = %v, want %v", u, got, want)
		}
	}
	listed := build([]string{"UADA", "UGUEST"}, false)
	if !listed.IsAdmin(ctx, "UADA") || listed.IsAdmin(ctx, "UGUEST") {
		t.Fatal("a listed guest is an admin, or a listed member is not")
	}
}

// Without an id, a command acts on the asker's own latest review; another
// admin's needs its id.
func TestLatestIsTheAskersOwn(t *testing.T) {
	ctx := context.Background()
	svc, _, _, cat := newService(t)
	mine := start(t, svc, cat, "UAMY", "UBEN", "UCAT")
	f, _ := cat.Get("cs-excellence")
	theirs, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: []string{"UDAN", "UEVE", "UFAY"}},
		DigestChannel: "C1", Deadline: time.Now().Add(time.Hour), CreatedBy: "UOTHER"})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := svc.Status(ctx, "", "UADMIN"); err != nil || st.Review.ID != mine.ID {
		t.Fatalf("status without an id = %v, %v; want the asker's own %s", st.Review, err, mine.ID)
	}
	if _, err := svc.Status(ctx, "", "UNOBODY"); assessment.ErrorCode(err) != assessment.ENOTFOUND {
		t.Fatalf("someone who started nothing got %v", err)
	}
	if c, err := svc.CloseNow(ctx, "", "UADMIN"); err != nil || c.Review.ID != mine.ID {
		t.Fatalf("close without an id closed %v (%v), want %s", c.Review, err, mine.ID)
	}
	if st, err := svc.Status(ctx, theirs.ID, "UADMIN"); err != nil || st.Review.ID != theirs.ID {
		t.Fatalf("status with another admin's id: %v", err)
	}
}

// While a review is open, results and status carry counts only.
func TestOpenReviewsShowCountsOnly(t *testing.T) {
	ctx := context.Background()
	svc, _, _, cat := newService(t)
	r := start(t, svc, cat, "UAMY", "UBEN", "UCAT", "UDAN")
	for _, u := range r.Respondents[:3] {
		if _, err := svc.Answer(ctx, r.ID, u, "team-roles-documented", assessment.Answer{Option: "yes"}, false); err != nil {
			t.Fatal(err)
		}
	}
	res, err := svc.Results(ctx, r.ID, "UADMIN")
	if err != nil {
		t.Fatal(err)
	}
	if res.Digest != nil {
		t.Fatal("an open review's results carry a digest")
	}
	if res.Counts.Invited != 4 || res.Counts.Started != 3 || res.Counts.Submitted != 0 {
		t.Fatalf("counts = %+v", res.Counts)
	}
	if _, err := svc.Export(ctx, r.ID, "UADMIN"); assessment.ErrorCode(err) != assessment.EFORBIDDEN {
		t.Fatalf("export of an open review: err = %v", err)
	}
}

// keysAndValues returns every key under prefix with everything it holds,
// as one string per key.
func keysAndValues(t *testing.T, rdb *redis.Client, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		var v string
		switch typ := rdb.Type(ctx, k).Val(); typ {
		case "string":
			v = rdb.Get(ctx, k).Val()
		case "hash":
			v = fmt.Sprint(rdb.HGetAll(ctx, k).Val())
		case "set":
			v = fmt.Sprint(rdb.SMembers(ctx, k).Val())
		case "zset":
			v = fmt.Sprint(rdb.ZRange(ctx, k, 0, -1).Val())
		default:
			v = typ
		}
		out[k] = v
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// After the digest, even a copy of Redis cannot say who answered what.
func TestNoUserNextToAnAnswerAfterTheDigest(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	cat, _ := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	rec := newRecorder()
	dir := directory{people: map[string]assessment.Person{}}
	dir.addAdmins(admins...)
	svc := review.New(onStore(st, review.Config{Messenger: rec, Directory: dir, Frameworks: cat,
		Now: time.Now, Owner: "t", Lease: time.Minute, Tick: time.Hour, AdminUsers: admins}))
	users := []string{"UAMY", "UBEN", "UCAT"}
	r := start(t, svc, cat, users...)
	for i, u := range users {
		opt := []string{"yes", "no", "yes"}[i]
		if _, err := svc.Answer(ctx, r.ID, u, "team-roles-documented", assessment.Answer{Option: opt}, false); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Answer(ctx, r.ID, u, "team-roles-documented", assessment.Answer{Comment: fmt.Sprintf("zz-comment-%d", i)}, true); err != nil {
			t.Fatal(err)
		}
		_ = svc.RememberMessage(ctx, r.ID, u, "s:0:0", assessment.MessageRef{Channel: "D" + u, TS: "1"})
	}
	for _, u := range users {
		if _, err := svc.Submit(ctx, r.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := svc.CloseNow(ctx, r.ID, "UADMIN"); err != nil || !c.Posted {
		t.Fatalf("close: %+v, %v", c, err)
	}
	for k, v := range keysAndValues(t, rdb, prefix) {
		holdsAnswers := strings.Contains(k, ":ans:") || strings.Contains(v, `{"o":`) || strings.Contains(v, "zz-comment")
		for _, u := range users {
			if holdsAnswers && (strings.Contains(k, u) || strings.Contains(v, u)) {
				t.Errorf("%s ties %s to answers: %.300s", k, u, v)
			}
			if strings.Contains(k, ":msg:"+u) || strings.Contains(k, "user:"+u+":reviews") {
				t.Errorf("%s is left after the digest", k)
			}
		}
	}
	// The figures are still there, from unlinked sheets.
	d, _, err := svc.Digest(ctx, r.ID)
	if err != nil || d.Result.Respondents != 3 || d.Result.Submitted != 3 {
		t.Fatalf("digest after unlinking: %d respondents, %d submitted, %v", d.Result.Respondents, d.Result.Submitted, err)
	}
}

func TestForgetLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	cat, _ := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	dir := directory{people: map[string]assessment.Person{"UAMY": {ID: "UAMY", TZ: "Europe/Berlin"}}}
	dir.addAdmins(admins...)
	// A Saturday: every intro waits for Monday morning in each person's
	// zone, so the queue holds all of them whatever the hour the test runs.
	saturday := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	svc := review.New(onStore(st, review.Config{Messenger: newRecorder(), Directory: dir, Frameworks: cat,
		Now: func() time.Time { return saturday }, Owner: "t", Lease: time.Minute, Tick: time.Hour, AdminUsers: admins}))
	f, _ := cat.Get("cs-checklist")
	r, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: []string{"UAMY", "UBEN", "UCAT"}},
		DigestChannel: "C1", Deadline: saturday.Add(7 * 24 * time.Hour), CreatedBy: "UADMIN"})
	if err != nil {
		t.Fatal(err)
	}
	// Start plans in the background: wait until every intro is queued, so
	// nothing runs beside Forget.
	settle(t, svc, st, r.ID, func(n map[string]int) bool { return n[assessment.JobIntro] == 3 })
	if _, err := svc.Answer(ctx, r.ID, "UAMY", "team-roles-documented", assessment.Answer{Option: "yes"}, false); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Forget(ctx, "UADMIN", "UAMY")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Reviews) != 1 || got.Reviews[0] != r.ID || got.Jobs == 0 {
		t.Fatalf("forget = %+v, want review %s and its queued jobs", got, r.ID)
	}
	for k, v := range keysAndValues(t, rdb, prefix) {
		if strings.Contains(k, "UAMY") || strings.Contains(v, "UAMY") {
			t.Errorf("%s still names UAMY: %.300s", k, v)
		}
	}
	if _, err := svc.Answer(ctx, r.ID, "UAMY", "team-roles-documented", assessment.Answer{Option: "no"}, false); !errors.Is(err, assessment.ErrNotRespondent) {
		t.Fatalf("a forgotten person answered: %v", err)
	}
}

func TestRetentionDeletesAnswersKeepsFigures(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	cat, _ := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	dir := directory{people: map[string]assessment.Person{}}
	dir.addAdmins(admins...)
	svc := review.New(onStore(st, review.Config{Messenger: newRecorder(), Directory: dir, Frameworks: cat,
		Now: clock, Owner: "t", Lease: time.Minute, Tick: time.Hour, Retention: 30 * 24 * time.Hour, AdminUsers: admins}))
	users := []string{"UAMY", "UBEN", "UCAT"}
	r := start(t, svc, cat, users...)
	for _, u := range users {
		if _, err := svc.Answer(ctx, r.ID, u, "team-roles-documented", assessment.Answer{Option: "yes"}, false); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := svc.CloseNow(ctx, r.ID, "UADMIN"); err != nil || !c.Posted {
		t.Fatalf("close: %+v %v", c, err)
	}
	before, _, _ := svc.Digest(ctx, r.ID)
	sheets := func() int {
		n := 0
		for k := range keysAndValues(t, rdb, prefix) {
			if strings.Contains(k, ":ans:") {
				n++
			}
		}
		return n
	}
	if sheets() != 3 {
		t.Fatalf("%d sheets before the retention", sheets())
	}
	mu.Lock()
	now = now.Add(31 * 24 * time.Hour) // the clock moves; nobody sleeps
	mu.Unlock()
	svc.Retain(ctx)
	if n := sheets(); n != 0 {
		t.Fatalf("%d sheets left after the retention", n)
	}
	after, _, err := svc.Digest(ctx, r.ID)
	if err != nil || after.Result.Respondents != 3 || *after.Result.Sections[0].Score != *before.Result.Sections[0].Score {
		t.Fatalf("figures after the retention: %+v, %v", after.Result.Sections[0], err)
	}
}

// adminDir is a directory that knows only the given admins.
func adminDir(ids ...string) directory {
	d := directory{people: map[string]assessment.Person{}}
	d.addAdmins(ids...)
	return d
}
