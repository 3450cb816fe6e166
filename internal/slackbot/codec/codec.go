// Package codec is what assessbot's buttons, menus and modals carry, and
// the one place that writes and reads it: the renderers (internal/present)
// write with it, the handlers read with it, and the transport routes by
// it. An element's action id is its kind, optionally followed by "|…" to
// keep ids unique within a message; its value is
// "<review>|<question>|<option>" (answers), "<review>|<question>"
// (comment, text), "<review>|<section>" (next, back) or "<review>"
// (start, submit, snooze, opt out). A text modal's private_metadata is
// "<review>|<question>|<channel>". The forms' fields are input blocks
// whose block ids are the Field constants, each with one element whose
// action id is Input.
//
// It imports only the standard library and slack-go's types.
package codec

import (
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// Action kinds (the action id up to its first "|").
const (
	ActStart   = "start"
	ActAnswer  = "answer"
	ActComment = "comment"
	ActText    = "text"
	ActNext    = "next"
	ActBack    = "back"
	ActSubmit  = "submit"
	ActSnooze  = "snooze"
	ActOptOut  = "optout"
)

// Modal callback ids.
const (
	CbStart    = "start_review"
	CbText     = "text_answer"
	CbComment  = "comment"
	CbSchedule = "schedule_review"
)

// The forms' fields: the block id of each input block.
const (
	FieldFramework = "framework"
	FieldPeople    = "people"
	FieldGroups    = "groups"
	FieldChannels  = "channels"
	FieldDigest    = "digest"
	FieldThreshold = "threshold"
	FieldDelivery  = "delivery"
	FieldGrace     = "grace"
	FieldDeadline  = "deadline"
	FieldAnyway    = "anyway"
	FieldSpec      = "spec"
	FieldTZ        = "tz"
	FieldWindow    = "window"
	FieldReminders = "reminders"
	FieldAnswer    = "answer"
	// The teams a review's digest compares side by side (its segments).
	FieldTeamGroups   = "team_groups"
	FieldTeamChannels = "team_channels"
)

// Input is the action id of every form field's element.
const Input = "v"

// The values of the forms' checkboxes.
const (
	OptNow    = "now"    // delivery: send the DMs now
	OptAnyway = "anyway" // start below the anonymity threshold
)

// Field returns what a form holds in a field.
func Field(values map[string]map[string]slack.BlockAction, field string) slack.BlockAction {
	return values[field][Input]
}

// Checked reports whether a checkbox field has the option with value
// ticked.
func Checked(values map[string]map[string]slack.BlockAction, field, value string) bool {
	for _, o := range Field(values, field).SelectedOptions {
		if o.Value == value {
			return true
		}
	}
	return false
}

// MaxValue bounds a value; anything longer is forged.
const MaxValue = 400

// Action is a decoded click.
type Action struct {
	Kind     string
	Review   string
	Question string // answer, comment, text
	Option   string // answer
	Section  int    // next, back
	// SectionID is the section of plan ("" for none); ActionID the
	// action of an action's buttons.
	SectionID string
	ActionID  string
}

// ActionID writes an element's action id: its kind, and the parts that
// keep it unique within a message.
func ActionID(kind string, parts ...string) string {
	return strings.Join(append([]string{kind}, parts...), "|")
}

// Kind reads an action id's kind.
func Kind(actionID string) string {
	kind, _, _ := strings.Cut(actionID, "|")
	return kind
}

// encodeValue writes an element's value.
func encodeValue(reviewID string, parts ...string) string {
	return strings.Join(append([]string{reviewID}, parts...), "|")
}

// StartValue is the value of start, submit, snooze and opt-out.
func StartValue(reviewID string) string { return encodeValue(reviewID) }

// AnswerValue is the value of an answer.
func AnswerValue(reviewID, question, option string) string {
	return encodeValue(reviewID, question, option)
}

// QuestionValue is the value of comment and text.
func QuestionValue(reviewID, question string) string { return encodeValue(reviewID, question) }

// SectionValue is the value of next and back.
func SectionValue(reviewID string, section int) string {
	return encodeValue(reviewID, strconv.Itoa(section))
}

// Decode reads a click's action id and value (a button's value, or the
// chosen option's value of a menu). ok is false for anything assessbot
// did not write: an unknown kind, the wrong number of parts, an empty or
// oversized value, a bad section number.
func Decode(actionID, value string) (Action, bool) {
	kind := Kind(actionID)
	if value == "" || len(value) > MaxValue {
		return Action{Kind: kind}, false
	}
	parts := strings.Split(value, "|")
	a := Action{Kind: kind, Review: parts[0]}
	if a.Review == "" {
		return a, false
	}
	want := 1
	switch kind {
	case ActAnswer:
		want = 3
	case ActComment, ActText, ActNext, ActBack:
		want = 2
	case ActStart, ActSubmit, ActSnooze, ActOptOut:
	case ActPlan, ActAccept, ActDecline, ActDone, ActDrop, ActUpdate, ActActSnooze, ActActNoRemind:
		return a, decodeActionParts(&a, parts)
	default:
		return a, false
	}
	if len(parts) != want {
		return a, false
	}
	switch kind {
	case ActAnswer:
		a.Question, a.Option = parts[1], parts[2]
	case ActComment, ActText:
		a.Question = parts[1]
	case ActNext, ActBack:
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 0 || strconv.Itoa(n) != parts[1] {
			return a, false
		}
		a.Section = n
	}
	return a, true
}

// Encode writes a decoded action's value back, as the renderers write it.
func Encode(a Action) string {
	switch a.Kind {
	case ActAnswer:
		return AnswerValue(a.Review, a.Question, a.Option)
	case ActComment, ActText:
		return QuestionValue(a.Review, a.Question)
	case ActNext, ActBack:
		return SectionValue(a.Review, a.Section)
	case ActPlan:
		return PlanValue(a.Review, a.SectionID)
	}
	if actionKind(a.Kind) {
		return ActionValue(a.Review, a.ActionID)
	}
	return StartValue(a.Review)
}

// SavesClick reports whether a block action changes what is stored of a
// person's response (an answer, a submission, a snooze or an opt-out), and
// so is acked only once stored.
func SavesClick(actionID string) bool {
	switch Kind(actionID) {
	case ActAnswer, ActSubmit, ActSnooze, ActOptOut,
		ActAccept, ActDecline, ActDone, ActDrop, ActActSnooze, ActActNoRemind:
		return true
	}
	return false
}

// Navigates reports whether a block action moves between sections, where
// only the newest of a burst of clicks matters.
func Navigates(actionID string) bool {
	switch Kind(actionID) {
	case ActStart, ActNext, ActBack:
		return true
	}
	return false
}

// TextMeta is what a text modal carries to its submission.
type TextMeta struct {
	Review, Question, Channel string
}

// EncodeTextMeta writes a text modal's private_metadata.
func EncodeTextMeta(m TextMeta) string { return m.Review + "|" + m.Question + "|" + m.Channel }

// DecodeTextMeta reads a text modal's private_metadata.
func DecodeTextMeta(s string) (TextMeta, bool) {
	p := strings.Split(s, "|")
	if len(p) != 3 || p[0] == "" || p[1] == "" {
		return TextMeta{}, false
	}
	return TextMeta{Review: p[0], Question: p[1], Channel: p[2]}, true
}
