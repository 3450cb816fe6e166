package review_test

import (
	"context"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
)

// Each bound is checked in one place, at its edges.
func TestBounds(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		err    error
		reason string // "" when allowed
	}{
		{"threshold at the floor", review.CheckThreshold(review.MinThreshold), ""},
		{"threshold below the floor", review.CheckThreshold(review.MinThreshold - 1), assessment.ThresholdFloor{}.Name()},
		{"threshold at the most", review.CheckThreshold(review.MaxThreshold), ""},
		{"threshold above the most", review.CheckThreshold(review.MaxThreshold + 1), assessment.ThresholdRange{}.Name()},
		{"grace at the shortest", review.CheckGrace(review.MinGrace), ""},
		{"grace too short", review.CheckGrace(review.MinGrace - time.Second), assessment.GraceRange{}.Name()},
		{"grace at the longest", review.CheckGrace(review.MaxGrace), ""},
		{"grace too long", review.CheckGrace(review.MaxGrace + time.Second), assessment.GraceRange{}.Name()},
		{"window at the shortest", review.CheckWindow(review.MinWindow), ""},
		{"window too short", review.CheckWindow(review.MinWindow - time.Second), assessment.WindowRange{}.Name()},
		{"window at the longest", review.CheckWindow(review.MaxWindow), ""},
		{"window too long", review.CheckWindow(review.MaxWindow + time.Second), assessment.WindowRange{}.Name()},
		{"deadline now", review.CheckDeadline(now, now), assessment.DeadlinePast{}.Name()},
		{"deadline a second ahead", review.CheckDeadline(now.Add(time.Second), now), ""},
		{"deadline at the most months ahead", review.CheckDeadline(now.AddDate(0, review.MaxDeadlineMonths, 0), now), ""},
		{"deadline further", review.CheckDeadline(now.AddDate(0, review.MaxDeadlineMonths, 0).Add(time.Second), now), assessment.DeadlineTooFar{}.Name()},
	} {
		reason := ""
		if r := assessment.ErrorReason(c.err); r != nil {
			reason = r.Name()
		}
		if reason != c.reason || (c.err != nil && assessment.ErrorCode(c.err) != assessment.EINVALID) {
			t.Errorf("%s: err = %v, want reason %q", c.name, c.err, c.reason)
		}
	}
}

// A schedule's window is a bound of the use case, not of the form that
// asks for it: AddSchedule refuses one out of bounds, and stores the
// default for none.
func TestAddScheduleWindow(t *testing.T) {
	ctx := context.Background()
	dir := directory{people: map[string]assessment.Person{"UADA": {ID: "UADA"}}}
	f := &assessment.Framework{ID: "f"}
	port := &oneSchedule{}
	svc := review.New(review.Config{Directory: dir, Now: time.Now, AdminUsers: []string{"UADA"}, Schedules: port,
		Frameworks: oneFramework{f}})
	add := func(window time.Duration) (*assessment.Schedule, error) {
		return svc.AddSchedule(ctx, review.ScheduleRequest{Spec: "@monthly", TZ: "UTC", FrameworkID: "f",
			Audience: review.Audience{Users: []string{"UAMY"}}, DigestChannel: "C1", CreatedBy: "UADA", Window: window})
	}
	for _, w := range []time.Duration{time.Minute, review.MaxWindow + time.Hour} {
		_, err := add(w)
		if _, ok := assessment.ReasonAs[assessment.WindowRange](err); !ok {
			t.Errorf("window %v: err = %v, want %s", w, err, assessment.WindowRange{}.Name())
		}
	}
	if port.sc != nil {
		t.Fatalf("a schedule out of bounds was stored: %+v", port.sc)
	}
	sc, err := add(0)
	if err != nil || sc.Window != review.DefaultWindow || sc.Threshold != assessment.DefaultThreshold || port.sc == nil {
		t.Fatalf("no window: %+v, %v; want the defaults stored", sc, err)
	}
}

// oneFramework knows one framework.
type oneFramework struct{ f *assessment.Framework }

func (o oneFramework) Get(id string) (*assessment.Framework, bool) { return o.f, id == o.f.ID }
func (o oneFramework) IDs() []string                               { return []string{o.f.ID} }
