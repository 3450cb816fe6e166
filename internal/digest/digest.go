// Package digest turns a scoring.Result into what a leader reads: score
// bars, where the team disagrees, what nobody knows, strongest and weakest
// sections. Both the Slack message and the terminal output of
// `assessbot score` are drawn from the same Digest, so they show the same
// numbers.
package digest

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/scoring"
)

// TopN is how many questions the "where you diverge" and "not sure" lists show.
const TopN = 5

// Meta is what the digest says about the review itself.
type Meta struct {
	ReviewID string
	Opened   time.Time
	Closed   time.Time
	Invited  int // respondents invited; 0 when unknown (a spreadsheet)
	// Detail is how many respondents anything finer than a mean needs
	// (answer counts, ranges, band counts, the spread); 0 means the larger
	// of the anonymity threshold and assessment.MinDetailThreshold.
	Detail int
	// Previous is the result of the review this one is compared with (the
	// same schedule, or the same framework and channel), if any.
	Previous       *scoring.Result
	PreviousClosed time.Time
	// Withheld says what the disclosure model left out of the result,
	// and why (review.Disclose).
	Withheld []Withheld
}

// Trend is the change since the previous review.
type Trend struct {
	// Sections maps a section id to its change in percentage points, for
	// sections scored both times.
	Sections map[string]float64
	BandThen string
	BandNow  string
	// AlignmentThen and AlignmentNow are the alignment index of both
	// reviews, when both show it.
	AlignmentThen, AlignmentNow *float64
	// Rising are the questions whose agreement fell most (by at least
	// 0.05), most first: where disagreement grew.
	Rising []Rise
}

// Rise is one question's agreement then and now.
type Rise struct {
	Question  scoring.QuestionResult
	Then, Now float64
}

// RisingN is how many questions the trend lists.
const RisingN = 3

// Digest is the content of a digest, ready to render.
type Digest struct {
	Meta
	Framework *assessment.Framework
	Result    scoring.Result
	// Disagree is "where you diverge": the questions whose agreement is
	// mixed or split, least agreement first, at most TopN.
	Disagree  []scoring.QuestionResult
	NotSure   []scoring.QuestionResult
	Strongest []scoring.SectionResult
	Weakest   []scoring.SectionResult
	Trend     *Trend
	// Spread is the spread of respondents' section scores, by section id
	// (only sections that meet the anonymity threshold), for the chart.
	Spread map[string]scoring.Quantiles
}

// Build assembles a digest.
func Build(f *assessment.Framework, r scoring.Result, m Meta) Digest {
	d := Digest{Meta: m, Framework: f, Result: r}
	if d.Detail == 0 {
		d.Detail = max(r.Detail, r.Threshold, assessment.MinDetailThreshold)
	}
	d.Disagree = r.Diverging()
	if len(d.Disagree) > TopN {
		d.Disagree = d.Disagree[:TopN]
	}
	ns := r.MostNotSure()
	if len(ns) > TopN {
		ns = ns[:TopN]
	}
	d.NotSure = ns
	if m.Previous != nil {
		d.Trend = trend(*m.Previous, r)
	}
	by := r.SectionsByScore()
	if len(by) >= 2 {
		n := min(2, len(by)/2)
		d.Strongest = by[:n]
		for i := len(by) - 1; i >= len(by)-n; i-- {
			d.Weakest = append(d.Weakest, by[i])
		}
	}
	return d
}

func trend(prev, now scoring.Result) *Trend {
	t := &Trend{Sections: map[string]float64{}}
	then := map[string]scoring.SectionResult{}
	for _, s := range prev.Sections {
		then[s.ID] = s
	}
	for _, s := range now.Sections {
		if p, ok := then[s.ID]; ok && p.Score != nil && s.Score != nil {
			t.Sections[s.ID] = math.Round((*s.Score-*p.Score)*1000) / 10
		}
	}
	if prev.Band != nil {
		t.BandThen = prev.Band.Label
	}
	if now.Band != nil {
		t.BandNow = now.Band.Label
	}
	if prev.Alignment != nil && now.Alignment != nil {
		t.AlignmentThen, t.AlignmentNow = prev.Alignment, now.Alignment
	}
	qthen := map[string]scoring.QuestionResult{}
	for _, q := range prev.Questions {
		qthen[q.ID] = q
	}
	for _, q := range now.Questions {
		p, ok := qthen[q.ID]
		if !ok || p.Agreement == nil || q.Agreement == nil || *p.Agreement-*q.Agreement < 0.05 {
			continue
		}
		t.Rising = append(t.Rising, Rise{Question: q, Then: *p.Agreement, Now: *q.Agreement})
	}
	sort.SliceStable(t.Rising, func(i, j int) bool {
		return t.Rising[i].Then-t.Rising[i].Now > t.Rising[j].Then-t.Rising[j].Now
	})
	if len(t.Rising) > RisingN {
		t.Rising = t.Rising[:RisingN]
	}
	return t
}

// Change formats a section's change in points: "▲ +8", "▼ −5", "= 0", or ""
// when there is nothing to compare.
func (d Digest) Change(sectionID string) string {
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
func (d Digest) TrendLine() string {
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

// Bar draws a score in [0,1] as ten blocks, e.g. ▇▇▇▇▇▇░░░░, rounded from
// the percentage shown next to it so that equal percentages draw equal bars.
func Bar(score float64) string {
	pct := math.Round(score * 100)
	n := int(math.Round(pct / 10))
	return strings.Repeat("▇", n) + strings.Repeat("░", 10-n)
}

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
// "Alignment 54% → 68%: the mean agreement over the questions.", or "".
func (d Digest) AlignmentLine() string {
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
func (d Digest) ThresholdLine() string {
	return fmt.Sprintf("Section figures from %d respondents, question figures and counts from %d.", d.Result.Threshold, d.Detail)
}

// ResponseLine says how many responded, e.g. "7 of 9 responded (78%), 6 submitted".
func (d Digest) ResponseLine() string {
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
func (d Digest) BandLine() string {
	b := d.Result.Band
	if b == nil {
		if len(d.Framework.Bands) == 0 {
			return ""
		}
		if w, ok := d.withheldFor(FigTeamBand); ok && w.Need > 0 {
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
// "▇▇▇▇▇▇░░░░ 62%  Delivery  (divergence 0.41, mostly agree)".
func SectionLine(s scoring.SectionResult, st Style) string {
	empty := st.Code(strings.Repeat("░", 10)) + "  –   "
	if st.Pad {
		empty = strings.Repeat("░", 10) + "   –   " // under "▇▇▇ 100%"
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

// Truncate cuts s to at most n runes, ending in "…" when cut.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Text renders the digest for a terminal.
func Text(d Digest) string {
	var b strings.Builder
	r := d.Result
	fmt.Fprintf(&b, "%s — digest\n", d.Framework.Title)
	if !d.Opened.IsZero() {
		fmt.Fprintf(&b, "%s → %s\n", d.Opened.Format("2 Jan 2006"), d.Closed.Format("2 Jan 2006"))
	}
	fmt.Fprintf(&b, "%s. %s\n", d.ResponseLine(), d.ThresholdLine())
	if bl := d.BandLine(); bl != "" {
		fmt.Fprintf(&b, "%s\n", bl)
	}
	if al := d.AlignmentLine(); al != "" {
		fmt.Fprintf(&b, "%s\n", al)
	}
	if tl := d.TrendLine(); tl != "" {
		fmt.Fprintf(&b, "%s\n", tl)
	}
	b.WriteString("\nSections\n")
	for _, s := range r.Sections {
		line := SectionLine(s, Plain)
		if c := d.Change(s.ID); c != "" {
			line += "  " + c
		}
		fmt.Fprintf(&b, "  %s\n", line)
	}
	if d.Trend != nil && len(d.Trend.Rising) > 0 {
		b.WriteString("\nAgreement fell most\n")
		for _, x := range d.Trend.Rising {
			fmt.Fprintf(&b, "  %.2f → %.2f  %s [%s]\n", x.Then, x.Now, QuestionText(x.Question, 90), x.Question.ID)
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
			fmt.Fprintf(&b, "  %.2f %-5s %s [%s]\n", *q.Agreement, q.AgreementBand, QuestionText(q, 90), q.ID)
		}
	}
	if len(d.NotSure) > 0 {
		b.WriteString("\nWhat the team is not sure about\n")
		for _, q := range d.NotSure {
			fmt.Fprintf(&b, "  %d× not sure  %s [%s]\n", q.NotSure, QuestionText(q, 90), q.ID)
		}
	}
	texts := false
	for _, q := range r.Questions {
		if len(q.Texts) == 0 {
			continue
		}
		if !texts {
			b.WriteString("\nIn their own words (anonymous, shuffled)\n")
			texts = true
		}
		fmt.Fprintf(&b, "  %s\n", QuestionText(q, 90))
		for _, t := range q.Texts {
			fmt.Fprintf(&b, "    • %s\n", strings.ReplaceAll(t, "\n", " "))
		}
	}
	if note := d.WithheldNote(); note != "" {
		fmt.Fprintf(&b, "\nWithheld: %s\n", note)
	}
	return b.String()
}
