package present

import (
	"fmt"
	"strings"

	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// The lines of the digest at a glance: what the channel message says
// (digest.go) and the terminal digest opens with (digesttext.go), each
// medium in its own style, so both say the same in the same words. They
// carry no mechanics (no divergence, no "shown from"): what a figure is
// and why one is missing are the thread's and the footnote's.

// MaxDigestLines is the most lines of text the channel message of a
// digest has (header, sections and context lines, a section's text
// counting one line per line): it fits on one screen. Everything else is
// in its thread.
const MaxDigestLines = 15

// MessageQuestions is how many questions of "where you diverge" the
// channel message lists, and MessageSections how many sections; the
// thread has them all.
const (
	MessageQuestions = 3
	MessageSections  = 3
)

// questionWidth is how much of a question a line of the digest shows, in
// runes: about one line on a laptop's Slack.
const questionWidth = 80

// lineWidth is about how many runes a line of the message may have before
// a laptop's Slack wraps it.
const lineWidth = 120

// minQuestionWidth is the least of a question a line shows, however long
// its answers' labels: enough to know the question.
const minQuestionWidth = 60

// Headline is the team's band and alignment index in one line, with
// what they were at the previous review, e.g. "Team band *Growing* (mean
// 1.5 of 3 points, was Starting) · alignment *33%* (was 28%)"; "" when
// neither shows.
func Headline(d digest.Digest, st Style) string {
	var parts []string
	if b := d.Result.Band; b != nil {
		p := fmt.Sprintf("Team band %s (mean %.1f of %g points", st.Bold(st.Escape(b.Label)), b.MeanPoints, b.MaxPoints)
		if t := d.Trend; t != nil && t.BandThen != "" {
			if t.BandThen == b.Label {
				p += ", unchanged"
			} else {
				p += ", was " + st.Escape(t.BandThen)
			}
		}
		parts = append(parts, p+")")
	}
	if a := d.Result.Alignment; a != nil {
		p := "alignment " + st.Bold(Percent(*a))
		if t := d.Trend; t != nil && t.AlignmentThen != nil {
			p += " (was " + Percent(*t.AlignmentThen) + ")"
		}
		parts = append(parts, p)
	}
	return capitalise(strings.Join(parts, " · "))
}

func capitalise(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// SinceWhen names the review a digest is compared with: "since 2 Nov
// 2026", or "since the previous review" when its date is unknown.
func SinceWhen(d digest.Digest) string {
	if d.PreviousClosed.IsZero() {
		return "since the previous review"
	}
	return "since " + d.PreviousClosed.UTC().Format("2 Jan 2006")
}

// SectionBrief is a section's bar, score and title, with its agreement
// band and its change, e.g. "`▰▰▰▰▰▰▰▱▱▱` *71%*  Sensory System _mixed_
// *▲ +9*".
func SectionBrief(d digest.Digest, s scoring.SectionResult, st Style) string {
	line := fmt.Sprintf("%s %s  %s", st.Code(Bar(*s.Score)), st.Bold(Percent(*s.Score)), st.Escape(s.Title))
	if s.AgreementBand != "" {
		line += " " + st.Aside(string(s.AgreementBand))
	}
	if c := SectionChange(d, s.ID); c != "" {
		line += "  " + st.Bold(c)
	}
	return line
}

// BriefSections picks the sections the message shows, with the title
// over them: compared with a previous review, the MessageSections largest
// changes; otherwise the strongest and the two weakest; all of them when
// there are no more. ok is false when no section has a score.
func BriefSections(d digest.Digest) (title string, ss []scoring.SectionResult, ok bool) {
	by := d.Result.SectionsByScore()
	if len(by) == 0 {
		return "", nil, false
	}
	all := len(d.Result.Sections)
	if d.Trend != nil {
		for _, m := range d.Trend.Moves {
			if len(ss) < MessageSections {
				ss = append(ss, m.Section)
			}
		}
		if len(ss) == 0 {
			return "No section moved by a point or more " + SinceWhen(d), nil, true
		}
		if all <= len(ss) {
			return "Changes " + SinceWhen(d), ss, true
		}
		return fmt.Sprintf("Largest changes of %d sections %s", all, SinceWhen(d)), ss, true
	}
	if len(by) <= MessageSections && all <= MessageSections {
		return "Sections", by, true
	}
	if len(by) <= MessageSections {
		return fmt.Sprintf("Sections: %d of %d scored", len(by), all), by, true
	}
	n := len(by)
	return fmt.Sprintf("Strongest and weakest of %d sections", all), []scoring.SectionResult{by[0], by[n-2], by[n-1]}, true
}

// DivergeLine is one question of "where you diverge": its band, its text
// shortened at a word and, when the digest shows them, how many chose
// each answer, e.g. "⚡ *split*  Do we review every renewal…  _(Yes 3 · No 2)_".
func DivergeLine(d digest.Digest, q scoring.QuestionResult, st Style) string {
	mark := "•"
	if q.AgreementBand == scoring.Split {
		mark = "⚡"
	}
	counts := AnswerCounts(d, q)
	// Long answer labels leave less room for the question, so that the
	// line stays about one line wide.
	width := min(max(lineWidth-len([]rune(counts)), minQuestionWidth), questionWidth)
	line := fmt.Sprintf("%s %s  %s", mark, st.Bold(string(q.AgreementBand)), st.Escape(QuestionText(q, width)))
	if counts != "" {
		line += " " + st.Aside("("+st.Escape(counts)+")")
	}
	return line
}

// AnswerCounts says how many chose each answer of a question, leaving out
// answers nobody chose, e.g. "Yes 3 · No 1 · Not sure 1"; "" below the
// detail threshold, where the disclosure model withholds counts.
func AnswerCounts(d digest.Digest, q scoring.QuestionResult) string {
	if d.Framework == nil || q.Options == nil || q.Answered+q.NotSure < d.Detail || d.Withholds(digest.FigCounts) {
		return ""
	}
	ref, ok := d.Framework.Lookup(q.ID)
	if !ok || ref.Scale == nil {
		return ""
	}
	var parts []string
	for _, o := range ref.Scale.Options {
		if n := q.Options[o.ID]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", o.Label, n))
		}
	}
	if q.NotSure > 0 {
		parts = append(parts, fmt.Sprintf("Not sure %d", q.NotSure))
	}
	return strings.Join(parts, " · ")
}

// DivergeTitle heads "where you diverge" when it lists shown of its
// questions, e.g. "Where you diverge: 3 of 12 questions, least agreement
// first" (split before mixed).
func DivergeTitle(d digest.Digest, shown int) string {
	n := len(d.Disagree)
	if shown >= n {
		return "Where you diverge"
	}
	return fmt.Sprintf("Where you diverge: %d of %d questions, least agreement first", shown, n)
}

// QuestionsShown reports whether the digest shows question figures
// (agreement, not sure) at all: else what they would say is the
// footnote's to explain.
func QuestionsShown(d digest.Digest) bool {
	if d.Withholds(digest.FigQuestion) {
		return false
	}
	for _, q := range d.Result.Questions {
		if q.Agreement != nil {
			return true
		}
	}
	return false
}

// Agrees is what "where you diverge" says when nothing is mixed or split.
const Agrees = "The team agrees on every question."

// HotspotsLine names the hotspots, e.g. "Hotspots (the score looks fine,
// the team is split): People System 72%", or "".
func HotspotsLine(d digest.Digest, st Style) string {
	if len(d.Hotspots) == 0 {
		return ""
	}
	var names []string
	for i, s := range d.Hotspots {
		if i == MessageSections {
			names = append(names, fmt.Sprintf("and %d more", len(d.Hotspots)-i))
			break
		}
		names = append(names, st.Escape(s.Title)+" "+Percent(*s.Score))
	}
	return st.Bold("Hotspots") + " (the score looks fine, the team is split): " + strings.Join(names, ", ")
}

// NotSureLine gives the "not sure" answers in all and the question most
// people were unsure about, e.g. "Not sure: 9 answers; most on “Do we…?”
// (3 people)"; "" when the digest does not show them or no question
// offers "not sure".
func NotSureLine(d digest.Digest, st Style) string {
	if !QuestionsShown(d) || !offersNotSure(d) {
		return ""
	}
	head := st.Bold("Not sure") + ": "
	switch {
	case d.NotSureTotal == 0:
		return head + "nobody, on any question."
	case len(d.NotSure) == 0:
		return head + fmt.Sprintf("%s, no two on one question.", plural(d.NotSureTotal, "answer", "answers"))
	}
	q := d.NotSure[0]
	return head + fmt.Sprintf("%s; most on “%s” (%s).", plural(d.NotSureTotal, "answer", "answers"),
		st.Escape(QuestionText(q, questionWidth-20)), plural(q.NotSure, "person", "people"))
}

func offersNotSure(d digest.Digest) bool {
	if d.Framework == nil {
		return d.NotSureTotal > 0
	}
	for _, sc := range d.Framework.Scales {
		if sc.NotSure && !sc.Text {
			return true
		}
	}
	return false
}

// NextStep suggests where the team's conversation starts, e.g. "Next:
// talk through the split questions first."
func NextStep(d digest.Digest) string {
	split := 0
	for _, q := range d.Disagree {
		if q.AgreementBand == scoring.Split {
			split++
		}
	}
	switch {
	case split > 0:
		return "Next: talk through the split questions first."
	case len(d.Hotspots) > 0:
		return fmt.Sprintf("Next: ask what splits the team on %s.", d.Hotspots[0].Title)
	case len(d.Disagree) > 0:
		return "Next: talk through the mixed questions."
	case len(d.Weakest) > 0:
		return fmt.Sprintf("Next: start with %s, the weakest section.", d.Weakest[0].Title)
	}
	return ""
}

// InTheThread says where the rest of a digest is.
const InTheThread = "Every section's questions and answers are in the thread."
