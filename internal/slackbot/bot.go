// Package slackbot is assessbot's Slack transport: the Socket Mode event
// loop, acks, the lanes, the inbox, the sender with its retries, and the
// Messenger and Directory of internal/review over slack-go (Client). What
// an envelope means is for internal/slackbot/handlers, and every word and
// block a person reads is internal/present's.
//
// Clicks that change a response (answers, Submit, Snooze, opt-out) are
// saved on a lane of their own that never waits for Slack, and acked once
// stored. Slash commands and forms pass through that lane into the inbox
// in Redis (inbox.go) before their ack, and are handled on a second lane,
// with everything else (acked at once). Each lane is a fixed pool of
// workers that takes one person's envelopes in order and people in turn,
// so one person's flood delays nobody else.
//
// It may import slack-go, internal/review, its handlers, present and codec,
// and the domain and rendering packages (assessment, digest, chart,
// framework); never internal/store or go-redis (a test enforces it).
package slackbot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
	"github.com/assessbot/assessbot/internal/slackbot/handlers"
	"github.com/assessbot/assessbot/internal/wsframe"
)

// Config tunes the bot; app.Config holds the defaults.
type Config struct {
	Workers int // workers of each lane: answer saves, and the rest
	Log     *slog.Logger
	Now     func() time.Time
	// Drain bounds how long a stopping bot goes on handling the envelopes
	// it queued (default 10 s); answers left are not acked, so Slack
	// redelivers them.
	Drain time.Duration
	// InboxLease is how long a command or form acked by a process that
	// died waits in the inbox before another process handles it (default
	// 1 min; app passes LEASE).
	InboxLease time.Duration
}

// Envelopes remembers which Socket Mode envelopes are being handled and
// which were handled, so that a redelivery or a duplicate is not handled
// twice, and one whose handler died is.
type Envelopes interface {
	// ClaimEnvelope takes an envelope for lease; claimed is false when a
	// delivery of it was handled (handled) or is being handled right now.
	ClaimEnvelope(ctx context.Context, envelopeID string, lease time.Duration) (claimed, handled bool, err error)
	// EnvelopeHandled records that the envelope was handled, for ttl.
	EnvelopeHandled(ctx context.Context, envelopeID string, ttl time.Duration) error

	// The inbox (inbox.go) keeps commands and forms from their ack until
	// they are handled. InboxAdd keeps one and takes it for lease; claimed
	// is false for one seen before (handled: it was handled).
	InboxAdd(ctx context.Context, envelopeID, kind string, payload []byte, lease time.Duration) (claimed, handled bool, err error)
	// InboxDone takes a handled envelope out.
	InboxDone(ctx context.Context, envelopeID string) error
	// InboxRenew extends the leases of envelopes this process holds.
	InboxRenew(ctx context.Context, envelopeIDs []string, lease time.Duration) error
	// InboxDue takes up to max envelopes whose lease ended, for lease.
	InboxDue(ctx context.Context, lease time.Duration, max int) ([]InboxEntry, error)
}

// Bot is the running Slack bot.
type Bot struct {
	sl  *Client
	sm  *socketmode.Client
	h   *handlers.Handlers
	svc *review.Service // runs the use cases' background work
	env Envelopes
	cfg Config
	log *slog.Logger
	m   *metrics

	connected atomic.Bool
	refresh   *refresher
	// answers saves answers and acks them once stored: one Redis round
	// trip a job, never a Slack call. work handles everything else (acked
	// at once), with Slack calls; it never delays an answer's save.
	answers *lane
	work    *lane
	notices *notices
	held    held // envelopes of the inbox this process handles
	acks    chan pendingAck
	wg      sync.WaitGroup
}

type job struct {
	envelopeID string
	kind       socketmode.EventType
	data       any
	user       string
	received   time.Time
	// ack is set on clicks that change a response (storesClick): the
	// envelope is acked by the answers lane once the change is stored, or
	// once the person was told it was not; never by a timer. An
	// acknowledged answer or submission is never lost.
	ack *deferredAck
	// after is closed once the person's answers received before this job
	// are done: a Next sees the clicks made before it.
	after <-chan struct{}
	// coalesce names jobs of which only the newest waiting one matters
	// (navigation: a burst of Next clicks opens one section).
	coalesce string
	// payload is the envelope as Slack sent it, for a command or form that
	// goes into the inbox before its ack (inbox.go); inboxed is set once
	// it is there, held by this process.
	payload  []byte
	inboxed  bool
	replayed bool // taken from the inbox after its process died
	done     chan struct{}
}

// deferredAck acks an envelope once, when its handler says so.
type deferredAck struct {
	once sync.Once
	send func(payload any)
}

const (
	// ackBudget is what an answer's save may take: Slack's 3 seconds less
	// a margin.
	ackBudget = 2500 * time.Millisecond
	// answerLease holds an answer's envelope while it is saved. A process
	// killed inside the save lets Slack's redelivery (3 s later) through.
	answerLease = ackBudget
	// workLease holds any other envelope while it is handled (they are
	// acked at once; only duplicates arrive meanwhile).
	workLease = time.Minute
	// envelopeTTL is how long handled envelopes are remembered.
	envelopeTTL = time.Hour
	// perPerson bounds the jobs waiting for one person, per lane.
	perPerson = 64
	// defaultDrain bounds the drain at shutdown.
	defaultDrain = 10 * time.Second
)

func newDeferredAck(send func(payload any)) *deferredAck {
	return &deferredAck{send: send}
}

// Ack sends the ack (with payload) unless it was sent already. It reports
// whether this call sent it.
func (a *deferredAck) Ack(payload any) bool {
	if a == nil {
		return false
	}
	sent := false
	a.once.Do(func() {
		a.send(payload)
		sent = true
	})
	return sent
}

// storesClick reports whether an envelope is a click that changes a
// stored response and is acked only once that is stored: an answer click,
// a written answer or comment, Submit, Snooze and "no more reminders".
func storesClick(data any) bool {
	cb, ok := data.(slack.InteractionCallback)
	if !ok {
		return false
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		return len(cb.ActionCallback.BlockActions) > 0 && codec.SavesClick(cb.ActionCallback.BlockActions[0].ActionID)
	case slack.InteractionTypeViewSubmission:
		return cb.View.CallbackID == codec.CbText || cb.View.CallbackID == codec.CbComment
	}
	return false
}

// coalesceKey names the jobs of a person of which only the newest waiting
// one needs doing: moving between sections, and the App Home.
func coalesceKey(data any) string {
	switch d := data.(type) {
	case slack.InteractionCallback:
		if d.Type == slack.InteractionTypeBlockActions && len(d.ActionCallback.BlockActions) > 0 && codec.Navigates(d.ActionCallback.BlockActions[0].ActionID) {
			return "navigate"
		}
	case slackevents.EventsAPIEvent:
		return "home"
	}
	return ""
}

// homeUser returns the user of an app_home_opened event on the Home tab.
func homeUser(ev slackevents.EventsAPIEvent) string {
	if e, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok && e.Tab == "home" {
		return e.User
	}
	return ""
}

// New builds a bot that talks to Slack through sl and runs the use cases
// of svc.
func New(sl *Client, svc *review.Service, cat *framework.Catalog, env Envelopes, cfg Config) *Bot {
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.Drain <= 0 {
		cfg.Drain = defaultDrain
	}
	if cfg.InboxLease <= 0 {
		cfg.InboxLease = defaultInboxLease
	}
	b := &Bot{
		sl: sl, svc: svc, env: env, cfg: cfg,
		log: redactingLogger(cfg.Log), m: sl.m,
		answers: newLane(perPerson), work: newLane(perPerson),
		acks: make(chan pendingAck, 4096),
	}
	// Frames Slack would never send are dropped under the client, which
	// would otherwise give its socket up after ten in a row and reconnect.
	dialer, filtered := wsframe.Dialer(func(reason string, size int) {
		b.log.Warn("socket mode frame dropped; the connection stays", "why", reason, "bytes", size)
	})
	if !filtered {
		b.log.Info("a proxy carries the socket: frames Slack would never send are not filtered")
	}
	b.sm = socketmode.New(sl.api, socketmode.OptionDialer(dialer))
	b.refresh = newRefresher(&b.wg)
	b.notices = newNotices(func(ctx context.Context, channel, user, text string) { sl.Ephemeral(ctx, channel, user, text) })
	b.h = handlers.New(handlers.Config{Service: svc, Catalog: cat, Slack: sl, Deferred: offLane{b}, Log: b.log, Now: cfg.Now})
	return b
}

// Connected reports whether the Socket Mode connection is up.
func (b *Bot) Connected() bool { return b.connected.Load() }

// ErrInvalidAuth means Slack refused the tokens.
var ErrInvalidAuth = errors.New("slack refused the tokens (invalid_auth): check SLACK_BOT_TOKEN (xoxb-…) and SLACK_APP_TOKEN (xapp-…, with connections:write)")

// Run connects to Slack and serves until ctx ends or Slack refuses the
// tokens. When ctx ends it stops reading envelopes (Slack redelivers those
// it sends meanwhile), handles the ones it queued for up to Config.Drain
// with the socket still open for their acks, and then disconnects.
func (b *Bot) Run(ctx context.Context) error {
	var auth *slack.AuthTestResponse
	err := b.sl.send.do(ctx, "auth.test", func(ctx context.Context) (err error) {
		auth, err = b.sl.api.AuthTestContext(ctx)
		return unreachable(ctx, "auth.test", err)
	})
	if err != nil {
		return b.stopping(startError("auth.test", err))
	}
	b.sl.botUser.Store(auth.UserID)
	b.sl.ws.Store(&assessment.Workspace{Team: auth.TeamID, Enterprise: auth.EnterpriseID})
	b.log.Info("authenticated with slack", "team", auth.Team, "team_id", auth.TeamID, "enterprise_id", auth.EnterpriseID, "bot_user", auth.UserID)

	// The handlers and the socket outlive ctx by the drain.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	sockCtx, stopSocket := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSocket()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	b.answers.start(b.cfg.Workers, func(j *job) {
		if j.payload != nil {
			b.toInbox(workCtx, j)
			return
		}
		b.handleAnswer(workCtx, j)
	})
	b.work.start(b.cfg.Workers, func(j *job) { b.handleWork(workCtx, j) })
	b.notices.start(workCtx, 4)
	ackerDone := make(chan struct{})
	go b.acker(sockCtx, ackerDone)
	b.wg.Add(2)
	go func() {
		defer b.wg.Done()
		b.svc.Run(ctx)
	}()
	go func() {
		defer b.wg.Done()
		b.keepInbox(ctx)
	}()

	result := b.serve(ctx, sockCtx, stopSocket)
	cancel()
	// Whatever still runs at the end of the drain is cancelled.
	stopAt := time.AfterFunc(b.cfg.Drain, stopWork)
	defer stopAt.Stop()
	b.drain(stopWork)
	b.notices.close()
	close(b.acks)
	<-ackerDone
	stopSocket()
	b.connected.Store(false)
	b.wg.Wait()
	return result
}

// serve runs the Socket Mode connection and dispatches its envelopes
// until ctx ends, the connection ends, or Slack refuses the app token (the
// error to stop with).
func (b *Bot) serve(ctx, sockCtx context.Context, stopSocket context.CancelFunc) error {
	runErr := make(chan error, 1)
	go func() { runErr <- b.sm.RunContext(sockCtx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-runErr:
			stopSocket()
			if err != nil && ctx.Err() == nil {
				return b.stopping(startError("apps.connections.open", err))
			}
			return nil
		case evt, ok := <-b.sm.Events:
			if !ok {
				return nil
			}
			if evt.Type != socketmode.EventTypeConnectionError {
				b.dispatch(evt)
				continue
			}
			b.connected.Store(false)
			if err := b.connectionError(evt); err != nil {
				return b.stopping(err)
			}
		}
	}
}

// drain lets both lanes finish what they queued, for up to Config.Drain:
// the answers lane first, since it hands commands on to the work lane.
// After that, answers still waiting stay unacked (Slack redelivers them to
// a running replica), commands and forms stay in the inbox for the next
// process, and the handlers' context ends.
func (b *Bot) drain(stopWork context.CancelFunc) {
	b.answers.close()
	answersDone, workDone := b.answers.wait(), b.work.wait()
	deadline := time.NewTimer(b.cfg.Drain)
	defer deadline.Stop()
	start := time.Now()
	for answersDone != nil || workDone != nil {
		select {
		case <-answersDone:
			answersDone = nil
			b.work.close()
		case <-workDone:
			workDone = nil
		case <-deadline.C:
			left := append(b.answers.abandon(), b.work.abandon()...)
			unacked, inboxed := 0, 0
			for _, j := range left {
				switch {
				case j.inboxed:
					inboxed++
				case j.ack != nil:
					unacked++
				}
			}
			b.m.abandoned.Add(float64(len(left)))
			if len(left) > 0 {
				b.log.Error("stopping with envelopes not handled", "drain", b.cfg.Drain,
					"left_unacked_for_redelivery", unacked, "left_in_the_inbox_for_the_next_process", inboxed,
					"acked_not_handled", len(left)-unacked-inboxed)
			}
			stopWork()
			if answersDone != nil {
				<-answersDone
			}
			if workDone != nil {
				<-workDone
			}
			return
		}
	}
	b.log.Debug("queued envelopes handled before stopping", "took", time.Since(start))
}

// pendingAck is an ack waiting for the acker.
type pendingAck struct {
	req     socketmode.Request
	payload any
}

// ack queues an envelope's ack. It never blocks: slack-go's own queue of
// responses holds 20 and blocks when the socket is down; an ack that cannot
// be queued is dropped and Slack redelivers the envelope.
func (b *Bot) ack(req socketmode.Request, payload any) {
	select {
	case b.acks <- pendingAck{req: req, payload: payload}:
	default:
		b.log.Warn("ack queue full; Slack will redeliver the envelope", "envelope", req.EnvelopeID)
	}
}

func (b *Bot) acker(sockCtx context.Context, done chan struct{}) {
	defer close(done)
	for a := range b.acks {
		if sockCtx.Err() != nil {
			continue // the socket is gone: Slack redelivers
		}
		ctx, cancel := context.WithTimeout(sockCtx, 2*time.Second)
		if err := b.sm.AckCtx(ctx, a.req.EnvelopeID, a.payload); err != nil {
			b.log.Warn("ack failed", "envelope", a.req.EnvelopeID, "err", err)
		}
		cancel()
	}
}

// dispatch runs on the event loop: it queues the work on the person's
// lane and acks (an answer once stored, by its lane). It does no I/O and
// never blocks: a full queue refuses the envelope and says so.
func (b *Bot) dispatch(evt socketmode.Event) {
	defer func() {
		// Parsing and form checks run here, before the ack; a bug in one must
		// cost one envelope, not the process.
		if p := recover(); p != nil {
			b.log.Error("panic while dispatching an envelope", "type", evt.Type, "panic", p)
		}
	}()
	if b.connectionEvent(evt) || evt.Request == nil {
		return
	}
	b.m.envelopes.WithLabelValues(string(evt.Type)).Inc()
	j := jobOf(evt)
	req := *evt.Request
	send := func(payload any) { b.ack(req, payload) }
	if b.foreign(evt) {
		send(foreignAck(evt.Data))
		return
	}
	if j.data == nil {
		send(nil)
		return
	}
	if ack, handle := b.h.Precheck(j.data); !handle {
		send(ack)
		return
	}
	switch {
	case j.envelopeID != "" && len(req.Payload) > 0 && inboxes(j.data):
		// Into the inbox, then the ack, then the work lane (inbox.go).
		b.toAnswersLane(j, send, req.Payload)
	case storesClick(j.data):
		b.toAnswersLane(j, send, nil)
	default:
		b.toWorkLane(j, send)
	}
}

// connectionEvent handles an event about the connection itself (and
// drops those of no interest); it reports false for an envelope to handle.
func (b *Bot) connectionEvent(evt socketmode.Event) bool {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		b.connected.Store(true)
		b.log.Info("socket mode connected")
	case socketmode.EventTypeConnecting:
		b.connected.Store(false)
		if ce, ok := evt.Data.(*slack.ConnectingEvent); ok && (ce.Attempt > 1 || ce.ConnectionCount > 0) {
			b.log.Info("socket mode connecting", "attempt", ce.Attempt, "connection", ce.ConnectionCount+1)
		} else {
			b.log.Info("socket mode connecting")
		}
	case socketmode.EventTypeIncomingError:
		b.incomingError(evt)
	case socketmode.EventTypeDisconnect:
		b.connected.Store(false)
		b.log.Info("socket mode disconnect requested by slack; reconnecting")
	case socketmode.EventTypeInvalidAuth:
		// RunContext returns the error next; Run reports it.
		b.connected.Store(false)
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		return false
	}
	return true
}

// jobOf is the job of an envelope; its data is nil when there is nothing
// to handle (an event other than opening the App Home).
func jobOf(evt socketmode.Event) *job {
	j := &job{envelopeID: evt.Request.EnvelopeID, kind: evt.Type, data: evt.Data, received: time.Now(), done: make(chan struct{})}
	switch d := evt.Data.(type) {
	case slack.SlashCommand:
		j.user = d.UserID
	case slackevents.EventsAPIEvent:
		j.user = homeUser(d)
		if j.user == "" {
			j.data = nil // no other event is subscribed to
		}
	case slack.InteractionCallback:
		j.user = d.User.ID
	}
	return j
}

// toAnswersLane queues a click that changes a response, or (with its
// payload) a command or form for the inbox, on the answers lane, which
// acks it. A full queue acks it at once and tells the person to slow
// down: a click is not stored, a command not handled.
func (b *Bot) toAnswersLane(j *job, send func(payload any), payload []byte) {
	j.payload, j.ack = payload, newDeferredAck(send)
	if queued, _ := b.answers.push(j.user, j); queued {
		return
	}
	b.m.busy.WithLabelValues("answers").Inc()
	var ack any
	switch d := j.data.(type) {
	case slack.SlashCommand:
		ack = present.EphemeralAck(present.TooFast)
	case slack.InteractionCallback:
		if payload == nil {
			b.m.answers.WithLabelValues("busy").Inc()
			b.log.Debug("answer refused: the person's queue is full", "envelope", j.envelopeID, "user", j.user)
		}
		b.notices.tellSometimes(d.Channel.ID, j.user, present.TooFast)
	}
	j.ack.Ack(ack)
}

// toWorkLane queues an envelope on the work lane, after the person's
// answers received before it, and acks it; a full queue tells the person
// to slow down.
func (b *Bot) toWorkLane(j *job, send func(payload any)) {
	j.after = b.answers.last(j.user)
	j.coalesce = coalesceKey(j.data)
	queued, replaced := b.work.push(j.user, j)
	if replaced != nil {
		b.m.coalesced.Inc()
		b.log.Debug("envelope superseded by a newer one of the same person", "envelope", replaced.envelopeID, "by", j.envelopeID)
	}
	var ack any
	if !queued {
		b.m.busy.WithLabelValues("work").Inc()
		b.log.Debug("envelope refused: the person's queue is full", "envelope", j.envelopeID, "user", j.user)
		switch d := j.data.(type) {
		case slack.SlashCommand:
			ack = present.EphemeralAck(present.TooFast)
		case slack.InteractionCallback:
			b.notices.tellSometimes(d.Channel.ID, j.user, present.TooFast)
		}
	}
	send(ack)
}

// claim takes an envelope for its handler; false means another delivery
// of it was handled (handled) or holds it now. When Redis does not answer,
// the handler goes on: it fails to save and tells the person.
func (b *Bot) claim(ctx context.Context, j *job, lease time.Duration) (claimed, handled bool) {
	if j.envelopeID == "" {
		return true, false
	}
	claimed, handled, err := b.env.ClaimEnvelope(ctx, j.envelopeID, lease)
	if err != nil {
		return true, false
	}
	if !claimed {
		b.m.duplicates.Inc()
		b.log.Debug("duplicate envelope ignored", "envelope", j.envelopeID, "handled", handled)
	}
	return claimed, handled
}

// handled records that an envelope was handled, so its redeliveries are not.
func (b *Bot) handled(ctx context.Context, j *job) {
	if j.envelopeID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := b.env.EnvelopeHandled(ctx, j.envelopeID, envelopeTTL); err != nil {
		b.log.Debug("cannot record a handled envelope", "envelope", j.envelopeID, "err", err)
	}
}

// handleAnswer saves an answer and acks it: at once when stored, or when
// the person was told it was not (a refusal, or Redis failing within the
// budget). It never calls Slack itself: refusals and the message refresh
// go off the lane.
func (b *Bot) handleAnswer(ctx context.Context, j *job) {
	ackIt := true
	claimed := false
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic while handling envelope", "envelope", j.envelopeID, "panic", p)
		}
		if ackIt {
			j.ack.Ack(nil)
		}
		if claimed {
			b.handled(ctx, j)
		}
		b.m.handle.WithLabelValues(string(j.kind)).Observe(time.Since(j.received).Seconds())
	}()
	ctx, cancel := context.WithTimeout(ctx, ackBudget)
	defer cancel()
	var handled bool
	claimed, handled = b.claim(ctx, j, answerLease)
	if !claimed {
		// Handled before: ack again. Held by another delivery: that one
		// acks once stored; if its process died, Slack redelivers.
		ackIt = handled
		return
	}
	b.h.Interaction(ctx, j.data.(slack.InteractionCallback), j.ack)
}

// handleWork handles everything but answers; the envelope was acked at
// dispatch.
func (b *Bot) handleWork(ctx context.Context, j *job) {
	claimed := false
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic while handling envelope", "envelope", j.envelopeID, "panic", p)
		}
		if claimed {
			b.handled(ctx, j)
		}
		b.m.handle.WithLabelValues(string(j.kind)).Observe(time.Since(j.received).Seconds())
	}()
	ctx = handlers.WithEnvelope(ctx, j.envelopeID)
	if j.replayed {
		ctx = withReplayed(ctx)
	}
	if j.inboxed {
		defer func() {
			if ctx.Err() != nil {
				// Cut off at the end of the drain: left in the inbox for
				// the next process (what it creates has an id derived
				// from the envelope, so it is not created twice).
				b.held.remove(j.envelopeID)
				return
			}
			b.inboxDone(ctx, j)
		}()
	}
	if j.after != nil {
		t := time.NewTimer(2 * ackBudget)
		select {
		case <-j.after:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	if !j.inboxed {
		if claimed, _ = b.claim(ctx, j, workLease); !claimed {
			return
		}
	}
	switch d := j.data.(type) {
	case slack.SlashCommand:
		b.h.Command(ctx, d)
	case slack.InteractionCallback:
		b.h.Interaction(ctx, d, nil)
	case slackevents.EventsAPIEvent:
		b.h.Home(ctx, homeUser(d))
	}
}
