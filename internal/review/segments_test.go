package review_test

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/assessbot/assessbot/internal/review"
)

// people returns ids p<from>..p<to>.
func people(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprint("p", i))
	}
	return out
}

func decisions(t *testing.T, answerers []string, segs []review.SegmentSet) map[string]review.SegmentDecision {
	t.Helper()
	out := map[string]review.SegmentDecision{}
	for _, d := range review.DecideSegments(answerers, review.WithEveryoneElse(answerers, segs), 5) {
		out[d.ID] = d
	}
	return out
}

func TestSegmentCellsHandComputed(t *testing.T) {
	type want struct {
		n   int
		why review.SegmentWhy
	}
	cases := []struct {
		name      string
		answerers []string
		segs      []review.SegmentSet
		want      map[string]want
	}{
		{
			// 12 answer; 4 in A: too few. B has 6 and 6 outside it; the 2
			// in neither are everyone else, too few.
			name: "a segment of 4", answerers: people(1, 12),
			segs: []review.SegmentSet{{ID: "A", Members: people(1, 4)}, {ID: "B", Members: people(5, 10)}},
			want: map[string]want{"A": {4, review.SegTooFew}, "B": {6, ""}, review.EveryoneElse: {2, review.SegTooFew}},
		},
		{
			// 12 answer; A is everyone but p11 and p12: 10 people, enough
			// by itself, but the whole minus A would show those two.
			name: "everyone but 2", answerers: people(1, 12),
			segs: []review.SegmentSet{{ID: "A", Members: people(1, 10)}},
			want: map[string]want{"A": {10, review.SegRestTooFew}, review.EveryoneElse: {2, review.SegTooFew}},
		},
		{
			// 12 answer; A = p1..p6, B = p1..p7: B minus A is p7 alone.
			// Each passes on its own (6 and 7, rests of 6 and 5), and so
			// does everyone else (p8..p12, 5). The atom {p7} is 1 person:
			// A, the smaller segment on its boundary, is withheld; then
			// the atoms are B (7) and everyone else (5).
			name: "overlapping by one", answerers: people(1, 12),
			segs: []review.SegmentSet{{ID: "A", Members: people(1, 6)}, {ID: "B", Members: people(1, 7)}},
			want: map[string]want{"A": {6, review.SegOverlap}, "B": {7, ""}, review.EveryoneElse: {5, ""}},
		},
		{
			// 16 answer; A = p1..p7 and B = p8..p14 are disjoint and each
			// fine; p15, p16 are everyone else, too few. Whole − A − B is
			// those two: B, the smaller (a tie, the later named), goes.
			name: "two segments leave 2 out", answerers: people(1, 16),
			segs: []review.SegmentSet{{ID: "A", Members: people(1, 7)}, {ID: "B", Members: people(8, 14)}},
			want: map[string]want{"A": {7, ""}, "B": {7, review.SegOverlap}, review.EveryoneElse: {2, review.SegTooFew}},
		},
		{
			// Members who did not answer count for nothing: A names 9
			// people, 5 of whom answered, and 5 others answered.
			name: "only answerers count", answerers: append(people(1, 5), people(20, 24)...),
			segs: []review.SegmentSet{{ID: "A", Members: people(1, 9)}},
			want: map[string]want{"A": {5, ""}, review.EveryoneElse: {5, ""}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := decisions(t, c.answerers, c.segs)
			if len(got) != len(c.want) {
				t.Fatalf("got %d decisions, want %d: %+v", len(got), len(c.want), got)
			}
			for id, w := range c.want {
				d := got[id]
				if d.N != w.n || d.Why != w.why || d.Shown() != (w.why == "") {
					t.Errorf("%s: got n=%d why=%q, want n=%d why=%q", id, d.N, d.Why, w.n, w.why)
				}
			}
		})
	}
}

func TestSegmentTrendShown(t *testing.T) {
	then := people(1, 6)
	for _, c := range []struct {
		name string
		now  []string
		want bool
	}{
		{"same people", people(1, 6), true},
		{"same people, another order", append(people(4, 6), people(1, 3)...), true},
		{"one left", people(1, 5), false},
		{"one swapped", append(people(1, 5), "p9"), false},               // differ by 2
		{"two swapped", append(people(1, 4), "p9", "p10"), false},        // differ by 4
		{"five joined", append(people(1, 6), people(20, 24)...), true},   // differ by 5
		{"three swapped", append(people(1, 3), people(20, 22)...), true}, // differ by 6
		{"all new", people(30, 35), true},
	} {
		if got := review.SegmentTrendShown(then, c.now, 5); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

// TestSegmentCellsBruteForce: over random small audiences (up to 10
// answerers, and up to 16, where two shown segments can overlap: at 10
// and a threshold of 5 a shown segment and its rest are both exactly 5;
// 3 segments of random membership, and everyone else), no set
// of people smaller than the detail threshold has a total that the
// published groups — the whole and every shown segment — determine: its
// indicator is outside the span of theirs. It checks the span directly,
// not the atoms DecideSegments reasons with, and checks the atoms too.
func TestSegmentCellsBruteForce(t *testing.T) {
	shownAny, withheldAny := 0, 0
	for seed := range uint64(600) {
		rng := rand.New(rand.NewPCG(seed, 20))
		n := 1 + rng.IntN(10)
		if seed%2 == 1 {
			n = 11 + rng.IntN(6)
		}
		detail := 5 + rng.IntN(2)
		answerers := people(1, n)
		var segs []review.SegmentSet
		for s := range 3 {
			p := 0.2 + 0.6*rng.Float64()
			seg := review.SegmentSet{ID: fmt.Sprint("S", s)}
			for _, a := range answerers {
				if rng.Float64() < p {
					seg.Members = append(seg.Members, a)
				}
			}
			segs = append(segs, seg)
		}
		all := review.WithEveryoneElse(answerers, segs)
		ds := review.DecideSegments(answerers, all, detail)
		whole := make([]float64, n)
		for i := range whole {
			whole[i] = 1
		}
		published := [][]float64{whole}
		for i, d := range ds {
			if d.ID != all[i].ID {
				t.Fatalf("seed %d: decision %d is %s, want %s", seed, i, d.ID, all[i].ID)
			}
			if !d.Shown() {
				withheldAny++
				continue
			}
			shownAny++
			v := make([]float64, n)
			for _, m := range all[i].Members {
				var k int
				fmt.Sscanf(m, "p%d", &k)
				v[k-1] = 1
			}
			published = append(published, v)
		}
		base := rank(published)
		for set := uint(1); set < 1<<n; set++ {
			size := bits.OnesCount(set)
			if size >= detail {
				continue
			}
			x := make([]float64, n)
			for i := range n {
				if set&(1<<i) != 0 {
					x[i] = 1
				}
			}
			if rank(append(published[:len(published):len(published)], x)) == base && len(published) > 1 {
				t.Errorf("seed %d (n=%d, detail %d): the shown segments %v determine a group of %d (%b)", seed, n, detail, ds, size, set)
			}
		}
		// The atoms of the shown segments: 0 or at least detail people.
		if len(published) > 1 {
			atoms := map[string]int{}
			for p := range n {
				key := ""
				for _, v := range published[1:] {
					key += fmt.Sprint(v[p])
				}
				atoms[key]++
			}
			for key, size := range atoms {
				if size < detail {
					t.Errorf("seed %d: atom %s has %d people", seed, key, size)
				}
			}
		}
	}
	if shownAny == 0 || withheldAny == 0 {
		t.Fatalf("the random audiences never showed (%d) or never withheld (%d) a segment", shownAny, withheldAny)
	}
}

// rank is the rank of vectors, by Gaussian elimination (their entries are
// 0 and 1 and there are few: floating point is exact enough).
func rank(vs [][]float64) int {
	m := make([][]float64, len(vs))
	for i, v := range vs {
		m[i] = append([]float64(nil), v...)
	}
	r := 0
	for c := 0; c < len(m[0]) && r < len(m); c++ {
		p := -1
		for i := r; i < len(m); i++ {
			if math.Abs(m[i][c]) > 1e-9 && (p < 0 || math.Abs(m[i][c]) > math.Abs(m[p][c])) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		for i := range m {
			if i != r && math.Abs(m[i][c]) > 1e-9 {
				f := m[i][c] / m[r][c]
				for j := range m[i] {
					m[i][j] -= f * m[r][j]
				}
			}
		}
		r++
	}
	return r
}
