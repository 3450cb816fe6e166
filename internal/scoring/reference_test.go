package scoring

import (
	"sort"

	"github.com/assessbot/assessbot/internal/assessment"
)

// ReferenceAggregate is referenceAggregate, for the external tests.
var ReferenceAggregate = referenceAggregate

// referenceAggregate is the straightforward aggregation Aggregate was
// before it became a Tally: every score in a slice, statistics from sorted
// slices. It is kept as the oracle the Tally is checked against
// (TestTallyIsTheReference).
func referenceAggregate(f *assessment.Framework, responses []assessment.Response, opt Options) Result {
	th := opt.Threshold
	if th <= 0 {
		th = assessment.DefaultThreshold
	}
	var rs []assessment.Response
	submitted := 0
	for _, r := range responses {
		if r.HasAnswers() {
			rs = append(rs, r)
			if r.Submitted {
				submitted++
			}
		}
	}
	res := Result{Framework: f.ID, Title: f.Title, Respondents: len(rs), Submitted: submitted, Threshold: th}

	// Per respondent: points total and per-section score sums.
	type acc struct {
		sum float64
		n   int
	}
	points := make([]float64, len(rs))
	secAcc := make([][]acc, len(rs))
	for i := range rs {
		secAcc[i] = make([]acc, len(f.Sections))
	}

	type itemLevel struct {
		levels  []float64
		options int
	}
	itemLevels := make([][]itemLevel, len(f.Sections))
	for si, s := range f.Sections {
		for _, q := range s.Questions {
			scale := f.Scales[q.Scale]
			var optScore map[string]float64
			if scale != nil && !scale.Text {
				optScore = make(map[string]float64, len(scale.Options))
				for _, o := range scale.Options {
					optScore[o.ID] = o.Score
				}
			}
			qr := QuestionResult{ID: q.ID, Section: s.ID, Text: q.Text}
			isText := scale == nil || scale.Text
			qr.IsText = isText
			var scores, levels []float64
			level := map[string]float64{}
			if scale != nil {
				for i, o := range scale.Options {
					level[o.ID] = float64(i)
				}
			}
			counts := map[string]int{}
			var texts, comments []string
			for i, r := range rs {
				a, ok := r.Answers[q.ID]
				if ok && a.Comment != "" {
					comments = append(comments, a.Comment)
				}
				if isText {
					if ok && a.Text != "" {
						texts = append(texts, a.Text)
						qr.Answered++
					} else {
						qr.Unanswered++
					}
					continue
				}
				switch {
				case !ok || a.Option == "":
					qr.Unanswered++
				case a.Option == assessment.NotSure:
					qr.NotSure++
					counts[assessment.NotSure]++
				default:
					sc, ok := optScore[a.Option]
					if !ok {
						qr.Unanswered++
						continue
					}
					counts[a.Option]++
					scores = append(scores, sc)
					levels = append(levels, level[a.Option])
					points[i] += sc
					secAcc[i][si].sum += sc
					secAcc[i][si].n++
				}
			}
			if isText {
				if qr.Answered >= th {
					qr.Texts = shuffle(texts, opt.Seed+"/"+q.ID)
				} else {
					qr.Withheld = qr.Answered > 0
				}
			} else {
				qr.Stats = describe(scores, th)
				qr.NotSure = counts[assessment.NotSure]
				if !qr.Withheld {
					qr.Options = counts
					if len(levels) >= 2 {
						qr.SetAgreement(rwg(levels, len(scale.Options)))
					}
				}
				itemLevels[si] = append(itemLevels[si], itemLevel{levels, len(scale.Options)})
				if len(comments) > 0 && qr.Answered+qr.NotSure >= th {
					qr.Comments = shuffle(comments, opt.Seed+"/c/"+q.ID)
				}
			}
			res.Questions = append(res.Questions, qr)
		}
	}

	for si, s := range f.Sections {
		var scores []float64
		notSure := 0
		for i := range rs {
			if a := secAcc[i][si]; a.n > 0 {
				scores = append(scores, a.sum/float64(a.n))
			}
		}
		for _, q := range res.Questions {
			if q.Section == s.ID {
				notSure += q.NotSure
			}
		}
		st := describe(scores, th)
		st.NotSure = notSure
		// r*wg(J): one minus the mean of the items' (1 − r_wg) before
		// truncation, that is of s²/σ²_EU.
		rel, m := 0.0, 0
		for _, it := range itemLevels[si] {
			if len(it.levels) < 2 {
				continue
			}
			mu := Mean(it.levels)
			v := 0.0
			for _, x := range it.levels {
				v += (x - mu) * (x - mu)
			}
			rel += v / float64(len(it.levels)) / (float64(it.options*it.options-1) / 12)
			m++
		}
		if m > 0 && st.Score != nil {
			st.SetAgreement(min(max(1-rel/float64(m), 0), 1))
		}
		res.Sections = append(res.Sections, SectionResult{ID: s.ID, Title: s.Title, Stats: st})
	}

	res.Alignment = AlignmentIndex(res.Questions)
	if len(f.Bands) > 0 && len(rs) >= th {
		br := &BandResult{MaxPoints: maxPoints(f)}
		for _, b := range f.Bands {
			br.Counts = append(br.Counts, BandCount{Label: b.Label, Min: b.Min})
		}
		total := 0.0
		for _, p := range points {
			total += p
			if _, idx, ok := f.BandFor(p); ok {
				br.Counts[idx].Count++
			}
		}
		br.MeanPoints = total / float64(len(points))
		if b, _, ok := f.BandFor(br.MeanPoints); ok {
			br.Label = b.Label
		}
		res.Band = br
	}
	return res
}

// describe computes the statistics of a list of scores.
func describe(scores []float64, threshold int) Stats {
	st := Stats{Answered: len(scores)}
	if len(scores) == 0 {
		return st
	}
	if len(scores) < threshold {
		st.Withheld = true
		return st
	}
	mean := Mean(scores)
	div := Divergence(scores)
	sorted := append([]float64(nil), scores...)
	sort.Float64s(sorted)
	med := Median(sorted)
	st.Score, st.Median, st.Min, st.Max, st.Divergence = &mean, &med, &sorted[0], &sorted[len(sorted)-1], &div
	return st
}

// rwg is the reference r_wg: the population variance of the answers' levels
// by two passes in floating point, over the uniform null's variance.
func rwg(levels []float64, options int) float64 {
	m := Mean(levels)
	v := 0.0
	for _, x := range levels {
		v += (x - m) * (x - m)
	}
	v /= float64(len(levels))
	return min(max(1-v/(float64(options*options-1)/12), 0), 1)
}
