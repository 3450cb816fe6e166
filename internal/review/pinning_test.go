package review

import (
	"fmt"
	"testing"

	"github.com/assessbot/assessbot/internal/scoring"
)

// pinnedByCount is the exhaustive oracle of bandSafe: it counts, for every
// total and sum of spreads, the sets of k answer mixes that reach it, and
// reports the first mix m (not unanimous at an end) that k questions can
// share with no other set of mixes of the same total in the same band.
func pinnedByCount(a, n, k int) (string, bool) {
	ms := mixes(a, n, 1<<20)
	maxSum, maxSpread := (a-1)*n*k, 0
	for _, m := range ms {
		maxSpread = max(maxSpread, m.spread*k)
	}
	// count[q][sum][spread], dense, saturating at 2: one is all we ask.
	S, V := maxSum+1, maxSpread+1
	idx := func(q, sum, spread int) int { return (q*S+sum)*V + spread }
	count := make([]uint8, (k+1)*S*V)
	count[idx(0, 0, 0)] = 1
	for _, m := range ms {
		// Add m any number of times, one copy at a time, from high q down
		// (an unbounded knapsack over the number of questions).
		for q := 1; q <= k; q++ {
			for sum := m.sum; sum <= maxSum; sum++ {
				for v := m.spread; v <= maxSpread; v++ {
					if c := count[idx(q-1, sum-m.sum, v-m.spread)]; c > 0 {
						count[idx(q, sum, v)] = min(count[idx(q, sum, v)]+c, 2)
					}
				}
			}
		}
	}
	band := func(spreads int) scoring.AgreementBand {
		return scoring.BandOf(scoring.UniformSectionAgreement(n, a, k, spreads))
	}
	for _, m := range ms {
		if m.sum == 0 || m.sum == (a-1)*n {
			continue
		}
		want, same := band(k*m.spread), 0
		for v := 0; v <= maxSpread; v++ {
			if band(v) == want {
				same += int(count[idx(k, k*m.sum, v)])
			}
		}
		if same == 1 {
			return fmt.Sprintf("mix %+v", m), true
		}
	}
	return "", false
}

// TestBandSafeIsExact: bandSafe never says safe where the exhaustive count
// finds a pinned mix, and for the sizes the shipped frameworks meet below
// the detail threshold (3 and 4 respondents, 2 to 10 questions, 2 to 5
// options) it says exactly what the count says.
func TestBandSafeIsExact(t *testing.T) {
	for a := 2; a <= 5; a++ {
		for n := 3; n <= 4; n++ {
			for k := 2; k <= 10; k++ {
				what, pinned := pinnedByCount(a, n, k)
				if got := bandSafe(a, n, k); got == pinned {
					t.Errorf("bandSafe(%d options, %d people, %d questions) = %v; the count finds pinned=%v %s", a, n, k, got, pinned, what)
				}
			}
		}
	}
}

// TestBandSafeCases: the cases worked out by hand in bandSafe's comment and
// README.
func TestBandSafeCases(t *testing.T) {
	tests := []struct {
		a, n, k int
		want    bool
	}{
		{2, 3, 2, false}, // both 2–1 is mixed, every other way to four yeses aligned
		{2, 3, 3, true},  // 2–1 ×3 (1/9) and 3–0, 1–2, 2–1 (mixed too)
		{2, 4, 5, false}, // 2–2 ×5 (split, 0): the nearest other way gives 0.1, mixed
		{2, 4, 6, true},  // …and at six questions 1 − 0.9 < 0.1: split
		{4, 3, 1, false}, // one question: never
		{5, 4, 2, true},
	}
	for _, tt := range tests {
		if got := bandSafe(tt.a, tt.n, tt.k); got != tt.want {
			t.Errorf("bandSafe(%d, %d, %d) = %v, want %v", tt.a, tt.n, tt.k, got, tt.want)
		}
	}
}
