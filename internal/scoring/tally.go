package scoring

import (
	"maps"
	"math"
	"sort"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Tally aggregates responses one at a time, for sheets too large to hold in
// memory: it keeps counts of each distinct score rather than every
// respondent's answers, so its size is bounded by the framework (plus the
// open-text answers, which the result lists anyway). Its Result is
// Aggregate's over the same responses: the same counts, means, medians,
// minima, maxima and bands, and divergences equal up to float rounding.
type Tally struct {
	f         *assessment.Framework
	opt       Options
	questions []questionTally
	sections  []dist // respondents' section scores
	points    []float64
	sectionAt []int // section index of each question
	secSum    []float64
	secN      []int

	respondents, submitted int
	pointsTotal            float64
	bandCounts             []int
}

type questionTally struct {
	isText     bool
	scale      *assessment.Scale
	optScore   map[string]float64
	counts     map[string]int
	scores     dist
	answered   int
	unanswered int
	notSure    int
	texts      []string
	comments   []string
}

// dist is a multiset of scores: each distinct value and how often it came.
type dist struct {
	count map[float64]int
	n     int
	sum   float64 // in the order added, as Mean sums a slice
	first float64 // the first value added (Divergence's pivot)
}

func (d *dist) add(x float64) {
	if d.count == nil {
		d.count = map[float64]int{}
	}
	if d.n == 0 {
		d.first = x
	}
	d.count[x]++
	d.n++
	d.sum += x
}

// NewTally starts an empty tally of responses to f.
func NewTally(f *assessment.Framework, opt Options) *Tally {
	opt.Threshold = assessment.ThresholdOrDefault(opt.Threshold)
	t := &Tally{f: f, opt: opt, sections: make([]dist, len(f.Sections)),
		secSum: make([]float64, len(f.Sections)), secN: make([]int, len(f.Sections)),
		bandCounts: make([]int, len(f.Bands))}
	for si, s := range f.Sections {
		for _, q := range s.Questions {
			scale := f.Scales[q.Scale]
			qt := questionTally{isText: scale == nil || scale.Text, scale: scale, counts: map[string]int{}}
			if !qt.isText {
				qt.optScore = make(map[string]float64, len(scale.Options))
				for _, o := range scale.Options {
					qt.optScore[o.ID] = o.Score
				}
			}
			t.questions = append(t.questions, qt)
			t.sectionAt = append(t.sectionAt, si)
		}
	}
	return t
}

// Add counts one response. A response with no answers is not a respondent,
// as in Aggregate.
func (t *Tally) Add(r assessment.Response) {
	if !r.HasAnswers() {
		return
	}
	t.respondents++
	if r.Submitted {
		t.submitted++
	}
	clear(t.secSum)
	clear(t.secN)
	points := 0.0
	i := 0
	for _, s := range t.f.Sections {
		for _, q := range s.Questions {
			qt, si := &t.questions[i], t.sectionAt[i]
			i++
			a, ok := r.Answers[q.ID]
			if ok && a.Comment != "" {
				qt.comments = append(qt.comments, a.Comment)
			}
			if qt.isText {
				if ok && a.Text != "" {
					qt.texts = append(qt.texts, a.Text)
					qt.answered++
				} else {
					qt.unanswered++
				}
				continue
			}
			switch {
			case !ok || a.Option == "":
				qt.unanswered++
			case a.Option == assessment.NotSure:
				qt.notSure++
				qt.counts[assessment.NotSure]++
			default:
				sc, ok := qt.optScore[a.Option]
				if !ok {
					qt.unanswered++
					continue
				}
				qt.counts[a.Option]++
				qt.scores.add(sc)
				points += sc
				t.secSum[si] += sc
				t.secN[si]++
			}
		}
	}
	for si, n := range t.secN {
		if n > 0 {
			t.sections[si].add(t.secSum[si] / float64(n))
		}
	}
	t.pointsTotal += points
	if _, idx, ok := t.f.BandFor(points); ok {
		t.bandCounts[idx]++
	}
}

// Result is the digest of the responses added so far.
func (t *Tally) Result() Result {
	f, th := t.f, t.opt.Threshold
	res := Result{Framework: f.ID, Title: f.Title, Respondents: t.respondents, Submitted: t.submitted, Threshold: th}
	i := 0
	for _, s := range f.Sections {
		for _, q := range s.Questions {
			qt := &t.questions[i]
			i++
			qr := QuestionResult{ID: q.ID, Section: s.ID, Text: q.Text, IsText: qt.isText, Unanswered: qt.unanswered}
			if qt.isText {
				qr.Answered = qt.answered
				if qr.Answered >= th {
					qr.Texts = shuffle(qt.texts, t.opt.Seed+"/"+q.ID)
				} else {
					qr.Withheld = qr.Answered > 0
				}
			} else {
				qr.Stats = qt.scores.describe(th)
				qr.NotSure = qt.notSure
				if !qr.Withheld {
					qr.Options = maps.Clone(qt.counts)
					if r, ok := Agreement(LevelCounts(qt.scale, qt.counts)); ok && qr.Score != nil {
						qr.SetAgreement(r)
					}
				}
				if len(qt.comments) > 0 && qr.Answered+qr.NotSure >= th {
					qr.Comments = shuffle(qt.comments, t.opt.Seed+"/c/"+q.ID)
				}
			}
			res.Questions = append(res.Questions, qr)
		}
	}
	for si, s := range f.Sections {
		st := t.sections[si].describe(th)
		var items [][]int
		for qi, q := range res.Questions {
			if q.Section == s.ID {
				st.NotSure += q.NotSure
				if qt := &t.questions[qi]; !qt.isText {
					items = append(items, LevelCounts(qt.scale, qt.counts))
				}
			}
		}
		if r, ok := SectionAgreement(items); ok && st.Score != nil {
			st.SetAgreement(r)
		}
		res.Sections = append(res.Sections, SectionResult{ID: s.ID, Title: s.Title, Stats: st})
	}
	res.Alignment = AlignmentIndex(res.Questions)
	if len(f.Bands) > 0 && t.respondents >= th {
		br := &BandResult{MaxPoints: maxPoints(f), MeanPoints: t.pointsTotal / float64(t.respondents)}
		for bi, b := range f.Bands {
			br.Counts = append(br.Counts, BandCount{Label: b.Label, Min: b.Min, Count: t.bandCounts[bi]})
		}
		if b, _, ok := f.BandFor(br.MeanPoints); ok {
			br.Label = b.Label
		}
		res.Band = br
	}
	return res
}

// describe is the package's describe over a multiset of scores.
func (d *dist) describe(threshold int) Stats {
	st := Stats{Answered: d.n}
	if d.n == 0 {
		return st
	}
	if d.n < threshold {
		st.Withheld = true
		return st
	}
	values := make([]float64, 0, len(d.count))
	for x := range d.count {
		values = append(values, x)
	}
	sort.Float64s(values)
	// The k-th smallest score (0-based), walking the sorted distinct values.
	nth := func(k int) float64 {
		for _, x := range values {
			if k < d.count[x] {
				return x
			}
			k -= d.count[x]
		}
		return values[len(values)-1]
	}
	med := nth(d.n / 2)
	if d.n%2 == 0 {
		med = (nth(d.n/2-1) + med) / 2
	}
	mean := d.sum / float64(d.n)
	div := d.divergence(values)
	lo, hi := values[0], values[len(values)-1]
	st.Score, st.Median, st.Min, st.Max, st.Divergence = &mean, &med, &lo, &hi, &div
	return st
}

// divergence is Divergence over the multiset, pivoting on the first score
// as Divergence does, so that identical scores give exactly 0.
func (d *dist) divergence(values []float64) float64 {
	shift := 0.0
	for _, x := range values {
		shift += float64(d.count[x]) * (x - d.first)
	}
	m := shift / float64(d.n)
	v := 0.0
	for _, x := range values {
		dx := x - d.first - m
		v += float64(d.count[x]) * dx * dx
	}
	return min(math.Sqrt(v/float64(d.n))/0.5, 1)
}
