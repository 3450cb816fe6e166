package scoring_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/scoring"
)

// randomResponses answers small's questions at random: skipped, "not sure",
// an option, an unknown option, a text, a comment, or nothing at all.
func randomResponses(rng *rand.Rand, f *assessment.Framework, n int) []assessment.Response {
	var out []assessment.Response
	for i := range n {
		r := assessment.Response{Respondent: fmt.Sprintf("U%d", i), Answers: map[string]assessment.Answer{}, Submitted: rng.IntN(3) > 0}
		for _, ref := range f.Questions() {
			var a assessment.Answer
			switch x := rng.IntN(10); {
			case x < 2:
				continue
			case ref.Scale.Text:
				a.Text = fmt.Sprintf("text %d", rng.IntN(5))
			case x == 2:
				a.Option = assessment.NotSure
			case x == 3:
				a.Option = "gone"
			default:
				a.Option = ref.Scale.Options[rng.IntN(len(ref.Scale.Options))].ID
			}
			if rng.IntN(8) == 0 {
				a.Comment = fmt.Sprintf("comment %d", rng.IntN(3))
			}
			r.Answers[ref.Question.ID] = a
		}
		out = append(out, r)
	}
	return out
}

// TestTallyIsTheReference: a Tally fed one response at a time, and so
// Aggregate, give the result of the straightforward slice-based
// aggregation (ReferenceAggregate), for few and many respondents and any
// threshold.
func TestTallyIsTheReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, f := range []*assessment.Framework{small(t), benchFramework(t)} {
		for _, n := range []int{0, 1, 2, 3, 4, 7, 50, 501} {
			for _, th := range []int{0, 1, 3, 10} {
				rs := randomResponses(rng, f, n)
				opt := scoring.Options{Threshold: th, Seed: "seed"}
				want := scoring.ReferenceAggregate(f, rs, opt)
				tally := scoring.NewTally(f, opt)
				for _, r := range rs {
					tally.Add(r)
				}
				if msg := diffResults(tally.Result(), want); msg != "" {
					t.Errorf("tally: %s, %d respondents, threshold %d: %s", f.ID, n, th, msg)
				}
				if msg := diffResults(scoring.Aggregate(f, rs, opt), scoring.ReferenceAggregate(f, rs, opt)); msg != "" {
					t.Errorf("aggregate: %s, %d respondents, threshold %d: %s", f.ID, n, th, msg)
				}
			}
		}
	}
}

// diffResults compares two results, floats to 1e-12, and says what differs.
func diffResults(got, want scoring.Result) string {
	near := func(what string, a, b *float64) string {
		switch {
		case (a == nil) != (b == nil):
			return fmt.Sprintf("%s: %v, want %v", what, show(a), show(b))
		case a != nil && math.Abs(*a-*b) > 1e-12:
			return fmt.Sprintf("%s: %v, want %v", what, *a, *b)
		}
		return ""
	}
	stats := func(what string, a, b *scoring.Stats) string {
		for _, m := range []string{
			near(what+" score", a.Score, b.Score), near(what+" median", a.Median, b.Median),
			near(what+" min", a.Min, b.Min), near(what+" max", a.Max, b.Max),
			near(what+" divergence", a.Divergence, b.Divergence), near(what+" agreement", a.Agreement, b.Agreement),
		} {
			if m != "" {
				return m
			}
		}
		a.Score, a.Median, a.Min, a.Max, a.Divergence, a.Agreement = nil, nil, nil, nil, nil, nil
		b.Score, b.Median, b.Min, b.Max, b.Divergence, b.Agreement = nil, nil, nil, nil, nil, nil
		return ""
	}
	if len(got.Questions) != len(want.Questions) || len(got.Sections) != len(want.Sections) {
		return fmt.Sprintf("%d questions and %d sections, want %d and %d", len(got.Questions), len(got.Sections), len(want.Questions), len(want.Sections))
	}
	for i := range got.Questions {
		if m := stats("question "+got.Questions[i].ID, &got.Questions[i].Stats, &want.Questions[i].Stats); m != "" {
			return m
		}
	}
	for i := range got.Sections {
		if m := stats("section "+got.Sections[i].ID, &got.Sections[i].Stats, &want.Sections[i].Stats); m != "" {
			return m
		}
	}
	if m := near("alignment", got.Alignment, want.Alignment); m != "" {
		return m
	}
	got.Alignment, want.Alignment = nil, nil
	if got.Band != nil && want.Band != nil && math.Abs(got.Band.MeanPoints-want.Band.MeanPoints) < 1e-12 {
		got.Band.MeanPoints = want.Band.MeanPoints
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("\n got %+v\nwant %+v", got, want)
	}
	return ""
}
