package present

import (
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

func fp(x float64) *float64 { return &x }

// worstSegments gives a digest two shown segments whose long names differ
// on every scored section, and a withheld one.
func worstSegments(d digest.Digest) []digest.Segment {
	a := digest.Segment{ID: "S1", Name: "customer-success-emea-and-partners", N: 6}
	b := digest.Segment{ID: "S2", Name: "customer-success-americas-enterprise", N: 7}
	c := digest.Segment{ID: "S3", Name: "cs-apac", Why: digest.SegTooFew}
	for i, s := range d.Result.Sections {
		ca, cb := digest.Cell{Section: s.ID, Why: digest.SegSection}, digest.Cell{Section: s.ID, Why: digest.SegSection}
		if s.Score != nil {
			ca = digest.Cell{Section: s.ID, Score: fp(0.2 + 0.01*float64(i)), N: 6}
			cb = digest.Cell{Section: s.ID, Score: fp(0.9), N: 7, Split: true}
		}
		a.Cells, b.Cells = append(a.Cells, ca), append(b.Cells, cb)
		c.Cells = append(c.Cells, digest.Cell{Section: s.ID, Why: digest.SegTooFew})
	}
	return []digest.Segment{a, b, c}
}

func TestGapLine(t *testing.T) {
	d := digest.Digest{Result: scoring.Result{Sections: []scoring.SectionResult{{ID: "p", Title: "Planning"}, {ID: "q", Title: "People"}}},
		Segments: []digest.Segment{
			{ID: "S1", Name: "cs-emea", N: 6, Cells: []digest.Cell{{Section: "p", Score: fp(0.42), N: 6}, {Section: "q", Score: fp(0.5), N: 6}}},
			{ID: "S2", Name: "@cs-amer", N: 5, Cells: []digest.Cell{{Section: "p", Score: fp(0.78), N: 5}, {Section: "q", Score: fp(0.6), N: 5}}},
			// Withheld: its figures, were they there, would make the gap.
			{ID: "S3", Name: "cs-apac", Why: digest.SegTooFew, Cells: []digest.Cell{{Section: "p", Score: fp(0)}, {Section: "q", Score: fp(1)}}},
		}}
	plain := Style{Code: same, Bold: same, Aside: same, Escape: same}
	if got, want := GapLine(d, plain), "Largest gap between teams Planning: cs-emea 42% vs cs-amer 78%"; got != want {
		t.Errorf("GapLine = %q, want %q", got, want)
	}
	d.Segments = d.Segments[1:]
	if got := GapLine(d, plain); got != "" {
		t.Errorf("one shown segment: GapLine = %q, want none", got)
	}
	if !strings.Contains(SegmentWhyWords(digest.SegRestTooFew, 5), "fewer than 5") {
		t.Error("the rest's reason does not say the threshold")
	}
}
