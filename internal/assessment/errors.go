package assessment

import (
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Error codes: what kind of failure, for the caller to decide what to do.
const (
	EINVALID     = "invalid"
	ENOTFOUND    = "not_found"
	EFORBIDDEN   = "forbidden"
	ECLOSED      = "closed"
	EUNAVAILABLE = "unavailable"
	EINTERNAL    = "internal"
)

// Reason is which rule refused a request: one struct type per rule, whose
// named fields are the figures its words need, so the compiler checks them.
// The Slack adapter turns each reason into the words a person reads;
// nothing below it writes sentences for people. Every reason is listed in
// Reasons, and a test holds each to have words that use its fields.
type Reason interface {
	// Name is the rule's stable name, for logs ("threshold_floor").
	Name() string
}

// The reasons, by what they refuse.
type (
	// UnknownQuestion: the question is not part of the review.
	UnknownQuestion struct{}
	// NoScale: the question has no answer scale.
	NoScale struct{}
	// AnswerTooLong: an open answer or comment is over Max characters.
	AnswerTooLong struct{ Max int }
	// WantsText: an option for an open question.
	WantsText struct{}
	// WantsOption: text for a choice question.
	WantsOption struct{}
	// NoNotSure: "Not sure" for a question without it.
	NoNotSure struct{}
	// UnknownOption: an option the question does not have.
	UnknownOption struct{}
	// NotRespondent: someone outside the review's audience.
	NotRespondent struct{}
	// ReviewClosed: the review no longer takes answers.
	ReviewClosed struct{}
)

// Looking things up.
type (
	// ReviewNotFound: no review ID.
	ReviewNotFound struct{ ID string }
	// NoReviews: the asker started none yet.
	NoReviews struct{}
	// ScheduleNotFound: no schedule ID.
	ScheduleNotFound struct{ ID string }
	// UnknownFramework: no framework ID; Known are the ids there are.
	UnknownFramework struct {
		ID    string
		Known []string
	}
)

// Starting a review.
type (
	// NoFramework: none chosen.
	NoFramework struct{}
	// NoAudience: the audience has no members.
	NoAudience struct{}
	// AudienceTooLarge: People asked, more than Max.
	AudienceTooLarge struct{ People, Max int }
	// NoDigestChannel: nowhere for the digest to go.
	NoDigestChannel struct{}
	// DeadlinePast: the Deadline is not in the future.
	DeadlinePast struct{ Deadline time.Time }
	// DeadlineTooFar: the deadline is more than Months ahead.
	DeadlineTooFar struct{ Months int }
	// ThresholdRange: the anonymity threshold is over Max (from Min;
	// Default when none is asked for).
	ThresholdRange struct{ Min, Max, Default int }
	// ThresholdFloor: the threshold Asked is below the Floor.
	ThresholdFloor struct{ Asked, Floor int }
	// AudienceOverlap: the audience differs by Differ people (fewer than
	// Threshold) from review Other, open or closed in the last WindowDays.
	AudienceOverlap struct {
		Other                         string
		Differ, Threshold, WindowDays int
	}
	// GroupUnreadable: Slack did not list a user group's members
	// (SlackError is "" when Slack did not answer).
	GroupUnreadable struct{ Group, SlackError string }
	// ChannelUnreadable: Slack did not list a channel's members.
	ChannelUnreadable struct{ Channel, SlackError string }
	// AudienceBelowThreshold: only People would answer, fewer than the
	// Threshold; StartRequest.Anyway overrides it.
	AudienceBelowThreshold struct{ People, Threshold int }
	// GraceRange: the grace period is outside Min..Max.
	GraceRange struct{ Min, Max time.Duration }
)

// Schedules.
type (
	// BadSchedule: the spec does not parse; Why is the parser's word.
	BadSchedule struct{ Why string }
	// ScheduleOverlap: runs Between apart are closer than the Window.
	ScheduleOverlap struct{ Between, Window time.Duration }
	// WindowRange: the window is outside Min..Max.
	WindowRange struct{ Min, Max time.Duration }
)

// Access.
type (
	// ExportOpen: the Review is open until its Deadline; exports come
	// after.
	ExportOpen struct {
		Review   string
		Deadline time.Time
	}
	// NotAdmin: an admin use case, asked by someone who is not one.
	NotAdmin struct{}
	// NoAdmins: an admin use case, with no admin configured at all.
	NoAdmins struct{}
	// AdminUnconfirmed: Slack did not answer when asked whether the asker
	// is an admin, and what it last said is older than For
	// (ADMIN_CACHE_TTL): the admin use case fails closed.
	AdminUnconfirmed struct{ For time.Duration }
	// OtherWorkspace: a request from a workspace (or organisation) that
	// is not the one the bot's tokens belong to.
	OtherWorkspace struct{}
)

// StoreUnavailable: the store is not answering.
type StoreUnavailable struct{}

// Name of each reason.
func (UnknownQuestion) Name() string        { return "unknown_question" }
func (NoScale) Name() string                { return "no_scale" }
func (AnswerTooLong) Name() string          { return "answer_too_long" }
func (WantsText) Name() string              { return "wants_text" }
func (WantsOption) Name() string            { return "wants_option" }
func (NoNotSure) Name() string              { return "no_not_sure" }
func (UnknownOption) Name() string          { return "unknown_option" }
func (NotRespondent) Name() string          { return "not_respondent" }
func (ReviewClosed) Name() string           { return "review_closed" }
func (ReviewNotFound) Name() string         { return "review_not_found" }
func (NoReviews) Name() string              { return "no_reviews" }
func (ScheduleNotFound) Name() string       { return "schedule_not_found" }
func (UnknownFramework) Name() string       { return "unknown_framework" }
func (NoFramework) Name() string            { return "no_framework" }
func (NoAudience) Name() string             { return "no_audience" }
func (AudienceTooLarge) Name() string       { return "audience_too_large" }
func (NoDigestChannel) Name() string        { return "no_digest_channel" }
func (DeadlinePast) Name() string           { return "deadline_past" }
func (DeadlineTooFar) Name() string         { return "deadline_too_far" }
func (ThresholdRange) Name() string         { return "threshold_range" }
func (ThresholdFloor) Name() string         { return "threshold_floor" }
func (AudienceOverlap) Name() string        { return "audience_overlap" }
func (GroupUnreadable) Name() string        { return "group_unreadable" }
func (ChannelUnreadable) Name() string      { return "channel_unreadable" }
func (AudienceBelowThreshold) Name() string { return "audience_below_threshold" }
func (GraceRange) Name() string             { return "grace_range" }
func (BadSchedule) Name() string            { return "bad_schedule" }
func (ScheduleOverlap) Name() string        { return "schedule_overlap" }
func (WindowRange) Name() string            { return "window_range" }
func (ExportOpen) Name() string             { return "export_open" }
func (NotAdmin) Name() string               { return "not_admin" }
func (NoAdmins) Name() string               { return "no_admins" }
func (AdminUnconfirmed) Name() string       { return "admin_unconfirmed" }
func (OtherWorkspace) Name() string         { return "other_workspace" }
func (StoreUnavailable) Name() string       { return "store_unavailable" }

// Reasons returns one value of every reason, for the test that every
// reason has words (a test of this package holds the list complete).
func Reasons() []Reason {
	return append([]Reason{
		UnknownQuestion{}, NoScale{}, AnswerTooLong{}, WantsText{}, WantsOption{}, NoNotSure{}, UnknownOption{},
		NotRespondent{}, ReviewClosed{},
		ReviewNotFound{}, NoReviews{}, ScheduleNotFound{}, UnknownFramework{},
		NoFramework{}, NoAudience{}, AudienceTooLarge{}, NoDigestChannel{}, DeadlinePast{}, DeadlineTooFar{},
		ThresholdRange{}, ThresholdFloor{}, AudienceOverlap{}, GroupUnreadable{}, ChannelUnreadable{},
		AudienceBelowThreshold{}, GraceRange{}, TooManySegments{},
		BadSchedule{}, ScheduleOverlap{}, WindowRange{},
		ExportOpen{}, NotAdmin{}, NoAdmins{}, AdminUnconfirmed{}, OtherWorkspace{},
		StoreUnavailable{},
	}, actionReasons()...)
}

// Error is an application error: a code, the reason (rule) behind it with
// its figures, and the cause, if any.
type Error struct {
	Code   string
	Reason Reason
	Err    error
}

// NewError builds an application error.
func NewError(code string, reason Reason) *Error {
	return &Error{Code: code, Reason: reason}
}

// Because returns a copy of e with err as its cause.
func (e *Error) Because(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// Error reads "code: reason[figures]: cause", e.g. "invalid:
// threshold_floor[2 3]".
func (e *Error) Error() string {
	s := e.Code
	if e.Reason != nil {
		s += ": " + e.Reason.Name()
		if v := reflect.ValueOf(e.Reason); v.Kind() == reflect.Struct && v.NumField() > 0 {
			figures := make([]any, v.NumField())
			for i := range figures {
				figures[i] = v.Field(i).Interface()
			}
			s += fmt.Sprint(figures)
		}
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error by code and reason, whatever the reason's
// figures, so sentinels such as ErrNotRespondent work with errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && reasonName(t.Reason) == reasonName(e.Reason)
}

func reasonName(r Reason) string {
	if r == nil {
		return ""
	}
	return r.Name()
}

// Sentinels for the errors callers test for.
var (
	ErrNotRespondent = NewError(EFORBIDDEN, NotRespondent{})
	ErrClosed        = NewError(ECLOSED, ReviewClosed{})
)

// ErrorCode returns the code of the application error in err's chain, or
// EINTERNAL; "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorReason returns the reason, with its figures, of the application
// error in err's chain; nil when there is none.
func ErrorReason(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return nil
}

// ReasonAs returns the reason of the application error in err's chain if
// it is a T.
func ReasonAs[T Reason](err error) (T, bool) {
	r, ok := ErrorReason(err).(T)
	return r, ok
}
