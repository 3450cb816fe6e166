// Package slackbot is assessbot's Slack adapter: the Socket Mode event loop,
// the /review command, Block Kit rendering of DMs and digests, and the
// interaction handlers. It acks every envelope at once and does the work on
// a bounded pool of workers, sharded by user so one person's clicks are
// handled in order. It decides every word a user sees.
package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/store"
)

// Config tunes the bot.
type Config struct {
	AdminUsers     []string
	AdminUsergroup string
	Workers        int           // default 16
	Tick           time.Duration // how often deadlines and queues are checked; default 10s
	SlackAttempts  int           // tries per Slack call; default 6
	RetryBase      time.Duration // first backoff for 5xx/network errors; default 500ms
	Now            func() time.Time
	Log            *slog.Logger
	Registerer     prometheus.Registerer
	// Owner names this process in leases (defaults to a random id).
	Owner string
	// HTTPClient posts to response URLs; the same client should serve the
	// Web API (slack.OptionHTTPClient). Default: http.DefaultClient.
	HTTPClient *http.Client
	// Lease is how long a claim on a piece of work (a digest, a DM, a
	// scheduled run) holds: long enough to do it, short enough that the work
	// of a process that died is taken over soon. Default 2 minutes.
	Lease time.Duration
}

// Bot is the running Slack bot.
type Bot struct {
	api  *slack.Client
	sm   *socketmode.Client
	st   *store.Redis
	svc  *review.Service
	cat  *framework.Catalog
	cfg  Config
	log  *slog.Logger
	m    *metrics
	send *sender

	connected atomic.Bool
	botUser   string
	refresh   *refresher
	queues    []chan job
	wg        sync.WaitGroup

	adminMu     sync.Mutex
	adminGroup  map[string]bool
	adminLoaded time.Time
}

type job struct {
	envelopeID string
	kind       socketmode.EventType
	data       any
	received   time.Time
	// ack is set when the envelope is acked by its worker, after the answer
	// it carries is stored: an acknowledged answer is never lost.
	ack *deferredAck
}

// deferredAck acks an envelope once: when the handler has stored what it
// carries, or, so that Slack never redelivers it, after ackDeadline.
type deferredAck struct {
	once  sync.Once
	timer *time.Timer
	send  func(payload any)
}

// ackDeadline leaves a margin under Slack's 3 seconds.
const ackDeadline = 2500 * time.Millisecond

func newDeferredAck(send func(payload any)) *deferredAck {
	a := &deferredAck{send: send}
	a.timer = time.AfterFunc(ackDeadline, func() { a.Ack(nil) })
	return a
}

// Ack sends the ack (with payload) unless it was sent already. It reports
// whether this call sent it.
func (a *deferredAck) Ack(payload any) bool {
	if a == nil {
		return false
	}
	sent := false
	a.once.Do(func() {
		a.timer.Stop()
		a.send(payload)
		sent = true
	})
	return sent
}

// storesAnswer reports whether an interaction carries an answer to store
// before its ack: an answer click, or a written answer or comment.
func storesAnswer(cb slack.InteractionCallback) bool {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		return len(cb.ActionCallback.BlockActions) > 0 && strings.HasPrefix(cb.ActionCallback.BlockActions[0].ActionID, actAnswer+"|")
	case slack.InteractionTypeViewSubmission:
		return cb.View.CallbackID == cbText || cb.View.CallbackID == cbComment
	}
	return false
}

// New builds a bot. api must carry the app-level token (OptionAppLevelToken).
func New(api *slack.Client, st *store.Redis, cat *framework.Catalog, cfg Config) *Bot {
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 10 * time.Second
	}
	if cfg.SlackAttempts <= 0 {
		cfg.SlackAttempts = 6
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 500 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Owner == "" {
		cfg.Owner = review.NewID()
	}
	m := newMetrics(cfg.Registerer)
	b := &Bot{
		api: api,
		sm:  socketmode.New(api),
		st:  st,
		svc: &review.Service{Store: st, Now: cfg.Now},
		cat: cat,
		cfg: cfg,
		log: cfg.Log,
		m:   m,
	}
	b.send = &sender{log: cfg.Log, attempts: cfg.SlackAttempts, base: cfg.RetryBase, metrics: m}
	b.refresh = newRefresher(&b.wg)
	return b
}

// Connected reports whether the Socket Mode connection is up.
func (b *Bot) Connected() bool { return b.connected.Load() }

// ErrInvalidAuth means Slack refused the tokens.
var ErrInvalidAuth = errors.New("slack refused the tokens (invalid_auth): check SLACK_BOT_TOKEN (xoxb-…) and SLACK_APP_TOKEN (xapp-…, with connections:write)")

// Run connects to Slack and serves until ctx ends or Slack refuses the tokens.
func (b *Bot) Run(ctx context.Context) error {
	var auth *slack.AuthTestResponse
	err := b.send.do(ctx, "auth.test", func(ctx context.Context) (err error) {
		auth, err = b.api.AuthTestContext(ctx)
		return unreachable(ctx, "auth.test", err)
	})
	if err != nil {
		return b.stopping(startError("auth.test", err))
	}
	b.botUser = auth.UserID
	b.log.Info("authenticated with slack", "team", auth.Team, "bot_user", auth.UserID)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b.queues = make([]chan job, b.cfg.Workers)
	for i := range b.queues {
		b.queues[i] = make(chan job, 256)
		b.wg.Add(1)
		go b.worker(ctx, b.queues[i])
	}
	b.wg.Add(2)
	go b.ticker(ctx)
	go b.jobTicker(ctx)

	runErr := make(chan error, 1)
	go func() { runErr <- b.sm.RunContext(ctx) }()

	var result error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-runErr:
			if err != nil && ctx.Err() == nil {
				result = b.stopping(startError("apps.connections.open", err))
			}
			break loop
		case evt, ok := <-b.sm.Events:
			if !ok {
				break loop
			}
			if evt.Type == socketmode.EventTypeConnectionError {
				b.connected.Store(false)
				if err := b.connectionError(evt); err != nil {
					result = b.stopping(err)
					break loop
				}
				continue
			}
			b.dispatch(evt)
		}
	}
	cancel()
	b.connected.Store(false)
	b.wg.Wait()
	return result
}

// dispatch runs on the event loop: it acks, and hands the work to a worker.
// It does no I/O besides the ack.
func (b *Bot) dispatch(evt socketmode.Event) {
	defer func() {
		// Parsing and form checks run here, before the ack; a bug in one must
		// cost one envelope, not the process.
		if p := recover(); p != nil {
			b.log.Error("panic while dispatching an envelope", "type", evt.Type, "panic", p)
		}
	}()
	switch evt.Type {
	case socketmode.EventTypeConnected:
		b.connected.Store(true)
		b.log.Info("socket mode connected")
		return
	case socketmode.EventTypeConnecting:
		b.connected.Store(false)
		if ce, ok := evt.Data.(*slack.ConnectingEvent); ok && (ce.Attempt > 1 || ce.ConnectionCount > 0) {
			b.log.Info("socket mode connecting", "attempt", ce.Attempt, "connection", ce.ConnectionCount+1)
		} else {
			b.log.Info("socket mode connecting")
		}
		return
	case socketmode.EventTypeIncomingError:
		b.incomingError(evt)
		return
	case socketmode.EventTypeDisconnect:
		b.connected.Store(false)
		b.log.Info("socket mode disconnect requested by slack; reconnecting")
		return
	case socketmode.EventTypeInvalidAuth:
		// RunContext returns the error next; Run reports it.
		b.connected.Store(false)
		return
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
	default:
		return
	}
	if evt.Request == nil {
		return
	}
	b.m.envelopes.WithLabelValues(string(evt.Type)).Inc()
	j := job{envelopeID: evt.Request.EnvelopeID, kind: evt.Type, data: evt.Data, received: time.Now()}
	var ack any
	user := ""
	switch d := evt.Data.(type) {
	case slack.SlashCommand:
		user = d.UserID
		cmd, err := ParseCommand(d.Text)
		var pe *ParseError
		switch {
		case errors.As(err, &pe):
			ack = ephemeralAck(pe.Msg)
			j.data = nil
		case err == nil && cmd.Verb == "help":
			ack = ephemeralAck(helpText)
			j.data = nil
		default:
			j.data = slashJob{cmd: d, parsed: cmd}
		}
	case slackevents.EventsAPIEvent:
		user = homeUser(d)
		if user == "" {
			j.data = nil // no other event is subscribed to
		}
	case slack.InteractionCallback:
		user = d.User.ID
		if d.Type == slack.InteractionTypeViewSubmission {
			var errs map[string]string
			switch d.View.CallbackID {
			case cbStart:
				errs = validateStartForm(d.View.State, b.cfg.Now())
			case cbSchedule:
				errs = validateScheduleForm(d.View.State)
			}
			if len(errs) > 0 {
				ack = map[string]any{"response_action": "errors", "errors": errs}
				j.data = nil
			}
		}
	}
	req := *evt.Request
	send := func(payload any) {
		if err := b.sm.Ack(req, payload); err != nil {
			b.log.Warn("ack failed", "envelope", j.envelopeID, "err", err)
		}
	}
	if cb, ok := j.data.(slack.InteractionCallback); ok && ack == nil && storesAnswer(cb) {
		j.ack = newDeferredAck(send)
	} else {
		send(ack)
	}
	if j.data == nil {
		return
	}
	b.queues[shard(user, len(b.queues))] <- j
}

func ephemeralAck(text string) map[string]any {
	return map[string]any{"response_type": "ephemeral", "text": text}
}

func shard(user string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(user))
	return int(h.Sum32() % uint32(n))
}

type slashJob struct {
	cmd    slack.SlashCommand
	parsed Command
}

func (b *Bot) worker(ctx context.Context, q chan job) {
	defer b.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-q:
			b.handle(ctx, j)
		}
	}
}

// envelopeTTL is how long envelope ids are remembered for de-duplication.
const envelopeTTL = time.Hour

func (b *Bot) handle(ctx context.Context, j job) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic while handling envelope", "envelope", j.envelopeID, "panic", p)
		}
		j.ack.Ack(nil) // every envelope is acked, whatever happened
		b.m.handle.WithLabelValues(string(j.kind)).Observe(time.Since(j.received).Seconds())
	}()
	if j.envelopeID != "" {
		first, err := b.st.FirstDelivery(ctx, j.envelopeID, envelopeTTL)
		if err == nil && !first {
			b.m.duplicates.Inc()
			b.log.Debug("duplicate envelope ignored", "envelope", j.envelopeID)
			return
		}
		// If Redis is down we go on: the handler will fail to save and tell the user.
	}
	switch d := j.data.(type) {
	case slashJob:
		b.handleCommand(ctx, d.cmd, d.parsed)
	case slack.InteractionCallback:
		b.handleInteraction(ctx, d, j.ack)
	case slackevents.EventsAPIEvent:
		b.publishHome(ctx, homeUser(d))
	}
}

// ticker closes reviews at their deadline and finishes work a crash left:
// undelivered intro DMs and unposted digests. Everything it reads lives in
// Redis, so a restart picks up where the last process stopped.
func (b *Bot) ticker(ctx context.Context) {
	defer b.wg.Done()
	t := time.NewTicker(b.cfg.Tick)
	defer t.Stop()
	for {
		b.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// jobTicker plans new reviews' deliveries and sends the DMs and reminders
// that are due, apart from the deadline ticker so a long fan-out never
// delays a deadline.
func (b *Bot) jobTicker(ctx context.Context) {
	defer b.wg.Done()
	t := time.NewTicker(b.cfg.Tick)
	defer t.Stop()
	for {
		if ids, err := b.st.FanoutPending(ctx); err == nil {
			for _, id := range ids {
				b.plan(ctx, id)
			}
		}
		b.runJobs(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *Bot) sweep(ctx context.Context) {
	due, err := b.st.DueReviews(ctx, b.cfg.Now())
	if err != nil {
		b.log.Warn("cannot read deadlines", "err", err)
		return
	}
	for _, id := range due {
		if closed, err := b.svc.Close(ctx, id, "deadline"); err != nil {
			b.log.Warn("close at deadline failed", "review", id, "err", err)
		} else if closed {
			b.log.Info("review closed at deadline", "review", id)
		}
	}
	if ids, err := b.st.PendingDigests(ctx); err == nil {
		for _, id := range ids {
			b.postDigest(ctx, id)
		}
	}
	b.fireSchedules(ctx)
}

// isAdmin reports whether user may start, close or inspect reviews. With no
// admins configured, everyone may (and the bot warns at start-up).
func (b *Bot) isAdmin(ctx context.Context, user string) bool {
	if len(b.cfg.AdminUsers) == 0 && b.cfg.AdminUsergroup == "" {
		return true
	}
	for _, u := range b.cfg.AdminUsers {
		if u == user {
			return true
		}
	}
	if b.cfg.AdminUsergroup == "" {
		return false
	}
	b.adminMu.Lock()
	defer b.adminMu.Unlock()
	if time.Since(b.adminLoaded) > time.Minute || b.adminGroup == nil {
		var members []string
		err := b.send.do(ctx, "usergroups.users.list", func(ctx context.Context) (err error) {
			members, err = b.api.GetUserGroupMembersContext(ctx, b.cfg.AdminUsergroup)
			return err
		})
		if err != nil {
			b.log.Warn("cannot read the admin user group", "group", b.cfg.AdminUsergroup, "err", err)
		} else {
			b.adminGroup = map[string]bool{}
			for _, m := range members {
				b.adminGroup[m] = true
			}
			b.adminLoaded = time.Now()
		}
	}
	return b.adminGroup[user]
}

const notAdmin = "Only assessbot admins can do that. Ask one of them, or ask your Slack admin to add you to ADMIN_USERS or the admin user group. Everyone can use `/review help`."

// ephemeral tells one person something in a channel only they see. In a DM
// with the bot, channel is the DM id.
func (b *Bot) ephemeral(ctx context.Context, channel, user, text string) {
	if channel == "" {
		channel = user
	}
	err := b.send.do(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := b.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(text, false))
		return err
	})
	if err != nil {
		// Ephemerals fail where the bot is not a member; a DM always works.
		_ = b.send.do(ctx, "chat.postMessage", func(ctx context.Context) error {
			_, _, err := b.api.PostMessageContext(ctx, user, slack.MsgOptionText(text, false))
			return err
		})
	}
}

// post sends a message and returns "channel/ts".
func (b *Bot) post(ctx context.Context, channel, fallback string, blocks []slack.Block, opts ...slack.MsgOption) (string, error) {
	var ch, ts string
	opts = append([]slack.MsgOption{slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)}, opts...)
	err := b.send.do(ctx, "chat.postMessage", func(ctx context.Context) (err error) {
		ch, ts, err = b.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		return "", err
	}
	return ch + "/" + ts, nil
}

// update replaces a message given as "channel/ts".
func (b *Bot) update(ctx context.Context, ref, fallback string, blocks []slack.Block) error {
	ch, ts, ok := splitRef(ref)
	if !ok {
		return fmt.Errorf("bad message ref %q", ref)
	}
	return b.send.do(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := b.api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...))
		return err
	})
}

func splitRef(ref string) (ch, ts string, ok bool) {
	for i := 0; i < len(ref); i++ {
		if ref[i] == '/' {
			return ref[:i], ref[i+1:], i > 0 && i < len(ref)-1
		}
	}
	return "", "", false
}

// userMessage tells the person what went wrong, in words from the domain
// error, and logs the rest.
func (b *Bot) userMessage(err error, attrs ...any) string {
	code := assessment.ErrorCode(err)
	switch code {
	case assessment.EINTERNAL:
		b.log.Error("request failed", append(attrs, "err", err)...)
	case assessment.EFORBIDDEN, assessment.EINVALID:
		b.log.Warn("request refused", append(attrs, "code", code, "err", err)...)
	default:
		b.log.Info("request refused", append(attrs, "code", code, "err", err)...)
	}
	return assessment.ErrorMessage(err)
}

func mustJSON(v any) string {
	out, _ := json.Marshal(v)
	return string(out)
}
