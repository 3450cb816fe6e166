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

// ThresholdOrDefault is the anonymity threshold th, or DefaultThreshold
// when none (0 or less) was asked for.
func ThresholdOrDefault(th int) int {
	if th <= 0 {
		return DefaultThreshold
	}
	return th
}

// MinThreshold is the floor of the anonymity threshold: an admin may raise
// a review's threshold, never lower it below this.
const MinThreshold = 3

// MinDetailThreshold is the floor for anything finer than a mean: the
// count of each answer, the range of a question, band counts, the spread in
// the chart and per-respondent rows. In a small team such detail can say
// who answered what.
const MinDetailThreshold = 5

// DefaultGrace is how long answers can still change once everyone has
// submitted, before the review closes (never later than its deadline).
const DefaultGrace = time.Hour

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
	// DistThreshold raises the detail threshold (see Thresholds); 0 means
	// the floor.
	DistThreshold int
	// Grace is how long answers can still change once everyone has
	// submitted; 0 means DefaultGrace.
	Grace time.Duration
	// Segments are the teams the digest's heatmap shows side by side, as
	// named at the start (who is in each is kept apart: Membership).
	Segments []Segment
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

// Thresholds returns how many respondents a review's figures need: mean
// for any figure, detail for anything finer than a mean. Each is at least
// its floor, and one more when the review's creator is also a respondent:
// the creator knows their own answers, so they must not count towards
// hiding the others'.
func (r *Review) Thresholds() (mean, detail int) {
	return Thresholds(r.Threshold, r.DistThreshold, r.IsRespondent(r.CreatedBy))
}

// Thresholds is Review.Thresholds from a review's threshold and detail
// threshold (0: the floors), and whether its creator answers; figures that
// belong to no review (a file scored on its own) have no creator.
func Thresholds(threshold, detailThreshold int, creatorAnswers bool) (mean, detail int) {
	mean = max(threshold, MinThreshold)
	detail = max(detailThreshold, mean, MinDetailThreshold)
	if creatorAnswers {
		mean++
		detail++
	}
	return mean, detail
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
