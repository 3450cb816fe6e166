package review

import (
	"sort"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Segments: the cell rules of the heatmap (issue 20).
//
// A review may name segments (user groups, channels): teams whose figures
// the digest shows side by side. A segment's figures are published next to
// the review's own, so the question is not only whether a segment is large
// enough, but what the published groups give away together.
//
// The published groups are the review's answerers (the whole) and every
// shown segment's answerers. Each figure of a cell is a mean (or a band
// read from a spread) over a group of n people, shown with n; a mean times
// n is the group's sum, and a spread times n is its sum of squares. So
// what a reader can derive is any linear combination, with integer or
// rational weights, of the groups' sums — a sum over people with weight
// w(p) = Σ c_g·[p ∈ g]. That weight is constant on every atom of the Venn
// partition the published groups make of the whole (the people who share
// one pattern of in/out over every shown segment): the groups are unions
// of atoms, so any combination of their indicators is a combination of the
// atoms' indicators. A group of people whose total can be derived is thus
// a union of atoms, and when every non-empty atom has at least detail
// people, so does every non-empty union of them: checking the atoms
// suffices. (It is stricter than needed — an atom need not itself be
// derivable — and that is the safe side.)
//
// DecideSegments withholds a segment with fewer than detail answerers, one
// whose rest (the whole minus it) is 1 to detail−1 people, and then, while
// an atom of 1 to detail−1 people remains, the smallest segment involved
// in it (complementary suppression, as statistical agencies do it).
// Withholding a segment merges atoms, never splits them, so an atom that
// passed stays passing and the loop ends.

// EveryoneElse is the segment of the answerers in no named segment.
const EveryoneElse = "everyone-else"

// SegmentSet is who answered within one segment, as opaque ids.
type SegmentSet struct {
	ID      string
	Members []string
}

// SegmentWhy says why a segment's cells are withheld; "" when shown.
type SegmentWhy string

// The reasons, none of which names a person.
const (
	// SegTooFew: fewer than the detail threshold answered in it.
	SegTooFew SegmentWhy = "too_few"
	// SegRestTooFew: the review's other answerers are fewer than the
	// detail threshold (the whole minus the segment would show them).
	SegRestTooFew SegmentWhy = "rest_too_few"
	// SegOverlap: with the other segments shown, adding and subtracting
	// their figures would single out fewer than the detail threshold.
	SegOverlap SegmentWhy = "overlap"
)

// SegmentDecision is the disclosure model's word on one segment.
type SegmentDecision struct {
	ID string
	// N is how many of the review's answerers are in it.
	N   int
	Why SegmentWhy
}

// Shown reports whether the segment's cells show.
func (d SegmentDecision) Shown() bool { return d.Why == "" }

// WithEveryoneElse returns segs and, after them, the segment of the
// answerers in none of them.
func WithEveryoneElse(answerers []string, segs []SegmentSet) []SegmentSet {
	in := map[string]bool{}
	for _, s := range segs {
		for _, m := range s.Members {
			in[m] = true
		}
	}
	rest := SegmentSet{ID: EveryoneElse}
	for _, a := range answerers {
		if !in[a] {
			rest.Members = append(rest.Members, a)
		}
	}
	return append(append([]SegmentSet(nil), segs...), rest)
}

// DecideSegments decides which segments' cells show: answerers are the
// people who answered (the whole), segs the segments (their members
// outside the answerers are ignored), detail the detail threshold (raised
// to its floor). The decisions are in the order of segs.
func DecideSegments(answerers []string, segs []SegmentSet, detail int) []SegmentDecision {
	detail = max(detail, assessment.MinDetailThreshold)
	small := func(n int) bool { return n > 0 && n < detail }
	index := make(map[string]int, len(answerers))
	for _, a := range answerers {
		if _, ok := index[a]; !ok {
			index[a] = len(index)
		}
	}
	whole := len(index)
	member := make([][]bool, len(segs)) // member[s][person]
	out := make([]SegmentDecision, len(segs))
	for i, s := range segs {
		member[i] = make([]bool, whole)
		for _, m := range s.Members {
			if p, ok := index[m]; ok && !member[i][p] {
				member[i][p] = true
				out[i].N++
			}
		}
		out[i].ID = s.ID
		switch {
		case out[i].N < detail:
			out[i].Why = SegTooFew
		case small(whole - out[i].N):
			out[i].Why = SegRestTooFew
		}
	}
	for {
		atom := smallestAtom(out, member, whole, detail)
		if atom == nil {
			return out
		}
		w := involved(out, member, whole, atom)
		out[w].Why = SegOverlap
	}
}

// atomOf is one atom of the partition: its pattern over the shown
// segments (shown[i] in or out) and its people.
type atomOf struct {
	key    string
	people []int
}

// atoms partitions the whole by membership of the shown segments.
func atoms(out []SegmentDecision, member [][]bool, whole int) map[string]*atomOf {
	m := map[string]*atomOf{}
	for p := range whole {
		key := make([]byte, len(out))
		for i := range out {
			switch {
			case !out[i].Shown():
				key[i] = '-'
			case member[i][p]:
				key[i] = '1'
			default:
				key[i] = '0'
			}
		}
		a := m[string(key)]
		if a == nil {
			a = &atomOf{key: string(key)}
			m[string(key)] = a
		}
		a.people = append(a.people, p)
	}
	return m
}

// smallestAtom returns the smallest atom of 1 to detail−1 people (ties by
// pattern), or nil when there is none.
func smallestAtom(out []SegmentDecision, member [][]bool, whole, detail int) *atomOf {
	shown := false
	for _, d := range out {
		shown = shown || d.Shown()
	}
	if !shown {
		return nil // the whole alone: Disclose decides its figures
	}
	var best *atomOf
	for _, a := range atoms(out, member, whole) {
		if len(a.people) >= detail {
			continue
		}
		if best == nil || len(a.people) < len(best.people) || len(a.people) == len(best.people) && a.key < best.key {
			best = a
		}
	}
	return best
}

// involved picks the segment to withhold for a small atom: among the shown
// segments whose boundary separates it from a non-empty atom (withholding
// one merges the two), the smallest, the later named on a tie; when no
// boundary does, the smallest shown segment.
func involved(out []SegmentDecision, member [][]bool, whole int, a *atomOf) int {
	all := atoms(out, member, whole)
	var cands []int
	for i := range out {
		if !out[i].Shown() {
			continue
		}
		flip := []byte(a.key)
		flip[i] = '0' + '1' - flip[i]
		if all[string(flip)] != nil {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		for i := range out {
			if out[i].Shown() {
				cands = append(cands, i)
			}
		}
	}
	sort.SliceStable(cands, func(x, y int) bool {
		if out[cands[x]].N != out[cands[y]].N {
			return out[cands[x]].N < out[cands[y]].N
		}
		return cands[x] > cands[y]
	})
	return cands[0]
}

// SegmentTrendShown reports whether a segment's change between two runs
// may show: the people who answered in it then and now must be the same,
// or differ by at least the detail threshold (counted both ways), or the
// change would be the answers of the few who came or went.
func SegmentTrendShown(then, now []string, detail int) bool {
	detail = max(detail, assessment.MinDetailThreshold)
	a := map[string]bool{}
	for _, u := range now {
		a[u] = true
	}
	seen := map[string]bool{}
	var b []string
	for _, u := range then {
		if !seen[u] {
			seen[u] = true
			b = append(b, u)
		}
	}
	d := difference(a, b)
	return d == 0 || d >= detail
}
