package scoring

import "github.com/assessbot/assessbot/internal/assessment"

// Agreement is how far a team agrees on a question or a section, the
// figure people read (Divergence stays in the JSON outputs for the tools
// that read it).
//
// Per question it is r_wg against the uniform null (James, Demaree & Wolf
// 1984, J. Applied Psychology 69:85–98):
//
//	r_wg = 1 − s² / σ²_EU,   σ²_EU = (A² − 1) / 12
//
// where A is the number of scored options of the question's scale (not
// sure left out) and s² the variance of the answers in level units (the
// first option is level 0, the next level 1, and so on). s² is the
// population variance (divided by n, not n − 1): with it a yes/no question
// answered yes by a share p gives exactly (2p − 1)², the figure the bands
// below are chosen on, and a unanimous answer gives 1 whatever n. The value
// is truncated to [0, 1]: a team more divided than answers drawn at random
// agrees no less than 0.
//
// Per section it is r*wg(J) (Lindell, Brandt & Whitney 1999, Applied
// Psychological Measurement 23:127–135): 1 − (mean item variance) / σ²_EU,
// truncated the same way; when a section mixes scales each item's variance
// is taken relative to its own σ²_EU.

// AgreementBand names an agreement for people: aligned, mixed or split.
type AgreementBand string

// The three bands.
const (
	Aligned AgreementBand = "aligned"
	Mixed   AgreementBand = "mixed"
	Split   AgreementBand = "split"
)

// The band cut-offs (README, "How to read it"). On a yes/no question r_wg
// is (2p − 1)², so each cut-off is a share of the majority:
//
//   - AlignedFrom 0.5: the majority is at least (1 + √0.5)/2 ≈ 85%.
//     9–1 (0.64) and 5–0 (1) are aligned; 4–1 and 8–2 (0.36) are not.
//     It is also where LeBreton & Senter (2008) start "moderate"
//     agreement (0.51–0.70) after "weak" (0.31–0.50).
//   - MixedFrom 0.1: the majority is at least (1 + √0.1)/2 ≈ 66%, about
//     two in three. 7–3 (0.16) and 2–1 (0.11) are mixed; 3–2 and 6–4
//     (0.04) are split: a majority of three in five is no agreement.
//
// On a five-level scale (σ²_EU = 2) any two neighbouring answers give at
// most s² = 0.25, r_wg ≥ 0.875: aligned. Answers spread evenly over the
// whole scale give s² = 2, r_wg = 0; answers at both ends give s² up to 4,
// truncated to 0: split.
const (
	AlignedFrom = 0.5
	MixedFrom   = 0.1
)

// HotspotFrom is the section mean from which a split section is a hotspot:
// its mean looks fine but the team does not agree on it.
const HotspotFrom = 0.6

// BandOf names an agreement.
func BandOf(agreement float64) AgreementBand {
	switch {
	case agreement >= AlignedFrom:
		return Aligned
	case agreement >= MixedFrom:
		return Mixed
	}
	return Split
}

// UniformVariance is σ²_EU, the variance of answers drawn at random from A
// equally likely options, in level units.
func UniformVariance(a int) float64 { return float64(a*a-1) / 12 }

// levelSpread is n²·s² of a question's answers in level units, an integer:
// n·Σx² − (Σx)². Keeping it whole lets a band boundary come out exactly
// (4–1 is 0.36, not 0.36000000000000004).
func levelSpread(counts []int) (n, spread int) {
	sum, sq := 0, 0
	for level, c := range counts {
		n += c
		sum += c * level
		sq += c * level * level
	}
	return n, n*sq - sum*sum
}

// Agreement is r_wg of one question from the number of answers at each
// scored level (counts[i] chose the i-th scored option). ok is false with
// fewer than two answers or fewer than two options: agreement needs two
// people and a choice.
func Agreement(counts []int) (r float64, ok bool) {
	a := len(counts)
	n, spread := levelSpread(counts)
	if n < 2 || a < 2 {
		return 0, false
	}
	// r = 1 − (spread/n²) / ((A²−1)/12), as one ratio of integers.
	den := n * n * (a*a - 1)
	return clamp01(float64(den-12*spread) / float64(den)), true
}

// SectionAgreement is r*wg(J) of a section from its questions' counts per
// level (as Agreement's); questions with fewer than two answers are left
// out. ok is false when none is left.
func SectionAgreement(items [][]int) (r float64, ok bool) {
	rel, m := 0.0, 0
	// When every item has the same answers and options (the usual case:
	// everyone answered a section of one scale) the figure is one ratio of
	// integers, exact at a band's boundary as Agreement's is.
	same, n0, a0, spreads := true, -1, -1, 0
	for _, counts := range items {
		n, spread := levelSpread(counts)
		if n < 2 || len(counts) < 2 {
			continue
		}
		if n0 < 0 {
			n0, a0 = n, len(counts)
		}
		same = same && n == n0 && len(counts) == a0
		spreads += spread
		rel += float64(spread) / float64(n*n) / UniformVariance(len(counts))
		m++
	}
	if m == 0 {
		return 0, false
	}
	if same {
		return UniformSectionAgreement(n0, a0, m, spreads), true
	}
	return clamp01(1 - rel/float64(m)), true
}

// UniformSectionAgreement is r*wg(J) of m questions each answered by n
// people on a options, whose n²s² add up to spreads (see levelSpread).
func UniformSectionAgreement(n, a, m, spreads int) float64 {
	den := n * n * m * (a*a - 1)
	return clamp01(float64(den-12*spreads) / float64(den))
}

func clamp01(x float64) float64 { return min(max(x, 0), 1) }

// Levels lists a scale's scored options in level order (its own order,
// worst to best), by id: the level of an option is its index.
func Levels(sc *assessment.Scale) []string {
	if sc == nil || sc.Text {
		return nil
	}
	out := make([]string, 0, len(sc.Options))
	for _, o := range sc.Options {
		out = append(out, o.ID)
	}
	return out
}

// LevelCounts orders a question's answer counts by level.
func LevelCounts(sc *assessment.Scale, options map[string]int) []int {
	lv := Levels(sc)
	out := make([]int, len(lv))
	for i, id := range lv {
		out[i] = options[id]
	}
	return out
}

// Hotspot reports whether a section's mean looks fine (at least
// HotspotFrom) while its agreement is split.
func Hotspot(s SectionResult) bool {
	return s.Score != nil && *s.Score >= HotspotFrom && s.AgreementBand == Split
}

// AlignmentIndex is a review's alignment index: the mean agreement of the
// questions that have one (scored, answered by at least two); nil when none
// has.
func AlignmentIndex(qs []QuestionResult) *float64 {
	sum, n := 0.0, 0
	for _, q := range qs {
		if q.Agreement != nil {
			sum += *q.Agreement
			n++
		}
	}
	if n == 0 {
		return nil
	}
	m := sum / float64(n)
	return &m
}
