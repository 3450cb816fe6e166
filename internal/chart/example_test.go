package chart_test

import (
	"bytes"
	"fmt"
	"image/png"
	"io/fs"
	"log"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/chart"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/scoring"
)

// The chart of a review: team scores from scoring.Aggregate, the spread of
// respondents from scoring.Spread (same threshold), previous scores from
// the previous review's result.
func ExamplePNG() {
	data, err := fs.ReadFile(frameworks.FS(), "cs-excellence.yaml")
	if err != nil {
		log.Fatal(err)
	}
	f, err := framework.Parse("cs-excellence.yaml", data)
	if err != nil {
		log.Fatal(err)
	}
	// Four respondents: one says yes to everything, one to every other
	// question, one to every third, one to nothing.
	var responses []assessment.Response
	for i, every := range []int{1, 2, 3, 0} {
		r := assessment.Response{Respondent: fmt.Sprint("U", i), Answers: map[string]assessment.Answer{}}
		for j, q := range f.Questions() {
			o := "no"
			if every > 0 && j%every == 0 {
				o = "yes"
			}
			r.Answers[q.Question.ID] = assessment.Answer{Option: o}
		}
		responses = append(responses, r)
	}
	const threshold = 3
	res := scoring.Aggregate(f, responses, scoring.Options{Threshold: threshold})
	spread := scoring.Spread(f, responses, threshold)
	previous := map[string]float64{"sensory": 0.4} // section id → the previous review's score

	in := chart.Input{Title: res.Title, Subtitle: "4 of 4 responded"}
	for _, s := range res.Sections {
		cs := chart.Section{Title: s.Title, Score: s.Score, Withheld: s.Withheld}
		if q, ok := spread[s.ID]; ok && s.Score != nil {
			cs.Min, cs.Q1, cs.Median, cs.Q3, cs.Max = q.Min, q.Q1, q.Median, q.Q3, q.Max
		}
		if p, ok := previous[s.ID]; ok {
			cs.Previous = &p
		}
		in.Sections = append(in.Sections, cs)
	}

	var buf bytes.Buffer
	if err := chart.PNG(&buf, in); err != nil {
		log.Fatal(err)
	}
	cfg, err := png.DecodeConfig(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d sections, %dx%d PNG\n", len(in.Sections), cfg.Width, cfg.Height)
	// Output: 7 sections, 1200x800 PNG
}
