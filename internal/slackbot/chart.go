package slackbot

import (
	"bytes"
	"context"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/chart"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/present"
)

// uploadChart renders the digest's chart and uploads it into the digest's
// thread. A chart that fails is logged, never a reason to lose the digest.
func (c *Client) uploadChart(ctx context.Context, d digest.Digest, r *assessment.Review, at assessment.MessageRef) {
	if d.Result.Respondents == 0 {
		return
	}
	var buf bytes.Buffer
	if err := chart.PNG(&buf, chart.ForDigest(d, r.ID)); err != nil {
		c.log.Warn("chart not drawn", "review", r.ID, "err", err)
		return
	}
	err := c.send.do(ctx, "files.upload", func(ctx context.Context) error {
		_, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Channel: at.Channel, ThreadTimestamp: at.TS, Filename: r.ID + "-chart.png", Title: present.ChartTitle(d),
			Reader: bytes.NewReader(buf.Bytes()), FileSize: buf.Len(),
			AltTxt: present.ChartAltText,
		})
		return err
	})
	if err != nil {
		c.log.Warn("chart not uploaded", "review", r.ID, "err", err)
	}
}
