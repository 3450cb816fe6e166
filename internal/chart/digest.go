package chart

import (
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/present"
)

// ForDigest is the chart of a digest: team scores, the spread of
// respondents, and the previous review's scores when there is one;
// reviewID names the review in the subtitle.
func ForDigest(d digest.Digest, reviewID string) Input {
	in := Input{Title: d.Framework.Title, Subtitle: present.ChartSubtitle(d, reviewID)}
	prev := map[string]*float64{}
	if d.Previous != nil {
		for _, s := range d.Previous.Sections {
			prev[s.ID] = s.Score
		}
	}
	for _, s := range d.Result.Sections {
		cs := Section{Title: s.Title, Score: s.Score, Withheld: s.Withheld, Previous: prev[s.ID]}
		if d.Trend != nil {
			if c, ok := d.Trend.Sections[s.ID]; ok {
				cs.Change = &c
			}
		}
		q, ok := d.Spread[s.ID]
		switch {
		case s.Score != nil && ok:
			cs.Min, cs.Q1, cs.Median, cs.Q3, cs.Max = q.Min, q.Q1, q.Median, q.Q3, q.Max
		case s.Score != nil:
			cs.SpreadWithheld = true // too few for the spread to hide anyone
		}
		in.Sections = append(in.Sections, cs)
	}
	return in
}
