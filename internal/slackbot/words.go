package slackbot

import (
	"fmt"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// The one translator from an error's code and reason to the words a person
// reads (as wtf's http.Error is): the store and the use cases return codes
// and causes, never sentences.

// Operations, for the words of an error that depend on what was tried.
const (
	opAnswer   = "answer"
	opText     = "text answer"
	opStart    = "start"
	opStatus   = "status"
	opClose    = "close"
	opResults  = "results"
	opExport   = "export"
	opSection  = "open section"
	opSubmit   = "submit"
	opSnooze   = "snooze"
	opSchedule = "schedule"
	opModal    = "text modal"
	opForget   = "forget"
)

// reasonWords are the words of each reason; the verbs take the error's
// Args in order.
var reasonWords = map[string]string{
	assessment.RUnknownQuestion:   "This question is not part of the review.",
	assessment.RNoScale:           "This question has no answer scale.",
	assessment.RAnswerTooLong:     "That answer is too long: keep it under %d characters.",
	assessment.RWantsText:         "This question takes a written answer, not an option.",
	assessment.RWantsOption:       "This question takes one of its options, not text.",
	assessment.RNoNotSure:         "This question has no \"Not sure\" option.",
	assessment.RUnknownOption:     "That option does not exist for this question.",
	assessment.RNotRespondent:     "You are not a respondent of this review, so you cannot answer it.",
	assessment.RReviewClosed:      "This review is closed, so answers can no longer change. Thank you — your earlier answers are counted.",
	assessment.RReviewNotFound:    "There is no review `%s`.",
	assessment.RNoReviews:         "No review has been started yet. Start one with `/review`.",
	assessment.RScheduleNotFound:  "There is no schedule `%s`. `/review schedule list` shows them.",
	assessment.RUnknownFramework:  "There is no framework `%s`. Choose one of: %s.",
	assessment.RNoFramework:       "Choose a framework.",
	assessment.RNoAudience:        "Nobody to ask: the audience has no members (bots and deactivated users are left out).",
	assessment.RAudienceTooLarge:  "That audience has %d people; one review can ask at most %d. Split it into several reviews.",
	assessment.RNoDigestChannel:   "Say where the digest goes, e.g. `digest #cs-leadership`.",
	assessment.RDeadlinePast:      "The deadline %s is in the past; choose a later date.",
	assessment.RDeadlineTooFar:    "The deadline is more than %d months away; choose a date within %[1]d months.",
	assessment.RThresholdRange:    "The anonymity threshold must be between %d and %d (default %d).",
	assessment.RGroupUnreadable:   "I could not read the members of user group <!subteam^%s> (%s). Check that the app has the `usergroups:read` scope.",
	assessment.RChannelUnreadable: "I could not read the members of <#%s> (%s). For a private channel, invite me to it first.",
	assessment.RBadSchedule:       "That schedule does not work: %s",
	assessment.RWindowRange:       "Each review of a schedule stays open from %s to %s.",
	assessment.RScheduleOverlap:   "Each review would still be open when the next one starts (runs %s apart, window %s). Use a shorter `window` or a sparser schedule.",
	assessment.RThresholdFloor:    "The anonymity threshold cannot be %d: it is at least %d, so that no figure ever shows the answers of one or two people. You may raise it.",
	assessment.RAudienceOverlap:   "This audience differs by only %[2]d people from review `%[1]s` of the same framework (open, or closed in the last %[4]d days). Comparing the two would give away those people's answers, so I won't start it. Ask the same people again, or an audience that differs by at least %[3]d, or wait until %[4]d days after that review closed.",
	assessment.RExportOpen:        "Review `%s` is still open (until %s). Exports come once it is closed: two exports around one person's answers would show what they answered.",
	reasonBadPayload:              "That button is not one of mine or is out of date. Open the review from its first message and try again.",

	assessment.RAudienceBelowThreshold: "Only %s would answer, fewer than the anonymity threshold of %d, so the digest would show no scores at all.",
	assessment.RGraceRange:             "The grace period must be from %s to %s.",

	assessment.RNoAdmins: "No assessbot admin is configured yet, so admin commands are refused. Ask whoever runs assessbot to set ADMIN_USERS (user ids such as U0123ABCD, or `*` for everyone) or ADMIN_USERGROUP, and restart it. Everyone can use `/review help`.",
	assessment.RNotAdmin: "Only assessbot admins can do that (never guests). Ask one of them, or ask whoever runs assessbot to add you to ADMIN_USERS or the admin user group. Everyone can use `/review help`.",
}

// reasonBadPayload is the adapter's own reason: a click or form it did not
// write.
const reasonBadPayload = "bad_payload"

var errBadPayload = assessment.NewError(assessment.EINVALID, reasonBadPayload)

const somethingWrong = "Something went wrong on our side. Please try again in a minute; if it keeps happening, tell your Slack admin."

// words returns what to tell a person whose op failed with err.
func words(op string, err error) string {
	code := assessment.ErrorCode(err)
	reason, args := assessment.ErrorReason(err)
	switch {
	case code == assessment.EINTERNAL:
		return somethingWrong
	case reason == assessment.RStoreUnavailable:
		if op == opAnswer || op == opText {
			return "Your answer could not be saved because our database is not answering. Please click again in a minute."
		}
		return "Our database is not answering, so nothing was changed. Please try again in a minute."
	}
	format, ok := reasonWords[reason]
	if !ok {
		return somethingWrong
	}
	args = append([]any(nil), args...) // the error's own stay as they are
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = v.Format("2006-01-02 15:04 MST")
		case []string:
			args[i] = strings.Join(codeList(v), ", ")
		case string:
			if v == "" && (reason == assessment.RGroupUnreadable || reason == assessment.RChannelUnreadable) {
				args[i] = "Slack did not answer"
			}
		case int:
			if reason == assessment.RAudienceBelowThreshold && i == 0 {
				args[i] = plural(v, "person", "people")
			}
		case time.Duration:
			if reason == assessment.RGraceRange || reason == assessment.RWindowRange {
				args[i] = durationText(v)
			}
		}
	}
	if !strings.Contains(format, "%") {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// notAdminWords are the words of the admin check's refusal, whether or not
// anyone can be an admin.
func notAdminWords(configured bool) string {
	if !configured {
		return reasonWords[assessment.RNoAdmins]
	}
	return reasonWords[assessment.RNotAdmin]
}

// tell logs a refused or failed request (internal failures loudly) and
// returns the words for the person.
func (b *Bot) tell(op string, err error, attrs ...any) string {
	attrs = append(attrs, "op", op, "err", err)
	switch code := assessment.ErrorCode(err); code {
	case assessment.EINTERNAL:
		b.log.Error("request failed", attrs...)
	case assessment.EFORBIDDEN, assessment.EINVALID:
		b.log.Warn("request refused", append(attrs, "code", code)...)
	default:
		b.log.Info("request refused", append(attrs, "code", code)...)
	}
	return words(op, err)
}

// scheduleWords says why a scheduled run did not start.
func scheduleWords(sc *assessment.Schedule, err error) string {
	if reason, _ := assessment.ErrorReason(err); reason == assessment.RUnknownFramework {
		return fmt.Sprintf("the framework `%s` is no longer loaded. Fix FRAMEWORKS_DIR, or remove the schedule with `/review schedule remove %s`.", sc.FrameworkID, sc.ID)
	}
	return words(opStart, err)
}

func codeList(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "`" + id + "`"
	}
	return out
}
