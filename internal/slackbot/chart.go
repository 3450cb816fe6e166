package slackbot

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/chart"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/present"
)

// The digest's chart goes into the digest message: uploaded first without
// a channel (files.getUploadURLExternal, the upload URL,
// files.completeUploadExternal with no channel_id), which gives a file that
// is shared nowhere yet, then shown by an image block naming it
// (slack_file). When that fails, the digest goes without it and the chart
// into the digest's thread, as a file shared there.

// digestChart is a drawn chart and, once uploaded without a channel, the
// id of its file.
type digestChart struct {
	png        []byte
	name, alt  string
	title      string
	unsharedID string
}

// fileWaits are the pauses before posting again a message whose image
// Slack has not processed yet: Slack completes an upload asynchronously,
// and a message naming the file right after can be refused with
// invalid_blocks ("invalid slack file") for a moment. About 7.5 s in all,
// well within the digest's lease; a file still refused after that is
// taken as refused for good.
var fileWaits = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}

// unsharedCharts remembers, by review, the chart uploaded for a digest not
// posted yet, so that a post retried by the same process (Slack down, the
// channel refusing it and the creator's DM next) shows the same file
// instead of uploading another. A crash forgets it; then the next process
// uploads again and the first file stays unshared (see README).
type unsharedCharts struct {
	mu  sync.Mutex
	ids map[string]string
}

// maxUnshared bounds unsharedCharts: digests waiting for a retry.
const maxUnshared = 64

func (u *unsharedCharts) get(review string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.ids[review]
}

func (u *unsharedCharts) put(review, id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.ids == nil {
		u.ids = map[string]string{}
	}
	if len(u.ids) >= maxUnshared {
		for k := range u.ids {
			delete(u.ids, k) // any one: it only costs an upload
			break
		}
	}
	u.ids[review] = id
}

func (u *unsharedCharts) forget(review string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.ids, review)
}

// drawChart draws a digest's chart; nil when there is none (nobody
// answered) or it cannot be drawn, which is logged, never a reason to lose
// the digest.
func (c *Client) drawChart(d digest.Digest, r *assessment.Review) *digestChart {
	if d.Result.Respondents == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := chart.PNG(&buf, chart.ForDigest(d, r.ID)); err != nil {
		c.log.Warn("chart not drawn", "review", r.ID, "err", err)
		return nil
	}
	return &digestChart{png: buf.Bytes(), name: r.ID + "-chart.png", title: present.ChartTitle(d),
		alt: present.ChartAlt(d, chart.Undrawable)}
}

// uploadUnshared uploads the chart without a channel, or takes the file
// uploaded for the same review by an earlier attempt; on failure the chart
// has no unshared file and goes to the thread.
func (c *Client) uploadUnshared(ctx context.Context, ch *digestChart, reviewID string) {
	if id := c.unshared.get(reviewID); id != "" {
		ch.unsharedID = id
		return
	}
	err := c.send.do(ctx, "files.upload", func(ctx context.Context) error {
		f, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Filename: ch.name, Title: ch.title, AltTxt: ch.alt,
			Reader: bytes.NewReader(ch.png), FileSize: len(ch.png),
		})
		if err == nil {
			ch.unsharedID = f.ID
		}
		return err
	})
	if err != nil {
		c.log.Warn("chart not uploaded for the digest message; it goes to the thread", "review", reviewID, "err", present.SlackErr(err))
		return
	}
	c.unshared.put(reviewID, ch.unsharedID)
}

// chartToThread uploads the chart into the digest's thread, where it goes
// when the digest message could not show it.
func (c *Client) chartToThread(ctx context.Context, ch *digestChart, reviewID string, at assessment.MessageRef) {
	err := c.send.do(ctx, "files.upload", func(ctx context.Context) error {
		_, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Channel: at.Channel, ThreadTimestamp: at.TS, Filename: ch.name, Title: ch.title,
			Reader: bytes.NewReader(ch.png), FileSize: len(ch.png), AltTxt: ch.alt,
		})
		return err
	})
	if err != nil {
		c.log.Warn("chart not uploaded", "review", reviewID, "err", present.SlackErr(err))
	}
}

// dropUnshared deletes a chart's unshared file that no message shows. A
// failure leaves it, private to the bot; it is only logged.
func (c *Client) dropUnshared(ctx context.Context, ch *digestChart, reviewID string) {
	if ch.unsharedID == "" {
		return
	}
	err := c.send.do(ctx, "files.delete", func(ctx context.Context) error {
		return c.api.DeleteFileContext(ctx, ch.unsharedID)
	})
	if err != nil {
		c.log.Warn("unshared chart file not deleted", "review", reviewID, "file", ch.unsharedID, "err", present.SlackErr(err))
	}
}

// fileNotReady reports whether Slack refused a message only because a
// file its image blocks name is not usable (yet): invalid_blocks whose
// every message points at a slack_file.
func fileNotReady(err error) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_blocks" || len(se.ResponseMetadata.Messages) == 0 {
		return false
	}
	for _, m := range se.ResponseMetadata.Messages {
		if !strings.Contains(m, "/slack_file") {
			return false
		}
	}
	return true
}

// slackSaid reports whether err is Slack answering with one of codes.
func slackSaid(err error, codes ...string) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	for _, code := range codes {
		if se.Err == code {
			return true
		}
	}
	return false
}

// refusesAnyMessage reports whether Slack refused a message for a reason
// that is not its content: the channel or the token. Any other refusal of
// a digest with its chart may be the chart's doing.
func refusesAnyMessage(err error) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	return strings.HasPrefix(se.Err, "restricted_action") || slackSaid(err, "not_in_channel", "channel_not_found",
		"is_archived", "not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired", "missing_scope")
}

// metadataRefused reports whether Slack refused a message's metadata.
func metadataRefused(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && strings.Contains(se.Err, "metadata")
}
