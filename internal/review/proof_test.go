package review_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/scoring"
)

// The proof that no published set of figures determines a finer figure
// than its threshold allows: for every shipped framework and every number
// of respondents from the threshold up to the detail threshold, no
// question's answer counts can be worked out from what a digest publishes.
//
// What a digest publishes is the digest.Digest that review.Digest builds:
// every output (the channel message, its thread and chart, App Home,
// /review results, the export's aggregates, `assessbot score`) is rendered
// from it and from nothing else, so whatever cannot be read from it cannot
// be read from them. publish renders it to JSON.
//
// A question's counts are pinned when every answer mix consistent with the
// published figures gives that question the same counts. To show they are
// not, it is enough to find one other mix, differing on that question,
// that publishes exactly the same. The search tries, in turn: swapping the
// question's answers with another question's, changing it and one other
// question keeping their total, and changing it and two others. Each
// candidate is judged by publishing it and comparing, never by reasoning
// about what the model shows.
//
// The mixes are complete (everyone answers every scored question): they
// are what the candidates are drawn from too. A section whose answers are
// all at one end of the scale is unanimous, and a unanimous result tells
// everyone's answer whatever the threshold (README, "What no threshold
// protects against"): its questions are not checked.

// config is one answer mix: per scored question, the levels its n people
// chose, sorted.
type config [][]int

func (c config) clone() config {
	out := make(config, len(c))
	for i := range c {
		out[i] = append([]int(nil), c[i]...)
	}
	return out
}

// proofCase is a framework's scored questions and how they group.
type proofCase struct {
	f       *assessment.Framework
	ids     []string   // scored question ids
	options [][]string // their scale's options, by level
	section []int      // index of each one's section
	scale   []string   // its scale's id
	bySec   [][]int    // scored question indexes of each section
}

func newProofCase(f *assessment.Framework) *proofCase {
	pc := &proofCase{f: f, bySec: make([][]int, len(f.Sections))}
	for si, s := range f.Sections {
		for _, q := range s.Questions {
			sc := f.Scales[q.Scale]
			if sc == nil || sc.Text {
				continue
			}
			pc.bySec[si] = append(pc.bySec[si], len(pc.ids))
			pc.ids = append(pc.ids, q.ID)
			pc.options = append(pc.options, scoring.Levels(sc))
			pc.section = append(pc.section, si)
			pc.scale = append(pc.scale, q.Scale)
		}
	}
	return pc
}

func (pc *proofCase) responses(c config) []assessment.Response {
	n := len(c[0])
	rs := make([]assessment.Response, n)
	for j := range rs {
		rs[j] = assessment.Response{Respondent: fmt.Sprint("U", j), Answers: map[string]assessment.Answer{}, Submitted: true}
		for q, levels := range c {
			rs[j].Answers[pc.ids[q]] = assessment.Answer{Option: pc.options[q][levels[j]]}
		}
	}
	return rs
}

// publisher turns an answer mix into what is published about it.
type publisher func(pc *proofCase, c config, th review.Thresholds) string

// published is what a digest publishes: the Digest review.Digest builds,
// as JSON, its numbers rounded to nine places (two mixes with the same
// figures may sum them in another order).
func published(pc *proofCase, c config, th review.Thresholds) string {
	rs := pc.responses(c)
	full := scoring.Aggregate(pc.f, rs, scoring.Options{Threshold: th.Mean, Seed: "proof"})
	shown, withheld := review.Disclose(pc.f, full, th)
	d := digest.Build(pc.f, shown, digest.Meta{ReviewID: "proof", Invited: len(rs), Detail: th.Detail, Withheld: withheld})
	if full.Respondents >= th.Detail {
		d.Spread = scoring.Spread(pc.f, rs, th.Detail)
	}
	d.Framework = nil // the same for every mix
	return canonical(d)
}

// rawResult is what was published before the disclosure model: the
// aggregates as the export wrote them. The checker must find it pins
// counts, or it proves nothing.
func rawResult(pc *proofCase, c config, th review.Thresholds) string {
	return canonical(scoring.Aggregate(pc.f, pc.responses(c), scoring.Options{Threshold: th.Mean, Seed: "proof"}))
}

// canonical is v as JSON with every number that has a fraction rounded to
// nine significant digits.
func canonical(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		j := i
		for j < len(raw) && strings.IndexByte("-+.0123456789eE", raw[j]) >= 0 {
			j++
		}
		if j == i {
			out = append(out, raw[i])
			i++
			continue
		}
		if num := string(raw[i:j]); strings.ContainsAny(num, ".eE") && strings.ContainsAny(num, "0123456789") {
			if x, err := strconv.ParseFloat(num, 64); err == nil {
				out = strconv.AppendFloat(out, x, 'g', 9, 64)
				i = j
				continue
			}
		}
		out = append(out, raw[i:j]...)
		i = j
	}
	return string(out)
}

var mixCache sync.Map

// mixesOf lists every sorted mix of n answers over a levels.
func mixesOf(a, n int) [][]int {
	if v, ok := mixCache.Load([2]int{a, n}); ok {
		return v.([][]int)
	}
	var out [][]int
	defer func() { mixCache.Store([2]int{a, n}, out) }()
	var rec func(cur []int, from int)
	rec = func(cur []int, from int) {
		if len(cur) == n {
			out = append(out, append([]int(nil), cur...))
			return
		}
		for l := from; l < a; l++ {
			rec(append(cur, l), l)
		}
	}
	rec(nil, 0)
	return out
}

func total(m []int) int {
	s := 0
	for _, x := range m {
		s += x
	}
	return s
}

func sameMix(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// unanimousSection reports whether every answer in a question's section
// sits at one end of its scale.
func (pc *proofCase) unanimousSection(c config, q int) bool {
	top := len(pc.options[q]) - 1
	for _, end := range []int{0, top} {
		all := true
		for _, o := range pc.bySec[pc.section[q]] {
			for _, l := range c[o] {
				all = all && l == end
			}
		}
		if all {
			return true
		}
	}
	return false
}

// pinned reports whether question q's counts are pinned: no other mix that
// changes them publishes the same. deep allows the searches over pairs and
// triples of questions; without it only swaps and changes of q alone are
// tried, enough to see counts that are published outright.
func (pc *proofCase) pinned(c config, q int, th review.Thresholds, publish publisher, deep bool) bool {
	base := publish(pc, c, th)
	same := func(alt config) bool { return publish(pc, alt, th) == base }
	a, n := len(pc.options[q]), len(c[q])
	ms := mixesOf(a, n)
	bySum := map[int][][]int{}
	for _, m := range ms {
		bySum[total(m)] = append(bySum[total(m)], m)
	}
	// Questions on q's scale: its own section's, then the others.
	var own, rest []int
	for o := range pc.ids {
		switch {
		case o == q || pc.scale[o] != pc.scale[q]:
		case pc.section[o] == pc.section[q]:
			own = append(own, o)
		default:
			rest = append(rest, o)
		}
	}
	swap := func(others []int) bool {
		for _, o := range others {
			if !sameMix(c[o], c[q]) {
				alt := c.clone()
				alt[q], alt[o] = alt[o], alt[q]
				if same(alt) {
					return true
				}
			}
		}
		return false
	}
	// q and one other change, keeping their total.
	pair := func(others []int) bool {
		for _, o := range others {
			for _, m := range ms {
				if sameMix(m, c[q]) {
					continue
				}
				for _, m2 := range bySum[total(c[q])+total(c[o])-total(m)] {
					alt := c.clone()
					alt[q], alt[o] = m, m2
					if same(alt) {
						return true
					}
				}
			}
		}
		return false
	}
	alone := func() bool {
		for _, m := range ms {
			if !sameMix(m, c[q]) {
				alt := c.clone()
				alt[q] = m
				if same(alt) {
					return true
				}
			}
		}
		return false
	}
	// q and two others of its section change, keeping their total.
	triple := func() bool {
		for i, o1 := range own {
			for _, o2 := range own[i+1:] {
				sum := total(c[q]) + total(c[o1]) + total(c[o2])
				for _, m := range ms {
					if sameMix(m, c[q]) {
						continue
					}
					for _, m1 := range ms {
						for _, m2 := range bySum[sum-total(m)-total(m1)] {
							alt := c.clone()
							alt[q], alt[o1], alt[o2] = m, m1, m2
							if same(alt) {
								return true
							}
						}
					}
				}
			}
		}
		return false
	}
	if !deep {
		return !swap(own) && !swap(rest) && !alone()
	}
	return !swap(own) && !pair(own) && !alone() && !swap(rest) && !pair(rest) && !triple()
}

func (pc *proofCase) random(rng *rand.Rand, n int) config {
	c := make(config, len(pc.ids))
	for q := range c {
		ms := mixesOf(len(pc.options[q]), n)
		c[q] = ms[rng.IntN(len(ms))]
	}
	return c
}

func shippedFrameworks(t *testing.T) []*assessment.Framework {
	t.Helper()
	cat, err := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	if err != nil {
		t.Fatal(err)
	}
	var out []*assessment.Framework
	for _, id := range cat.IDs() {
		f, _ := cat.Get(id)
		out = append(out, f)
	}
	if len(out) < 5 {
		t.Fatalf("%d shipped frameworks", len(out))
	}
	return out
}

// TestNoPublishedFigurePinsCounts is the proof. For each shipped framework
// and n from the threshold (3) to the detail threshold (5) plus one: below
// the detail threshold, in random mixes and in every mix that gives all of
// a section's questions the same answers (the only ones the section's
// figures could pin, since they are symmetric in its questions), no
// question's counts are pinned, nor in the mixes that give every question
// the same answers. From the detail threshold the counts are
// published, and the checker must see them pinned.
func TestNoPublishedFigurePinsCounts(t *testing.T) {
	th := review.Thresholds{Mean: assessment.MinThreshold, Detail: assessment.MinDetailThreshold}
	for _, f := range shippedFrameworks(t) {
		pc := newProofCase(f)
		for n := th.Mean; n <= th.Detail+1; n++ {
			t.Run(fmt.Sprintf("%s/%d", f.ID, n), func(t *testing.T) {
				t.Parallel()
				rng := rand.New(rand.NewPCG(uint64(n), uint64(len(pc.ids))))
				if n >= th.Detail {
					c := pc.random(rng, n)
					if !pc.pinned(c, 0, th, published, false) {
						t.Errorf("at %d respondents the counts are published, but the checker found them open", n)
					}
					return
				}
				check := func(what string, c config, qs []int) {
					for _, q := range qs {
						if pc.unanimousSection(c, q) {
							continue
						}
						if pc.pinned(c, q, th, published, true) {
							t.Fatalf("%s: at %d respondents the published figures pin the counts of %s: %v", what, n, pc.ids[q], c[q])
						}
					}
				}
				all := make([]int, len(pc.ids))
				for i := range all {
					all[i] = i
				}
				for i := range 3 {
					check(fmt.Sprint("random mix ", i), pc.random(rng, n), all)
				}
				// Every question alike: the figures over several sections
				// (the team band) are symmetric in all of them.
				for _, m := range mixesOf(len(pc.options[0]), n) {
					c := pc.random(rng, n)
					for q := range c {
						if len(pc.options[q]) == len(m) {
							c[q] = m
						}
					}
					check(fmt.Sprintf("every question %v", m), c, all[:1])
				}
				for si, qs := range pc.bySec {
					if len(qs) == 0 {
						continue
					}
					for _, m := range mixesOf(len(pc.options[qs[0]]), n) {
						c := pc.random(rng, n)
						for _, q := range qs {
							c[q] = m
						}
						// The section's questions are alike: checking one
						// checks them all.
						check(fmt.Sprintf("section %s all %v", f.Sections[si].ID, m), c, qs[:1])
					}
				}
			})
		}
	}
}

// TestTheProofSeesTodaysLeak: the checker is not blind. The aggregates as
// they were published before the disclosure model (the export's
// score × answered is the count of yes) pin counts at three respondents.
func TestTheProofSeesTodaysLeak(t *testing.T) {
	th := review.Thresholds{Mean: assessment.MinThreshold, Detail: assessment.MinDetailThreshold}
	for _, f := range shippedFrameworks(t) {
		if f.ID != "cs-checklist" && f.ID != "cs-exec-maturity" {
			continue
		}
		pc := newProofCase(f)
		c := pc.random(rand.New(rand.NewPCG(1, 2)), 3)
		found := false
		for q := range pc.ids {
			if !pc.unanimousSection(c, q) && pc.pinned(c, q, th, rawResult, false) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: the raw aggregates at 3 respondents pin no count", f.ID)
		}
	}
}
