package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot/handlers"
)

// ClientConfig tunes the Slack client.
type ClientConfig struct {
	SlackAttempts int           // tries per Slack call
	RetryBase     time.Duration // first backoff for 5xx/network errors
	Log           *slog.Logger
	Registerer    prometheus.Registerer
	// HTTPClient posts to response URLs; the same client serves the Web API
	// (slack.OptionHTTPClient).
	HTTPClient *http.Client
}

// Client is the one way assessbot talks to Slack's Web API: every call goes
// through its sender (retries, rate limits, metrics). It is the Messenger
// and the Directory of internal/review, and the handlers' Slack.
type Client struct {
	api     *slack.Client
	send    *sender
	log     *slog.Logger
	m       *metrics
	http    *http.Client
	botUser atomic.Value // string, once authenticated
	// unshared are charts uploaded for digests not posted yet.
	unshared unsharedCharts
	// ws is the workspace the tokens belong to, once authenticated.
	ws atomic.Pointer[assessment.Workspace]
}

var (
	_ review.Messenger = (*Client)(nil)
	_ review.Directory = (*Client)(nil)
	_ handlers.Slack   = (*Client)(nil)
)

// NewClient wraps a slack-go client. api must carry the app-level token
// (OptionAppLevelToken) for Socket Mode.
func NewClient(api *slack.Client, cfg ClientConfig) *Client {
	m := newMetrics(cfg.Registerer)
	log := redactingLogger(cfg.Log)
	c := &Client{api: api, log: log, m: m, http: cfg.HTTPClient}
	c.send = &sender{log: log, attempts: cfg.SlackAttempts, base: cfg.RetryBase, metrics: m}
	c.botUser.Store("")
	return c
}

// refused turns a Slack answer that retrying will not change into the
// use cases' *review.Refused; other errors (Slack's own outages such as
// fatal_error or service_unavailable among them) pass as they are.
func refused(err error) error {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && !transientCodes[se.Err] {
		return fmt.Errorf("%w (%w)", &review.Refused{Reason: se.Err}, err)
	}
	return err
}

// Workspace is the workspace (and organisation) the tokens belong to, as
// auth.test said; zero before the bot has authenticated.
func (c *Client) Workspace() assessment.Workspace {
	if w := c.ws.Load(); w != nil {
		return *w
	}
	return assessment.Workspace{}
}

// external reports whether u is a Slack Connect member of another
// organisation.
func (c *Client) external(u slack.User) bool {
	ws := c.Workspace()
	if u.IsStranger {
		return true
	}
	return ws.Team != "" && u.TeamID != "" && !ws.Admits(u.TeamID, u.Enterprise.EnterpriseID)
}

// Self is the bot's own user id.
func (c *Client) Self() string { return c.botUser.Load().(string) }

// GroupMembers lists a user group's members.
func (c *Client) GroupMembers(ctx context.Context, group string) ([]string, error) {
	var members []string
	err := c.send.do(ctx, "usergroups.users.list", func(ctx context.Context) (err error) {
		members, err = c.api.GetUserGroupMembersContext(ctx, group)
		return err
	})
	return members, refused(err)
}

// ChannelMembers lists a channel's members, page by page.
func (c *Client) ChannelMembers(ctx context.Context, channel string) ([]string, error) {
	var out []string
	cursor := ""
	for {
		var members []string
		var next string
		err := c.send.do(ctx, "conversations.members", func(ctx context.Context) (err error) {
			members, next, err = c.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: channel, Cursor: cursor, Limit: 1000})
			return err
		})
		if err != nil {
			return nil, refused(err)
		}
		out = append(out, members...)
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// ChannelName is a channel's name (conversations.info), without #.
func (c *Client) ChannelName(ctx context.Context, channel string) (string, error) {
	var name string
	err := c.send.do(ctx, "conversations.info", func(ctx context.Context) error {
		ch, err := c.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
		if err == nil {
			name = ch.Name
		}
		return err
	})
	return name, refused(err)
}

// People fetches users' profiles: users.info one by one for a few, else
// one pass over users.list (one call per 500 people, where a call per
// person would take Tier 4's 100-a-minute for ever), then users.info for
// those it does not list (Slack Connect external members). Users Slack
// does not know are missing; when Slack did not answer for some, they
// are missing too and the error says so. Each person comes with their
// Slack status, read fresh: a status is set and cleared at any time.
func (c *Client) People(ctx context.Context, users []string) (map[string]assessment.Person, error) {
	out := map[string]assessment.Person{}
	add := func(u slack.User) {
		out[u.ID] = assessment.Person{ID: u.ID, TZ: u.TZ, Bot: u.IsBot || u.ID == "USLACKBOT", Deleted: u.Deleted,
			Guest: u.IsRestricted || u.IsUltraRestricted, External: c.external(u), Status: status(u.Profile)}
	}
	var failed error
	if len(users) > 10 {
		failed = c.listPeople(ctx, users, add)
		var rest []string
		for _, u := range users {
			if _, ok := out[u]; !ok {
				rest = append(rest, u)
			}
		}
		users = rest[:min(len(rest), maxLookups)]
	}
	for _, u := range users {
		var info *slack.User
		err := c.send.do(ctx, "users.info", func(ctx context.Context) (err error) {
			info, err = c.api.GetUserInfoContext(ctx, u)
			return err
		})
		switch {
		case err == nil:
			add(*info)
		case !definitive(err):
			failed = errors.Join(failed, err)
		}
	}
	if failed != nil {
		return out, fmt.Errorf("look people up: %w", failed)
	}
	return out, nil
}

// maxLookups bounds the users.info calls after a users.list pass.
const maxLookups = 100

// definitive reports whether Slack answered an error that another try
// will not change (user_not_found), as opposed to not answering.
func definitive(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && !transientCodes[se.Err]
}

// listPeople passes over users.list, adding those of users it finds.
func (c *Client) listPeople(ctx context.Context, users []string, add func(slack.User)) error {
	want := make(map[string]bool, len(users))
	for _, u := range users {
		want[u] = true
	}
	p := c.api.GetUsersPaginated(slack.GetUsersOptionLimit(500))
	for {
		err := c.send.do(ctx, "users.list", func(ctx context.Context) (err error) {
			p, err = p.Next(ctx)
			return err
		})
		if p.Done(err) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, u := range p.Users {
			if want[u.ID] {
				add(u)
			}
		}
	}
}

// status is a profile's Slack status; an expiration of 0 means none.
func status(p slack.UserProfile) assessment.SlackStatus {
	st := assessment.SlackStatus{Text: p.StatusText, Emoji: p.StatusEmoji}
	if p.StatusExpiration > 0 {
		st.Expires = time.Unix(int64(p.StatusExpiration), 0)
	}
	return st
}

// SendIntro posts a review's intro DM to a respondent.
func (c *Client) SendIntro(ctx context.Context, r *assessment.Review, f *assessment.Framework, user string) (assessment.MessageRef, error) {
	ref, err := c.post(ctx, user, present.IntroFallback(f), present.Intro(r, f, nil))
	switch {
	case err == nil:
		c.m.dms.WithLabelValues("sent").Inc()
	case permanent(err):
		c.m.dms.WithLabelValues("failed").Inc()
	default:
		c.m.dms.WithLabelValues("retry_later").Inc()
	}
	return ref, refused(err)
}

// FindIntro looks in a respondent's DM for the intro of a review posted
// since a time.
func (c *Client) FindIntro(ctx context.Context, r *assessment.Review, user string, since time.Time) (assessment.MessageRef, bool) {
	dm := c.DMChannel(ctx, user)
	if dm == "" {
		return assessment.MessageRef{}, false
	}
	ts := c.findPosted(ctx, dm, since, func(blocks []slack.Block) bool { return present.IsIntroOf(blocks, r.ID) })
	if ts == "" {
		return assessment.MessageRef{}, false
	}
	return assessment.MessageRef{Channel: dm, TS: ts}, true
}

// SendReminder posts a reminder to a respondent.
func (c *Client) SendReminder(ctx context.Context, r *assessment.Review, f *assessment.Framework, user string, answered, total int) error {
	if _, err := c.post(ctx, user, present.ReminderFallback(f), present.Reminder(r, f, answered, total)); err != nil {
		return refused(err)
	}
	c.m.dms.WithLabelValues("reminder").Inc()
	return nil
}

// PostDigest posts a digest with its chart and its metadata, then one
// thread reply per section. The chart is uploaded first and shown in the
// message; when Slack will not show it there, the digest goes without it
// and the chart into the thread: the chart never costs the digest. A
// digest for a channel the bot is not in joins it first.
func (c *Client) PostDigest(ctx context.Context, to string, d digest.Digest, r *assessment.Review, refusedBy string) (assessment.MessageRef, error) {
	msg := digestMessage{review: r.ID, fallback: present.DigestFallback(d), blocks: present.Digest(d, r),
		meta: present.DigestMetadata(d, r), chart: c.drawChart(d, r)}
	if refusedBy != "" {
		msg.blocks = append([]slack.Block{present.DigestRefused(r, refusedBy)}, msg.blocks...)
	}
	if msg.chart != nil && present.RoomForChart(msg.blocks) {
		c.uploadUnshared(ctx, msg.chart, r.ID)
	}
	ref, inMessage, err := c.postDigest(ctx, to, msg)
	if err != nil && slackSaid(err, "not_in_channel") {
		if jerr := c.send.do(ctx, "conversations.join", func(ctx context.Context) error {
			_, _, _, err := c.api.JoinConversationContext(ctx, to)
			return err
		}); jerr == nil {
			ref, inMessage, err = c.postDigest(ctx, to, msg)
		}
	}
	if err != nil {
		return ref, refused(err)
	}
	if msg.chart != nil {
		c.unshared.forget(r.ID)
		if !inMessage {
			c.chartToThread(ctx, msg.chart, r.ID, ref)
			c.dropUnshared(ctx, msg.chart, r.ID)
		}
	}
	for _, reply := range present.DigestThread(d) {
		if _, err := c.post(ctx, ref.Channel, present.DigestThreadFallback, reply, slack.MsgOptionTS(ref.TS)); err != nil {
			c.log.Warn("digest thread reply failed", "review", r.ID, "err", err)
		}
	}
	if hm := c.drawHeatmap(d, r); hm != nil {
		c.chartToThread(ctx, hm, r.ID, ref)
	}
	c.m.digests.Inc()
	return ref, nil
}

// digestMessage is a digest message as posted: its blocks without the
// chart, its metadata, and its chart (nil when none).
type digestMessage struct {
	review, fallback string
	blocks           []slack.Block
	meta             slack.SlackMetadata
	chart            *digestChart
}

// postDigest posts a digest message, with its chart when it has an
// unshared file, else or when Slack refuses the message with the image,
// without; inMessage reports whether the chart is in it. Only a refusal
// (Slack's answer: nothing was posted) leads to the post without the
// chart; a network error is returned, for the caller's exactly-once
// check, rather than risking a second message, and so is a refusal of any
// message there (not_in_channel, for the caller to join the channel; a
// channel not found, for the review to give the digest to its creator).
func (c *Client) postDigest(ctx context.Context, to string, msg digestMessage) (ref assessment.MessageRef, inMessage bool, err error) {
	if msg.chart != nil && msg.chart.unsharedID != "" {
		if blocks, ok := present.WithChart(msg.blocks, msg.chart.unsharedID, msg.chart.alt); ok {
			ref, err = c.postNamingFile(ctx, to, msg.fallback, blocks, msg.meta)
			if err == nil || !permanent(err) || refusesAnyMessage(err) {
				return ref, err == nil, err
			}
			c.log.Warn("Slack refused the digest with its chart; posting it without, the chart in its thread", "review", msg.review, "err", present.SlackErr(err))
		}
	}
	ref, err = c.post(ctx, to, msg.fallback, msg.blocks, slack.MsgOptionMetadata(msg.meta))
	if err != nil && metadataRefused(err) {
		c.log.Warn("Slack refused the digest's metadata; posting it without", "review", msg.review, "err", present.SlackErr(err))
		ref, err = c.post(ctx, to, msg.fallback, msg.blocks)
	}
	return ref, false, err
}

// postNamingFile posts a message whose image blocks name an uploaded
// file, again after a pause while Slack says the file is not usable
// (fileWaits).
func (c *Client) postNamingFile(ctx context.Context, to, fallback string, blocks []slack.Block, meta slack.SlackMetadata) (assessment.MessageRef, error) {
	for i := 0; ; i++ {
		ref, err := c.post(ctx, to, fallback, blocks, slack.MsgOptionMetadata(meta))
		if err == nil || i == len(fileWaits) || !fileNotReady(err) {
			return ref, err
		}
		select {
		case <-ctx.Done():
			return ref, err
		case <-time.After(fileWaits[i]):
		}
	}
}

// FindDigest looks for a review's digest posted since a time, in its
// channel and in its creator's DM (where it goes when the channel refuses
// it).
func (c *Client) FindDigest(ctx context.Context, r *assessment.Review, since time.Time) (assessment.MessageRef, bool) {
	places := []string{r.DigestChannel}
	if dm := c.DMChannel(ctx, r.CreatedBy); dm != "" {
		places = append(places, dm)
	}
	for _, ch := range places {
		if ts := c.findPosted(ctx, ch, since, func(blocks []slack.Block) bool { return present.IsDigestOf(blocks, r.ID) }); ts != "" {
			return assessment.MessageRef{Channel: ch, TS: ts}, true
		}
	}
	return assessment.MessageRef{}, false
}

// ScheduleNotStarted tells a schedule's creator why a run did not start.
func (c *Client) ScheduleNotStarted(ctx context.Context, sc *assessment.Schedule, run time.Time, err error) {
	fallback, blocks := present.ScheduleNotStarted(sc, run, err)
	_, _ = c.post(ctx, sc.CreatedBy, fallback, blocks)
}

// ScheduleOrphaned tells a schedule's digest channel and each admin in
// tell that its creator is no longer an admin.
func (c *Client) ScheduleOrphaned(ctx context.Context, sc *assessment.Schedule, run time.Time, tell []string) {
	fallback, blocks := present.ScheduleOrphaned(sc, run)
	for _, to := range append([]string{sc.DigestChannel}, tell...) {
		if _, err := c.post(ctx, to, fallback, blocks); err != nil {
			c.log.Warn("cannot tell about an orphaned schedule", "schedule", sc.ID, "to", to, "err", present.SlackErr(err))
		}
	}
}

// DMChannel returns the id of the bot's DM with a user, or "".
func (c *Client) DMChannel(ctx context.Context, user string) string {
	var dm string
	_ = c.send.do(ctx, "conversations.open", func(ctx context.Context) error {
		ch, _, _, err := c.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
		if err == nil {
			dm = ch.ID
		}
		return err
	})
	return dm
}

// findPosted looks in a conversation's history, from a little before a
// time, for a message of the bot whose blocks match; it returns its ts, or
// "". It needs the history scope of that kind of conversation (im:,
// channels:, groups:history); without it, it finds nothing and the caller
// posts.
func (c *Client) findPosted(ctx context.Context, channel string, since time.Time, match func([]slack.Block) bool) string {
	var hist *slack.GetConversationHistoryResponse
	err := c.send.do(ctx, "conversations.history", func(ctx context.Context) (err error) {
		hist, err = c.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Oldest: strconv.FormatInt(since.Unix()-60, 10), Limit: 100})
		return err
	})
	if err != nil {
		c.log.Warn("cannot read a conversation to check for a post made before a crash", "channel", channel, "err", present.SlackErr(err))
		return ""
	}
	for _, m := range hist.Messages {
		if match(m.Blocks.BlockSet) {
			return m.Timestamp
		}
	}
	return ""
}

// Ephemeral tells one person something in a channel only they see. In a DM
// with the bot, channel is the DM id.
func (c *Client) Ephemeral(ctx context.Context, channel, user, text string) {
	if channel == "" {
		channel = user
	}
	if replayed(ctx) {
		text = present.LateNote + text
	}
	err := c.send.do(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := c.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(text, false))
		return err
	})
	if err != nil {
		// Ephemerals fail where the bot is not a member; a DM always works.
		_ = c.send.do(ctx, "chat.postMessage", func(ctx context.Context) error {
			_, _, err := c.api.PostMessageContext(ctx, user, slack.MsgOptionText(text, false))
			return err
		})
	}
}

// Post sends a message.
func (c *Client) Post(ctx context.Context, channel, fallback string, blocks []slack.Block) (assessment.MessageRef, error) {
	return c.post(ctx, channel, fallback, blocks)
}

// post sends a message with options (a thread's ts).
func (c *Client) post(ctx context.Context, channel, fallback string, blocks []slack.Block, opts ...slack.MsgOption) (assessment.MessageRef, error) {
	var ch, ts string
	opts = append([]slack.MsgOption{slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)}, opts...)
	err := c.send.do(ctx, "chat.postMessage", func(ctx context.Context) (err error) {
		ch, ts, err = c.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		return assessment.MessageRef{}, err
	}
	return assessment.MessageRef{Channel: ch, TS: ts}, nil
}

// Update replaces a message.
func (c *Client) Update(ctx context.Context, ref assessment.MessageRef, fallback string, blocks []slack.Block) error {
	if ref.IsZero() {
		return fmt.Errorf("no message to update")
	}
	return c.send.do(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := c.api.UpdateMessageContext(ctx, ref.Channel, ref.TS, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...))
		return err
	})
}

// ReplaceClicked replaces the message a click came from through the click's
// response_url (which, unlike chat.update, spends no workspace rate limit).
func (c *Client) ReplaceClicked(ctx context.Context, responseURL, fallback string, blocks []slack.Block) error {
	return c.send.do(ctx, "response_url", func(ctx context.Context) error {
		// Errors quote the URL; it must not reach a log line.
		return scrub(slack.PostWebhookCustomHTTPContext(ctx, responseURL, c.http,
			&slack.WebhookMessage{Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}, ReplaceOriginal: true}), responseURL)
	})
}

// OpenView opens a modal.
func (c *Client) OpenView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error {
	return c.send.do(ctx, "views.open", func(ctx context.Context) error {
		_, err := c.api.OpenViewContext(ctx, triggerID, view)
		return err
	})
}

// Usergroups lists the workspace's user groups.
func (c *Client) Usergroups(ctx context.Context) ([]slack.UserGroup, error) {
	var groups []slack.UserGroup
	err := c.send.do(ctx, "usergroups.list", func(ctx context.Context) (err error) {
		groups, err = c.api.GetUserGroupsContext(ctx)
		return err
	})
	return groups, err
}

// EphemeralBlocks tells one person something, with blocks, in a channel
// only they see.
func (c *Client) EphemeralBlocks(ctx context.Context, channel, user, fallback string, blocks []slack.Block) error {
	return c.send.do(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := c.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...))
		return err
	})
}

// PublishHome shows a person their App Home.
func (c *Client) PublishHome(ctx context.Context, user string, blocks []slack.Block) error {
	return c.send.do(ctx, "views.publish", func(ctx context.Context) error {
		_, err := c.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user,
			View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}})
		return err
	})
}

// Upload sends a file to a channel, with its comment.
func (c *Client) Upload(ctx context.Context, channel string, f present.ExportFile, data []byte) error {
	return c.send.do(ctx, "files.upload", func(ctx context.Context) error {
		_, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Channel: channel, Filename: f.Name, Title: f.Title, Content: string(data), FileSize: len(data), InitialComment: f.Comment,
		})
		return err
	})
}
