package present

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// The forms: the start and schedule modals behind a bare `/review` and
// `/review schedule`, the text modal of an open answer or a comment, and
// what their fields say when they are wrong. Fields are named by codec.

// input is a form field: an input block of one element.
func input(field, label, hint string, el slack.BlockElement) *slack.InputBlock {
	var h *slack.TextBlockObject
	if hint != "" {
		h = plain(hint, 2000)
	}
	return slack.NewInputBlock(field, plain(label, 2000), h, el)
}

func optional(ib *slack.InputBlock) *slack.InputBlock {
	ib.Optional = true
	return ib
}

// modal is a form with its title, submit label and the metadata its
// submission carries back.
func modal(callbackID, title, submit, metadata string, blocks []slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackID, Title: plain(title, 24),
		Submit: plain(submit, 24), Close: plain("Cancel", 24), Blocks: slack.Blocks{BlockSet: blocks},
		PrivateMetadata: metadata,
	}
}

// ThresholdHint is the start and schedule forms' help under the anonymity
// threshold: what it protects, and what no threshold protects against
// (README, "Who can see what").
const ThresholdHint = "Section scores show only when at least this many people answered; question figures, answer counts and open answers from 5, or from the higher detail threshold a review sets. " +
	"No threshold protects against colleagues who compare notes: in a review of k people, k − 1 of them learn the last one's section scores, and a unanimous answer tells everyone's."

// audienceFields are the fields the start and schedule forms share:
// framework, who answers, digest channel, threshold and delivery. groups
// are the workspace's user groups, when Slack listed them.
func audienceFields(frameworks []*assessment.Framework, groups []slack.UserGroup) []slack.Block {
	var opts []*slack.OptionBlockObject
	for _, f := range frameworks {
		opts = append(opts, slack.NewOptionBlockObject(f.ID, plain(f.Title, 75), nil))
		if len(opts) == 100 {
			break
		}
	}
	fw := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a framework", 150), codec.Input, opts...)
	people := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("People", 150), codec.Input)
	chans := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeConversations, plain("Everyone in these channels", 150), codec.Input)
	chans.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}, ExcludeBotUsers: true}
	dig := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, plain("Channel for the digest", 150), codec.Input)
	dig.DefaultToCurrentConversation = true
	dig.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}}
	th := slack.NewNumberInputBlockElement(nil, codec.Input, false)
	th.InitialValue = strconv.Itoa(assessment.DefaultThreshold)
	th.MinValue, th.MaxValue = strconv.Itoa(review.MinThreshold), strconv.Itoa(review.MaxThreshold)
	grace := slack.NewPlainTextInputBlockElement(plain("1h", 150), codec.Input)
	grace.InitialValue = DurationWord(assessment.DefaultGrace)

	blocks := []slack.Block{
		input(codec.FieldFramework, "Framework", "", fw),
		optional(input(codec.FieldPeople, "Who answers: people", "", people)),
	}
	gs := groupOptions(groups)
	if len(gs) > 0 {
		g := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain("User groups", 150), codec.Input, gs...)
		blocks = append(blocks, optional(input(codec.FieldGroups, "Who answers: user groups", "", g)))
	}
	blocks = append(blocks,
		optional(input(codec.FieldChannels, "Who answers: members of channels", "Bots are left out. Pick at least one person, group or channel.", chans)))
	blocks = append(blocks, teamFields(gs)...)
	return append(blocks,
		input(codec.FieldDigest, "Post the digest to", "Invite me to a private channel first.", dig),
		input(codec.FieldThreshold, "Anonymity threshold", ThresholdHint, th),
		optional(input(codec.FieldDelivery, "Delivery", "", slack.NewCheckboxGroupsBlockElement(codec.Input,
			slack.NewOptionBlockObject(codec.OptNow, plain("Send the DMs now", 75), plain("Otherwise each person gets them in their own weekday morning", 75))))),
		optional(input(codec.FieldGrace, "Grace period once everyone has submitted",
			"Answers can still change for this long after the last person submits; then the review closes (never after its deadline). For example 30m, 2h or 1d.", grace)),
	)
}

// TeamsHint is the help under the forms' team fields.
var TeamsHint = fmt.Sprintf("The digest compares these teams section by section, each only where at least the detail threshold (5 or more) answered in it and outside it; the others stay in \"everyone else\". At most %d teams in all.", assessment.MaxSegments)

// teamFields are the forms' fields for the teams side by side: user groups
// (when Slack listed them) and channels, both optional.
func teamFields(groups []*slack.OptionBlockObject) []slack.Block {
	var out []slack.Block
	chans := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeConversations, plain("Teams: channels", 150), codec.Input)
	chans.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}, ExcludeBotUsers: true}
	chans.WithMaxSelectedItems(assessment.MaxSegments)
	if len(groups) > 0 {
		g := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain("Teams: user groups", 150), codec.Input, groups...)
		g.WithMaxSelectedItems(assessment.MaxSegments)
		out = append(out, optional(input(codec.FieldTeamGroups, "Teams side by side: user groups", "", g)))
	}
	return append(out, optional(input(codec.FieldTeamChannels, "Teams side by side: channels", TeamsHint, chans)))
}

// groupOptions are the active user groups, at most a menu's hundred.
func groupOptions(groups []slack.UserGroup) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	for _, g := range groups {
		if g.DateDelete != 0 {
			continue
		}
		out = append(out, slack.NewOptionBlockObject(g.ID, plain("@"+g.Handle, 75), nil))
		if len(out) == 100 {
			break
		}
	}
	return out
}

// StartForm is the form behind a bare /review; deadline is the date it
// proposes, channel where it was typed.
func StartForm(frameworks []*assessment.Framework, groups []slack.UserGroup, deadline time.Time, channel string) slack.ModalViewRequest {
	date := slack.NewDatePickerBlockElement(codec.Input)
	date.InitialDate = deadline.Format("2006-01-02")
	blocks := append(audienceFields(frameworks, groups), input(codec.FieldDeadline, "Deadline (end of day)", "", date),
		optional(input(codec.FieldAnyway, "Small audiences",
			"With fewer people than the anonymity threshold, the digest shows no scores at all, so I refuse to start unless this is ticked.",
			slack.NewCheckboxGroupsBlockElement(codec.Input, slack.NewOptionBlockObject(codec.OptAnyway, plain("Start anyway", 75),
				plain("Even if fewer people than the threshold answer", 75))))))
	return modal(codec.CbStart, "Start a review", "Start", channel, blocks)
}

// StartFormNotOpened says Slack did not open the start form.
func StartFormNotOpened(err error) string {
	return "I could not open the form (Slack said: " + SlackErr(err) + "). Try again, or start inline: " + StartExample + "."
}

// ScheduleForm is the form behind a bare /review schedule; tz is the
// time zone it proposes, channel where it was typed.
func ScheduleForm(frameworks []*assessment.Framework, groups []slack.UserGroup, tz, channel string) slack.ModalViewRequest {
	spec := slack.NewPlainTextInputBlockElement(plain("0 9 1 */3 *", 150), codec.Input)
	spec.InitialValue = "0 9 1 */3 *"
	zone := slack.NewPlainTextInputBlockElement(plain("Europe/Berlin", 150), codec.Input)
	zone.InitialValue = tz
	window := slack.NewNumberInputBlockElement(nil, codec.Input, false)
	window.InitialValue, window.MinValue, window.MaxValue = "7", "1", strconv.Itoa(MaxWindowDays)
	rem := slack.NewPlainTextInputBlockElement(plain("50%,24h", 150), codec.Input)
	rem.InitialValue = "50%,24h"
	blocks := append(audienceFields(frameworks, groups),
		input(codec.FieldSpec, "When (cron)", "minute hour day-of-month month day-of-week: `0 9 1 */3 *` is 9:00 on the 1st of every third month, `0 9 * * 1` every Monday at 9:00; or @monthly.", spec),
		input(codec.FieldTZ, "Time zone", "An IANA name such as Europe/Berlin or America/New_York.", zone),
		input(codec.FieldWindow, "Days each review stays open", "", window),
		input(codec.FieldReminders, "Reminders", "To those who have not submitted: a share of the window (50%) or a time before the deadline (24h); `none` for none.", rem),
	)
	return modal(codec.CbSchedule, "Schedule reviews", "Schedule", channel, blocks)
}

// ScheduleFormNotOpened says Slack did not open the schedule form.
func ScheduleFormNotOpened(err error) string {
	return "I could not open the form (Slack said: " + SlackErr(err) + "). Schedule inline instead: " + ScheduleExample + ".\n" + ScheduleHelp
}

// TextForm asks for an open answer (or, with comment, a comment) to a
// question, with what the person wrote before.
func TextForm(ref assessment.QuestionRef, a assessment.Answer, comment bool, meta codec.TextMeta) slack.ModalViewRequest {
	in := slack.NewPlainTextInputBlockElement(nil, codec.Input)
	in.Multiline = true
	in.MaxLength = 3000
	title, cbid := "Your answer", codec.CbText
	in.InitialValue = a.Text
	if comment {
		title, cbid = "Comment", codec.CbComment
		in.InitialValue = a.Comment
	}
	ib := optional(input(codec.FieldAnswer, strings.TrimSpace(ref.Question.Text), "Only the digest's leaders see it, without your name. Leave empty to remove it.", in))
	return modal(cbid, title, "Save", codec.EncodeTextMeta(meta), []slack.Block{ib})
}

// TextFormNotOpened says Slack did not open the text modal.
const TextFormNotOpened = "Slack did not open the box in time. Please click again."

// What a form's fields say when they are wrong.
const (
	FieldNoFramework  = "Choose a framework."
	FieldNoAudience   = "Pick at least one person, user group or channel."
	FieldNoDigest     = "Choose where the digest goes."
	FieldNoDeadline   = "Choose a deadline."
	FieldDeadlinePast = "The deadline is in the past."
)

// FieldTooManyTeams says the team fields name more teams than a review
// may compare.
func FieldTooManyTeams(teams int) string {
	return fmt.Sprintf("Pick at most %d teams in all (user groups and channels together); you picked %d.", assessment.MaxSegments, teams)
}

// FieldGrace says the grace field is out of range.
func FieldGrace() string {
	return fmt.Sprintf("Give a duration from %s to %s, e.g. 30m, 2h or 1d.", DurationWord(review.MinGrace), DurationWord(review.MaxGrace))
}

// MaxWindowDays is review.MaxWindow in the schedule form's whole days.
const MaxWindowDays = int(review.MaxWindow / (24 * time.Hour))

// FieldWindow says the window field is out of range.
func FieldWindow() string {
	return fmt.Sprintf("Give a whole number of days from 1 to %d.", MaxWindowDays)
}

// FieldDeadline says why a deadline cannot be (review.CheckDeadline).
func FieldDeadline(err error) string { return Words(OpStart, err) }

// FieldThreshold says the threshold field is out of range.
func FieldThreshold() string {
	return fmt.Sprintf("Give a whole number from %d to %d.", review.MinThreshold, review.MaxThreshold)
}

// FieldBelowThreshold refuses fewer people than the anonymity threshold
// unless "Start anyway" is ticked.
func FieldBelowThreshold(people, threshold int) string {
	return Words(OpStart, assessment.NewError(assessment.EINVALID, assessment.AudienceBelowThreshold{People: people, Threshold: threshold})) +
		" Add more people, or tick Start anyway below."
}

// FieldProblem is a field's error as a package below said it (a schedule
// or a time zone that does not parse).
func FieldProblem(err error) string { return Truncate(err.Error(), 2800) }

// FieldRefused is why a text form's answer was refused, under its field.
func FieldRefused(msg string) string { return Truncate(msg, 150) }
