package assessment

import "time"

// Status of a review.
type Status string

// Review statuses.
const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// DefaultThreshold is the anonymity threshold: scores are shown only when at
// least this many respondents answered.
const DefaultThreshold = 3

// DefaultGrace is how long answers can still change once everyone has
// submitted, before the review closes (never later than its deadline).
const DefaultGrace = time.Hour

// DefaultDistributionThreshold guards finer detail, the count of each
// answer and per-respondent exports: in a small team a spread of answers can
// say who answered what.
const DefaultDistributionThreshold = 5

// Review is one run of a framework for an audience.
type Review struct {
	ID            string
	FrameworkID   string
	Title         string
	Respondents   []string
	Audience      string // as the admin typed it, for display
	DigestChannel string
	CreatedBy     string
	CreatedAt     time.Time
	Deadline      time.Time
	Threshold     int
	Status        Status
	ScheduleID    string
	// Reminders say when non-submitters are reminded ("50%", "24h"); nil
	// means the default, empty means none.
	Reminders []string
	// DeliverNow sends every intro DM at once instead of in each
	// respondent's morning.
	DeliverNow bool
	// DistThreshold is the anonymity threshold for answer counts and
	// exports; 0 means the larger of Threshold and the default.
	DistThreshold int
	// Grace is how long answers can still change once everyone has
	// submitted; 0 means DefaultGrace.
	Grace time.Duration
}

// GracePeriod is how long the review stays open once everyone has
// submitted.
func (r *Review) GracePeriod() time.Duration {
	if r.Grace > 0 {
		return r.Grace
	}
	return DefaultGrace
}

// ClosesOnceAllSubmitted is when the review closes if everyone has
// submitted at now: after the grace period, or at the deadline if that
// comes first.
func (r *Review) ClosesOnceAllSubmitted(now time.Time) time.Time {
	at := now.Add(r.GracePeriod())
	if at.After(r.Deadline) {
		return r.Deadline
	}
	return at
}

// DistributionThreshold is the number of answers below which answer counts
// and per-respondent rows are withheld.
func (r *Review) DistributionThreshold() int {
	if r.DistThreshold > 0 {
		return r.DistThreshold
	}
	return max(r.Threshold, DefaultDistributionThreshold)
}

// Series names the reviews a review is compared with: the same schedule, or
// else the same framework posting to the same channel.
func (r *Review) Series() string {
	if r.ScheduleID != "" {
		return "sched:" + r.ScheduleID
	}
	return "fc:" + r.FrameworkID + ":" + r.DigestChannel
}

// IsRespondent reports whether user is in the review's audience.
func (r *Review) IsRespondent(user string) bool {
	for _, u := range r.Respondents {
		if u == user {
			return true
		}
	}
	return false
}
