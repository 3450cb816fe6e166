package chart

import (
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/present"
)

// HeatmapForDigest is the heatmap of a digest's segments (every one, the
// withheld drawn as withheld); false when the review named none.
func HeatmapForDigest(d digest.Digest, reviewID string) (Heatmap, bool) {
	if len(d.Segments) == 0 {
		return Heatmap{}, false
	}
	h := Heatmap{Title: d.Framework.Title, Subtitle: present.ChartSubtitle(d, reviewID)}
	for _, s := range d.Result.Sections {
		h.Sections = append(h.Sections, s.Title)
	}
	for _, s := range d.Segments[:min(len(d.Segments), MaxHeatColumns)] {
		col := HeatColumn{Name: present.SegmentLabel(s)}
		for i := range d.Result.Sections {
			c := HeatCell{Withheld: true}
			if i < len(s.Cells) && s.Cells[i].Why == "" {
				c = HeatCell{Score: s.Cells[i].Score, Split: s.Cells[i].Split, N: s.Cells[i].N}
			}
			col.Cells = append(col.Cells, c)
		}
		h.Segments = append(h.Segments, col)
	}
	return h, true
}
