// Package present owns every word and every block a person reads: the
// intro, section and reminder DMs, the thank-you, the App Home, the modals
// and what their fields say when wrong, the replies to /review and its
// help, the refusals of the command parser, the digest (its channel
// message and thread, its terminal text for `assessbot score`, its
// notification text and the chart's words), and the one translator from an
// error's code and reason to words (errors.go).
//
// It is pure: no network, no Slack client, no Redis, no clock; each
// function returns what to show from what it is given (use case results,
// domain types, the digest's data), so every message has a golden test
// (testdata). It may use slack-go's Block Kit types, never its Web API
// client or Socket Mode (a test enforces it). Buttons carry what
// internal/slackbot/codec writes.
package present

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Block Kit limits (SLACK-WIRE.md).
const (
	MaxBlocks      = 50
	MaxSectionText = 3000
	MaxHeader      = 150
	maxButtonText  = 75
	// maxButtons is the most answers shown as buttons; more become a menu.
	maxButtons = 10
	// A confirm object's title, text and buttons.
	MaxConfirmTitle  = 100
	MaxConfirmText   = 300
	MaxConfirmButton = 30
	// MaxHomeBlocks is the most blocks of a Home tab.
	MaxHomeBlocks = 100
)

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, Truncate(s, MaxSectionText), false, false)
}

func plain(s string, n int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, Truncate(s, n), true, false)
}

func button(actionID, value, text string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, value, plain(text, maxButtonText))
}

// section is a section block of mrkdwn text alone.
func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(text), nil, nil)
}

// slackDate formats t so each reader sees it in their own time zone.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("Mon 2 Jan 2006 15:04 UTC"))
}

// plural counts things in English: "1 question", "2 questions".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// DurationText says a duration in words: "1 hour", "30 minutes", "2 days",
// "1 hour 30 minutes".
func DurationText(d time.Duration) string {
	var parts []string
	for _, u := range []struct {
		d         time.Duration
		one, many string
	}{{24 * time.Hour, "day", "days"}, {time.Hour, "hour", "hours"}, {time.Minute, "minute", "minutes"}} {
		if n := int(d / u.d); n > 0 {
			parts = append(parts, plural(n, u.one, u.many))
			d -= time.Duration(n) * u.d
		}
	}
	if len(parts) == 0 {
		return "less than a minute"
	}
	return strings.Join(parts, " ")
}

// DurationWord writes a duration as the parser reads it: "1h", "30m", "2d".
func DurationWord(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/time.Minute)) + "m"
}

// escape makes text safe for mrkdwn.
func escape(s string) string { return mrkdwnEscaper.Replace(s) }

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func codeList(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "`" + id + "`"
	}
	return out
}

// EphemeralAck is the ack of a slash command that answers it, to the
// person alone.
func EphemeralAck(text string) map[string]any {
	return map[string]any{"response_type": "ephemeral", "text": text}
}

// FormErrors is the ack of a form that keeps it open with errors by its
// fields.
func FormErrors(errs map[string]string) map[string]any {
	return map[string]any{"response_action": "errors", "errors": errs}
}

// SlackErr names what Slack said of a failed call, for a person: its
// error code, or that it did not answer.
func SlackErr(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return "Slack did not answer"
}

// HasButton reports whether blocks hold a button with this action id and
// value.
func HasButton(blocks []slack.Block, actionID, value string) bool {
	for _, b := range blocks {
		ab, ok := b.(*slack.ActionBlock)
		if !ok || ab.Elements == nil {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			if bt, ok := el.(*slack.ButtonBlockElement); ok && bt.ActionID == actionID && bt.Value == value {
				return true
			}
		}
	}
	return false
}

// hasText reports whether the blocks' JSON contains s.
func hasText(blocks []slack.Block, s string) bool {
	out, _ := json.Marshal(blocks)
	return strings.Contains(string(out), s)
}
