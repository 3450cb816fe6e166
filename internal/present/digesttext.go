package present

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// The digest's lines and figures, and the digest as a terminal prints it
// (`assessbot score`). The Slack message (digest.go) is drawn from the
// same lines, so both show the same numbers.

// Change formats a section's change in points: "▲ +8", "▼ −5", "= 0", or ""
// when there is nothing to compare.
func Change(d digest.Digest, sectionID string) string {
	if d.Trend == nil {
		return ""
	}
	v, ok := d.Trend.Sections[sectionID]
	if !ok {
		return ""
	}
	return Points(v)
}

// Points formats a change in percentage points: "▲ +8", "▼ −5" or "= 0".
func Points(v float64) string {
	switch p := math.Round(v); {
	case p > 0:
		return fmt.Sprintf("▲ +%g", p)
	case p < 0:
		return fmt.Sprintf("▼ −%g", -p)
	}
	return "= 0"
}

// TrendLine says what the digest is compared with and how the band moved.
func TrendLine(d digest.Digest) string {
	if d.Trend == nil {
		return ""
	}
	line := "Compared with the previous review"
	if !d.PreviousClosed.IsZero() {
		line += " (closed " + d.PreviousClosed.UTC().Format("2 Jan 2006") + ")"
	}
	switch {
	case d.Trend.BandThen != "" && d.Trend.BandNow != "" && d.Trend.BandThen != d.Trend.BandNow:
		line += fmt.Sprintf(": band %s → %s", d.Trend.BandThen, d.Trend.BandNow)
	case d.Trend.BandNow != "" && d.Trend.BandThen == d.Trend.BandNow:
		line += fmt.Sprintf(": band unchanged (%s)", d.Trend.BandNow)
	}
	return line + "."
}

// The bar's glyphs. Both are drawn in the text's own colour, whatever
// the theme: the filled parallelogram as a solid mark, the empty one as its
// outline, so the empty part of a bar still shows where the bar ends and
// the filled part never fades. The shades used before (▇ and ░) did not:
// ░ is a dither of the text colour over the background, faint grey in
// Slack's light theme and a noisy stripe in its dark one, and ▇ leaves a
// gap above it that differs from font to font. Both glyphs are of one
// Unicode block (Geometric Shapes) and so of one fallback font, the same
// width as each other in and out of a code span.
const (
	barFull  = "▰"
	barEmpty = "▱"
)

// Bar draws a score in [0,1] as ten marks, e.g. ▰▰▰▰▰▰▱▱▱▱, rounded from
// the percentage shown next to it so that equal percentages draw equal bars.
func Bar(score float64) string {
	pct := math.Round(score * 100)
	n := int(math.Round(pct / 10))
	return strings.Repeat(barFull, n) + strings.Repeat(barEmpty, 10-n)
}

// noBar is the bar of a section without a score.
var noBar = strings.Repeat(barEmpty, 10)

// Percent formats a score in [0,1] as a whole percentage.
func Percent(x float64) string { return fmt.Sprintf("%d%%", int(math.Round(x*100))) }

// AgreementText names a figure's agreement for people: its band, with
// the value when the digest shows it, e.g. "agreement 0.36, mixed" or
// "aligned"; "" when neither shows.
func AgreementText(st scoring.Stats) string {
	switch {
	case st.AgreementBand == "":
		return ""
	case st.Agreement == nil:
		return string(st.AgreementBand)
	}
	return fmt.Sprintf("agreement %.2f, %s", *st.Agreement, st.AgreementBand)
}

// ThresholdLine says the thresholds in force, e.g. "Section figures from
// 3 respondents, question figures and counts from 5."
func ThresholdLine(d digest.Digest) string {
	return fmt.Sprintf("Section figures from %d respondents, question figures and counts from %d.", d.Result.Threshold, d.Detail)
}

// ResponseLine says how many responded, e.g. "7 of 9 responded (78%), 6
// submitted"; people away for the whole window are left out of the rate,
// and it says how many: "12 of 13 responded (92%), 12 submitted; 2 were
// away".
func ResponseLine(d digest.Digest) string {
	r := d.Result
	if d.Invited > 0 {
		asked := d.Asked()
		line := fmt.Sprintf("%d of %d responded (%s), %d submitted", r.Respondents, asked,
			Percent(float64(r.Respondents)/float64(max(asked, 1))), r.Submitted)
		switch {
		case d.Away == 1:
			line += "; 1 was away"
		case d.Away > 1:
			line += fmt.Sprintf("; %d were away", d.Away)
		}
		return line
	}
	if r.Respondents == 1 {
		return "1 respondent"
	}
	return fmt.Sprintf("%d respondents", r.Respondents)
}

// BandCounts says how many respondents fall in each band, e.g.
// "Respondents by band: Starting 1 · Growing 2", or "" when the digest
// does not show it.
func BandCounts(d digest.Digest, st Style) string {
	b := d.Result.Band
	if b == nil || b.Counts == nil || d.Withholds(digest.FigCounts) {
		return ""
	}
	var spread []string
	for _, c := range b.Counts {
		spread = append(spread, fmt.Sprintf("%s %d", st.Escape(c.Label), c.Count))
	}
	return st.Bold("Respondents by band:") + " " + strings.Join(spread, " · ")
}

// Style is how a medium marks text up: the terminal's plain text, or
// Slack's mrkdwn.
type Style struct {
	Code, Bold, Aside func(string) string // a bar, a figure, a parenthesis
	Escape            func(string) string // text from the framework
	Pad               bool                // pad figures to line up (fixed-width output)
	Split             string              // appended to a split section
}

func same(s string) string { return s }

// Plain is the terminal's style.
var Plain = Style{Code: same, Bold: same, Aside: func(s string) string { return " " + s }, Escape: same, Pad: true}

// SectionLine is one section's bar and figures, e.g.
// "▰▰▰▰▰▰▱▱▱▱ 62%  Delivery  (agreement 0.41, mixed)".
func SectionLine(s scoring.SectionResult, st Style) string {
	empty := st.Code(noBar) + "  –   "
	if st.Pad {
		empty = noBar + "   –   " // under "▰▰▰ 100%"
	}
	switch {
	case s.Withheld:
		return fmt.Sprintf("%s%s %s", empty, st.Escape(s.Title), st.Aside("(withheld)"))
	case s.Score == nil:
		return fmt.Sprintf("%s%s %s", empty, st.Escape(s.Title), st.Aside("(no answers)"))
	}
	pct := Percent(*s.Score)
	if st.Pad {
		pct = fmt.Sprintf("%4s", pct)
	}
	line := fmt.Sprintf("%s %s  %s", st.Code(Bar(*s.Score)), st.Bold(pct), st.Escape(s.Title))
	if a := AgreementText(s.Stats); a != "" {
		line += " " + st.Aside("("+a+")")
	}
	if s.Split {
		line += st.Split
	}
	return line
}

// QuestionText returns a question's text, shortened to n runes with "…".
func QuestionText(q scoring.QuestionResult, n int) string { return Truncate(q.Text, n) }

// Truncate shortens s to at most n runes, ending in "…" when cut. It cuts
// at the last word boundary that keeps at least half of the n runes
// (dropping the spaces and the comma or colon before it), and mid-word only
// when there is none, as in one long word; it counts runes, never splitting
// one.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	keep := r[:n-1]
	if !unicode.IsSpace(r[n-1]) {
		for i := len(keep) - 1; i >= n/2; i-- {
			if unicode.IsSpace(keep[i]) {
				keep = keep[:i]
				break
			}
		}
	}
	cut := strings.TrimRightFunc(string(keep), func(c rune) bool {
		return unicode.IsSpace(c) || strings.ContainsRune(",;:-–—(", c)
	})
	if cut == "" {
		cut = string(keep)
	}
	return cut + "…"
}

// DigestTerminal renders the digest for a terminal (`assessbot score`):
// the channel message's lines in the same order and words, with what the
// thread adds (every section, the longer lists, the open answers).
func DigestTerminal(d digest.Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — digest\n", d.Framework.Title)
	if !d.Opened.IsZero() {
		fmt.Fprintf(&b, "Opened %s, closed %s\n", d.Opened.Format("2 Jan 2006"), d.Closed.Format("2 Jan 2006"))
	}
	fmt.Fprintf(&b, "%s. %s\n", ResponseLine(d), ThresholdLine(d))
	for _, l := range []string{Headline(d, Plain), BandCounts(d, Plain), TrendLine(d)} {
		if l != "" {
			fmt.Fprintf(&b, "%s\n", l)
		}
	}
	fmt.Fprintf(&b, "\nSections\n")
	for _, s := range d.Result.Sections {
		line := SectionLine(s, Plain)
		if c := SectionChange(d, s.ID); c != "" {
			line += "  " + c
		}
		fmt.Fprintf(&b, "  %s\n", line)
	}
	if h := HotspotsLine(d, Plain); h != "" {
		fmt.Fprintf(&b, "%s\n", h)
	}
	terminalLists(&b, d)
	terminalTexts(&b, d.Result)
	if next := NextStep(d); next != "" && d.Result.Respondents > 0 {
		fmt.Fprintf(&b, "\n%s\n", next)
	}
	if note := WithheldNote(d); note != "" {
		fmt.Fprintf(&b, "\nWithheld: %s\n", note)
	}
	return b.String()
}

// terminalQuestions is how many questions of "where you diverge" the
// terminal digest lists.
const terminalQuestions = 10

// terminalLists writes the terminal digest's lists: where the team
// diverges, where disagreement grew, what it is not sure about.
func terminalLists(b *strings.Builder, d digest.Digest) {
	if QuestionsShown(d) {
		qs := d.Disagree[:min(terminalQuestions, len(d.Disagree))]
		if len(qs) == 0 {
			fmt.Fprintf(b, "\n%s\n", Agrees)
		} else {
			fmt.Fprintf(b, "\n%s\n", DivergeTitle(d, len(qs)))
		}
		for _, q := range qs {
			fmt.Fprintf(b, "  %s [%s]\n", DivergeLine(d, q, Plain), q.ID)
		}
	}
	if d.Trend != nil && len(d.Trend.Rising) > 0 {
		fmt.Fprintf(b, "\nWhere disagreement grew (agreement then → now)\n")
		for _, x := range d.Trend.Rising {
			fmt.Fprintf(b, "  %.2f → %.2f  %s [%s]\n", x.Then, x.Now, QuestionText(x.Question, questionWidth), x.Question.ID)
		}
	}
	if l := NotSureLine(d, Plain); l != "" {
		fmt.Fprintf(b, "\n%s\n", l)
		for _, q := range d.NotSure {
			fmt.Fprintf(b, "  %d people  %s [%s]\n", q.NotSure, QuestionText(q, questionWidth), q.ID)
		}
	}
}

// terminalTexts writes the open answers, anonymous and shuffled.
func terminalTexts(b *strings.Builder, r scoring.Result) {
	texts := false
	for _, q := range r.Questions {
		if len(q.Texts) == 0 {
			continue
		}
		if !texts {
			b.WriteString("\nIn their own words (anonymous, shuffled)\n")
			texts = true
		}
		fmt.Fprintf(b, "  %s\n", QuestionText(q, questionWidth))
		for _, t := range q.Texts {
			fmt.Fprintf(b, "    • %s\n", strings.ReplaceAll(t, "\n", " "))
		}
	}
}
