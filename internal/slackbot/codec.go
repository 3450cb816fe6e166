package slackbot

import (
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// The actions codec: what assessbot's buttons, menus and modals carry, and
// the one place that writes and reads it. An element's action id is its
// kind, optionally followed by "|…" to keep ids unique within a message; its
// value is "<review>|<question>|<option>" (answers), "<review>|<question>"
// (comment, text), "<review>|<section>" (next, back) or "<review>" (start,
// submit, snooze, opt out). A text modal's private_metadata is
// "<review>|<question>|<channel>".

// Action kinds (the action id up to its first "|").
const (
	actStart   = "start"
	actAnswer  = "answer"
	actComment = "comment"
	actText    = "text"
	actNext    = "next"
	actBack    = "back"
	actSubmit  = "submit"
	actSnooze  = "snooze"
	actOptOut  = "optout"
)

// Modal callback ids.
const (
	cbStart    = "start_review"
	cbText     = "text_answer"
	cbComment  = "comment"
	cbSchedule = "schedule_review"
)

// maxActionValue bounds a value; anything longer is forged.
const maxActionValue = 400

// action is a decoded click.
type action struct {
	Kind     string
	Review   string
	Question string // answer, comment, text
	Option   string // answer
	Section  int    // next, back
}

// encodeValue writes an element's value.
func encodeValue(reviewID string, parts ...string) string {
	return strings.Join(append([]string{reviewID}, parts...), "|")
}

func startValue(reviewID string) string { return encodeValue(reviewID) }
func answerValue(reviewID, question, option string) string {
	return encodeValue(reviewID, question, option)
}
func questionValue(reviewID, question string) string { return encodeValue(reviewID, question) }
func sectionValue(reviewID string, section int) string {
	return encodeValue(reviewID, strconv.Itoa(section))
}

// decodeAction reads a click's action id and value (a button's value, or
// the chosen option's value of a menu). ok is false for anything assessbot
// did not write: an unknown kind, the wrong number of parts, an empty or
// oversized value, a bad section number.
func decodeAction(actionID, value string) (action, bool) {
	kind, _, _ := strings.Cut(actionID, "|")
	if value == "" || len(value) > maxActionValue {
		return action{Kind: kind}, false
	}
	parts := strings.Split(value, "|")
	a := action{Kind: kind, Review: parts[0]}
	if a.Review == "" {
		return a, false
	}
	want := 1
	switch kind {
	case actAnswer:
		want = 3
	case actComment, actText, actNext, actBack:
		want = 2
	case actStart, actSubmit, actSnooze, actOptOut:
	default:
		return a, false
	}
	if len(parts) != want {
		return a, false
	}
	switch kind {
	case actAnswer:
		a.Question, a.Option = parts[1], parts[2]
	case actComment, actText:
		a.Question = parts[1]
	case actNext, actBack:
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 0 || strconv.Itoa(n) != parts[1] {
			return a, false
		}
		a.Section = n
	}
	return a, true
}

// savesClick reports whether a block action changes what is stored of a
// person's response (an answer, a submission, a snooze or an opt-out), and
// so is acked only once stored.
func savesClick(actionID string) bool {
	switch kind, _, _ := strings.Cut(actionID, "|"); kind {
	case actAnswer, actSubmit, actSnooze, actOptOut:
		return true
	}
	return false
}

// textMeta is what a text modal carries to its submission.
type textMeta struct {
	Review, Question, Channel string
}

func encodeTextMeta(m textMeta) string { return m.Review + "|" + m.Question + "|" + m.Channel }

func decodeTextMeta(s string) (textMeta, bool) {
	p := strings.Split(s, "|")
	if len(p) != 3 || p[0] == "" || p[1] == "" {
		return textMeta{}, false
	}
	return textMeta{Review: p[0], Question: p[1], Channel: p[2]}, true
}

// isIntroOf reports whether a message's blocks are the intro DM of a
// review: its Start button.
func isIntroOf(blocks []slack.Block, reviewID string) bool {
	return hasButton(blocks, actStart, startValue(reviewID))
}

// isDigestOf reports whether a message's blocks are the digest of a
// review: its meta line names the review.
func isDigestOf(blocks []slack.Block, reviewID string) bool {
	return hasText(blocks, "Review `"+reviewID+"`")
}
