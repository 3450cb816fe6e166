package review

import (
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// The bounds of what an admin may ask for, each defined here once: the use
// cases check them, and the Slack side reads them (its forms' limits, its
// words) instead of keeping its own. The floors a review's own figures need
// (assessment.MinThreshold, MinDetailThreshold) and the defaults a stored
// review falls back on (assessment.DefaultThreshold, DefaultGrace) live with
// the Review in internal/assessment.

// MaxRespondents bounds one review's audience.
const MaxRespondents = 10000

// Threshold bounds: an admin may choose the anonymity threshold within
// them; the floor is assessment.MinThreshold.
const (
	MinThreshold       = assessment.MinThreshold
	MinDetailThreshold = assessment.MinDetailThreshold
	MaxThreshold       = 50
)

// Grace bounds: how long answers can still change once everyone has
// submitted.
const (
	MinGrace = time.Minute
	MaxGrace = 7 * 24 * time.Hour
)

// Window bounds: how long each review of a schedule stays open; 0 means
// DefaultWindow.
const (
	MinWindow     = time.Hour
	MaxWindow     = 90 * 24 * time.Hour
	DefaultWindow = 7 * 24 * time.Hour
)

// MaxDeadlineMonths is how many months ahead a deadline may be.
const MaxDeadlineMonths = 6

// DefaultDeadline is how long a review started without a deadline stays
// open.
const DefaultDeadline = 3 * 24 * time.Hour

// CheckThreshold refuses an anonymity threshold below the floor (which
// would let figures show for one or two people) or above the maximum.
func CheckThreshold(th int) error {
	switch {
	case th < MinThreshold:
		return assessment.NewError(assessment.EINVALID, assessment.ThresholdFloor{Asked: th, Floor: MinThreshold})
	case th > MaxThreshold:
		return assessment.NewError(assessment.EINVALID, assessment.ThresholdRange{Min: MinThreshold, Max: MaxThreshold, Default: assessment.DefaultThreshold})
	}
	return nil
}

// CheckDetail refuses a detail threshold below its floor or above the
// maximum; 0 means the floor.
func CheckDetail(d int) error {
	if d != 0 && (d < assessment.MinDetailThreshold || d > MaxThreshold) {
		return assessment.NewError(assessment.EINVALID, assessment.ThresholdRange{Min: assessment.MinDetailThreshold, Max: MaxThreshold, Default: assessment.MinDetailThreshold})
	}
	return nil
}

// CheckGrace refuses a grace period outside MinGrace..MaxGrace.
func CheckGrace(d time.Duration) error {
	if d < MinGrace || d > MaxGrace {
		return assessment.NewError(assessment.EINVALID, assessment.GraceRange{Min: MinGrace, Max: MaxGrace})
	}
	return nil
}

// CheckWindow refuses a schedule's window outside MinWindow..MaxWindow.
func CheckWindow(d time.Duration) error {
	if d < MinWindow || d > MaxWindow {
		return assessment.NewError(assessment.EINVALID, assessment.WindowRange{Min: MinWindow, Max: MaxWindow})
	}
	return nil
}

// CheckDeadline refuses a deadline that is not after now, or more than
// MaxDeadlineMonths months ahead.
func CheckDeadline(deadline, now time.Time) error {
	switch {
	case !deadline.After(now):
		return assessment.NewError(assessment.EINVALID, assessment.DeadlinePast{Deadline: deadline})
	case deadline.After(now.AddDate(0, MaxDeadlineMonths, 0)):
		return assessment.NewError(assessment.EINVALID, assessment.DeadlineTooFar{Months: MaxDeadlineMonths})
	}
	return nil
}

// threshold returns the anonymity threshold a request asks for, refusing
// one out of bounds; 0 means the default.
func threshold(th int) (int, error) {
	if th == 0 {
		return assessment.ThresholdOrDefault(th), nil
	}
	return th, CheckThreshold(th)
}

// checkGrace refuses a grace period out of bounds; 0 means the default.
func checkGrace(d time.Duration) error {
	if d == 0 {
		return nil
	}
	return CheckGrace(d)
}

// scheduleWindow returns the window a schedule asks for, refusing one out
// of bounds; 0 means DefaultWindow.
func scheduleWindow(d time.Duration) (time.Duration, error) {
	if d == 0 {
		return DefaultWindow, nil
	}
	return d, CheckWindow(d)
}
