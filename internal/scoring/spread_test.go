package scoring_test

import (
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/scoring"
)

// spreadYAML: section a has two yes/no questions and a three-level scale
// (low 0, mid 0.5, high 1); b a yes/no and a text question; c one yes/no.
const spreadYAML = `
id: spread
title: Spread
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
`

func spreadResp(who string, options map[string]string) assessment.Response {
	r := assessment.Response{Respondent: who, Answers: map[string]assessment.Answer{}}
	for q, o := range options {
		if q == "b2" {
			r.Answers[q] = assessment.Answer{Text: o}
		} else {
			r.Answers[q] = assessment.Answer{Option: o}
		}
	}
	return r
}

// spreadResponses and, by hand, each respondent's section scores:
//
//	    a                          b              c
//	U1  yes yes high   → 1         yes  → 1       yes → 1
//	U2  yes no  mid    → 1/2       no   → 0       no  → 0
//	U3  no  no  unsure → 0         yes  → 1       maybe (not an option) → –
//	U4  yes –   low    → 1/2       text only → –
//	U5  –   yes –      → 1         unsure → –
//	U6  yes yes low    → 2/3       yes  → 1
//	U7  nothing at all
//
// a sorted: 0, 1/2, 1/2, 2/3, 1, 1 (n = 6)
//
//	Q1:     h = 5·0.25 = 1.25 → 1/2 + 0.25·(1/2 − 1/2)   = 1/2
//	median: h = 2.5           → 1/2 + 0.5·(2/3 − 1/2)    = 7/12
//	Q3:     h = 3.75          → 2/3 + 0.75·(1 − 2/3)     = 11/12
//
// b sorted: 0, 1, 1, 1 (n = 4)
//
//	Q1: h = 0.75 → 0 + 0.75·1 = 0.75; median: h = 1.5 → 1; Q3: h = 2.25 → 1
//
// c sorted: 0, 1 (n = 2)
//
//	Q1: h = 0.25 → 0.25; median 0.5; Q3: h = 0.75 → 0.75
func spreadResponses() []assessment.Response {
	return []assessment.Response{
		spreadResp("U1", map[string]string{"a1": "yes", "a2": "yes", "a3": "high", "b1": "yes", "c1": "yes"}),
		spreadResp("U2", map[string]string{"a1": "yes", "a2": "no", "a3": "mid", "b1": "no", "c1": "no"}),
		spreadResp("U3", map[string]string{"a1": "no", "a2": "no", "a3": assessment.NotSure, "b1": "yes", "c1": "maybe"}),
		spreadResp("U4", map[string]string{"a1": "yes", "a3": "low", "b2": "We do not know."}),
		spreadResp("U5", map[string]string{"a2": "yes", "b1": assessment.NotSure}),
		spreadResp("U6", map[string]string{"a1": "yes", "a2": "yes", "a3": "low", "b1": "yes"}),
		spreadResp("U7", nil),
	}
}

func TestSpread(t *testing.T) {
	f, err := framework.Parse("spread.yaml", []byte(spreadYAML))
	if err != nil {
		t.Fatal(err)
	}
	a := scoring.Quantiles{Min: 0, Q1: 0.5, Median: 7.0 / 12, Q3: 11.0 / 12, Max: 1, N: 6}
	b := scoring.Quantiles{Min: 0, Q1: 0.75, Median: 1, Q3: 1, Max: 1, N: 4}
	c := scoring.Quantiles{Min: 0, Q1: 0.25, Median: 0.5, Q3: 0.75, Max: 1, N: 2}
	one := func(x float64) scoring.Quantiles {
		return scoring.Quantiles{Min: x, Q1: x, Median: x, Q3: x, Max: x, N: 1}
	}
	cases := []struct {
		name      string
		responses []assessment.Response
		threshold int
		want      map[string]scoring.Quantiles
	}{
		{"threshold 3", spreadResponses(), 3, map[string]scoring.Quantiles{"a": a, "b": b}},
		{"threshold 0 is the default, 3", spreadResponses(), 0, map[string]scoring.Quantiles{"a": a, "b": b}},
		{"threshold 2 shows c", spreadResponses(), 2, map[string]scoring.Quantiles{"a": a, "b": b, "c": c}},
		{"threshold 5 hides b (4 scored)", spreadResponses(), 5, map[string]scoring.Quantiles{"a": a}},
		{"threshold 6 keeps a (6 scored)", spreadResponses(), 6, map[string]scoring.Quantiles{"a": a}},
		{"threshold 7 hides all", spreadResponses(), 7, map[string]scoring.Quantiles{}},
		{"no responses", nil, 1, map[string]scoring.Quantiles{}},
		{"one respondent, threshold 1", spreadResponses()[1:2], 1,
			map[string]scoring.Quantiles{"a": one(0.5), "b": one(0), "c": one(0)}},
		{"order of responses does not matter", spreadReversed(spreadResponses()), 3, map[string]scoring.Quantiles{"a": a, "b": b}},
		{"c at 0, 1, 1: Q1 halfway", []assessment.Response{
			spreadResp("X", map[string]string{"c1": "no"}),
			spreadResp("Y", map[string]string{"c1": "yes"}),
			spreadResp("Z", map[string]string{"a3": "mid", "c1": "yes"}),
		}, 1, map[string]scoring.Quantiles{
			"a": one(0.5),
			"c": {Min: 0, Q1: 0.5, Median: 1, Q3: 1, Max: 1, N: 3},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := scoring.Spread(f, tc.responses, tc.threshold)
			if got == nil {
				t.Fatal("Spread returned a nil map")
			}
			if len(got) != len(tc.want) {
				t.Errorf("sections %v, want %v", spreadKeys(got), spreadKeys(tc.want))
			}
			for id, w := range tc.want {
				g, ok := got[id]
				if !ok {
					t.Errorf("section %s missing", id)
					continue
				}
				if !spreadClose(g, w) {
					t.Errorf("section %s = %+v, want %+v", id, g, w)
				}
			}
		})
	}
}

// TestSpreadAgreesWithAggregate checks, on a shipped framework and random
// answers, that Spread's N, Min, Median and Max are Aggregate's section
// Answered, Min, Median and Max, and that it withholds the same sections.
func TestSpreadAgreesWithAggregate(t *testing.T) {
	data, err := fs.ReadFile(frameworks.FS(), "cs-excellence.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := framework.Parse("cs-excellence.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	picks := []string{"yes", "no", assessment.NotSure, ""}
	for round := range 50 {
		var rs []assessment.Response
		for i := range rng.IntN(8) {
			r := assessment.Response{Respondent: fmt.Sprint("U", i), Answers: map[string]assessment.Answer{}}
			for _, q := range f.Questions() {
				if o := picks[rng.IntN(len(picks))]; o != "" {
					r.Answers[q.Question.ID] = assessment.Answer{Option: o}
				}
			}
			rs = append(rs, r)
		}
		th := 1 + rng.IntN(4)
		agg := scoring.Aggregate(f, rs, scoring.Options{Threshold: th})
		sp := scoring.Spread(f, rs, th)
		for _, s := range agg.Sections {
			q, ok := sp[s.ID]
			if s.Score == nil {
				if ok {
					t.Errorf("round %d: section %s: Aggregate shows no score (answered %d, threshold %d) but Spread has %+v", round, s.ID, s.Answered, th, q)
				}
				continue
			}
			if !ok {
				t.Errorf("round %d: section %s missing from Spread (answered %d)", round, s.ID, s.Answered)
				continue
			}
			if q.N != s.Answered || math.Abs(q.Min-*s.Min) > 1e-12 || math.Abs(q.Max-*s.Max) > 1e-12 || math.Abs(q.Median-*s.Median) > 1e-12 {
				t.Errorf("round %d: section %s: Spread %+v, Aggregate answered %d min %v median %v max %v",
					round, s.ID, q, s.Answered, *s.Min, *s.Median, *s.Max)
			}
			if !(q.Min <= q.Q1 && q.Q1 <= q.Median && q.Median <= q.Q3 && q.Q3 <= q.Max) {
				t.Errorf("round %d: section %s: quantiles out of order: %+v", round, s.ID, q)
			}
		}
	}
}

func spreadReversed(rs []assessment.Response) []assessment.Response {
	out := make([]assessment.Response, len(rs))
	for i, r := range rs {
		out[len(rs)-1-i] = r
	}
	return out
}

func spreadKeys(m map[string]scoring.Quantiles) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func spreadClose(g, w scoring.Quantiles) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-12 }
	return g.N == w.N && near(g.Min, w.Min) && near(g.Q1, w.Q1) && near(g.Median, w.Median) && near(g.Q3, w.Q3) && near(g.Max, w.Max)
}
