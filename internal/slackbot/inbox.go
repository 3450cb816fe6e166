package slackbot

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
	"github.com/assessbot/assessbot/internal/slackbot/handlers"
)

// Slash commands and forms are acked before they are handled (Slack wants
// an ack within 3 s; handling them calls Slack and can take longer). So
// that an acked command is never lost to a kill -9 while it waits, it goes
// into the inbox in Redis before its ack, on the answers lane (one Redis
// round trip, no Slack call), and leaves it once handled. Each handler
// holds its envelope for a lease it renews; an envelope whose lease ended
// (its process died) is taken by the next process that looks and handled
// there. The inbox also drops redeliveries of those envelopes.

// InboxEntry is an envelope taken from the inbox for handling again.
type InboxEntry struct {
	ID, Kind string
	Payload  []byte
}

const (
	// defaultInboxLease is how long a handler holds an envelope of the
	// inbox without renewing it (Config.InboxLease); renewals, and looks
	// for envelopes whose lease ended, come three times a lease.
	defaultInboxLease = time.Minute
	// inboxBatch bounds the envelopes taken from the inbox at one look.
	inboxBatch = 20
)

// inboxes reports whether an envelope goes through the inbox: a slash
// command or a form to handle (help, typos and a form's errors are
// answered in the ack itself).
func inboxes(data any) bool {
	switch d := data.(type) {
	case slack.SlashCommand:
		return true
	case slack.InteractionCallback:
		if d.Type != slack.InteractionTypeViewSubmission {
			return false
		}
		switch d.View.CallbackID {
		case codec.CbStart, codec.CbSchedule, codec.CbPlan, codec.CbUpdate:
			return true
		}
	}
	return false
}

// held is the set of inbox envelopes this process handles, for renewal.
type held struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (h *held) add(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ids == nil {
		h.ids = map[string]bool{}
	}
	h.ids[id] = true
}

func (h *held) remove(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.ids, id)
}

func (h *held) has(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ids[id]
}

func (h *held) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.ids))
	for id := range h.ids {
		out = append(out, id)
	}
	return out
}

// toInbox runs on the answers lane: it keeps the envelope in the inbox,
// acks it, and queues it on the work lane. A redelivery of an envelope
// already in the inbox is acked and dropped. When Redis does not answer,
// the envelope is acked and handled all the same, as it would be without
// an inbox.
func (b *Bot) toInbox(ctx context.Context, j *job) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic while handling envelope", "envelope", j.envelopeID, "panic", p)
			j.ack.Ack(nil)
		}
	}()
	addCtx, cancel := context.WithTimeout(ctx, ackBudget)
	claimed, handled, err := b.env.InboxAdd(addCtx, j.envelopeID, string(j.kind), withoutToken(j.payload), b.cfg.InboxLease)
	cancel()
	switch {
	case err != nil:
		b.log.Warn("cannot keep an envelope in the inbox; handling it without", "envelope", j.envelopeID, "err", err)
	case !claimed:
		b.m.duplicates.Inc()
		b.log.Debug("duplicate envelope ignored", "envelope", j.envelopeID, "handled", handled)
		j.ack.Ack(nil)
		return
	}
	// The work lane's job: a job of its own, as each lane closes its
	// jobs' done.
	w := &job{envelopeID: j.envelopeID, kind: j.kind, data: j.data, user: j.user, received: j.received,
		done: make(chan struct{}), inboxed: err == nil}
	if w.inboxed {
		b.held.add(w.envelopeID)
	}
	j.ack.Ack(nil)
	b.queueWork(ctx, w)
}

// queueWork puts an envelope of the inbox on the work lane; a full queue
// tells the person to slow down, and the envelope leaves the inbox.
func (b *Bot) queueWork(ctx context.Context, j *job) {
	if queued, _ := b.work.push(j.user, j); queued {
		return
	}
	if !b.work.accepting() && j.inboxed {
		// Stopping: the next process takes it from the inbox.
		b.held.remove(j.envelopeID)
		return
	}
	b.m.busy.WithLabelValues("work").Inc()
	switch d := j.data.(type) {
	case slack.SlashCommand:
		b.notices.tellSometimes(d.ChannelID, j.user, present.TooFast)
	case slack.InteractionCallback:
		b.notices.tellSometimes(d.Channel.ID, j.user, present.TooFast)
	}
	if j.inboxed {
		b.inboxDone(ctx, j)
	}
}

// inboxDone takes a handled envelope out of the inbox.
func (b *Bot) inboxDone(ctx context.Context, j *job) {
	b.held.remove(j.envelopeID)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := b.env.InboxDone(ctx, j.envelopeID); err != nil {
		b.log.Warn("cannot take a handled envelope out of the inbox; it may be handled again", "envelope", j.envelopeID, "err", err)
	}
}

// keepInbox renews the leases of the envelopes this process holds and
// takes those whose handler died, until ctx ends.
func (b *Bot) keepInbox(ctx context.Context) {
	t := time.NewTicker(b.cfg.InboxLease / 3)
	defer t.Stop()
	for {
		b.renewInbox(ctx)
		b.takeFromInbox(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *Bot) renewInbox(ctx context.Context) {
	ids := b.held.list()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := b.env.InboxRenew(ctx, ids, b.cfg.InboxLease); err != nil {
		b.log.Warn("cannot renew the inbox leases", "envelopes", len(ids), "err", err)
	}
}

// takeFromInbox queues the envelopes whose handler's lease ended.
func (b *Bot) takeFromInbox(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	entries, err := b.env.InboxDue(ctx, b.cfg.InboxLease, inboxBatch)
	if err != nil {
		b.log.Debug("cannot look in the inbox", "err", err)
	}
	for _, e := range entries {
		if b.held.has(e.ID) {
			// Ours, still queued or running: its lease ran out while Redis
			// did not answer the renewals. Taking it renewed it.
			continue
		}
		j, ok := jobFromInbox(e)
		if !ok {
			b.log.Warn("an envelope in the inbox cannot be read; dropping it", "envelope", e.ID, "kind", e.Kind)
			_ = b.env.InboxDone(ctx, e.ID)
			continue
		}
		b.log.Info("handling an envelope another process acked but did not handle", "envelope", e.ID, "kind", e.Kind)
		b.m.replayed.Inc()
		b.held.add(j.envelopeID)
		b.queueWork(ctx, j)
	}
}

// withoutToken drops the payload's "token" (Slack's legacy verification
// token, which nothing here reads) before the payload is stored. A payload
// that is not a JSON object is kept as it is.
func withoutToken(payload []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(payload, &m) != nil {
		return payload
	}
	if _, ok := m["token"]; !ok {
		return payload
	}
	delete(m, "token")
	out, err := json.Marshal(m)
	if err != nil {
		return payload
	}
	return out
}

// jobFromInbox rebuilds a job from the payload Slack sent, read the way
// slack-go's socketmode client reads it.
func jobFromInbox(e InboxEntry) (*job, bool) {
	j := &job{envelopeID: e.ID, kind: socketmode.EventType(e.Kind), received: time.Now(), done: make(chan struct{}), inboxed: true, replayed: true}
	switch j.kind {
	case socketmode.EventTypeSlashCommand:
		var sc slack.SlashCommand
		if err := json.Unmarshal(e.Payload, &sc); err != nil {
			return nil, false
		}
		if _, err := handlers.ParseCommand(sc.Text); err != nil {
			return nil, false
		}
		j.user, j.data = sc.UserID, sc
	case socketmode.EventTypeInteractive:
		var cb slack.InteractionCallback
		if err := json.Unmarshal(e.Payload, &cb); err != nil {
			return nil, false
		}
		j.user, j.data = cb.User.ID, cb
	default:
		return nil, false
	}
	return j, j.user != "" && inboxes(j.data)
}

type replayedKey struct{}

// withReplayed marks ctx as handling an envelope taken from the inbox.
func withReplayed(ctx context.Context) context.Context {
	return context.WithValue(ctx, replayedKey{}, true)
}

func replayed(ctx context.Context) bool {
	r, _ := ctx.Value(replayedKey{}).(bool)
	return r
}
