package slackbot

import (
	"bytes"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/chart"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/present"
)

// drawHeatmap draws a digest's heatmap of sections by team, for its
// thread; nil when the review named no teams, nobody answered, or it
// cannot be drawn (logged: the table in the thread has the figures).
func (c *Client) drawHeatmap(d digest.Digest, r *assessment.Review) *digestChart {
	h, ok := chart.HeatmapForDigest(d, r.ID)
	if !ok || d.Result.Respondents == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := chart.HeatmapPNG(&buf, h); err != nil {
		c.log.Warn("heatmap not drawn", "review", r.ID, "err", err)
		return nil
	}
	return &digestChart{png: buf.Bytes(), name: r.ID + "-heatmap.png", title: present.HeatmapTitle(d), alt: present.HeatmapAltText}
}
