package review

import (
	"sync"

	"github.com/assessbot/assessbot/internal/scoring"
)

// bandSafe reports whether a section's agreement band, shown beside its
// mean, leaves every question's answer counts open when n people answer k
// questions of one scale of a options (everyone answering everything).
//
// The section's mean gives the total of the answers' levels and its band
// where r*wg(J) falls, which depends only on the sum of the questions'
// variances. Both are symmetric in the questions, so an attacker who sees
// them can pin a question's mix only when every mix consistent with them
// gives every question the same answers: the k questions share one mix m
// and no other set of k mixes has the same total and the same band. (With
// m all at one end the mean alone pins it: that is unanimity, which no
// threshold hides, and is left out.) So it is enough to find, for each m,
// another set of mixes: changing two questions' mixes, or three, keeping
// the total and the band. Where none is found the band is not shown below
// the detail threshold: the search errs towards withholding, never towards
// showing. TestBandSafeIsExact checks it against an exhaustive count.
//
// At two yes/no questions and three respondents, for instance, "both 2–1"
// is mixed (1/9) while every other way to four yeses ("3–0 and 1–2") is
// aligned (5/9): the band would tell each question's count.
func bandSafe(a, n, k int) bool {
	if k < 2 || a < 2 || n < 1 {
		return false
	}
	key := [3]int{a, n, k}
	if v, ok := bandSafeCache.Load(key); ok {
		return v.(bool)
	}
	v := searchBandSafe(a, n, k)
	bandSafeCache.Store(key, v)
	return v
}

var bandSafeCache sync.Map

// Search limits: beyond them bandSafe says no (withhold).
const (
	maxMixes       = 2000 // answer mixes of n people over a options
	maxMixesTriple = 300  // for the three-question search
)

// mix is one question's answers as a multiset of levels: its level total
// and n²s² (see scoring's levelSpread).
type mix struct{ sum, spread int }

// mixes lists every multiset of n levels out of a, or nil when there are
// more than limit.
func mixes(a, n, limit int) []mix {
	var out []mix
	var rec func(left, from, sum, sq int) bool
	rec = func(left, from, sum, sq int) bool {
		if left == 0 {
			if len(out) == limit {
				return false
			}
			out = append(out, mix{sum, n*sq - sum*sum})
			return true
		}
		for l := from; l < a; l++ {
			if !rec(left-1, l, sum+l, sq+l*l) {
				return false
			}
		}
		return true
	}
	if !rec(n, 0, 0, 0) {
		return nil
	}
	return out
}

func searchBandSafe(a, n, k int) bool {
	ms := mixes(a, n, maxMixes)
	if ms == nil {
		return false
	}
	bySum := map[int][]int{}
	for i, m := range ms {
		bySum[m.sum] = append(bySum[m.sum], i)
	}
	band := func(spreads int) scoring.AgreementBand {
		return scoring.BandOf(scoring.UniformSectionAgreement(n, a, k, spreads))
	}
	top := (a - 1) * n
	for mi, m := range ms {
		if m.sum == 0 || m.sum == top {
			continue // unanimous at one end
		}
		want := band(k * m.spread)
		rest := (k - 2) * m.spread
		found := false
		// Two questions change: m, m → x, y with the same total.
	pairs:
		for xi, x := range ms {
			for _, yi := range bySum[2*m.sum-x.sum] {
				if xi == mi && yi == mi {
					continue
				}
				if band(rest+x.spread+ms[yi].spread) == want {
					found = true
					break pairs
				}
			}
		}
		if !found && k >= 3 && len(ms) <= maxMixesTriple {
			rest -= m.spread
		triples:
			for xi, x := range ms {
				for yi, y := range ms {
					for _, zi := range bySum[3*m.sum-x.sum-y.sum] {
						if xi == mi && yi == mi && zi == mi {
							continue
						}
						if band(rest+x.spread+y.spread+ms[zi].spread) == want {
							found = true
							break triples
						}
					}
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}
