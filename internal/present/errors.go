package present

import (
	"fmt"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// The one translator from an error's code and reason to the words a person
// reads (as wtf's http.Error is): the store and the use cases return codes
// and causes, never sentences; the handlers name the operation.

// Operations, for the words of an error that depend on what was tried.
const (
	OpAnswer   = "answer"
	OpText     = "text answer"
	OpStart    = "start"
	OpStatus   = "status"
	OpClose    = "close"
	OpResults  = "results"
	OpExport   = "export"
	OpSection  = "open section"
	OpSubmit   = "submit"
	OpSnooze   = "snooze"
	OpSchedule = "schedule"
	OpModal    = "text modal"
	OpForget   = "forget"
	OpAction   = "action"
)

// reasonWords returns the words of a reason, its figures in place, and
// false for a reason it has none for. A test holds every reason to have
// words that use all of its fields.
func reasonWords(op string, r assessment.Reason) (string, bool) {
	switch r := r.(type) {
	case assessment.UnknownQuestion:
		return "This question is not part of the review.", true
	case assessment.NoScale:
		return "This question has no answer scale.", true
	case assessment.AnswerTooLong:
		return fmt.Sprintf("That answer is too long: keep it under %d characters.", r.Max), true
	case assessment.WantsText:
		return "This question takes a written answer, not an option.", true
	case assessment.WantsOption:
		return "This question takes one of its options, not text.", true
	case assessment.NoNotSure:
		return "This question has no \"Not sure\" option.", true
	case assessment.UnknownOption:
		return "That option does not exist for this question.", true
	case assessment.NotRespondent:
		return "You are not a respondent of this review, so you cannot answer it.", true
	case assessment.ReviewClosed:
		return "This review is closed, so answers can no longer change. Thank you — your earlier answers are counted.", true
	case assessment.ReviewNotFound:
		return fmt.Sprintf("There is no review `%s`.", r.ID), true
	case assessment.NoReviews:
		return "No review has been started yet. Start one with `/review`.", true
	case assessment.ScheduleNotFound:
		return fmt.Sprintf("There is no schedule `%s`. `/review schedule list` shows them.", r.ID), true
	case assessment.UnknownFramework:
		return fmt.Sprintf("There is no framework `%s`. Choose one of: %s.", r.ID, strings.Join(codeList(r.Known), ", ")), true
	case assessment.NoFramework:
		return "Choose a framework.", true
	case assessment.NoAudience:
		return "Nobody to ask: the audience has no members (bots and deactivated users are left out).", true
	case assessment.AudienceTooLarge:
		return fmt.Sprintf("That audience has %d people; one review can ask at most %d. Split it into several reviews.", r.People, r.Max), true
	case assessment.NoDigestChannel:
		return "Say where the digest goes, e.g. `digest #cs-leadership`.", true
	case assessment.DeadlinePast:
		return fmt.Sprintf("The deadline %s is in the past; choose a later date.", errorTime(r.Deadline)), true
	case assessment.DeadlineTooFar:
		return fmt.Sprintf("The deadline is more than %d months away; choose a date within %[1]d months.", r.Months), true
	case assessment.ThresholdRange:
		return fmt.Sprintf("The anonymity threshold must be between %d and %d (default %d).", r.Min, r.Max, r.Default), true
	case assessment.ThresholdFloor:
		return fmt.Sprintf("The anonymity threshold cannot be %d: it is at least %d, so that no figure ever shows the answers of one or two people. You may raise it.", r.Asked, r.Floor), true
	case assessment.AudienceOverlap:
		return fmt.Sprintf("This audience differs by only %d people from review `%s` of the same framework (open, or closed in the last %d days). Comparing the two would give away those people's answers, so I won't start it. Ask the same people again, or an audience that differs by at least %d, or wait until %[3]d days after that review closed.",
			r.Differ, r.Other, r.WindowDays, r.Threshold), true
	case assessment.GroupUnreadable:
		return fmt.Sprintf("I could not read the members of user group <!subteam^%s> (%s). Check that the app has the `usergroups:read` scope.", r.Group, slackError(r.SlackError)), true
	case assessment.ChannelUnreadable:
		return fmt.Sprintf("I could not read the members of <#%s> (%s). For a private channel, invite me to it first.", r.Channel, slackError(r.SlackError)), true
	case assessment.AudienceBelowThreshold:
		return fmt.Sprintf("Only %s would answer, fewer than the anonymity threshold of %d, so the digest would show no scores at all.", plural(r.People, "person", "people"), r.Threshold), true
	case assessment.TooManySegments:
		return fmt.Sprintf("A review shows at most %d teams side by side (you named %d); name fewer after `by`.", r.Max, r.Segments), true
	case assessment.GraceRange:
		return fmt.Sprintf("The grace period must be from %s to %s.", DurationText(r.Min), DurationText(r.Max)), true
	case assessment.BadSchedule:
		return "That schedule does not work: " + r.Why, true
	case assessment.ScheduleOverlap:
		return fmt.Sprintf("Each review would still be open when the next one starts (runs %s apart, window %s). Use a shorter `window` or a sparser schedule.", r.Between, r.Window), true
	case assessment.WindowRange:
		return fmt.Sprintf("Each review of a schedule stays open from %s to %s.", DurationText(r.Min), DurationText(r.Max)), true
	case assessment.ExportOpen:
		return fmt.Sprintf("Review `%s` is still open (until %s). Exports come once it is closed: two exports around one person's answers would show what they answered.", r.Review, errorTime(r.Deadline)), true
	case assessment.NoAdmins, assessment.NotAdmin, assessment.AdminUnconfirmed, assessment.OtherWorkspace:
		return accessWords(r), true
	case assessment.StoreUnavailable:
		if op == OpAnswer || op == OpText {
			return "Your answer could not be saved because our database is not answering. Please click again in a minute.", true
		}
		return "Our database is not answering, so nothing was changed. Please try again in a minute.", true
	case badPayload:
		return "That button is not one of mine or is out of date. Open the review from its first message and try again.", true
	}
	return actionReasonWords(r)
}

// accessWords are the words of the reasons that refuse a person the right
// to do something: no admin configured, not an admin, admin rights Slack
// could not confirm, another workspace.
func accessWords(r assessment.Reason) string {
	switch r := r.(type) {
	case assessment.NoAdmins:
		return "No assessbot admin is configured yet, so admin commands are refused. Ask whoever runs assessbot to set ADMIN_USERS (user ids such as U0123ABCD, or `*` for everyone) or ADMIN_USERGROUP, and restart it. Everyone can use `/review help`."
	case assessment.NotAdmin:
		return "Only assessbot admins can do that (never guests nor members of another organisation). Ask one of them, or ask whoever runs assessbot to add you to ADMIN_USERS or the admin user group. Everyone can use `/review help`."
	case assessment.AdminUnconfirmed:
		return fmt.Sprintf("Slack could not confirm your admin rights just now, and what it last said is over %s old, so admin commands are refused for now. Please try again in a few minutes.", DurationText(r.For))
	}
	return OtherWorkspace
}

// errorTime is how the words of an error give a time.
func errorTime(t time.Time) string { return t.Format("2006-01-02 15:04 MST") }

// slackError is Slack's error as the words give it.
func slackError(e string) string {
	if e == "" {
		return "Slack did not answer"
	}
	return e
}

// badPayload is the adapter's own reason: a click or form it did not
// write.
type badPayload struct{}

func (badPayload) Name() string { return "bad_payload" }

var ErrBadPayload = assessment.NewError(assessment.EINVALID, badPayload{})

const somethingWrong = "Something went wrong on our side. Please try again in a minute; if it keeps happening, tell your Slack admin."

// Words returns what to tell a person whose op failed with err.
func Words(op string, err error) string {
	if assessment.ErrorCode(err) == assessment.EINTERNAL {
		return somethingWrong
	}
	if text, ok := reasonWords(op, assessment.ErrorReason(err)); ok {
		return text
	}
	return somethingWrong
}

// notAdminWords are the words of the admin check's refusal, whether or not
// anyone can be an admin.
func notAdminWords(configured bool) string {
	var r assessment.Reason = assessment.NotAdmin{}
	if !configured {
		r = assessment.NoAdmins{}
	}
	text, _ := reasonWords("", r)
	return text
}

// scheduleWords says why a scheduled run did not start.
func scheduleWords(sc *assessment.Schedule, err error) string {
	if _, ok := assessment.ReasonAs[assessment.UnknownFramework](err); ok {
		return fmt.Sprintf("the framework `%s` is no longer loaded. Fix FRAMEWORKS_DIR, or remove the schedule with `/review schedule remove %s`.", sc.FrameworkID, sc.ID)
	}
	return Words(OpStart, err)
}
