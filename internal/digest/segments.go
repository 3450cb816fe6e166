package digest

import (
	"math"

	"github.com/assessbot/assessbot/internal/scoring"
)

// SegmentWhy says why a segment's cells are withheld (review.SegmentWhy).
type SegmentWhy string

// The reasons a segment or one of its cells is withheld. None names a
// person.
const (
	// SegTooFew: fewer than the detail threshold answered in it.
	SegTooFew SegmentWhy = "too_few"
	// SegRestTooFew: the review's other answerers are fewer than the
	// detail threshold.
	SegRestTooFew SegmentWhy = "rest_too_few"
	// SegOverlap: with the other shown segments, adding and subtracting
	// figures would single out fewer than the detail threshold.
	SegOverlap SegmentWhy = "overlap"
	// SegSection: the review's own figure for the section is withheld.
	SegSection SegmentWhy = "section"
)

// EveryoneElse is the id of the segment of answerers in no named one.
const EveryoneElse = "everyone-else"

// Segment is one team of a review's heatmap: a user group, a channel, or
// everyone else. A withheld segment carries its identity and the reason
// only: no count, no cell.
type Segment struct {
	ID string `json:"id"`
	// Name is the handle as Slack gives it ("cs-emea"); "" for everyone
	// else.
	Name string `json:"name,omitempty"`
	// N is how many answered in it; 0 when withheld.
	N   int        `json:"n,omitempty"`
	Why SegmentWhy `json:"why,omitempty"`
	// Cells are its cells, one per section of the result, in its order.
	Cells []Cell `json:"cells,omitempty"`
	// Trend maps a section id to its change since the segment's previous
	// run, in percentage points, when the disclosure model allows it.
	Trend map[string]float64 `json:"trend,omitempty"`
}

// Shown reports whether the segment's cells show.
func (s Segment) Shown() bool { return s.Why == "" }

// Cell is one section of one segment.
type Cell struct {
	Section string `json:"section"`
	// Score is the mean in [0,1]; nil when withheld or nobody scored it.
	Score *float64 `json:"score,omitempty"`
	// Band and Split are its agreement.
	Band  scoring.AgreementBand `json:"agreement_band,omitempty"`
	Split bool                  `json:"split,omitempty"`
	// N is how many scored the section in the segment; 0 when withheld.
	N   int        `json:"n,omitempty"`
	Why SegmentWhy `json:"why,omitempty"`
}

// Gap is the largest difference between two shown segments on one
// section.
type Gap struct {
	Section   scoring.SectionResult
	Low, High Segment
	// LowScore and HighScore are in [0,1].
	LowScore, HighScore float64
}

// LargestGap returns the largest gap between two shown cells of one
// section (ties: the first section, then the first pair in segment
// order), or false when no section has two shown cells.
func (d Digest) LargestGap() (Gap, bool) {
	var best Gap
	found := false
	for i, sec := range d.Result.Sections {
		for a := range d.Segments {
			for b := range d.Segments {
				sa, sb := d.Segments[a], d.Segments[b]
				ca, okA := sa.cell(i)
				cb, okB := sb.cell(i)
				if a == b || !okA || !okB || *ca.Score > *cb.Score {
					continue
				}
				gap := *cb.Score - *ca.Score
				if !found || gap > best.HighScore-best.LowScore+1e-12 {
					best = Gap{Section: sec, Low: sa, High: sb, LowScore: *ca.Score, HighScore: *cb.Score}
					found = true
				}
			}
		}
	}
	return best, found && math.Round((best.HighScore-best.LowScore)*100) >= 1
}

func (s Segment) cell(i int) (Cell, bool) {
	if !s.Shown() || i >= len(s.Cells) || s.Cells[i].Score == nil {
		return Cell{}, false
	}
	return s.Cells[i], true
}
