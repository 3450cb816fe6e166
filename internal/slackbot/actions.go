package slackbot

import (
	"context"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
)

var _ review.ActionMessenger = (*Client)(nil)

// An action's messages are rendered without a clock: what they show of
// time (its due date) does not change between edits, and "overdue" is the
// App Home's and the lists' to say, which are drawn when read.
var noClock time.Time

// PostAction posts an action's message in its digest's thread.
func (c *Client) PostAction(ctx context.Context, thread assessment.MessageRef, v review.ActionView) (assessment.MessageRef, error) {
	ref, err := c.post(ctx, thread.Channel, present.ActionThreadFallback, present.ActionThread(v, noClock), slack.MsgOptionTS(thread.TS))
	return ref, refused(err)
}

// FindAction looks in a digest's thread for an action's message posted
// since a time (a crash may have hidden it from the store).
func (c *Client) FindAction(ctx context.Context, thread assessment.MessageRef, actionID string, since time.Time) (assessment.MessageRef, bool) {
	var msgs []slack.Message
	err := c.send.do(ctx, "conversations.replies", func(ctx context.Context) (err error) {
		msgs, _, _, err = c.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: thread.Channel, Timestamp: thread.TS, Oldest: strconv.FormatInt(since.Unix()-60, 10), Limit: 1000})
		return err
	})
	if err != nil {
		c.log.Warn("cannot read a digest's thread to check for an action's message posted before a crash", "err", present.SlackErr(err))
		return assessment.MessageRef{}, false
	}
	for _, m := range msgs {
		if m.Timestamp != thread.TS && present.IsActionMessage(m.Blocks.BlockSet, actionID) {
			return assessment.MessageRef{Channel: thread.Channel, TS: m.Timestamp}, true
		}
	}
	return assessment.MessageRef{}, false
}

// UpdateAction edits an action's message in its digest's thread.
func (c *Client) UpdateAction(ctx context.Context, ref assessment.MessageRef, v review.ActionView) error {
	return refused(c.Update(ctx, ref, present.ActionThreadFallback, present.ActionThread(v, noClock)))
}

// ProposeAction asks an action's owner to accept or decline it.
func (c *Client) ProposeAction(ctx context.Context, v review.ActionView) error {
	fallback, blocks := present.ActionProposal(v, noClock)
	_, err := c.post(ctx, v.Action.Owner, fallback, blocks)
	return refused(err)
}

// ActionDeclined tells an action's proposer that its owner declined it.
func (c *Client) ActionDeclined(ctx context.Context, v review.ActionView) error {
	fallback, blocks := present.ActionDeclined(v, noClock)
	_, err := c.post(ctx, v.Action.Proposer, fallback, blocks)
	return refused(err)
}

// RemindAction reminds an action's owner that it is due.
func (c *Client) RemindAction(ctx context.Context, v review.ActionView, onTheDay bool) error {
	fallback, blocks := present.ActionReminder(v, onTheDay, noClock)
	_, err := c.post(ctx, v.Action.Owner, fallback, blocks)
	return refused(err)
}
