package slackbot

import (
	"bytes"
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/chart"
	"github.com/assessbot/assessbot/internal/digest"
)

// chartInput turns a digest into the chart's input: team scores, the
// spread of respondents, and the previous review's scores when there is one.
func chartInput(d digest.Digest, r *assessment.Review) chart.Input {
	in := chart.Input{Title: d.Framework.Title, Subtitle: fmt.Sprintf("Review %s · %s → %s · %s",
		r.ID, d.Opened.UTC().Format("2 Jan"), d.Closed.UTC().Format("2 Jan 2006"), d.ResponseLine())}
	prev := map[string]*float64{}
	if d.Previous != nil {
		for _, s := range d.Previous.Sections {
			prev[s.ID] = s.Score
		}
		in.Subtitle += " · previous review " + d.PreviousClosed.UTC().Format("2 Jan 2006")
	}
	for _, s := range d.Result.Sections {
		cs := chart.Section{Title: s.Title, Score: s.Score, Withheld: s.Withheld, Previous: prev[s.ID]}
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

// uploadChart renders the digest's chart and uploads it into the digest's
// thread. A chart that fails is logged, never a reason to lose the digest.
func (c *Client) uploadChart(ctx context.Context, d digest.Digest, r *assessment.Review, at assessment.MessageRef) {
	if d.Result.Respondents == 0 {
		return
	}
	var buf bytes.Buffer
	if err := chart.PNG(&buf, chartInput(d, r)); err != nil {
		c.log.Warn("chart not drawn", "review", r.ID, "err", err)
		return
	}
	err := c.send.do(ctx, "files.upload", func(ctx context.Context) error {
		_, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Channel: at.Channel, ThreadTimestamp: at.TS, Filename: r.ID + "-chart.png", Title: "Chart: " + d.Framework.Title,
			Reader: bytes.NewReader(buf.Bytes()), FileSize: buf.Len(),
			AltTxt: "Radar of section scores and the spread of respondents' scores per section",
		})
		return err
	})
	if err != nil {
		c.log.Warn("chart not uploaded", "review", r.ID, "err", err)
	}
}
