package assessment

import (
	"errors"
	"fmt"
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

// Reasons: which rule refused a request. The Slack adapter turns a reason
// and its Args into the words a person reads; nothing below it writes
// sentences for people. The comment after each reason lists its Args.
const (
	// Answers.
	RUnknownQuestion = "unknown_question"
	RNoScale         = "no_scale"
	RAnswerTooLong   = "answer_too_long" // max characters
	RWantsText       = "wants_text"
	RWantsOption     = "wants_option"
	RNoNotSure       = "no_not_sure"
	RUnknownOption   = "unknown_option"
	RNotRespondent   = "not_respondent"
	RReviewClosed    = "review_closed"

	// Looking things up.
	RReviewNotFound   = "review_not_found"   // review id
	RNoReviews        = "no_reviews"         // none started yet
	RScheduleNotFound = "schedule_not_found" // schedule id
	RUnknownFramework = "unknown_framework"  // framework id, known ids ([]string)

	// Starting a review.
	RNoFramework       = "no_framework"
	RNoAudience        = "no_audience"
	RAudienceTooLarge  = "audience_too_large" // audience size, the most allowed
	RNoDigestChannel   = "no_digest_channel"
	RDeadlinePast      = "deadline_past"      // the deadline (time.Time)
	RDeadlineTooFar    = "deadline_too_far"   // the most months ahead
	RThresholdRange    = "threshold_range"    // lowest, highest, default
	RThresholdFloor    = "threshold_floor"    // the threshold asked for, the floor
	RAudienceOverlap   = "audience_overlap"   // the other review's id, people that differ, threshold, window in days
	RGroupUnreadable   = "group_unreadable"   // user group id, Slack's error
	RChannelUnreadable = "channel_unreadable" // channel id, Slack's error

	// Schedules.
	RBadSchedule     = "bad_schedule"     // the parser's explanation
	RScheduleOverlap = "schedule_overlap" // time between runs, window (time.Duration)
	RWindowRange     = "window_range"     // shortest, longest (time.Duration)

	// Access.
	RExportOpen = "export_open" // the review's id, its deadline
	RNotAdmin   = "not_admin"   // an admin use case, asked by someone who is not one
	RNoAdmins   = "no_admins"   // an admin use case, with no admin configured at all
	// Starting a review: who answers and when it closes.
	RAudienceBelowThreshold = "audience_below_threshold" // people, anonymity threshold; StartRequest.Anyway overrides it
	RGraceRange             = "grace_range"              // shortest, longest (time.Duration)

	// The store is not answering.
	RStoreUnavailable = "store_unavailable"
)

// Error is an application error: a code, the reason (rule) behind it with
// its figures, and the cause, if any.
type Error struct {
	Code   string
	Reason string
	Args   []any
	Err    error
}

// NewError builds an application error.
func NewError(code, reason string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Args: args}
}

// Because returns a copy of e with err as its cause.
func (e *Error) Because(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

func (e *Error) Error() string {
	s := e.Code
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if len(e.Args) > 0 {
		s += fmt.Sprint(e.Args)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error by code and reason, so sentinels such as
// ErrNotRespondent work with errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Reason == e.Reason && len(t.Args) == 0
}

// Sentinels for the errors callers test for.
var (
	ErrNotRespondent = NewError(EFORBIDDEN, RNotRespondent)
	ErrClosed        = NewError(ECLOSED, RReviewClosed)
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

// ErrorReason returns the reason and its figures of the application error
// in err's chain, or "".
func ErrorReason(err error) (reason string, args []any) {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason, e.Args
	}
	return "", nil
}
