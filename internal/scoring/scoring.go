// Package scoring aggregates the responses of a review into a digest: team
// scores, divergence, bands, "not sure" rates and open-text answers. It is
// pure: no I/O, no clock, no randomness beyond a seed it is given. It imports
// only the domain package.
package scoring

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Stats describes the scores of one question or section across respondents.
// Pointer fields are nil when nobody answered or the figure is withheld.
type Stats struct {
	Score  *float64 `json:"score"`
	Median *float64 `json:"median"`
	Min    *float64 `json:"min"`
	Max    *float64 `json:"max"`
	// Divergence is the population standard deviation of the scores over
	// 0.5, kept for the tools that read it; people read Agreement.
	Divergence *float64 `json:"divergence"`
	// Agreement is r_wg (a question) or r*wg(J) (a section), see
	// agreement.go; AgreementBand names it and Split is its band being
	// split.
	Agreement     *float64      `json:"agreement"`
	AgreementBand AgreementBand `json:"agreement_band,omitempty"`
	Split         bool          `json:"split"`
	// Answered is the number of respondents with a score here.
	Answered int `json:"answered"`
	// NotSure counts "not sure" answers (for a section: over its questions).
	NotSure int `json:"not_sure"`
	// Withheld is true when fewer than the anonymity threshold answered.
	Withheld bool `json:"withheld,omitempty"`
}

// QuestionResult is the team's result for one question.
type QuestionResult struct {
	ID      string `json:"id"`
	Section string `json:"section"`
	Text    string `json:"text"`
	Stats
	// Options counts answers per option id (choice questions only); it is
	// withheld (nil) below the threshold.
	Options map[string]int `json:"options,omitempty"`
	// Unanswered counts respondents who gave no answer.
	Unanswered int `json:"unanswered"`
	// IsText marks an open-text question; its answers are in Texts.
	IsText bool     `json:"is_text,omitempty"`
	Texts  []string `json:"texts,omitempty"`
	// Comments are the respondents' remarks on the question, without names,
	// shuffled; withheld unless at least the threshold of respondents
	// answered the question (a score or "not sure").
	Comments []string `json:"comments,omitempty"`
}

// SectionResult is the team's result for one section.
type SectionResult struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Stats
}

// BandCount is how many respondents' totals fall in a band.
type BandCount struct {
	Label string  `json:"label"`
	Min   float64 `json:"min"`
	Count int     `json:"count"`
}

// BandResult is the team's band: the band of the mean points total.
type BandResult struct {
	Label      string      `json:"label"`
	MeanPoints float64     `json:"mean_points"`
	MaxPoints  float64     `json:"max_points"`
	Counts     []BandCount `json:"counts"`
}

// Result is the digest of a set of responses.
type Result struct {
	Framework   string `json:"framework"`
	Title       string `json:"title"`
	Respondents int    `json:"respondents"`
	Submitted   int    `json:"submitted"`
	Threshold   int    `json:"threshold"`
	// Detail is the detail threshold in force, set by the disclosure
	// model (review.Disclose); 0 in a result it has not seen.
	Detail int         `json:"detail,omitempty"`
	Band   *BandResult `json:"band"`
	// Alignment is the team's alignment index: the mean agreement of the
	// scored questions that have one.
	Alignment *float64         `json:"alignment"`
	Sections  []SectionResult  `json:"sections"`
	Questions []QuestionResult `json:"questions"`
}

// Options tune Aggregate.
type Options struct {
	// Threshold is the anonymity threshold: figures for a question or
	// section are withheld when fewer respondents answered. 0 means
	// assessment.DefaultThreshold; use 1 to show everything.
	Threshold int
	// Seed fixes the shuffled order of open-text answers (e.g. the review id).
	Seed string
}

// Aggregate computes the digest of responses to framework f. Responses with
// no answers at all are not counted as respondents. It is a Tally of them:
// one aggregation, whether the responses come from Redis or a CSV stream.
func Aggregate(f *assessment.Framework, responses []assessment.Response, opt Options) Result {
	t := NewTally(f, opt)
	for _, r := range responses {
		t.Add(r)
	}
	return t.Result()
}

func maxPoints(f *assessment.Framework) float64 {
	total := 0.0
	for _, s := range f.Sections {
		for _, q := range s.Questions {
			sc := f.Scales[q.Scale]
			if sc == nil || sc.Text {
				continue
			}
			best := 0.0
			for _, o := range sc.Options {
				best = math.Max(best, o.Score)
			}
			total += best
		}
	}
	return total
}

// Mean is the arithmetic mean; 0 for no values.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Median of sorted values.
func Median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Divergence is the population standard deviation of scores in [0,1]
// divided by 0.5, the largest it can be, so it lies in [0,1]: 0 when all
// agree, 1 for an even split between 0 and 1.
func Divergence(scores []float64) float64 {
	if len(scores) == 0 {
		return 0
	}
	// Deviations are taken from the first score, then from their mean: the
	// same variance, but identical scores give exactly 0. (The mean of ten
	// scores of 1/3 is off by an ulp, and that noise reordered Ranked's ties.)
	x0 := scores[0]
	shift := 0.0
	for _, x := range scores {
		shift += x - x0
	}
	m := shift / float64(len(scores))
	v := 0.0
	for _, x := range scores {
		d := x - x0 - m
		v += d * d
	}
	d := math.Sqrt(v/float64(len(scores))) / 0.5
	return math.Min(d, 1)
}

// shuffle returns texts in an order that depends only on the set of texts
// and the seed, never on who wrote them or when.
func shuffle(texts []string, seed string) []string {
	out := append([]string(nil), texts...)
	sort.Strings(out)
	h := fnv.New64a()
	h.Write([]byte(seed))
	s := h.Sum64()
	r := rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// Diverging returns the questions whose agreement is mixed or split,
// least agreement first (ties in framework order): "where you diverge".
func (r Result) Diverging() []QuestionResult {
	var out []QuestionResult
	for _, q := range r.Questions {
		if q.Agreement != nil && q.AgreementBand != Aligned && q.AgreementBand != "" {
			out = append(out, q)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return *out[i].Agreement < *out[j].Agreement })
	return out
}

// SetAgreement sets a figure's agreement and the band and split flag that
// follow from it.
func (st *Stats) SetAgreement(r float64) {
	st.Agreement = &r
	st.AgreementBand = BandOf(r)
	st.Split = st.AgreementBand == Split
}

// MostNotSure returns the questions with at least one "not sure", highest
// rate first (ties in framework order).
//
// Below the anonymity threshold of respondents it returns nothing: with one
// or two respondents a "not sure" count would say who did not know.
func (r Result) MostNotSure() []QuestionResult {
	var out []QuestionResult
	if r.Respondents < r.Threshold {
		return nil
	}
	for _, q := range r.Questions {
		if q.NotSure > 0 && !q.IsText {
			out = append(out, q)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].NotSure > out[j].NotSure })
	return out
}

// SectionsByScore returns the sections with a score, strongest first.
func (r Result) SectionsByScore() []SectionResult {
	var out []SectionResult
	for _, s := range r.Sections {
		if s.Score != nil {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return *out[i].Score > *out[j].Score })
	return out
}
