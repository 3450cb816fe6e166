package present

import (
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/scoring"
)

func ptr(x float64) *float64 { return &x }

func TestBar(t *testing.T) {
	tests := []struct {
		score float64
		want  string
	}{
		{0, "▱▱▱▱▱▱▱▱▱▱"},
		{0.04, "▱▱▱▱▱▱▱▱▱▱"},
		{0.05, "▰▱▱▱▱▱▱▱▱▱"}, // 5% rounds up to one block
		{0.144, "▰▱▱▱▱▱▱▱▱▱"},
		{0.149, "▰▰▱▱▱▱▱▱▱▱"}, // shown as 15%, so drawn like 15%
		{0.15, "▰▰▱▱▱▱▱▱▱▱"},
		{0.5, "▰▰▰▰▰▱▱▱▱▱"},
		{0.62, "▰▰▰▰▰▰▱▱▱▱"},
		{0.64, "▰▰▰▰▰▰▱▱▱▱"},
		{0.65, "▰▰▰▰▰▰▰▱▱▱"},
		{0.94, "▰▰▰▰▰▰▰▰▰▱"},
		{0.95, "▰▰▰▰▰▰▰▰▰▰"},
		{1, "▰▰▰▰▰▰▰▰▰▰"},
	}
	for _, tt := range tests {
		if got := Bar(tt.score); got != tt.want {
			t.Errorf("Bar(%v) = %s, want %s", tt.score, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for x, want := range map[float64]string{0: "0%", 0.004: "0%", 0.125: "13%", 0.62: "62%", 0.625: "63%", 2.0 / 3: "67%", 1: "100%"} {
		if got := Percent(x); got != want {
			t.Errorf("Percent(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestAgreementText(t *testing.T) {
	st := func(r float64, withValue bool) scoring.Stats {
		var s scoring.Stats
		s.SetAgreement(r)
		if !withValue {
			s.Agreement = nil
		}
		return s
	}
	tests := []struct {
		st   scoring.Stats
		want string
	}{
		{st(0.64, true), "agreement 0.64, aligned"},
		{st(0.36, true), "agreement 0.36, mixed"},
		{st(0.04, true), "agreement 0.04, split"},
		{st(0.36, false), "mixed"}, // the band alone: below the detail threshold
		{scoring.Stats{}, ""},
	}
	for _, tt := range tests {
		if got := AgreementText(tt.st); got != tt.want {
			t.Errorf("AgreementText(%v, %s) = %q, want %q", show(tt.st.Agreement), tt.st.AgreementBand, got, tt.want)
		}
	}
}

func show(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		s    string
		n    int
		want string
	}{
		{"short enough", "hello", 10, "hello"},
		{"exactly n", "hello", 5, "hello"},
		{"one word, cut mid-word", "hello world", 5, "hell…"},
		{"at the space before the cut", "hello world", 7, "hello…"},
		{"the cut falls on a space", "hello world", 6, "hello…"},
		{"a word boundary, not mid-word", "Do we review every renewal ninety days ahead?", 20, "Do we review every…"},
		{"the comma before the cut goes", "Onboarding, renewals and expansion", 16, "Onboarding…"},
		{"a boundary too early: mid-word rather than losing most", "A supercalifragilistic question", 12, "A supercali…"},
		{"runes, not bytes", "héllo wörld again", 14, "héllo wörld…"},
		{"runes, one long word", "日本語のテキスト", 3, "日本…"},
		{"runes, exactly n", "日本語", 3, "日本語"},
		{"empty", "", 3, ""},
		{"nothing fits", "hello", 0, ""},
		{"only the ellipsis fits", "hello", 1, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.s, tt.n)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
			}
			if n := len([]rune(got)); n > max(tt.n, 0) {
				t.Errorf("Truncate(%q, %d) has %d runes", tt.s, tt.n, n)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Truncate(%q, %d) = %q is not valid UTF-8", tt.s, tt.n, got)
			}
		})
	}
	q := scoring.QuestionResult{Text: "Do we review every renewal ninety days ahead?"}
	if got := QuestionText(q, 13); got != "Do we review…" {
		t.Errorf("QuestionText = %q", got)
	}
}

func TestResponseLine(t *testing.T) {
	d := digest.Digest{Result: scoring.Result{Respondents: 7, Submitted: 6}, Meta: digest.Meta{Invited: 9}}
	if got, want := ResponseLine(d), "7 of 9 responded (78%), 6 submitted"; got != want {
		t.Errorf("ResponseLine = %q, want %q", got, want)
	}
	// People away for the whole window leave the denominator, and the
	// line says how many.
	away := digest.Digest{Result: scoring.Result{Respondents: 12, Submitted: 11}, Meta: digest.Meta{Invited: 15, Away: 2}}
	if got, want := ResponseLine(away), "12 of 13 responded (92%), 11 submitted; 2 were away"; got != want {
		t.Errorf("ResponseLine = %q, want %q", got, want)
	}
	away.Away, away.Invited = 1, 14
	if got, want := ResponseLine(away), "12 of 13 responded (92%), 11 submitted; 1 was away"; got != want {
		t.Errorf("ResponseLine = %q, want %q", got, want)
	}
	away.Away, away.Invited, away.Result.Respondents, away.Result.Submitted = 3, 3, 0, 0 // everyone away
	if got, want := ResponseLine(away), "0 of 0 responded (0%), 0 submitted; 3 were away"; got != want {
		t.Errorf("ResponseLine = %q, want %q", got, want)
	}
	d.Invited = 0 // a spreadsheet: nobody knows who was asked
	if got, want := ResponseLine(d), "7 respondents"; got != want {
		t.Errorf("ResponseLine = %q, want %q", got, want)
	}
}

func TestHeadline(t *testing.T) {
	banded := &assessment.Framework{Bands: []assessment.Band{{Min: 0, Label: "Starting"}, {Min: 1.5, Label: "Growing"}, {Min: 2.5, Label: "Leading"}}}
	band := &scoring.BandResult{Label: "Growing", MeanPoints: 1.5, MaxPoints: 3, Counts: []scoring.BandCount{
		{Label: "Starting", Min: 0, Count: 1}, {Label: "Growing", Min: 1.5, Count: 2}, {Label: "Leading", Min: 2.5, Count: 1}}}
	prev := func(label string, alignment *float64) *scoring.Result {
		r := &scoring.Result{Alignment: alignment}
		if label != "" {
			r.Band = &scoring.BandResult{Label: label}
		}
		return r
	}
	tests := []struct {
		name     string
		f        *assessment.Framework
		r        scoring.Result
		previous *scoring.Result
		want     string
	}{
		{"band and alignment", banded, scoring.Result{Respondents: 5, Threshold: 3, Band: band, Alignment: ptr(0.33)}, nil,
			"Team band *Growing* (mean 1.5 of 3 points) · alignment *33%*"},
		{"both changed", banded, scoring.Result{Respondents: 5, Threshold: 3, Band: band, Alignment: ptr(0.33)}, prev("Starting", ptr(0.28)),
			"Team band *Growing* (mean 1.5 of 3 points, was Starting) · alignment *33%* (was 28%)"},
		{"band unchanged, alignment not shown then", banded, scoring.Result{Respondents: 5, Threshold: 3, Band: band, Alignment: ptr(0.33)}, prev("Growing", nil),
			"Team band *Growing* (mean 1.5 of 3 points, unchanged) · alignment *33%*"},
		{"alignment alone", &assessment.Framework{}, scoring.Result{Respondents: 5, Threshold: 3, Alignment: ptr(0.5)}, nil,
			"Alignment *50%*"},
		// What is withheld is the footnote's to say.
		{"withheld", banded, scoring.Result{Threshold: 5}, nil, ""},
		{"no bands", &assessment.Framework{}, scoring.Result{Threshold: 3}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Headline(digest.Build(tt.f, tt.r, digest.Meta{Previous: tt.previous}), slackStyle); got != tt.want {
				t.Errorf("Headline = %q, want %q", got, tt.want)
			}
		})
	}
	d := digest.Build(banded, scoring.Result{Respondents: 5, Threshold: 3, Detail: 5, Band: band}, digest.Meta{})
	if got, want := BandCounts(d, Plain), "Respondents by band: Starting 1 · Growing 2 · Leading 1"; got != want {
		t.Errorf("BandCounts = %q, want %q", got, want)
	}
	d.Withheld = []digest.Withheld{{Figure: digest.FigCounts, Why: digest.WhyDetail, Need: 5}}
	if got := BandCounts(d, Plain); got != "" {
		t.Errorf("BandCounts with counts withheld = %q", got)
	}
}

func TestSectionLine(t *testing.T) {
	sec := func(title string, score float64, agreement *float64, band scoring.AgreementBand) scoring.SectionResult {
		s := scoring.SectionResult{Title: title, Stats: scoring.Stats{Score: ptr(score), Answered: 5}}
		if band != "" {
			s.AgreementBand, s.Split = band, band == scoring.Split
		}
		s.Agreement = agreement
		return s
	}
	tests := []struct {
		name string
		s    scoring.SectionResult
		want string
	}{
		{"scored", sec("Delivery", 0.62, ptr(0.41), scoring.Mixed),
			"▰▰▰▰▰▰▱▱▱▱  62%  Delivery  (agreement 0.41, mixed)"},
		{"full and split", sec("Renewals", 1, ptr(0.05), scoring.Split),
			"▰▰▰▰▰▰▰▰▰▰ 100%  Renewals  (agreement 0.05, split)"},
		{"band only", sec("Metrics", 0, nil, scoring.Aligned),
			"▱▱▱▱▱▱▱▱▱▱   0%  Metrics  (aligned)"},
		{"mean only", sec("Tools", 0.5, nil, ""),
			"▰▰▰▰▰▱▱▱▱▱  50%  Tools"},
		{"withheld", scoring.SectionResult{Title: "People", Stats: scoring.Stats{Withheld: true}},
			"▱▱▱▱▱▱▱▱▱▱   –   People  (withheld)"},
		{"no answers", scoring.SectionResult{Title: "Tools"},
			"▱▱▱▱▱▱▱▱▱▱   –   Tools  (no answers)"},
	}
	for _, tt := range tests {
		if got := SectionLine(tt.s, Plain); got != tt.want {
			t.Errorf("%s: SectionLine =\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}

// excellenceResponses is a fixed, made-up team answering cs-excellence.
// Each section has its own share of "yes" (strong on people, weak on
// work), each respondent their own optimism, and "not sure" and skipped
// answers come in by a fixed pattern. The last of the n respondents
// answers nothing and is not counted.
func excellenceResponses(f *assessment.Framework, n int) []assessment.Response {
	yesOutOf10 := []int{8, 6, 9, 2, 5, 3, 7}
	optimism := []int{-3, 0, 2, -1, 4, 1}
	var rs []assessment.Response
	for r := range n {
		resp := assessment.Response{Respondent: fmt.Sprintf("U%d", r+1), Answers: map[string]assessment.Answer{}, Submitted: r%3 != 2}
		if r == n-1 {
			rs = append(rs, resp)
			continue
		}
		j := 0
		for si, s := range f.Sections {
			for _, q := range s.Questions {
				switch {
				case j%11 == 3 && r <= j%4, (j*7+r*3)%11 == 0 && j%3 == 0:
					resp.Answers[q.ID] = assessment.Answer{Option: assessment.NotSure}
				case (j*5+r)%17 == 0:
					// skipped
				case (r*7+j*3)%10 < yesOutOf10[si%len(yesOutOf10)]+optimism[r%len(optimism)]:
					resp.Answers[q.ID] = assessment.Answer{Option: "yes"}
				default:
					resp.Answers[q.ID] = assessment.Answer{Option: "no"}
				}
				j++
			}
		}
		rs = append(rs, resp)
	}
	return rs
}

// TestTextGolden: the terminal digest of a fixed review of the shipped
// cs-excellence framework. Run go test ./internal/present -update to
// rewrite the golden files after an intended change, and review the diff.
func TestTextGolden(t *testing.T) {
	f := shipped(t, "cs-excellence")
	opened := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		respondents int
		threshold   int
		meta        digest.Meta
	}{
		{"cs-excellence", 7, 3, digest.Meta{ReviewID: "r1", Opened: opened, Closed: opened.AddDate(0, 0, 14), Invited: 8}},
		// Three who answered: section means and bands, nothing finer.
		{"cs-excellence-section-level", 4, 3, digest.Meta{}},
		// Two who answered, below the threshold of three: nothing but counts.
		{"cs-excellence-withheld", 3, 3, digest.Meta{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scoring.Aggregate(f, excellenceResponses(f, tt.respondents), scoring.Options{Threshold: tt.threshold, Seed: "r1"})
			shown, withheld := review.Disclose(f, res, review.Thresholds{Mean: tt.threshold, Detail: assessment.MinDetailThreshold})
			tt.meta.Withheld = withheld
			goldenText(t, tt.name, DigestTerminal(digest.Build(f, shown, tt.meta)))
		})
	}
}

func goldenText(t *testing.T, name, got string) {
	t.Helper()
	goldenFile(t, name+".golden", []byte(got))
}
