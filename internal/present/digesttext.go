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

// AlignmentLine gives the team's alignment index and its change, e.g.
// "Alignment 54% → 68% (the mean agreement over the questions).", or "".
func AlignmentLine(d digest.Digest) string {
	a := d.Result.Alignment
	if a == nil {
		return ""
	}
	line := "Alignment " + Percent(*a)
	if d.Trend != nil && d.Trend.AlignmentThen != nil {
		line = "Alignment " + Percent(*d.Trend.AlignmentThen) + " → " + Percent(*a)
	}
	return line + " (the mean agreement over the questions)."
}

// ThresholdLine says the thresholds in force, e.g. "Section figures from
// 3 respondents, question figures and counts from 5."
func ThresholdLine(d digest.Digest) string {
	return fmt.Sprintf("Section figures from %d respondents, question figures and counts from %d.", d.Result.Threshold, d.Detail)
}

// ResponseLine says how many responded, e.g. "7 of 9 responded (78%), 6 submitted".
func ResponseLine(d digest.Digest) string {
	r := d.Result
	if d.Invited > 0 {
		return fmt.Sprintf("%d of %d responded (%s), %d submitted", r.Respondents, d.Invited,
			Percent(float64(r.Respondents)/float64(d.Invited)), r.Submitted)
	}
	if r.Respondents == 1 {
		return "1 respondent"
	}
	return fmt.Sprintf("%d respondents", r.Respondents)
}

// BandLine says the team's band, or "" when the framework has none.
func BandLine(d digest.Digest) string {
	b := d.Result.Band
	if b == nil {
		if len(d.Framework.Bands) == 0 {
			return ""
		}
		if w, ok := d.WithheldFor(digest.FigTeamBand); ok && w.Need > 0 {
			return fmt.Sprintf("Team band withheld: shown from %d respondents.", w.Need)
		}
		return fmt.Sprintf("Band withheld: fewer than %d respondents.", d.Result.Threshold)
	}
	line := fmt.Sprintf("Team band: %s (mean %.1f of %g points).", b.Label, b.MeanPoints, b.MaxPoints)
	if b.Counts == nil || d.Result.Respondents < d.Detail {
		return line + fmt.Sprintf(" How many fall in each band is shown from %d respondents.", d.Detail)
	}
	var spread []string
	for _, c := range b.Counts {
		spread = append(spread, fmt.Sprintf("%s %d", c.Label, c.Count))
	}
	return line + " Respondents by band: " + strings.Join(spread, " · ")
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

// SectionNames lists sections with their scores, e.g. "Delivery (62%), Onboarding (48%)".
func SectionNames(ss []scoring.SectionResult, st Style) string {
	var names []string
	for _, s := range ss {
		names = append(names, fmt.Sprintf("%s (%s)", st.Escape(s.Title), Percent(*s.Score)))
	}
	return strings.Join(names, ", ")
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

// DigestTerminal renders the digest for a terminal.
func DigestTerminal(d digest.Digest) string {
	var b strings.Builder
	r := d.Result
	fmt.Fprintf(&b, "%s — digest\n", d.Framework.Title)
	if !d.Opened.IsZero() {
		fmt.Fprintf(&b, "%s → %s\n", d.Opened.Format("2 Jan 2006"), d.Closed.Format("2 Jan 2006"))
	}
	fmt.Fprintf(&b, "%s. %s\n", ResponseLine(d), ThresholdLine(d))
	if bl := BandLine(d); bl != "" {
		fmt.Fprintf(&b, "%s\n", bl)
	}
	if al := AlignmentLine(d); al != "" {
		fmt.Fprintf(&b, "%s\n", al)
	}
	if tl := TrendLine(d); tl != "" {
		fmt.Fprintf(&b, "%s\n", tl)
	}
	b.WriteString("\nSections\n")
	for _, s := range r.Sections {
		line := SectionLine(s, Plain)
		if c := Change(d, s.ID); c != "" {
			line += "  " + c
		}
		fmt.Fprintf(&b, "  %s\n", line)
	}
	terminalLists(&b, d)
	terminalTexts(&b, r)
	if note := WithheldNote(d); note != "" {
		fmt.Fprintf(&b, "\nWithheld: %s\n", note)
	}
	return b.String()
}

// terminalLists writes the terminal digest's lists: where divergence rose,
// strongest and weakest, where the team disagrees, what it is not sure
// about.
func terminalLists(b *strings.Builder, d digest.Digest) {
	if d.Trend != nil && len(d.Trend.Rising) > 0 {
		b.WriteString("\nAgreement fell most\n")
		for _, x := range d.Trend.Rising {
			fmt.Fprintf(b, "  %.2f → %.2f  %s [%s]\n", x.Then, x.Now, QuestionText(x.Question, 90), x.Question.ID)
		}
	}
	if len(d.Strongest) > 0 {
		b.WriteString("\nStrongest: ")
		b.WriteString(SectionNames(d.Strongest, Plain))
		b.WriteString("\nWeakest:   ")
		b.WriteString(SectionNames(d.Weakest, Plain))
		b.WriteString("\n")
	}
	if len(d.Disagree) > 0 {
		b.WriteString("\nWhere you diverge (agreement)\n")
		for _, q := range d.Disagree {
			fmt.Fprintf(b, "  %.2f %-5s %s [%s]\n", *q.Agreement, q.AgreementBand, QuestionText(q, 90), q.ID)
		}
	}
	if len(d.NotSure) > 0 {
		b.WriteString("\nWhat the team is not sure about\n")
		for _, q := range d.NotSure {
			fmt.Fprintf(b, "  %d× not sure  %s [%s]\n", q.NotSure, QuestionText(q, 90), q.ID)
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
		fmt.Fprintf(b, "  %s\n", QuestionText(q, 90))
		for _, t := range q.Texts {
			fmt.Fprintf(b, "    • %s\n", strings.ReplaceAll(t, "\n", " "))
		}
	}
}
