package review

import (
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// ScoreSegments scores a review's segments for the heatmap, each cell
// under the cell rules (DecideSegments): responses are the review's,
// still tied to their respondents; members who they were in each segment
// at the start; whole the review's result as Disclose let it through (a
// section it withholds has no cells). A segment shows when the rules
// allow it among the review's answerers; each of its cells when they
// allow it among those who scored the section (a section's sums are its
// own unknowns, so each section is checked on its own).
func ScoreSegments(f *assessment.Framework, responses []assessment.Response, segs []assessment.Segment, members assessment.Membership, whole scoring.Result, detail int, seed string) []digest.Segment {
	if len(segs) == 0 {
		return nil
	}
	byWho := map[string]assessment.Response{}
	var answerers []string
	sectionAnswerers := make([][]string, len(f.Sections))
	for _, r := range responses {
		if !r.HasAnswers() || r.Respondent == "" {
			continue
		}
		byWho[r.Respondent] = r
		answerers = append(answerers, r.Respondent)
		one := scoring.Aggregate(f, []assessment.Response{r}, scoring.Options{Threshold: 1})
		for i, s := range one.Sections {
			if s.Answered > 0 {
				sectionAnswerers[i] = append(sectionAnswerers[i], r.Respondent)
			}
		}
	}
	sets := make([]SegmentSet, len(segs))
	for i, s := range segs {
		sets[i] = SegmentSet{ID: s.ID, Members: members[s.ID]}
	}
	sets = WithEveryoneElse(answerers, sets)
	if len(sets[len(sets)-1].Members) == 0 {
		sets = sets[:len(sets)-1] // everyone answering is in a segment
	}
	decided := DecideSegments(answerers, sets, detail)
	out := make([]digest.Segment, len(sets))
	var shown []int
	for i, d := range decided {
		out[i] = digest.Segment{ID: d.ID, Why: digest.SegmentWhy(d.Why)}
		if i < len(segs) {
			out[i].Name = segs[i].Name
		}
		if d.Shown() {
			out[i].N = d.N
			shown = append(shown, i)
		}
	}
	results := map[int]scoring.Result{}
	for _, i := range shown {
		var rs []assessment.Response
		seen := map[string]bool{}
		for _, m := range sets[i].Members {
			if r, ok := byWho[m]; ok && !seen[m] {
				seen[m] = true
				rs = append(rs, r)
			}
		}
		results[i] = scoring.Aggregate(f, rs, scoring.Options{Threshold: detail, Seed: seed})
	}
	for si := range f.Sections {
		cellsOf(f, si, sets, shown, sectionAnswerers[si], results, whole, detail, out)
	}
	return out
}

// cellsOf fills section si's cell of every shown segment.
func cellsOf(f *assessment.Framework, si int, sets []SegmentSet, shown []int, answered []string, results map[int]scoring.Result,
	whole scoring.Result, detail int, out []digest.Segment) {
	sec := f.Sections[si].ID
	var ws []SegmentSet
	for _, i := range shown {
		ws = append(ws, sets[i])
	}
	decided := DecideSegments(answered, ws, detail)
	for k, i := range shown {
		cell := digest.Cell{Section: sec, Why: digest.SegmentWhy(decided[k].Why)}
		switch {
		case si >= len(whole.Sections) || whole.Sections[si].Score == nil:
			cell.Why = digest.SegSection
		case decided[k].Shown():
			s := results[i].Sections[si]
			cell.Score, cell.Band, cell.Split, cell.N = s.Score, s.AgreementBand, s.Split, s.Answered
		}
		out[i].Cells = append(out[i].Cells, cell)
	}
	for i := range out {
		if !out[i].Shown() {
			out[i].Cells = append(out[i].Cells, digest.Cell{Section: sec, Why: out[i].Why})
		}
	}
}
