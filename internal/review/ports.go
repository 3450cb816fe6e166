// Package review holds the use cases of assessbot: start a review, record
// an answer, submit, close, post the digest exactly once, deliver intro DMs
// and reminders, run schedules, and answer queries (status, home, export).
// It owns the rules those share (who may answer, when a review closes, who
// is an admin) and declares the ports it needs in domain types only: the
// storage ports sized by role (Reviews, Answers, Deliveries, Digests,
// Privacy, Absences, TimeZones, Schedules, Queue, Leases), and Messenger,
// Directory, Frameworks and Clock.
//
// It may import internal/assessment, the pure packages (scoring, digest,
// schedule) and the standard library; never slack-go, go-redis nor
// internal/store (a test enforces it). It writes no words for people: its
// errors carry a code and a reason that the Slack adapter translates.
package review

import (
	"context"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// The storage ports, one per role: each use case depends on the few it
// uses, and a test can fake one in a few lines. internal/store implements
// them all; a port grows by a role, never past 15 methods (TestLayout).

// Reviews keeps reviews: their records, their listings and their close.
type Reviews interface {
	CreateReview(ctx context.Context, r *assessment.Review, f *assessment.Framework) (bool, error)
	Review(ctx context.Context, id string) (*assessment.Review, *assessment.Framework, error)
	// ReviewStatic is Review whose Status may be stale (the answer path
	// checks it atomically with the save).
	ReviewStatic(ctx context.Context, id string) (*assessment.Review, *assessment.Framework, error)
	RecentReviews(ctx context.Context, n int64) ([]string, error)
	// FrameworkReviews lists every review of a framework created since.
	FrameworkReviews(ctx context.Context, frameworkID string, since time.Time) ([]string, error)
	UserReviews(ctx context.Context, user string, n int64) ([]string, error)
	DueReviews(ctx context.Context, now time.Time) ([]string, error)
	Previous(ctx context.Context, r *assessment.Review) (string, error)
	Close(ctx context.Context, id, by string, at time.Time) (bool, error)
	ClosedInfo(ctx context.Context, id string) (by string, at time.Time, err error)
}

// Answers keeps respondents' answers and submissions.
type Answers interface {
	// SaveAnswer checks that the review is open and user its respondent,
	// atomically with the write.
	SaveAnswer(ctx context.Context, reviewID, user, questionID string, a assessment.Answer, comment bool) (assessment.Response, map[string]assessment.MessageRef, error)
	Response(ctx context.Context, reviewID, user string) (assessment.Response, error)
	Submit(ctx context.Context, reviewID, user string) (all bool, err error)
	Submitted(ctx context.Context, reviewID string) (map[string]bool, error)
	// SetCloseAt makes an open review close early (everyone submitted),
	// keeping an earlier close time already set; it returns the one in
	// force.
	SetCloseAt(ctx context.Context, reviewID string, at time.Time) (time.Time, error)
	// CloseAt is that early close time; zero when none is set.
	CloseAt(ctx context.Context, reviewID string) (time.Time, error)
	Responses(ctx context.Context, r *assessment.Review) ([]assessment.Response, error)
}

// Deliveries keeps what reached each respondent: the fan-out, the intro
// DM's state, the messages of their DM, and their reminders.
type Deliveries interface {
	FanoutPending(ctx context.Context) ([]string, error)
	FanoutDone(ctx context.Context, reviewID string) error
	Delivery(ctx context.Context, reviewID, user string) (assessment.DeliveryState, error)
	SetDelivery(ctx context.Context, reviewID, user string, st assessment.DeliveryState) error
	SetMessage(ctx context.Context, reviewID, user, name string, ref assessment.MessageRef) error
	Messages(ctx context.Context, reviewID, user string) (map[string]assessment.MessageRef, error)

	ReminderState(ctx context.Context, reviewID, user string) (assessment.ReminderState, error)
	Reminded(ctx context.Context, reviewID, user string, prev, at time.Time) (marked bool, err error)
	Unremind(ctx context.Context, reviewID, user string, prev time.Time) error
	Snooze(ctx context.Context, reviewID, user string, until time.Time) error
	OptOut(ctx context.Context, reviewID, user string) error
}

// Digests keeps each closed review's digest: whether it is out, where, and
// its one-line summary.
type Digests interface {
	PendingDigests(ctx context.Context) ([]string, error)
	DigestState(ctx context.Context, reviewID string) (assessment.DeliveryState, error)
	DigestPosting(ctx context.Context, reviewID string, at time.Time) error
	DigestPosted(ctx context.Context, reviewID string, ref assessment.MessageRef) error
	SetSummary(ctx context.Context, reviewID, summary string) error
	Summary(ctx context.Context, reviewID string) (string, error)
}

// Privacy keeps what is left of people once it is no longer needed: it
// unlinks answers from respondents, deletes them past the retention
// (keeping the figures), and forgets a person.
type Privacy interface {
	// Delink cuts every tie between a closed review's respondents and their
	// answers; Expire deletes its answers, keeping its figures (SetResult).
	Delink(ctx context.Context, r *assessment.Review) error
	SetResult(ctx context.Context, reviewID string, res scoring.Result) error
	Result(ctx context.Context, reviewID string) (scoring.Result, bool, error)
	Expire(ctx context.Context, r *assessment.Review) (int, error)
	Expired(ctx context.Context, reviewID string) (bool, error)
	// LogKey is the random key of a review's log pseudonyms (Who), deleted
	// when the review is de-linked: then it is nil.
	LogKey(ctx context.Context, reviewID string) ([]byte, error)
	// CompactFiles rewrites Redis's append-only files once reviews were
	// de-linked since the last rewrite, so that no file Redis writes from
	// then on holds who answered what; rewrote is false when nothing was due.
	CompactFiles(ctx context.Context) (rewrote bool, err error)
	// Forget removes a person from every review, queue and index; it
	// returns the reviews they were taken out of and the jobs dropped.
	Forget(ctx context.Context, user string) (reviews []string, jobs int, err error)
}

// Absences keeps who is away while a review is open: the respondents
// whose intro waits for them to come back. Once the review is de-linked
// only their number is left (Privacy.Delink), so the count outlives the
// names.
type Absences interface {
	SetAway(ctx context.Context, reviewID, user string, away bool) error
	// AwayCount is how many respondents are away and have not answered.
	AwayCount(ctx context.Context, reviewID string) (int, error)
}

// TimeZones caches people's time zones, so that planning 10,000 DMs needs
// no 10,000 lookups.
type TimeZones interface {
	TimeZones(ctx context.Context, users []string) (map[string]string, error)
	SetTimeZones(ctx context.Context, tz map[string]string) error
}

// Schedules keeps repeating reviews and the runs waiting to start.
type Schedules interface {
	SaveSchedule(ctx context.Context, sc *assessment.Schedule) error
	Schedule(ctx context.Context, id string) (*assessment.Schedule, error)
	Schedules(ctx context.Context) ([]*assessment.Schedule, error)
	DeleteSchedule(ctx context.Context, id string) error
	DueSchedules(ctx context.Context, now time.Time) (map[string]time.Time, error)
	Advance(ctx context.Context, id string, at, next time.Time) (bool, error)
	PendingOccurrences(ctx context.Context) ([]assessment.Occurrence, error)
	OccurrenceDone(ctx context.Context, o assessment.Occurrence) error
	OccurrencePending(ctx context.Context, o assessment.Occurrence) (bool, error)
}

// Queue holds the intro DMs and reminders waiting for their time.
type Queue interface {
	AddJobs(ctx context.Context, jobs []assessment.Job) error
	// ClaimJobs hands out due jobs, each pushed lease into the future so
	// that nobody else takes it meanwhile.
	ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]assessment.Job, error)
	JobDone(ctx context.Context, j assessment.Job) error
	RescheduleJob(ctx context.Context, j assessment.Job, at time.Time) error
	PendingJobs(ctx context.Context, reviewID string) (map[string]int, error)
}

// Leases keep replicas of the bot from doing one piece of work twice at
// once; a lease runs on the store's clock.
type Leases interface {
	Claim(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	Release(ctx context.Context, name, owner string) error
}

// Messenger posts what the use cases decide to send. It renders and posts;
// an error that retrying cannot mend is a *Refused, any other error means
// "try again later".
type Messenger interface {
	SendIntro(ctx context.Context, r *assessment.Review, f *assessment.Framework, user string) (assessment.MessageRef, error)
	// FindIntro looks for an intro DM posted since a time (a crash may have
	// hidden it from the store).
	FindIntro(ctx context.Context, r *assessment.Review, user string, since time.Time) (assessment.MessageRef, bool)
	SendReminder(ctx context.Context, r *assessment.Review, f *assessment.Framework, user string, answered, total int) error
	// PostDigest posts a digest, its chart and its thread to a channel or,
	// with refused set (the reason the digest channel gave), to a person.
	PostDigest(ctx context.Context, to string, d digest.Digest, r *assessment.Review, refused string) (assessment.MessageRef, error)
	// FindDigest looks for a digest posted since a time.
	FindDigest(ctx context.Context, r *assessment.Review, since time.Time) (assessment.MessageRef, bool)
	// ScheduleNotStarted tells a schedule's creator why one of its runs did
	// not start.
	ScheduleNotStarted(ctx context.Context, sc *assessment.Schedule, run time.Time, err error)
	// ScheduleOrphaned tells a schedule's digest channel and the admins
	// named in tell, once, that its run did not start because its creator
	// is no longer an admin, and how another admin takes it over.
	ScheduleOrphaned(ctx context.Context, sc *assessment.Schedule, run time.Time, tell []string)
}

// Refused is the error of a Messenger or Directory call that Slack refused
// for good (not in channel, no such user, missing scope…).
type Refused struct{ Reason string }

func (e *Refused) Error() string { return "refused: " + e.Reason }

// Directory says who is in the workspace.
type Directory interface {
	// Self is the bot's own user id, never a respondent.
	Self() string
	GroupMembers(ctx context.Context, group string) ([]string, error)
	ChannelMembers(ctx context.Context, channel string) ([]string, error)
	// ChannelName is a channel's name, without #.
	ChannelName(ctx context.Context, channel string) (string, error)
	// People returns what is known of each user (time zone, kind, Slack
	// status), read when asked: the intro and reminder jobs rely on a
	// status read when they run. Users it could not look up are missing.
	People(ctx context.Context, users []string) (map[string]assessment.Person, error)
}

// Frameworks are the frameworks reviews can be started from.
type Frameworks interface {
	Get(id string) (*assessment.Framework, bool)
	IDs() []string
}

// Clock tells the time; tests inject their own.
type Clock func() time.Time
