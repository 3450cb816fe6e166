package assessment_test

import (
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Who may change an action how: the owner accepts or declines a proposed
// one and marks an open one done; the owner or an admin updates or drops
// an open one; nothing changes a closed one.
func TestActionMayChange(t *testing.T) {
	type tc struct {
		status assessment.ActionStatus
		change assessment.ActionChange
		by     string
		admin  bool
		code   string // "" allowed
	}
	for _, c := range []tc{
		{assessment.ActionProposed, assessment.ChangeAccept, "UOWN", false, ""},
		{assessment.ActionProposed, assessment.ChangeDecline, "UOWN", false, ""},
		{assessment.ActionProposed, assessment.ChangeAccept, "UADM", true, assessment.EFORBIDDEN},
		{assessment.ActionProposed, assessment.ChangeAccept, "UPROP", false, assessment.EFORBIDDEN},
		{assessment.ActionAccepted, assessment.ChangeAccept, "UOWN", false, assessment.EINVALID},
		{assessment.ActionDeclined, assessment.ChangeAccept, "UOWN", false, assessment.EINVALID},
		{assessment.ActionAccepted, assessment.ChangeDone, "UOWN", false, ""},
		{assessment.ActionAccepted, assessment.ChangeDone, "UADM", true, assessment.EFORBIDDEN},
		{assessment.ActionAccepted, assessment.ChangeDrop, "UADM", true, ""},
		{assessment.ActionAccepted, assessment.ChangeUpdate, "UADM", true, ""},
		{assessment.ActionAccepted, assessment.ChangeDrop, "UPROP", false, assessment.EFORBIDDEN},
		{assessment.ActionDone, assessment.ChangeDrop, "UOWN", false, assessment.EINVALID},
		{assessment.ActionDropped, assessment.ChangeUpdate, "UADM", true, assessment.EINVALID},
		{assessment.ActionAccepted, "explode", "UOWN", false, assessment.EINVALID},
	} {
		a := &assessment.Action{Owner: "UOWN", Proposer: "UPROP", Status: c.status}
		if got := assessment.ErrorCode(a.MayChange(c.change, c.by, c.admin)); got != c.code {
			t.Errorf("%s %s by %s (admin %v): %q, want %q", c.change, c.status, c.by, c.admin, got, c.code)
		}
	}
}

// An action says something of at most MaxActionText characters, has an
// owner and is due from today to MaxActionMonths ahead.
func TestCheckAction(t *testing.T) {
	now := time.Date(2027, 1, 5, 23, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	long := make([]rune, assessment.MaxActionText+1)
	for i := range long {
		long[i] = 'x'
	}
	for _, c := range []struct {
		what, owner string
		due         time.Time
		ok          bool
	}{
		{"Write it", "U1", day(2027, 1, 5), true},
		{"Write it", "U1", day(2028, 1, 5), true},
		{"Write it", "U1", day(2028, 1, 6), false},
		{"Write it", "U1", day(2027, 1, 3), false},
		{"", "U1", day(2027, 2, 1), false},
		{string(long), "U1", day(2027, 2, 1), false},
		{"Write it", "", day(2027, 2, 1), false},
	} {
		if err := assessment.CheckAction(c.what, c.owner, c.due, now); (err == nil) != c.ok {
			t.Errorf("CheckAction(%.10q, %q, %s) = %v, want ok %v", c.what, c.owner, c.due.Format("2006-01-02"), err, c.ok)
		}
	}
}
