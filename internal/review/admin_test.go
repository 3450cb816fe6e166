package review_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
)

// adminVerbs call every admin use case as asker.
var adminVerbs = map[string]func(ctx context.Context, svc *review.Service, asker string) error{
	"start": func(ctx context.Context, svc *review.Service, asker string) error {
		_, err := svc.Start(ctx, review.StartRequest{DigestChannel: "C1", Deadline: time.Now().Add(time.Hour), CreatedBy: asker})
		return err
	},
	"close": func(ctx context.Context, svc *review.Service, asker string) error {
		_, err := svc.CloseNow(ctx, "r1", asker)
		return err
	},
	"status": func(ctx context.Context, svc *review.Service, asker string) error {
		_, err := svc.Status(ctx, "r1", asker)
		return err
	},
	"results": func(ctx context.Context, svc *review.Service, asker string) error {
		_, err := svc.Results(ctx, "", asker)
		return err
	},
	"export": func(ctx context.Context, svc *review.Service, asker string) error {
		_, err := svc.Export(ctx, "r1", asker)
		return err
	},
	"forget": func(ctx context.Context, svc *review.Service, asker string) error {
		_, err := svc.Forget(ctx, asker, "UAMY")
		return err
	},
	"schedule add": func(ctx context.Context, svc *review.Service, asker string) error {
		_, err := svc.AddSchedule(ctx, review.ScheduleRequest{Spec: "@monthly", TZ: "UTC", FrameworkID: "f",
			Audience: review.Audience{Users: []string{"UAMY"}}, DigestChannel: "C1", CreatedBy: asker})
		return err
	},
	"schedule list": func(ctx context.Context, svc *review.Service, asker string) error {
		_, err := svc.Schedules(ctx, asker)
		return err
	},
	"schedule pause": func(ctx context.Context, svc *review.Service, asker string) error {
		_, err := svc.ChangeSchedule(ctx, asker, review.SchedulePause, "s1")
		return err
	},
	"schedule next": func(ctx context.Context, svc *review.Service, asker string) error {
		_, _, err := svc.NextRuns(ctx, asker, "s1", 3)
		return err
	},
	"upcoming": func(ctx context.Context, svc *review.Service, asker string) error {
		_, err := svc.Upcoming(ctx, asker, 10)
		return err
	},
}

// Every admin use case refuses a non-admin on its own, whatever adapter
// calls it: a member who is not listed, a listed guest, anyone when no
// admin is configured. The services have no storage ports at all: a use
// case that reached the store before refusing would panic.
func TestAdminUseCasesRefuseNonAdmins(t *testing.T) {
	ctx := context.Background()
	dir := directory{people: map[string]assessment.Person{
		"UADA": {ID: "UADA"}, "UMEMBER": {ID: "UMEMBER"}, "UGUEST": {ID: "UGUEST", Guest: true},
		"UEXT": {ID: "UEXT", External: true},
	}}
	listed := review.New(review.Config{Directory: dir, Now: time.Now, AdminUsers: []string{"UADA", "UGUEST", "UEXT"}})
	none := review.New(review.Config{Directory: dir, Now: time.Now})
	for verb, call := range adminVerbs {
		for _, c := range []struct {
			who    string
			svc    *review.Service
			asker  string
			reason assessment.Reason
		}{
			{"a member not listed", listed, "UMEMBER", assessment.NotAdmin{}},
			{"a listed guest", listed, "UGUEST", assessment.NotAdmin{}},
			{"a listed Slack Connect external member", listed, "UEXT", assessment.NotAdmin{}},
			{"nobody", listed, "", assessment.NotAdmin{}},
			{"a member, no admin configured", none, "UADA", assessment.NoAdmins{}},
		} {
			err := call(ctx, c.svc, c.asker)
			if r := assessment.ErrorReason(err); assessment.ErrorCode(err) != assessment.EFORBIDDEN || r == nil || r.Name() != c.reason.Name() {
				t.Errorf("%s by %s: err = %v, want %s (%s)", verb, c.who, err, assessment.EFORBIDDEN, c.reason.Name())
			}
		}
	}
}

// An admin passes every check: each use case then reaches its ports (here
// it fails further on, at a port or a rule, but not for want of rights).
func TestAdminUseCasesLetAdminsThrough(t *testing.T) {
	ctx := context.Background()
	dir := directory{people: map[string]assessment.Person{"UADA": {ID: "UADA"}}}
	svc := review.New(review.Config{Directory: dir, Now: time.Now, AdminUsers: []string{"UADA"},
		Reviews: noReviews{}, Schedules: &oneSchedule{}, Privacy: &forgetter{}, Frameworks: noFrameworks{}})
	for verb, call := range adminVerbs {
		switch reason := assessment.ErrorReason(call(ctx, svc, "UADA")); reason.(type) {
		case assessment.NotAdmin, assessment.NoAdmins:
			t.Errorf("%s by an admin: refused (%s)", verb, reason.Name())
		}
	}
}

// Small fakes of single ports: each use case below needs only one.

// forgetter is the Privacy port as Forget uses it.
type forgetter struct {
	review.Privacy // the other methods are not Forget's: calling one panics
	forgot         []string
}

func (f *forgetter) Forget(_ context.Context, user string) ([]string, int, error) {
	f.forgot = append(f.forgot, user)
	return []string{"r1"}, 2, nil
}

// Forget needs the Privacy port alone: an admin's request reaches it, with
// what it removed; a non-admin's never does.
func TestForgetOnItsPort(t *testing.T) {
	ctx := context.Background()
	dir := directory{people: map[string]assessment.Person{"UADA": {ID: "UADA"}, "UMEMBER": {ID: "UMEMBER"}}}
	p := &forgetter{}
	svc := review.New(review.Config{Directory: dir, Now: time.Now, AdminUsers: []string{"UADA"}, Privacy: p})
	if _, err := svc.Forget(ctx, "UMEMBER", "UAMY"); assessment.ErrorCode(err) != assessment.EFORBIDDEN || len(p.forgot) != 0 {
		t.Fatalf("forget by a non-admin: %v, forgot %v", err, p.forgot)
	}
	got, err := svc.Forget(ctx, "UADA", "UAMY")
	if err != nil || !slices.Equal(p.forgot, []string{"UAMY"}) || !slices.Equal(got.Reviews, []string{"r1"}) || got.Jobs != 2 {
		t.Fatalf("forget by an admin: %+v, %v; forgot %v", got, err, p.forgot)
	}
}

// oneSchedule is the Schedules port holding at most one schedule.
type oneSchedule struct {
	schedulesPort // the other methods are not used
	sc            *assessment.Schedule
}

// schedulesPort names the embedded port apart from its Schedules method.
type schedulesPort = review.Schedules

func (o *oneSchedule) Schedule(_ context.Context, id string) (*assessment.Schedule, error) {
	if o.sc == nil || o.sc.ID != id {
		return nil, assessment.NewError(assessment.ENOTFOUND, assessment.ScheduleNotFound{ID: id})
	}
	c := *o.sc
	return &c, nil
}

func (o *oneSchedule) SaveSchedule(_ context.Context, sc *assessment.Schedule) error {
	c := *sc
	o.sc = &c
	return nil
}

func (o *oneSchedule) Schedules(context.Context) ([]*assessment.Schedule, error) {
	if o.sc == nil {
		return nil, nil
	}
	return []*assessment.Schedule{o.sc}, nil
}

// Pausing a schedule clears its next run; resuming sets it to the next one
// from now, in the schedule's zone. ChangeSchedule needs the Schedules port
// alone.
func TestPauseAndResumeOnTheSchedulesPort(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC) // a Friday
	dir := directory{people: map[string]assessment.Person{"UADA": {ID: "UADA"}}}
	port := &oneSchedule{sc: &assessment.Schedule{ID: "s1", Spec: "0 9 * * 1", TZ: "Europe/Berlin", Next: now.Add(time.Hour)}}
	svc := review.New(review.Config{Directory: dir, Now: func() time.Time { return now }, AdminUsers: []string{"UADA"}, Schedules: port})
	sc, err := svc.ChangeSchedule(ctx, "UADA", review.SchedulePause, "s1")
	if err != nil || !sc.Paused || !sc.Next.IsZero() || !port.sc.Paused {
		t.Fatalf("pause: %+v, %v", sc, err)
	}
	if up, err := svc.Upcoming(ctx, "UADA", 10); err != nil || len(up) != 0 {
		t.Fatalf("upcoming with the schedule paused: %v, %v", up, err)
	}
	sc, err = svc.ChangeSchedule(ctx, "UADA", review.ScheduleResume, "s1")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if want := time.Date(2026, 11, 23, 9, 0, 0, 0, berlin); err != nil || sc.Paused || !sc.Next.Equal(want) || !port.sc.Next.Equal(want) {
		t.Fatalf("resume: next %v, paused %v, %v; want Monday 9:00 in Berlin (%v)", sc.Next, sc.Paused, err, want)
	}
	if up, err := svc.Upcoming(ctx, "UADA", 10); err != nil || len(up) != 1 || up[0].ID != "s1" {
		t.Fatalf("upcoming once resumed: %v, %v", up, err)
	}
}

// noReviews is the Reviews port of an empty store.
type noReviews struct{ review.Reviews }

func (noReviews) Review(_ context.Context, id string) (*assessment.Review, *assessment.Framework, error) {
	return nil, nil, assessment.NewError(assessment.ENOTFOUND, assessment.ReviewNotFound{ID: id})
}

func (noReviews) RecentReviews(context.Context, int64) ([]string, error) { return nil, nil }

// noFrameworks knows none.
type noFrameworks struct{}

func (noFrameworks) Get(string) (*assessment.Framework, bool) { return nil, false }
func (noFrameworks) IDs() []string                            { return nil }
