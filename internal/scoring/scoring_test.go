package scoring_test

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/scoring"
)

// smallYAML is the framework most cases use: yes/no questions, a 3-level
// scale scoring low 0, mid 0.5, high 1, a text question and bands on the
// points total (at most 5: a1 + a2 + a3 + b1 + c1).
const smallYAML = `
id: small
title: Small
scales:
  three:
    not_sure: true
    options:
      - {id: low, label: Low}
      - {id: mid, label: Mid}
      - {id: high, label: High}
sections:
  - id: a
    title: A
    questions:
      - {id: a1, text: "A1?", scale: yesno}
      - {id: a2, text: "A2?", scale: yesno}
      - {id: a3, text: "A3?", scale: three}
  - id: b
    title: B
    questions:
      - {id: b1, text: "B1?", scale: yesno}
      - {id: b2, text: "B2, in your words", scale: text}
  - id: c
    title: C
    questions:
      - {id: c1, text: "C1?", scale: yesno}
bands:
  - {min: 0, label: Low}
  - {min: 2, label: Mid}
  - {min: 3.5, label: High}
`

func parse(tb testing.TB, data string) *assessment.Framework {
	tb.Helper()
	f, err := framework.Parse("test.yaml", []byte(data))
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func small(tb testing.TB) *assessment.Framework { return parse(tb, smallYAML) }

// resp builds a response: "q=option" picks an option (NotSure included),
// "q:words" writes an open answer.
func resp(who string, answers ...string) assessment.Response {
	r := assessment.Response{Respondent: who, Answers: map[string]assessment.Answer{}}
	for _, a := range answers {
		i := strings.IndexAny(a, "=:")
		if a[i] == '=' {
			r.Answers[a[:i]] = assessment.Answer{Option: a[i+1:]}
		} else {
			r.Answers[a[:i]] = assessment.Answer{Text: a[i+1:]}
		}
	}
	return r
}

// same gives n respondents the same answers.
func same(n int, answers ...string) []assessment.Response {
	var out []assessment.Response
	for i := range n {
		out = append(out, resp("U"+string(rune('A'+i)), answers...))
	}
	return out
}

func ptr(x float64) *float64 { return &x }

const eps = 1e-9

func checkFloat(t *testing.T, what string, got, want *float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", what, show(got), show(want))
	case math.Abs(*got-*want) > eps:
		t.Errorf("%s = %.12g, want %.12g", what, *got, *want)
	}
}

func show(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func checkStats(t *testing.T, got, want scoring.Stats) {
	t.Helper()
	checkFloat(t, "Score", got.Score, want.Score)
	checkFloat(t, "Median", got.Median, want.Median)
	checkFloat(t, "Min", got.Min, want.Min)
	checkFloat(t, "Max", got.Max, want.Max)
	checkFloat(t, "Divergence", got.Divergence, want.Divergence)
	checkFloat(t, "Agreement", got.Agreement, want.Agreement)
	if got.AgreementBand != want.AgreementBand {
		t.Errorf("AgreementBand = %q, want %q", got.AgreementBand, want.AgreementBand)
	}
	if got.Split != want.Split || got.Answered != want.Answered || got.NotSure != want.NotSure || got.Withheld != want.Withheld {
		t.Errorf("Split, Answered, NotSure, Withheld = %v, %d, %d, %v; want %v, %d, %d, %v",
			got.Split, got.Answered, got.NotSure, got.Withheld, want.Split, want.Answered, want.NotSure, want.Withheld)
	}
}

func question(t *testing.T, r scoring.Result, id string) scoring.QuestionResult {
	t.Helper()
	for _, q := range r.Questions {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("no question %s in result", id)
	return scoring.QuestionResult{}
}

func section(t *testing.T, r scoring.Result, id string) scoring.SectionResult {
	t.Helper()
	for _, s := range r.Sections {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no section %s in result", id)
	return scoring.SectionResult{}
}

func TestQuestionStats(t *testing.T) {
	tests := []struct {
		name       string
		threshold  int
		responses  []assessment.Response
		question   string
		want       scoring.Stats
		options    map[string]int
		unanswered int
	}{
		{
			// Scores 1,1,1,1: mean 1, every deviation 0, so divergence 0;
			// agreement (2·1 − 1)² = 1, aligned.
			name:      "all agree",
			responses: same(4, "a1=yes"),
			question:  "a1",
			want:      scoring.Stats{Score: ptr(1), Median: ptr(1), Min: ptr(1), Max: ptr(1), Divergence: ptr(0), Agreement: ptr(1), AgreementBand: scoring.Aligned, Answered: 4},
			options:   map[string]int{"yes": 4},
		},
		{
			// Scores 1,1,0,0: mean 0.5; variance (4 × 0.25)/4 = 0.25, sd 0.5,
			// divergence 0.5/0.5 = 1 exactly; median (0+1)/2 = 0.5;
			// agreement 1 − 0.25/0.25 = 0: split.
			name:      "even split",
			responses: []assessment.Response{resp("U1", "a1=yes"), resp("U2", "a1=yes"), resp("U3", "a1=no"), resp("U4", "a1=no")},
			question:  "a1",
			want:      scoring.Stats{Score: ptr(0.5), Median: ptr(0.5), Min: ptr(0), Max: ptr(1), Divergence: ptr(1), Agreement: ptr(0), AgreementBand: scoring.Split, Split: true, Answered: 4},
			options:   map[string]int{"yes": 2, "no": 2},
		},
		{
			// p = 1/4: mean 0.25; variance p(1-p) = 0.1875; divergence
			// 2·√0.1875 = 0.8660254; sorted 0,0,0,1: median 0; agreement
			// 1 − 0.1875/0.25 = 0.25 = (2·0.25 − 1)²: mixed.
			name:      "one yes in four",
			responses: []assessment.Response{resp("U1", "a1=yes"), resp("U2", "a1=no"), resp("U3", "a1=no"), resp("U4", "a1=no")},
			question:  "a1",
			want:      scoring.Stats{Score: ptr(0.25), Median: ptr(0), Min: ptr(0), Max: ptr(1), Divergence: ptr(2 * math.Sqrt(0.25*0.75)), Agreement: ptr(0.25), AgreementBand: scoring.Mixed, Answered: 4},
			options:   map[string]int{"yes": 1, "no": 3},
		},
		{
			// Scores 0, 0.5, 1, 1: mean 2.5/4 = 0.625; median (0.5+1)/2 = 0.75;
			// deviations -0.625, -0.125, 0.375, 0.375, squares sum 0.6875,
			// variance 0.171875, divergence √0.171875/0.5 = 0.8291562.
			// Levels 0,1,2,2: mean 1.25, squares 1.5625 + 0.0625 + 2·0.5625
			// = 2.75, s² = 0.6875; σ²_EU = (9−1)/12 = 2/3; agreement
			// 1 − 1.03125 < 0, truncated to 0: split.
			name:      "three levels, split",
			responses: []assessment.Response{resp("U1", "a3=low"), resp("U2", "a3=mid"), resp("U3", "a3=high"), resp("U4", "a3=high")},
			question:  "a3",
			want:      scoring.Stats{Score: ptr(0.625), Median: ptr(0.75), Min: ptr(0), Max: ptr(1), Divergence: ptr(math.Sqrt(0.171875) / 0.5), Agreement: ptr(0), AgreementBand: scoring.Split, Split: true, Answered: 4},
			options:   map[string]int{"low": 1, "mid": 1, "high": 2},
		},
		{
			// Scores 0, 0.5, 0.5: mean 1/3; median 0.5; deviations -1/3, 1/6,
			// 1/6, variance (1/9 + 2/36)/3 = 1/18; divergence 2·√(1/18) =
			// 0.4714045. Levels 0,1,1: s² = 2/9; agreement 1 − (2/9)/(2/3)
			// = 2/3: aligned.
			name:      "three levels, agreement",
			responses: []assessment.Response{resp("U1", "a3=low"), resp("U2", "a3=mid"), resp("U3", "a3=mid")},
			question:  "a3",
			want:      scoring.Stats{Score: ptr(1.0 / 3), Median: ptr(0.5), Min: ptr(0), Max: ptr(0.5), Divergence: ptr(2 * math.Sqrt(1.0/18)), Agreement: ptr(2.0 / 3), AgreementBand: scoring.Aligned, Answered: 3},
			options:   map[string]int{"low": 1, "mid": 2},
		},
		{
			name:      "not sure only",
			responses: same(3, "a1="+assessment.NotSure),
			question:  "a1",
			want:      scoring.Stats{NotSure: 3},
			options:   map[string]int{assessment.NotSure: 3},
		},
		{
			name:      "single respondent, threshold 1",
			threshold: 1,
			responses: same(1, "a1=yes"),
			question:  "a1",
			want:      scoring.Stats{Score: ptr(1), Median: ptr(1), Min: ptr(1), Max: ptr(1), Divergence: ptr(0), Answered: 1},
			options:   map[string]int{"yes": 1},
		},
		{
			// Threshold 0 means assessment.DefaultThreshold (3).
			name:      "single respondent, default threshold",
			responses: same(1, "a1=yes"),
			question:  "a1",
			want:      scoring.Stats{Answered: 1, Withheld: true},
		},
		{
			// Only U1 and U2 carry a score (1 and 0): mean 0.5, divergence 1.
			// U3's option no longer exists, U4 skipped a1, U5 cleared it:
			// unanswered. U6 is not sure. Agreement (2·0.5 − 1)² = 0.
			name:      "skipped, cleared, stale and not sure",
			threshold: 2,
			responses: []assessment.Response{
				resp("U1", "a1=yes"), resp("U2", "a1=no"), resp("U3", "a1=maybe"),
				resp("U4", "a2=yes"), resp("U5", "a1=", "a2=no"), resp("U6", "a1="+assessment.NotSure),
			},
			question:   "a1",
			want:       scoring.Stats{Score: ptr(0.5), Median: ptr(0.5), Min: ptr(0), Max: ptr(1), Divergence: ptr(1), Agreement: ptr(0), AgreementBand: scoring.Split, Split: true, Answered: 2, NotSure: 1},
			options:    map[string]int{"yes": 1, "no": 1, assessment.NotSure: 1},
			unanswered: 3,
		},
		{
			// Two scores under the default threshold of 3: withheld, option
			// counts too; the "not sure" count stays.
			name:       "two of three scored, default threshold",
			responses:  []assessment.Response{resp("U1", "a1=yes"), resp("U2", "a1=no"), resp("U3", "a1="+assessment.NotSure)},
			question:   "a1",
			want:       scoring.Stats{Answered: 2, NotSure: 1, Withheld: true},
			unanswered: 0,
		},
	}
	f := small(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scoring.Aggregate(f, tt.responses, scoring.Options{Threshold: tt.threshold})
			q := question(t, res, tt.question)
			checkStats(t, q.Stats, tt.want)
			if !reflect.DeepEqual(q.Options, tt.options) {
				t.Errorf("Options = %v, want %v", q.Options, tt.options)
			}
			if q.Unanswered != tt.unanswered {
				t.Errorf("Unanswered = %d, want %d", q.Unanswered, tt.unanswered)
			}
			if q.IsText || q.Texts != nil {
				t.Errorf("IsText, Texts = %v, %v", q.IsText, q.Texts)
			}
		})
	}
}

func TestSectionStats(t *testing.T) {
	// U1: a1 yes, rest not sure: section A = 1/1 = 1.
	// U2: a1 no, a2 no, a3 high: (0+0+1)/3 = 1/3.
	// U3: a1 no, a2 not sure, a3 mid: (0+0.5)/2 = 1/4.
	// Team: (1 + 1/3 + 1/4)/3 = 19/36 = 0.52778 (the mean of all six
	// scored answers, 2.5/6 = 0.41667, would weigh U2 three times as much
	// as U1). Sorted 1/4, 1/3, 1: median 1/3.
	// Divergence: deviations 17/36, -7/36, -10/36; squares sum 438/1296;
	// variance 146/1296; divergence √(146/1296)/0.5 = √146/18 = 0.67128.
	// Agreement r*wg(J): a1 (yes, no, no) s² = 2/9 over σ²_EU 1/4 = 8/9;
	// a2 has one answer, left out; a3 (high, mid: levels 2, 1) s² = 1/4
	// over 2/3 = 3/8. 1 − (8/9 + 3/8)/2 = 1 − 91/144 = 53/144: mixed.
	threeUnequal := []assessment.Response{
		resp("U1", "a1=yes", "a2=not_sure", "a3=not_sure"),
		resp("U2", "a1=no", "a2=no", "a3=high"),
		resp("U3", "a1=no", "a2=not_sure", "a3=mid"),
	}
	tests := []struct {
		name      string
		threshold int
		responses []assessment.Response
		want      map[string]scoring.Stats
	}{
		{
			name:      "mean of respondents' section scores",
			responses: threeUnequal,
			want: map[string]scoring.Stats{
				"a": {Score: ptr(19.0 / 36), Median: ptr(1.0 / 3), Min: ptr(0.25), Max: ptr(1), Divergence: ptr(math.Sqrt(146) / 18), Agreement: ptr(53.0 / 144), AgreementBand: scoring.Mixed, Answered: 3, NotSure: 3},
				"b": {},
				"c": {},
			},
		},
		{
			// Two respondents at 1 (all yes), two at 0 (all no): divergence 1.
			// Section B: only b1 scores; U1 and U3 skipped it.
			// Agreement of A: a1 and a2 2–2 give s²/σ²_EU = 1 each, a3
			// (levels 2,2,0,0) s² = 1 over 2/3 = 1.5: 1 − 3.5/3 < 0, so 0.
			// B: b1 yes, yes: 1.
			name:      "split section",
			threshold: 2,
			responses: []assessment.Response{
				resp("U1", "a1=yes", "a2=yes", "a3=high"),
				resp("U2", "a1=yes", "a2=yes", "a3=high", "b1=yes"),
				resp("U3", "a1=no", "a2=no", "a3=low"),
				resp("U4", "a1=no", "a2=no", "a3=low", "b1=yes"),
			},
			want: map[string]scoring.Stats{
				"a": {Score: ptr(0.5), Median: ptr(0.5), Min: ptr(0), Max: ptr(1), Divergence: ptr(1), Agreement: ptr(0), AgreementBand: scoring.Split, Split: true, Answered: 4},
				"b": {Score: ptr(1), Median: ptr(1), Min: ptr(1), Max: ptr(1), Divergence: ptr(0), Agreement: ptr(1), AgreementBand: scoring.Aligned, Answered: 2},
				"c": {},
			},
		},
		{
			name:      "withheld below the threshold",
			responses: threeUnequal[:2],
			want: map[string]scoring.Stats{
				"a": {Answered: 2, NotSure: 2, Withheld: true},
				"b": {},
				"c": {},
			},
		},
	}
	f := small(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scoring.Aggregate(f, tt.responses, scoring.Options{Threshold: tt.threshold})
			if len(res.Sections) != len(tt.want) {
				t.Fatalf("%d sections, want %d", len(res.Sections), len(tt.want))
			}
			for id, want := range tt.want {
				s := section(t, res, id)
				t.Run(id, func(t *testing.T) { checkStats(t, s.Stats, want) })
			}
		})
	}
}

func TestBands(t *testing.T) {
	f := small(t)
	t.Run("team band and spread", func(t *testing.T) {
		// Totals: U1 0 (a1 no), U2 2 (a1, a2 yes), U3 3.5 (a1, a2, b1 yes,
		// a3 mid), U4 5 (everything at its best; b2 text adds nothing).
		// Bands Low 0, Mid 2, High 3.5: counts Low 1, Mid 1, High 2.
		// Mean (0 + 2 + 3.5 + 5)/4 = 2.625: Mid.
		res := scoring.Aggregate(f, []assessment.Response{
			resp("U1", "a1=no"),
			resp("U2", "a1=yes", "a2=yes"),
			resp("U3", "a1=yes", "a2=yes", "a3=mid", "b1=yes"),
			resp("U4", "a1=yes", "a2=yes", "a3=high", "b1=yes", "b2:all good", "c1=yes"),
		}, scoring.Options{})
		want := &scoring.BandResult{Label: "Mid", MeanPoints: 2.625, MaxPoints: 5, Counts: []scoring.BandCount{
			{Label: "Low", Min: 0, Count: 1}, {Label: "Mid", Min: 2, Count: 1}, {Label: "High", Min: 3.5, Count: 2},
		}}
		if !reflect.DeepEqual(res.Band, want) {
			t.Errorf("Band = %+v, want %+v", res.Band, want)
		}
	})
	t.Run("not sure scores no points", func(t *testing.T) {
		// Each: a1 yes (1) + a2 not sure (0) + a3 high (1) = 2: Mid.
		res := scoring.Aggregate(f, same(3, "a1=yes", "a2=not_sure", "a3=high"), scoring.Options{})
		if res.Band == nil || res.Band.MeanPoints != 2 || res.Band.Label != "Mid" || res.Band.Counts[1].Count != 3 {
			t.Errorf("Band = %+v", res.Band)
		}
	})
	t.Run("withheld below the threshold", func(t *testing.T) {
		res := scoring.Aggregate(f, same(2, "a1=yes"), scoring.Options{})
		if res.Band != nil {
			t.Errorf("Band = %+v, want nil for 2 respondents under threshold 3", res.Band)
		}
	})
	t.Run("no bands", func(t *testing.T) {
		nb := parse(t, smallYAML[:strings.Index(smallYAML, "bands:")])
		res := scoring.Aggregate(nb, same(5, "a1=yes"), scoring.Options{})
		if res.Band != nil {
			t.Errorf("Band = %+v, want nil for a framework without bands", res.Band)
		}
	})
}

// TestExcellenceBands scores the shipped Excellence checklist: the total is
// the number of "yes" answers out of 55.
func TestExcellenceBands(t *testing.T) {
	cat, err := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := cat.Get("cs-excellence")
	if !ok {
		t.Fatal("no cs-excellence")
	}
	refs := f.Questions()
	// yeses answers the first n questions yes, the others no.
	yeses := func(who string, n int) assessment.Response {
		r := assessment.Response{Respondent: who, Answers: map[string]assessment.Answer{}}
		for i, ref := range refs {
			o := "no"
			if i < n {
				o = "yes"
			}
			r.Answers[ref.Question.ID] = assessment.Answer{Option: o}
		}
		return r
	}
	labels := []string{"There's work to be done!", "Making progress", "High performance", "World Class!"}
	tests := []struct {
		total int
		band  int
	}{{0, 0}, {14, 0}, {15, 1}, {29, 1}, {30, 2}, {44, 2}, {45, 3}, {55, 3}}
	for _, tt := range tests {
		res := scoring.Aggregate(f, []assessment.Response{yeses("U1", tt.total)}, scoring.Options{Threshold: 1})
		b := res.Band
		if b == nil {
			t.Fatalf("total %d: no band", tt.total)
		}
		if b.Label != labels[tt.band] || b.MeanPoints != float64(tt.total) || b.MaxPoints != 55 || b.Counts[tt.band].Count != 1 {
			t.Errorf("total %d: band %q, mean %g, max %g, counts %+v; want %q", tt.total, b.Label, b.MeanPoints, b.MaxPoints, b.Counts, labels[tt.band])
		}
	}
	// A team at 14, 15 and 45: mean 74/3 = 24.67, "Making progress"; one
	// respondent in each of bands 0, 1 and 3.
	res := scoring.Aggregate(f, []assessment.Response{yeses("U1", 14), yeses("U2", 15), yeses("U3", 45)}, scoring.Options{})
	var counts []int
	for _, c := range res.Band.Counts {
		counts = append(counts, c.Count)
	}
	if res.Band.Label != "Making progress" || math.Abs(res.Band.MeanPoints-74.0/3) > eps || !slices.Equal(counts, []int{1, 1, 0, 1}) {
		t.Errorf("team band = %+v", res.Band)
	}
}

func TestRespondents(t *testing.T) {
	f := small(t)
	responses := []assessment.Response{
		{Respondent: "UEMPTY", Submitted: true},
		{Respondent: "UCOMMENT", Answers: map[string]assessment.Answer{"a1": {Comment: "later"}}},
		resp("UCLEARED", "a1="),
		func() assessment.Response { r := resp("UDONE", "a1=yes"); r.Submitted = true; return r }(),
		resp("UPARTIAL", "a1=no"),
		resp("UWORDS", "b2:only words"),
	}
	res := scoring.Aggregate(f, responses, scoring.Options{Threshold: 1})
	if res.Respondents != 3 || res.Submitted != 1 {
		t.Errorf("Respondents, Submitted = %d, %d; want 3, 1", res.Respondents, res.Submitted)
	}
	if res.Framework != "small" || res.Title != "Small" || res.Threshold != 1 {
		t.Errorf("Framework, Title, Threshold = %q, %q, %d", res.Framework, res.Title, res.Threshold)
	}
	// The text-only respondent skipped a1; the others are not respondents.
	if q := question(t, res, "a1"); q.Answered != 2 || q.Unanswered != 1 {
		t.Errorf("a1 Answered, Unanswered = %d, %d; want 2, 1", q.Answered, q.Unanswered)
	}
	if got := scoring.Aggregate(f, nil, scoring.Options{}); got.Respondents != 0 || got.Threshold != assessment.DefaultThreshold || len(got.Questions) != 6 || len(got.Sections) != 3 {
		t.Errorf("no responses: %+v", got)
	}
}

func TestTexts(t *testing.T) {
	f := small(t)
	responses := []assessment.Response{
		resp("U0SECRET1", "b2:alpha"),
		resp("U0SECRET2", "b2:beta", "a1=yes"),
		resp("U0SECRET3", "b2:gamma"),
		resp("U0SECRET4", "a1=no"),
		resp("U0SECRET5", "b2:delta"),
	}
	opt := scoring.Options{Seed: "R123"}
	base := scoring.Aggregate(f, responses, opt)
	q := question(t, base, "b2")
	if !q.IsText || q.Answered != 4 || q.Unanswered != 1 || q.Withheld || q.Score != nil || q.Options != nil {
		t.Errorf("b2 = %+v", q)
	}
	if got := slices.Sorted(slices.Values(q.Texts)); !slices.Equal(got, []string{"alpha", "beta", "delta", "gamma"}) {
		t.Errorf("Texts = %v", q.Texts)
	}
	// No name anywhere in the digest.
	data, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "U0SECRET") {
		t.Errorf("a respondent id leaks into the result: %s", data)
	}

	t.Run("order does not depend on the order of responses", func(t *testing.T) {
		// Every permutation gives the same result, texts included. (The
		// scores here are 0 and 1, so no float sum depends on order.)
		for _, p := range permutations(len(responses)) {
			perm := make([]assessment.Response, len(p))
			for i, j := range p {
				perm[i] = responses[j]
			}
			if got := scoring.Aggregate(f, perm, opt); !reflect.DeepEqual(got, base) {
				t.Fatalf("order %v: Texts %v, want %v", p, question(t, got, "b2").Texts, q.Texts)
			}
		}
	})
	t.Run("the seed may reorder, never change the answers", func(t *testing.T) {
		orders := map[string]bool{}
		for _, seed := range []string{"", "a", "b", "c", "d", "e", "f", "g", "h", "i"} {
			texts := question(t, scoring.Aggregate(f, responses, scoring.Options{Seed: seed}), "b2").Texts
			if got := slices.Sorted(slices.Values(texts)); !slices.Equal(got, []string{"alpha", "beta", "delta", "gamma"}) {
				t.Errorf("seed %q: Texts %v", seed, texts)
			}
			orders[strings.Join(texts, ",")] = true
		}
		if len(orders) < 2 {
			t.Errorf("ten seeds, one order %v: the texts are not shuffled", orders)
		}
	})
	t.Run("withheld below the threshold", func(t *testing.T) {
		got := question(t, scoring.Aggregate(f, responses[:2], opt), "b2")
		if got.Texts != nil || !got.Withheld || got.Answered != 2 {
			t.Errorf("2 texts under threshold 3: %+v", got)
		}
		got = question(t, scoring.Aggregate(f, responses[3:4], scoring.Options{Threshold: 1}), "b2")
		if got.Texts != nil || got.Withheld || got.Answered != 0 || got.Unanswered != 1 {
			t.Errorf("no texts: %+v", got)
		}
		got = question(t, scoring.Aggregate(f, responses[:1], scoring.Options{Threshold: 1}), "b2")
		if !slices.Equal(got.Texts, []string{"alpha"}) {
			t.Errorf("threshold 1: %+v", got)
		}
	})
}

// permutations lists every order of 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

func ids[T any](xs []T, id func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func qid(q scoring.QuestionResult) string { return q.ID }
func sid(s scoring.SectionResult) string  { return s.ID }

func TestDiverging(t *testing.T) {
	// a1: yes yes no no → agreement 0, split. b1: yes no yes no → 0 (tie:
	// framework order). a2: yes no no no → (2·¼ − 1)² = 0.25, mixed.
	// a3: high high high (+ not sure) → 1, aligned: left out. c1: one
	// answer, no agreement: left out. b2: text, left out.
	res := scoring.Aggregate(small(t), []assessment.Response{
		resp("U1", "a1=yes", "a2=yes", "a3=high", "b1=yes", "c1=yes", "b2:x"),
		resp("U2", "a1=yes", "a2=no", "a3=high", "b1=no"),
		resp("U3", "a1=no", "a2=no", "a3=high", "b1=yes"),
		resp("U4", "a1=no", "a2=no", "a3=not_sure", "b1=no"),
	}, scoring.Options{Threshold: 1})
	if got, want := ids(res.Diverging(), qid), []string{"a1", "b1", "a2"}; !slices.Equal(got, want) {
		t.Errorf("Diverging() = %v, want %v", got, want)
	}
	// Under threshold 3 c1 (1 answer) is withheld; a1 (yes, no, no) has
	// agreement (2·⅓ − 1)² = 1/9, mixed.
	res3 := scoring.Aggregate(small(t), []assessment.Response{resp("U1", "a1=yes", "c1=no"), resp("U2", "a1=no"), resp("U3", "a1=no")}, scoring.Options{})
	if got, want := ids(res3.Diverging(), qid), []string{"a1"}; !slices.Equal(got, want) {
		t.Errorf("Diverging() = %v, want %v", got, want)
	}
}

// TestUnanimousAgreesExactly: a question everyone answers alike has a
// divergence of exactly 0 and an agreement of exactly 1, whatever the
// level's score, and is not among the diverging.
func TestUnanimousAgreesExactly(t *testing.T) {
	f := parse(t, `
id: four
title: Four levels
scales:
  knowledge:
    options: [{id: unknown, label: U}, {id: rough, label: R}, {id: known, label: K}, {id: documented, label: D}]
sections:
  - id: s
    title: S
    questions:
      - {id: x1, text: "X1?", scale: yesno}
      - {id: x2, text: "X2?", scale: knowledge}
      - {id: x3, text: "X3?", scale: knowledge}
`)
	res := scoring.Aggregate(f, same(10, "x1=no", "x2=rough", "x3=known"), scoring.Options{})
	for _, q := range res.Questions {
		if *q.Divergence != 0 || *q.Agreement != 1 {
			t.Errorf("%s: divergence %g, agreement %g; want exactly 0 and 1", q.ID, *q.Divergence, *q.Agreement)
		}
	}
	if got := res.Diverging(); len(got) != 0 {
		t.Errorf("Diverging() = %v, want none", ids(got, qid))
	}
	if a := res.Alignment; a == nil || *a != 1 {
		t.Errorf("Alignment = %v, want 1", show(a))
	}
}

func TestMostNotSure(t *testing.T) {
	// Not sure: a2 2, b1 2 (tie: framework order), a3 1, a1 0. The text
	// question never counts.
	res := scoring.Aggregate(small(t), []assessment.Response{
		resp("U1", "a1=yes", "a2=not_sure", "a3=not_sure", "b1=not_sure"),
		resp("U2", "a1=yes", "a2=not_sure", "a3=low", "b1=not_sure", "b2:no idea"),
		resp("U3", "a1=no", "a2=yes", "a3=low", "b1=yes"),
	}, scoring.Options{})
	if got, want := ids(res.MostNotSure(), qid), []string{"a2", "b1", "a3"}; !slices.Equal(got, want) {
		t.Errorf("MostNotSure() = %v, want %v", got, want)
	}
	if s := section(t, res, "a"); s.NotSure != 3 {
		t.Errorf("section a NotSure = %d, want 3", s.NotSure)
	}
}

func TestSectionsByScore(t *testing.T) {
	// Each respondent: A (1 + 0 + 0.5)/3 = 0.5, B 1, C 1 (tie with B:
	// framework order).
	res := scoring.Aggregate(small(t), same(3, "a1=yes", "a2=no", "a3=mid", "b1=yes", "c1=yes"), scoring.Options{})
	if got, want := ids(res.SectionsByScore(), sid), []string{"b", "c", "a"}; !slices.Equal(got, want) {
		t.Errorf("SectionsByScore() = %v, want %v", got, want)
	}
	// C unanswered: no score, left out.
	res = scoring.Aggregate(small(t), same(3, "a1=yes", "a2=no", "a3=mid", "b1=no"), scoring.Options{})
	if got, want := ids(res.SectionsByScore(), sid), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("SectionsByScore() = %v, want %v", got, want)
	}
}

func TestMeanMedianDivergence(t *testing.T) {
	tests := []struct {
		scores                   []float64
		mean, median, divergence float64
	}{
		{nil, 0, 0, 0},
		{[]float64{0.7}, 0.7, 0.7, 0},
		{[]float64{0, 1}, 0.5, 0.5, 1},                               // sd 0.5
		{[]float64{0, 0, 1}, 1.0 / 3, 0, 2 * math.Sqrt(2.0/9)},       // p = 1/3: 2·√(p(1−p))
		{[]float64{0.25, 0.25, 0.75, 0.75}, 0.5, 0.5, 0.5},           // sd 0.25
		{[]float64{0, 0.25, 0.5, 0.75, 1}, 0.5, 0.5, math.Sqrt(0.5)}, // variance 0.125, sd/0.5 = √0.5
		// Ten equal scores that are not exact in binary still agree fully:
		// the sum of ten 1/3 rounds, and a naive mean is off by one ulp.
		{slices.Repeat([]float64{1.0 / 3}, 10), 1.0 / 3, 1.0 / 3, 0},
		{slices.Repeat([]float64{2.0 / 3}, 17), 2.0 / 3, 2.0 / 3, 0},
		{slices.Repeat([]float64{0.7}, 7), 0.7, 0.7, 0},
	}
	// An even yes/no split is exactly 1.
	if got := scoring.Divergence([]float64{1, 1, 0, 0}); got != 1 {
		t.Errorf("Divergence(1, 1, 0, 0) = %.17g, want exactly 1", got)
	}
	for _, tt := range tests {
		if tt.divergence == 0 && len(tt.scores) > 0 {
			// Full agreement is exactly 0, so that ties rank in framework order.
			if got := scoring.Divergence(tt.scores); got != 0 {
				t.Errorf("Divergence(%v) = %g, want exactly 0", tt.scores, got)
			}
		}
		sorted := slices.Sorted(slices.Values(tt.scores))
		if got := scoring.Mean(tt.scores); math.Abs(got-tt.mean) > eps {
			t.Errorf("Mean(%v) = %g, want %g", tt.scores, got, tt.mean)
		}
		if got := scoring.Median(sorted); math.Abs(got-tt.median) > eps {
			t.Errorf("Median(%v) = %g, want %g", sorted, got, tt.median)
		}
		if got := scoring.Divergence(tt.scores); math.Abs(got-tt.divergence) > eps {
			t.Errorf("Divergence(%v) = %g, want %g", tt.scores, got, tt.divergence)
		}
	}
}
