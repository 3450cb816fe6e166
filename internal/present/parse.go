package present

import (
	"fmt"

	"github.com/assessbot/assessbot/internal/review"
)

// Parse words the /review parser's refusals: each says what is wrong and
// what to type instead.
var Parse ParseWords

// ParseWords are the refusals of the /review parser, one method each.
type ParseWords struct{}

// NoArguments refuses arguments to a verb that takes none.
func (ParseWords) NoArguments(verb string) string {
	return fmt.Sprintf("`/review %s` takes no arguments.", verb)
}

// NotReviewID refuses a word that is not a review id.
func (ParseWords) NotReviewID(word string) string {
	return fmt.Sprintf("%q is not a review id. Review ids look like `r4k9x2mq`; see `/review status` for the open ones.", word)
}

// OneReview refuses more than one review id.
func (ParseWords) OneReview(verb string) string {
	return fmt.Sprintf("Type `/review %s` for the latest review, or `/review %s <id>`.", verb, verb)
}

// ForgetOne refuses a forget of anything but one person.
func (ParseWords) ForgetOne() string {
	return "Type `/review forget @person`: one person, whom I take out of every review, queue and index."
}

// ForgetNotPerson refuses a forget of a word that is not a person.
func (ParseWords) ForgetNotPerson(word string) string {
	return fmt.Sprintf("%q is not a person. Type `/review forget @person` (pick them from the list as you type).", word)
}

// UnknownVerb refuses a verb the parser does not know.
func (ParseWords) UnknownVerb(verb string) string {
	return fmt.Sprintf("I don't know `/review %s`. Type `/review help` to see what I can do.", verb)
}

// StartWhat asks a bare start for a framework and an audience.
func (ParseWords) StartWhat() string {
	return fmt.Sprintf("Which framework, and who should answer? For example %s. `/review frameworks` lists the frameworks.", StartExample)
}

// RemindNeedsTimes refuses `remind` without times.
func (ParseWords) RemindNeedsTimes() string {
	return "`remind` needs times, e.g. `remind 50%,24h` (halfway, and a day before the deadline) or `remind none`."
}

// RemindBad refuses reminder times that do not parse.
func (ParseWords) RemindBad(word string, err error) string {
	return fmt.Sprintf("`remind %s`: %v. For example `remind 50%%,24h`.", word, err)
}

// GraceNeedsDuration refuses `grace` without a duration.
func (ParseWords) GraceNeedsDuration() string {
	return "`grace` needs a duration, e.g. `grace 2h`: how long answers can still change once everyone has submitted."
}

// GraceBad refuses a grace period that does not parse or is out of range.
func (ParseWords) GraceBad(word string) string {
	return fmt.Sprintf("`grace %s`: give how long answers can still change once everyone has submitted, from `%s` to `%s`, e.g. `grace 30m` or `grace 2h`.", word, DurationWord(review.MinGrace), DurationWord(review.MaxGrace))
}

// WindowNeedsDuration refuses `window` without a duration.
func (ParseWords) WindowNeedsDuration() string {
	return "`window` needs a duration, e.g. `window 7d`."
}

// WindowBad refuses a window that does not parse or is out of range.
func (ParseWords) WindowBad(word string) string {
	return fmt.Sprintf("`window %s`: give how long each review stays open, from `%s` to `%s`, e.g. `window 7d`.", word, DurationWord(review.MinWindow), DurationWord(review.MaxWindow))
}

// TZNeedsZone refuses `tz` without a zone.
func (ParseWords) TZNeedsZone() string { return "`tz` needs a time zone, e.g. `tz Europe/Berlin`." }

// DigestNeedsChannel refuses `digest` without a channel.
func (ParseWords) DigestNeedsChannel() string {
	return "`digest` needs a channel, e.g. `digest #cs-leadership`."
}

// DigestNotChannel refuses a digest channel typed as plain text.
func (ParseWords) DigestNotChannel(word string) string {
	return fmt.Sprintf("`digest %s`: pick the channel from Slack's autocomplete so it turns into a link, e.g. `digest #cs-leadership`.", word)
}

// ScheduleDue refuses `due` in a schedule.
func (ParseWords) ScheduleDue() string {
	return "A schedule's reviews stay open for a `window` (e.g. `window 7d`), not until a `due` date."
}

// DueNeedsDate refuses `due` without a date or duration.
func (ParseWords) DueNeedsDate() string {
	return "`due` needs a date (`due 2026-12-01`) or a duration (`due 3d`)."
}

// DuePast refuses a deadline that is not in the future.
func (ParseWords) DuePast(word string) string {
	return fmt.Sprintf("`due %s`: the deadline must be in the future.", word)
}

// DueBad refuses a deadline that does not parse.
func (ParseWords) DueBad(word string) string {
	return fmt.Sprintf("`due %s`: give a date like `2026-12-01` or a duration like `3d`, `36h` or `1w`.", word)
}

// DetailNeedsNumber refuses `detail` without a number.
func (ParseWords) DetailNeedsNumber() string {
	return "`detail` needs a number, e.g. `detail 7`."
}

// DetailBad refuses a detail threshold out of range.
func (ParseWords) DetailBad(word string) string {
	return fmt.Sprintf("`detail %s`: give a whole number from %d to %d (question figures, answer counts and open answers are shown only when at least that many answered).", word, review.MinDetailThreshold, review.MaxThreshold)
}

// ThresholdNeedsNumber refuses `threshold` without a number.
func (ParseWords) ThresholdNeedsNumber() string {
	return "`threshold` needs a number, e.g. `threshold 5`."
}

// ThresholdNotNumber refuses a threshold that is not a whole number.
func (ParseWords) ThresholdNotNumber(word string) string {
	return fmt.Sprintf("`threshold %s`: give a whole number from %d to %d (scores are shown only when at least that many answered).", word, review.MinThreshold, review.MaxThreshold)
}

// NotUnderstood refuses a word outside `to …` that is no option.
func (ParseWords) NotUnderstood(word, example string) string {
	return fmt.Sprintf("I did not understand %q. The form is %s.", word, example)
}

// NotLinked refuses a person, group or channel typed as plain text.
func (ParseWords) NotLinked(word string) string {
	return fmt.Sprintf("I could not tell who %q is. Pick people, user groups and channels from Slack's autocomplete so they turn into links.", word)
}

// NotAudience refuses a word after `to` that is no person, group or
// channel.
func (ParseWords) NotAudience(word, example string) string {
	return fmt.Sprintf("%q is not a person, user group or channel. The form is %s.", word, example)
}

// NotSegment refuses a word after `by` that is no user group or channel.
func (ParseWords) NotSegment(word string) string {
	return fmt.Sprintf("%q is not a user group or channel. After `by`, name the teams to compare, e.g. `by @cs-emea @cs-amer` picked from Slack's autocomplete.", word)
}

// NoAudience asks who should answer.
func (ParseWords) NoAudience(example string) string {
	return fmt.Sprintf("Who should answer? Add `to` and people, user groups or channels, e.g. %s.", example)
}

// ScheduleListNoArguments refuses arguments to `schedule list`.
func (ParseWords) ScheduleListNoArguments() string {
	return "`/review schedule list` takes no arguments."
}

// ScheduleNeedsID refuses a schedule change without one schedule id.
func (ParseWords) ScheduleNeedsID(sub string) string {
	return fmt.Sprintf("Type `/review schedule %s <id>`; `/review schedule list` shows the ids.", sub)
}

// ScheduleUnknown refuses a schedule command the parser does not know.
func (ParseWords) ScheduleUnknown(sub string) string {
	return fmt.Sprintf("I don't know `/review schedule %s`. Use `add`, `list`, `pause`, `resume`, `remove`, `next` or `take`, e.g. %s.", sub, ScheduleExample)
}

// ScheduleNoClosingQuote refuses a quoted schedule without its end.
func (ParseWords) ScheduleNoClosingQuote() string {
	return fmt.Sprintf("The schedule has no closing quote. The form is %s.", ScheduleExample)
}

// ScheduleWhich asks for the schedule.
func (ParseWords) ScheduleWhich() string {
	return fmt.Sprintf("Which schedule? The form is %s.", ScheduleExample)
}

// ScheduleWhat asks a schedule for a framework and an audience.
func (ParseWords) ScheduleWhat() string {
	return fmt.Sprintf("Which framework, and who should answer? The form is %s.", ScheduleExample)
}
