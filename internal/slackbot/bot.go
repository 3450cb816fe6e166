// Package slackbot is assessbot's Slack adapter. It translates, calls a use
// case of internal/review, and renders: the Socket Mode event loop, the
// actions codec, the /review parser, the handlers, the Messenger and
// Directory over slack-go (Client), the Block Kit renderers, and the one
// translator from error codes to the words a person reads. It acks every
// envelope at once (an answer once it is stored) and does the work on a
// bounded pool of workers, sharded by user so one person's clicks are
// handled in order.
//
// It may import slack-go, internal/review and the domain and rendering
// packages (assessment, digest, chart, framework, schedule, scoring); never
// internal/store or go-redis (a test enforces it).
package slackbot

import (
	"context"
	"errors"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/review"
)

// Config tunes the bot; app.Config holds the defaults.
type Config struct {
	Workers int // envelope workers
	Log     *slog.Logger
	Now     func() time.Time
}

// Envelopes remembers which Socket Mode envelopes were handled, so that a
// redelivery is not handled twice.
type Envelopes interface {
	FirstDelivery(ctx context.Context, envelopeID string, ttl time.Duration) (bool, error)
}

// Bot is the running Slack bot.
type Bot struct {
	sl   *Client
	sm   *socketmode.Client
	svc  *review.Service
	env  Envelopes
	cat  *framework.Catalog
	cfg  Config
	log  *slog.Logger
	m    *metrics
	send *sender

	connected atomic.Bool
	refresh   *refresher
	queues    []chan job
	wg        sync.WaitGroup
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
		return len(cb.ActionCallback.BlockActions) > 0 && isAnswer(cb.ActionCallback.BlockActions[0].ActionID)
	case slack.InteractionTypeViewSubmission:
		return cb.View.CallbackID == cbText || cb.View.CallbackID == cbComment
	}
	return false
}

// New builds a bot that talks to Slack through sl and runs the use cases
// of svc.
func New(sl *Client, svc *review.Service, cat *framework.Catalog, env Envelopes, cfg Config) *Bot {
	b := &Bot{
		sl: sl, sm: socketmode.New(sl.api), svc: svc, env: env, cat: cat, cfg: cfg,
		log: cfg.Log, m: sl.m, send: sl.send,
	}
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
		auth, err = b.sl.api.AuthTestContext(ctx)
		return unreachable(ctx, "auth.test", err)
	})
	if err != nil {
		return b.stopping(startError("auth.test", err))
	}
	b.sl.botUser.Store(auth.UserID)
	b.log.Info("authenticated with slack", "team", auth.Team, "bot_user", auth.UserID)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b.queues = make([]chan job, b.cfg.Workers)
	for i := range b.queues {
		b.queues[i] = make(chan job, 256)
		b.wg.Add(1)
		go b.worker(ctx, b.queues[i])
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.svc.Run(ctx)
	}()

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
		first, err := b.env.FirstDelivery(ctx, j.envelopeID, envelopeTTL)
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

// notAdmin says why an admin command was refused and what to do.
func (b *Bot) notAdmin() string {
	if !b.svc.AdminsConfigured() {
		return "No assessbot admin is configured yet, so admin commands are refused. Ask whoever runs assessbot to set ADMIN_USERS (user ids such as U0123ABCD, or `*` for everyone) or ADMIN_USERGROUP, and restart it. Everyone can use `/review help`."
	}
	return "Only assessbot admins can do that (never guests). Ask one of them, or ask whoever runs assessbot to add you to ADMIN_USERS or the admin user group. Everyone can use `/review help`."
}
