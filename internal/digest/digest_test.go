package digest_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/scoring"
)

var update = flag.Bool("update", false, "rewrite golden files")

func ptr(x float64) *float64 { return &x }

// question is a scored question result with an agreement, answered by 4.
func question(id string, agreement float64, notSure int) scoring.QuestionResult {
	q := scoring.QuestionResult{ID: id, Text: "Question " + id + "?", Stats: scoring.Stats{
		Score: ptr(0.5), Divergence: ptr(1 - agreement), Answered: 4, NotSure: notSure}}
	q.SetAgreement(agreement)
	return q
}

func ids[T any](xs []T, id func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func questionIDs(qs []scoring.QuestionResult) []string {
	return ids(qs, func(q scoring.QuestionResult) string { return q.ID })
}

func sectionIDs(ss []scoring.SectionResult) []string {
	return ids(ss, func(s scoring.SectionResult) string { return s.ID })
}

func TestBuildDisagree(t *testing.T) {
	r := scoring.Result{Respondents: 4, Threshold: 3, Questions: []scoring.QuestionResult{
		question("q1", 0.3, 0),
		question("q2", 1, 0), // aligned: never listed
		question("q3", 0.02, 0),
		question("q4", 0.16, 0),
		question("q5", 0.45, 0),
		question("q6", 0.05, 0),
		question("q7", 0.7, 0),  // aligned
		question("q8", 0.16, 0), // ties keep framework order: q4 before q8
		question("q9", 0.4, 0),
		{ID: "q10", Stats: scoring.Stats{Withheld: true}},
	}}
	d := digest.Build(nil, r, digest.Meta{})
	if got, want := questionIDs(d.Disagree), []string{"q3", "q6", "q4", "q8", "q1"}; !slices.Equal(got, want) {
		t.Errorf("Disagree = %v, want %v (top %d, least agreement first)", got, want, digest.TopN)
	}

	// Fewer than five mixed or split: the aligned are left out, not padded in.
	r.Questions = []scoring.QuestionResult{question("a", 1, 0), question("b", 0.4, 0), question("c", 0.64, 0), question("d", 0, 0)}
	if got, want := questionIDs(digest.Build(nil, r, digest.Meta{}).Disagree), []string{"d", "b"}; !slices.Equal(got, want) {
		t.Errorf("Disagree = %v, want %v", got, want)
	}
	r.Questions = []scoring.QuestionResult{question("a", 1, 0), question("b", 0.5, 0)}
	if got := digest.Build(nil, r, digest.Meta{}).Disagree; len(got) != 0 {
		t.Errorf("Disagree = %v when everyone is aligned, want none", questionIDs(got))
	}
}

func TestBuildNotSure(t *testing.T) {
	r := scoring.Result{Respondents: 5, Threshold: 3, Questions: []scoring.QuestionResult{
		question("q1", 0, 1),
		question("q2", 0, 0),
		question("q3", 0, 3),
		question("q4", 0, 2),
		question("q5", 0, 1),
		question("q6", 0, 4),
		question("q7", 0, 1),
		{ID: "t1", IsText: true, Stats: scoring.Stats{NotSure: 5}},
	}}
	d := digest.Build(nil, r, digest.Meta{})
	if got, want := questionIDs(d.NotSure), []string{"q6", "q3", "q4", "q1", "q5"}; !slices.Equal(got, want) {
		t.Errorf("NotSure = %v, want %v", got, want)
	}
	// Below the threshold of respondents a count would say who did not know.
	r.Respondents = 2
	if got := digest.Build(nil, r, digest.Meta{}).NotSure; len(got) != 0 {
		t.Errorf("NotSure with 2 respondents = %v, want none", questionIDs(got))
	}
}

func TestBuildStrongestWeakest(t *testing.T) {
	sec := func(id string, score float64) scoring.SectionResult {
		return scoring.SectionResult{ID: id, Title: strings.ToUpper(id), Stats: scoring.Stats{Score: ptr(score), Divergence: ptr(0)}}
	}
	withheld := scoring.SectionResult{ID: "w", Stats: scoring.Stats{Answered: 1, Withheld: true}}
	tests := []struct {
		name               string
		sections           []scoring.SectionResult
		strongest, weakest []string
	}{
		{"none scored", []scoring.SectionResult{withheld}, nil, nil},
		{"one scored", []scoring.SectionResult{sec("a", 0.5), withheld}, nil, nil},
		{"two", []scoring.SectionResult{sec("a", 0.2), sec("b", 0.9)}, []string{"b"}, []string{"a"}},
		{"two scored of three", []scoring.SectionResult{sec("a", 0.2), withheld, sec("b", 0.9)}, []string{"b"}, []string{"a"}},
		{"three: one each, never the same section twice", []scoring.SectionResult{sec("a", 0.5), sec("b", 0.9), sec("c", 0.1)}, []string{"b"}, []string{"c"}},
		{"four: two each", []scoring.SectionResult{sec("a", 0.5), sec("b", 0.9), sec("c", 0.1), sec("d", 0.7)}, []string{"b", "d"}, []string{"c", "a"}},
		{"seven: still two each", []scoring.SectionResult{
			sec("a", 0.5), sec("b", 0.9), sec("c", 0.1), sec("d", 0.7), sec("e", 0.3), sec("f", 0.95), sec("g", 0.05)},
			[]string{"f", "b"}, []string{"g", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := digest.Build(nil, scoring.Result{Sections: tt.sections}, digest.Meta{})
			if got := sectionIDs(d.Strongest); !slices.Equal(got, nonNil(tt.strongest)) {
				t.Errorf("Strongest = %v, want %v", got, tt.strongest)
			}
			if got := sectionIDs(d.Weakest); !slices.Equal(got, nonNil(tt.weakest)) {
				t.Errorf("Weakest = %v, want %v (weakest first)", got, tt.weakest)
			}
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestBar(t *testing.T) {
	tests := []struct {
		score float64
		want  string
	}{
		{0, "░░░░░░░░░░"},
		{0.04, "░░░░░░░░░░"},
		{0.05, "▇░░░░░░░░░"}, // 5% rounds up to one block
		{0.144, "▇░░░░░░░░░"},
		{0.149, "▇▇░░░░░░░░"}, // shown as 15%, so drawn like 15%
		{0.15, "▇▇░░░░░░░░"},
		{0.5, "▇▇▇▇▇░░░░░"},
		{0.62, "▇▇▇▇▇▇░░░░"},
		{0.64, "▇▇▇▇▇▇░░░░"},
		{0.65, "▇▇▇▇▇▇▇░░░"},
		{0.94, "▇▇▇▇▇▇▇▇▇░"},
		{0.95, "▇▇▇▇▇▇▇▇▇▇"},
		{1, "▇▇▇▇▇▇▇▇▇▇"},
	}
	for _, tt := range tests {
		if got := digest.Bar(tt.score); got != tt.want {
			t.Errorf("Bar(%v) = %s, want %s", tt.score, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for x, want := range map[float64]string{0: "0%", 0.004: "0%", 0.125: "13%", 0.62: "62%", 0.625: "63%", 2.0 / 3: "67%", 1: "100%"} {
		if got := digest.Percent(x); got != want {
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
		if got := digest.AgreementText(tt.st); got != tt.want {
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
		s    string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello world", 5, "hell…"},
		{"héllo wörld", 8, "héllo w…"}, // runes, not bytes
		{"日本語のテキスト", 3, "日本…"},
		{"日本語", 3, "日本語"},
		{"", 3, ""},
	}
	for _, tt := range tests {
		got := digest.Truncate(tt.s, tt.n)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
		if n := len([]rune(got)); n > tt.n {
			t.Errorf("Truncate(%q, %d) has %d runes", tt.s, tt.n, n)
		}
	}
	q := scoring.QuestionResult{Text: "Do we review every renewal ninety days ahead?"}
	if got := digest.QuestionText(q, 13); got != "Do we review…" {
		t.Errorf("QuestionText = %q", got)
	}
}

func TestResponseLine(t *testing.T) {
	d := digest.Digest{Result: scoring.Result{Respondents: 7, Submitted: 6}, Meta: digest.Meta{Invited: 9}}
	if got, want := d.ResponseLine(), "7 of 9 responded (78%), 6 submitted"; got != want {
		t.Errorf("ResponseLine = %q, want %q", got, want)
	}
	d.Invited = 0 // a spreadsheet: nobody knows who was asked
	if got, want := d.ResponseLine(), "7 respondents"; got != want {
		t.Errorf("ResponseLine = %q, want %q", got, want)
	}
}

func TestBandLine(t *testing.T) {
	banded := &assessment.Framework{Bands: []assessment.Band{{Min: 0, Label: "Starting"}, {Min: 1.5, Label: "Growing"}, {Min: 2.5, Label: "Leading"}}}
	band := &scoring.BandResult{Label: "Growing", MeanPoints: 1.5, MaxPoints: 3, Counts: []scoring.BandCount{
		{Label: "Starting", Min: 0, Count: 1}, {Label: "Growing", Min: 1.5, Count: 2}, {Label: "Leading", Min: 2.5, Count: 1}}}
	tests := []struct {
		name string
		f    *assessment.Framework
		r    scoring.Result
		want string
	}{
		{"band", banded, scoring.Result{Respondents: 5, Threshold: 3, Band: band},
			"Team band: Growing (mean 1.5 of 3 points). Respondents by band: Starting 1 · Growing 2 · Leading 1"},
		{"withheld", banded, scoring.Result{Threshold: 5},
			"Band withheld: fewer than 5 respondents."},
		{"counts withheld", banded, scoring.Result{Threshold: 3, Detail: 5, Band: &scoring.BandResult{Label: "Growing", MeanPoints: 1.5, MaxPoints: 3}},
			"Team band: Growing (mean 1.5 of 3 points). How many fall in each band is shown from 5 respondents."},
		{"no bands", &assessment.Framework{}, scoring.Result{Threshold: 3}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := digest.Build(tt.f, tt.r, digest.Meta{}).BandLine(); got != tt.want {
				t.Errorf("BandLine = %q, want %q", got, tt.want)
			}
		})
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
			"▇▇▇▇▇▇░░░░  62%  Delivery  (agreement 0.41, mixed)"},
		{"full and split", sec("Renewals", 1, ptr(0.05), scoring.Split),
			"▇▇▇▇▇▇▇▇▇▇ 100%  Renewals  (agreement 0.05, split)"},
		{"band only", sec("Metrics", 0, nil, scoring.Aligned),
			"░░░░░░░░░░   0%  Metrics  (aligned)"},
		{"mean only", sec("Tools", 0.5, nil, ""),
			"▇▇▇▇▇░░░░░  50%  Tools"},
		{"withheld", scoring.SectionResult{Title: "People", Stats: scoring.Stats{Withheld: true}},
			"░░░░░░░░░░   –   People  (withheld)"},
		{"no answers", scoring.SectionResult{Title: "Tools"},
			"░░░░░░░░░░   –   Tools  (no answers)"},
	}
	for _, tt := range tests {
		if got := digest.SectionLine(tt.s, digest.Plain); got != tt.want {
			t.Errorf("%s: SectionLine =\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}

func csExcellence(t *testing.T) *assessment.Framework {
	t.Helper()
	cat, err := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := cat.Get("cs-excellence")
	if !ok {
		t.Fatal("no framework cs-excellence")
	}
	return f
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
// cs-excellence framework. Run go test ./internal/digest -update to
// rewrite the golden files after an intended change, and review the diff.
func TestTextGolden(t *testing.T) {
	f := csExcellence(t)
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
			golden(t, tt.name, digest.Text(digest.Build(f, shown, tt.meta)))
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/digest -update to create it)", err)
	}
	if !bytes.Equal([]byte(got), want) {
		t.Errorf("digest differs from %s; run go test ./internal/digest -update and review the diff\ngot:\n%s", path, got)
	}
}
