package scoring_test

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"

	"github.com/assessbot/assessbot/internal/scoring"
)

// TestAgreement: r_wg by hand, counts per level (for yes/no: no, yes).
// n²s² = n·Σx² − (Σx)²; r_wg = 1 − s²/σ²_EU with σ²_EU = (A²−1)/12: 1/4 for
// yes/no, 2/3 for three levels, 2 for five.
func TestAgreement(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		want   float64
		band   scoring.AgreementBand
	}{
		// Yes/no: r_wg = (2p − 1)².
		{"5–0", []int{0, 5}, 1, scoring.Aligned},                          // s² 0
		{"0–5", []int{5, 0}, 1, scoring.Aligned},                          // s² 0
		{"9–1", []int{1, 9}, 0.64, scoring.Aligned},                       // n²s² 90−81 = 9: s² 0.09, 1 − 0.36
		{"4–1", []int{1, 4}, 0.36, scoring.Mixed},                         // 20−16 = 4: s² 0.16, 1 − 0.64
		{"8–2", []int{2, 8}, 0.36, scoring.Mixed},                         // 80−64 = 16: s² 0.16
		{"7–3", []int{3, 7}, 0.16, scoring.Mixed},                         // 70−49 = 21: s² 0.21, 1 − 0.84
		{"2–1", []int{1, 2}, 1.0 / 9, scoring.Mixed},                      // 6−4 = 2: s² 2/9, 1 − 8/9
		{"3–1", []int{1, 3}, 0.25, scoring.Mixed},                         // 12−9 = 3: s² 3/16, 1 − 3/4
		{"3–2", []int{2, 3}, 0.04, scoring.Split},                         // 15−9 = 6: s² 0.24, 1 − 0.96
		{"6–4", []int{4, 6}, 0.04, scoring.Split},                         // 60−36 = 24: s² 0.24
		{"2–2", []int{2, 2}, 0, scoring.Split},                            // s² 0.25
		{"three levels, 0 1 1", []int{1, 2, 0}, 2.0 / 3, scoring.Aligned}, // 3·2−4 = 2: s² 2/9 over 2/3
		{"three levels, 0 2", []int{1, 0, 1}, 0, scoring.Split},           // s² 1 over 2/3: below 0, truncated
		// Five levels.
		{"five, neighbours 2 and 3", []int{0, 0, 3, 2, 0}, 0.88, scoring.Aligned}, // 5·30−144 = 6: s² 0.24, 1 − 0.12
		{"five, neighbours 3 and 4", []int{0, 0, 0, 1, 4}, 0.92, scoring.Aligned}, // 5·73−361 = 4: s² 0.16, 1 − 0.08
		{"five, one each level", []int{1, 1, 1, 1, 1}, 0, scoring.Split},          // 5·30−100 = 50: s² 2
		{"five, both ends", []int{2, 0, 0, 0, 3}, 0, scoring.Split},               // 5·48−144 = 96: s² 3.84, truncated
		{"five, one at each end", []int{1, 0, 0, 0, 1}, 0, scoring.Split},         // s² 4, truncated
		{"five, 1 1 3 3", []int{0, 2, 0, 2, 0}, 0.5, scoring.Aligned},             // 4·20−64 = 16: s² 1, exactly 0.5
		{"five, 0 1 2 3", []int{1, 1, 1, 1, 0}, 0.375, scoring.Mixed},             // 4·14−36 = 20: s² 1.25, 1 − 0.625
		{"five, unanimous", []int{0, 0, 4, 0, 0}, 1, scoring.Aligned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := scoring.Agreement(tt.counts)
			if !ok {
				t.Fatal("no agreement")
			}
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Agreement(%v) = %.15g, want %.15g", tt.counts, got, tt.want)
			}
			if b := scoring.BandOf(got); b != tt.band {
				t.Errorf("BandOf(%g) = %s, want %s", got, b, tt.band)
			}
			if len(tt.counts) == 2 {
				// The yes/no identity: (2p − 1)².
				p := float64(tt.counts[1]) / float64(tt.counts[0]+tt.counts[1])
				if id := (2*p - 1) * (2*p - 1); math.Abs(got-id) > 1e-12 {
					t.Errorf("Agreement(%v) = %g, but (2p−1)² = %g", tt.counts, got, id)
				}
			}
		})
	}
	for _, counts := range [][]int{nil, {0, 0}, {1, 0}, {0, 0, 1}, {3}} {
		if r, ok := scoring.Agreement(counts); ok {
			t.Errorf("Agreement(%v) = %g, want none (fewer than two answers or options)", counts, r)
		}
	}
}

// TestSectionAgreement: r*wg(J) = 1 − mean(s²/σ²_EU) over the items with
// two answers or more.
func TestSectionAgreement(t *testing.T) {
	tests := []struct {
		name  string
		items [][]int
		want  float64
		band  scoring.AgreementBand
	}{
		// 2–1 (s²/σ² = (2/9)/(1/4) = 8/9) and 3–0 (0): 1 − 4/9.
		{"yes/no 2–1 and 3–0", [][]int{{1, 2}, {0, 3}}, 5.0 / 9, scoring.Aligned},
		// Both 2–1: 1 − 8/9.
		{"yes/no 2–1 twice", [][]int{{1, 2}, {2, 1}}, 1.0 / 9, scoring.Mixed},
		// 2–2 (1), 3–1 (0.75): 1 − 0.875.
		{"yes/no 2–2 and 3–1", [][]int{{2, 2}, {1, 3}}, 0.125, scoring.Mixed},
		// 2–2 twice: 1 − 1.
		{"yes/no 2–2 twice", [][]int{{2, 2}, {2, 2}}, 0, scoring.Split},
		// A question with one answer is left out: as 2–1 alone.
		{"one answer left out", [][]int{{1, 2}, {0, 1}}, 1.0 / 9, scoring.Mixed},
		// Mixed scales: yes/no 2–2 (1) and five levels unanimous (0): 0.5.
		{"mixed scales", [][]int{{2, 2}, {0, 0, 4, 0, 0}}, 0.5, scoring.Aligned},
		// Five levels at both ends (s² 4 over 2) and unanimous: 1 − 1 = 0.
		{"five, both ends and unanimous", [][]int{{1, 0, 0, 0, 1}, {0, 2, 0, 0, 0}}, 0, scoring.Split},
		// Three levels 0 0 1 (2/9 over 2/3 = 1/3) and 0 1 2 (2/3 over 2/3 = 1): 1 − 2/3.
		{"three levels", [][]int{{2, 1, 0}, {1, 1, 1}}, 1.0 / 3, scoring.Mixed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := scoring.SectionAgreement(tt.items)
			if !ok {
				t.Fatal("no agreement")
			}
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("SectionAgreement(%v) = %.15g, want %.15g", tt.items, got, tt.want)
			}
			if b := scoring.BandOf(got); b != tt.band {
				t.Errorf("BandOf(%g) = %s, want %s", got, b, tt.band)
			}
		})
	}
	if r, ok := scoring.SectionAgreement([][]int{{0, 1}, {1, 0}}); ok {
		t.Errorf("SectionAgreement of single answers = %g, want none", r)
	}
}

func TestHotspot(t *testing.T) {
	sec := func(score float64, band scoring.AgreementBand) scoring.SectionResult {
		return scoring.SectionResult{Stats: scoring.Stats{Score: &score, AgreementBand: band}}
	}
	tests := []struct {
		s    scoring.SectionResult
		want bool
	}{
		{sec(0.6, scoring.Split), true},
		{sec(0.9, scoring.Split), true},
		{sec(0.59, scoring.Split), false},
		{sec(0.9, scoring.Mixed), false},
		{sec(0.9, ""), false}, // agreement withheld
		{scoring.SectionResult{Stats: scoring.Stats{AgreementBand: scoring.Split}}, false},
	}
	for _, tt := range tests {
		if got := scoring.Hotspot(tt.s); got != tt.want {
			t.Errorf("Hotspot(%v, %s) = %v, want %v", show(tt.s.Score), tt.s.AgreementBand, got, tt.want)
		}
	}
}

// TestAlignmentIndex: the mean agreement of the questions that have one.
func TestAlignmentIndex(t *testing.T) {
	// a1 yes yes no no: 0. a2 yes yes yes no: 0.25. a3 high high high mid:
	// levels 2,2,2,1, 4·13 − 49 = 3, s² 3/16 over 2/3: 1 − 9/32 = 23/32.
	// b1 yes ×4: 1. c1: one answer, none. Mean (0 + 0.25 + 23/32 + 1)/4.
	res := scoring.Aggregate(small(t), []assessment.Response{
		resp("U1", "a1=yes", "a2=yes", "a3=high", "b1=yes", "c1=yes"),
		resp("U2", "a1=yes", "a2=yes", "a3=high", "b1=yes"),
		resp("U3", "a1=no", "a2=yes", "a3=high", "b1=yes"),
		resp("U4", "a1=no", "a2=no", "a3=mid", "b1=yes"),
	}, scoring.Options{Threshold: 1})
	want := (0 + 0.25 + 23.0/32 + 1) / 4
	if res.Alignment == nil || math.Abs(*res.Alignment-want) > 1e-12 {
		t.Errorf("Alignment = %v, want %g", show(res.Alignment), want)
	}
	if res := scoring.Aggregate(small(t), nil, scoring.Options{}); res.Alignment != nil {
		t.Errorf("Alignment of nobody = %g, want none", *res.Alignment)
	}
}

// TestBandsExactAtBoundaries: for every mix of up to 12 answers on two,
// three and five options, the band Aggregate gives a question is the band
// of r_wg worked out in exact fractions: no rounding puts a mix on the
// wrong side of a cut-off (0.5 and 0.1 are reached exactly, e.g. by
// levels 1 1 3 3 of five).
func TestBandsExactAtBoundaries(t *testing.T) {
	for _, a := range []int{2, 3, 5} {
		f := parse(t, fmt.Sprintf(`
id: exact
title: Exact
scales:
  s:
    options: [%s]
sections:
  - {id: s, title: S, questions: [{id: q, text: "Q?", scale: s}]}
`, optionsYAML(a)))
		var walk func(levels []int, from int)
		walk = func(levels []int, from int) {
			if len(levels) >= 2 {
				var rs []assessment.Response
				sum, sq := new(big.Rat), new(big.Rat)
				for i, l := range levels {
					rs = append(rs, resp(fmt.Sprint("U", i), fmt.Sprintf("q=o%d", l)))
					sum.Add(sum, big.NewRat(int64(l), 1))
					sq.Add(sq, big.NewRat(int64(l*l), 1))
				}
				n := big.NewRat(int64(len(levels)), 1)
				mean := new(big.Rat).Quo(sum, n)
				variance := new(big.Rat).Sub(new(big.Rat).Quo(sq, n), new(big.Rat).Mul(mean, mean))
				r := new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).Quo(variance, big.NewRat(int64(a*a-1), 12)))
				want := scoring.Split
				switch {
				case r.Cmp(big.NewRat(1, 2)) >= 0:
					want = scoring.Aligned
				case r.Cmp(big.NewRat(1, 10)) >= 0:
					want = scoring.Mixed
				}
				q := scoring.Aggregate(f, rs, scoring.Options{Threshold: 1}).Questions[0]
				if q.AgreementBand != want || q.Split != (want == scoring.Split) {
					t.Errorf("%d options, levels %v: band %s (split %v), exact r_wg %s gives %s", a, levels, q.AgreementBand, q.Split, r.FloatString(6), want)
				}
			}
			if len(levels) == 12 {
				return
			}
			for l := from; l < a; l++ {
				walk(append(levels[:len(levels):len(levels)], l), l)
			}
		}
		walk(nil, 0)
	}
}

func optionsYAML(a int) string {
	var opts []string
	for i := range a {
		opts = append(opts, fmt.Sprintf("{id: o%d, label: O%d}", i, i))
	}
	return strings.Join(opts, ", ")
}
