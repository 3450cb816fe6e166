package review_test

import (
	"math"
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/scoring"
)

func respondentsOf(rs []assessment.Response, keep func(i int) bool) []string {
	var out []string
	for i, r := range rs {
		if keep(i) {
			out = append(out, r.Respondent)
		}
	}
	return out
}

func scoreSegments(t *testing.T, rs []assessment.Response, segs []assessment.Segment, members assessment.Membership) map[string]digest.Segment {
	t.Helper()
	f := modelFramework(t)
	th := review.Thresholds{Mean: 3, Detail: 5}
	whole, _ := review.Disclose(f, scoring.Aggregate(f, rs, scoring.Options{Threshold: 3}), th)
	out := map[string]digest.Segment{}
	for _, s := range review.ScoreSegments(f, rs, segs, members, whole, th.Detail, "r1") {
		if len(s.Cells) != len(f.Sections) {
			t.Fatalf("%s has %d cells, want one per section (%d)", s.ID, len(s.Cells), len(f.Sections))
		}
		out[s.ID] = s
	}
	return out
}

func near(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }

// Twelve answer; the even ones say yes to every yes/no question, the odd
// ones no to y1 and y2 and yes to y3: on "Yes or no" EVEN scores 3/3 and
// ODD 1/3 each, unanimously within each.
func TestScoreSegmentsCells(t *testing.T) {
	rs := modelResponses(12)
	even := respondentsOf(rs, func(i int) bool { return i%2 == 0 })
	odd := respondentsOf(rs, func(i int) bool { return i%2 == 1 })
	segs := []assessment.Segment{{ID: "S1", Name: "even"}, {ID: "S2", Name: "odd"}}
	got := scoreSegments(t, rs, segs, assessment.Membership{"S1": even, "S2": odd})
	if _, ok := got[review.EveryoneElse]; ok || len(got) != 2 {
		t.Fatalf("everyone is in a segment: want the two and no everyone else, got %v", got)
	}
	e, o := got["S1"], got["S2"]
	if !e.Shown() || !o.Shown() || e.N != 6 || o.N != 6 || e.Name != "even" {
		t.Fatalf("both show with 6: %+v %+v", e, o)
	}
	if c := e.Cells[0]; !near(c.Score, 1) || c.N != 6 || c.Split || c.Section != "yn" {
		t.Errorf("EVEN on yes/no: %+v, want 100%% of 6, not split", c)
	}
	if c := o.Cells[0]; !near(c.Score, 1.0/3) || c.N != 6 || c.Split {
		t.Errorf("ODD on yes/no: %+v, want 33%% of 6, not split", c)
	}
	// "One" (o1 at level i mod 5, levels 0, .25, … 1): EVEN has levels
	// 0,2,4,1,3,0 (2.5/6), ODD 1,3,0,2,4,1 (2.75/6).
	if c := e.Cells[2]; !near(c.Score, 2.5/6) {
		t.Errorf("EVEN on One: %+v, want %.4f", c, 2.5/6)
	}
	if c := o.Cells[2]; !near(c.Score, 2.75/6) {
		t.Errorf("ODD on One: %+v, want %.4f", c, 2.75/6)
	}
	d := digest.Digest{Result: scoring.Result{Sections: []scoring.SectionResult{{ID: "yn"}, {ID: "lv"}, {ID: "one"}, {ID: "mixed"}}},
		Segments: []digest.Segment{e, o}}
	gap, ok := d.LargestGap()
	if !ok || gap.Section.ID != "yn" || gap.Low.ID != "S2" || gap.High.ID != "S1" || math.Abs(gap.HighScore-gap.LowScore-2.0/3) > 1e-9 {
		t.Errorf("largest gap: %+v, want yes/no, ODD 33%% vs EVEN 100%%", gap)
	}
}

// Fourteen answer: A is 4 of them (withheld, no count, no cell), B 6
// (shown), everyone else the other 4 (withheld).
func TestScoreSegmentsSegmentOfFour(t *testing.T) {
	rs := modelResponses(14)
	a := respondentsOf(rs, func(i int) bool { return i < 4 })
	b := respondentsOf(rs, func(i int) bool { return i >= 4 && i < 10 })
	got := scoreSegments(t, rs, []assessment.Segment{{ID: "S1"}, {ID: "S2"}}, assessment.Membership{"S1": a, "S2": b})
	for id, why := range map[string]digest.SegmentWhy{"S1": digest.SegTooFew, review.EveryoneElse: digest.SegTooFew} {
		s := got[id]
		if s.Shown() || s.Why != why || s.N != 0 {
			t.Errorf("%s: %+v, want withheld (%s) with no count", id, s, why)
		}
		for _, c := range s.Cells {
			if c.Score != nil || c.N != 0 || c.Why != why {
				t.Errorf("%s: cell %+v shows a figure", id, c)
			}
		}
	}
	if s := got["S2"]; !s.Shown() || s.N != 6 || s.Cells[0].Score == nil {
		t.Errorf("S2: %+v, want shown with 6", s)
	}
}

// Twelve answer, but U1 and U3 skip "Yes or no": on that section ODD has
// 4 (withheld) and so EVEN's rest is 4 (withheld too: the section's
// figure minus EVEN's would be ODD's); the other sections show both.
func TestScoreSegmentsCellBySection(t *testing.T) {
	rs := modelResponses(12)
	for _, i := range []int{1, 3} {
		for _, q := range []string{"y1", "y2", "y3"} {
			delete(rs[i].Answers, q)
		}
	}
	even := respondentsOf(rs, func(i int) bool { return i%2 == 0 })
	odd := respondentsOf(rs, func(i int) bool { return i%2 == 1 })
	got := scoreSegments(t, rs, []assessment.Segment{{ID: "S1"}, {ID: "S2"}}, assessment.Membership{"S1": even, "S2": odd})
	e, o := got["S1"], got["S2"]
	if !e.Shown() || !o.Shown() {
		t.Fatalf("both segments show: %+v %+v", e, o)
	}
	if c := o.Cells[0]; c.Score != nil || c.Why != digest.SegTooFew {
		t.Errorf("ODD on yes/no: %+v, want withheld, too few", c)
	}
	if c := e.Cells[0]; c.Score != nil || c.Why != digest.SegRestTooFew {
		t.Errorf("EVEN on yes/no: %+v, want withheld, rest too few", c)
	}
	for i := 1; i < 4; i++ {
		if e.Cells[i].Score == nil || o.Cells[i].Score == nil {
			t.Errorf("section %d: %+v %+v, want both shown", i, e.Cells[i], o.Cells[i])
		}
	}
}
