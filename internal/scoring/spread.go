package scoring

import (
	"math"
	"sort"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Quantiles summarises the respondents' scores of one section, each in
// [0,1]: the five-number summary and how many respondents it is drawn from.
type Quantiles struct {
	Min, Q1, Median, Q3, Max float64
	// N is the number of respondents with a score in the section.
	N int
}

// Spread returns, per section id, the quantiles of the respondents' section
// scores: how far the team's people are apart, not just their mean.
//
// A respondent's section score is the mean of their scored answers in that
// section, exactly as Aggregate defines it: "not sure", skipped questions,
// unknown options and open-text answers carry no score, and a respondent
// without a scored answer in a section has no score there.
//
// Quartiles interpolate linearly between order statistics (Hyndman & Fan
// type 7, R's default quantile and Excel's QUARTILE.INC): for n sorted scores
// x[0..n-1] the p-quantile is x[j] + g·(x[j+1]−x[j]) with h = (n−1)·p,
// j = ⌊h⌋, g = h−j. The median so computed equals Aggregate's.
//
// A section scored by fewer than threshold respondents is absent from the
// map, so nothing about one or two people can be read from it. As in
// Aggregate, a threshold of 0 or less means assessment.DefaultThreshold.
func Spread(f *assessment.Framework, responses []assessment.Response, threshold int) map[string]Quantiles {
	threshold = assessment.ThresholdOrDefault(threshold)
	out := make(map[string]Quantiles)
	scores := make([]float64, 0, len(responses))
	for _, s := range f.Sections {
		// Option scores of the section's choice questions, by question id.
		qs := make(map[string]map[string]float64, len(s.Questions))
		for _, q := range s.Questions {
			scale := f.Scales[q.Scale]
			if scale == nil || scale.Text {
				continue
			}
			opts := make(map[string]float64, len(scale.Options))
			for _, o := range scale.Options {
				opts[o.ID] = o.Score
			}
			qs[q.ID] = opts
		}
		scores = scores[:0]
		for _, r := range responses {
			sum, n := 0.0, 0
			for _, q := range s.Questions {
				opts, ok := qs[q.ID]
				if !ok {
					continue
				}
				a, ok := r.Answers[q.ID]
				if !ok {
					continue
				}
				// NotSure and "" are never option ids of a valid scale.
				if sc, ok := opts[a.Option]; ok && a.Option != assessment.NotSure {
					sum += sc
					n++
				}
			}
			if n > 0 {
				scores = append(scores, sum/float64(n))
			}
		}
		if len(scores) == 0 || len(scores) < threshold {
			continue
		}
		sort.Float64s(scores)
		out[s.ID] = Quantiles{
			Min:    scores[0],
			Q1:     quantile7(scores, 0.25),
			Median: quantile7(scores, 0.5),
			Q3:     quantile7(scores, 0.75),
			Max:    scores[len(scores)-1],
			N:      len(scores),
		}
	}
	return out
}

// quantile7 is the p-quantile of sorted, non-empty values by linear
// interpolation between order statistics (Hyndman & Fan type 7).
func quantile7(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p
	j := int(math.Floor(h))
	if j >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	g := h - float64(j)
	if g == 0 {
		return sorted[j]
	}
	return sorted[j] + g*(sorted[j+1]-sorted[j])
}
