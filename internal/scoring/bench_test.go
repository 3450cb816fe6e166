package scoring_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/scoring"
)

const (
	benchRespondents = 10_000
	benchSections    = 10
	benchPerSection  = 10
)

// benchFramework has 10 sections of 10 questions, alternately yes/no and on
// a 5-level scale.
func benchFramework(tb testing.TB) *assessment.Framework {
	f, err := framework.Synthetic("bench", benchSections, benchPerSection)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// benchResponses answers every question of f for n respondents from a fixed
// seed: 5% skipped, 10% "not sure", the rest an option picked uniformly.
func benchResponses(f *assessment.Framework, n int) []assessment.Response {
	rng := rand.New(rand.NewPCG(1, 2))
	refs := f.Questions()
	out := make([]assessment.Response, n)
	for i := range out {
		r := assessment.Response{Respondent: fmt.Sprintf("U%06d", i), Answers: make(map[string]assessment.Answer, len(refs)), Submitted: i%4 != 0}
		for _, ref := range refs {
			switch x := rng.IntN(100); {
			case x < 5:
			case x < 15:
				r.Answers[ref.Question.ID] = assessment.Answer{Option: assessment.NotSure}
			default:
				opts := ref.Scale.Options
				r.Answers[ref.Question.ID] = assessment.Answer{Option: opts[rng.IntN(len(opts))].ID}
			}
		}
		out[i] = r
	}
	return out
}

func BenchmarkAggregate(b *testing.B) {
	f := benchFramework(b)
	responses := benchResponses(f, benchRespondents)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res := scoring.Aggregate(f, responses, scoring.Options{Seed: "bench"})
		if res.Respondents != benchRespondents {
			b.Fatalf("Respondents = %d", res.Respondents)
		}
	}
	b.ReportMetric(float64(benchRespondents*benchSections*benchPerSection*b.N)/b.Elapsed().Seconds(), "answers/s")
}
