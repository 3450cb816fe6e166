// Package handlers is what assessbot does with a slash command, a click,
// a form or an opened App Home: tables of small functions keyed by command
// verb, action kind and form, each of which translates what Slack sent
// (the /review parser, the actions codec, the forms' fields), calls one use
// case of internal/review, and hands what it returns to internal/present
// for the words and blocks a person reads.
//
// It does not know how envelopes travel: the transport (internal/slackbot)
// calls Precheck before an envelope's ack and Command, Interaction or Home
// after it, and gives the handlers what they need of Slack and of its
// lanes through the Slack and Deferred interfaces declared here. Handlers
// of clicks that change a response run on the lane that saves them: they
// never call Slack themselves there, but leave it to Deferred.
package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// Slack is the Web API as the handlers use it.
type Slack interface {
	// Ephemeral tells one person something in a channel only they see (in
	// their DM with the bot when the channel refuses it).
	Ephemeral(ctx context.Context, channel, user, text string)
	// EphemeralBlocks is Ephemeral with blocks.
	EphemeralBlocks(ctx context.Context, channel, user, fallback string, blocks []slack.Block) error
	Post(ctx context.Context, channel, fallback string, blocks []slack.Block) (assessment.MessageRef, error)
	Update(ctx context.Context, ref assessment.MessageRef, fallback string, blocks []slack.Block) error
	// ReplaceClicked replaces the message a click came from through the
	// click's response_url.
	ReplaceClicked(ctx context.Context, responseURL, fallback string, blocks []slack.Block) error
	OpenView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error
	PublishHome(ctx context.Context, user string, blocks []slack.Block) error
	// Usergroups lists the workspace's user groups.
	Usergroups(ctx context.Context) ([]slack.UserGroup, error)
	// DMChannel returns the id of the bot's DM with a user, or "".
	DMChannel(ctx context.Context, user string) string
	// Upload sends a file to a channel.
	Upload(ctx context.Context, channel string, f present.ExportFile, data []byte) error
}

// Deferred is what the transport does for the handlers off the lane a
// click is saved on, so that the next click's save and ack never wait for
// Slack.
type Deferred interface {
	// Tell posts an ephemeral to user (in channel, or their DM).
	Tell(channel, user, text string)
	// AfterClick runs fn, with a context of its own; work with the same
	// key runs in order, the newest waiting one only.
	AfterClick(ctx context.Context, key string, fn func(ctx context.Context))
	// CountAnswer counts an answer by outcome ("saved", or an error code).
	CountAnswer(outcome string)
}

// Acker acks the envelope of a click that changes a response, once it is
// stored: Ack sends the ack (with payload) unless it was sent, and reports
// whether this call sent it.
type Acker interface {
	Ack(payload any) bool
}

// Config is what the handlers work with.
type Config struct {
	Service  *review.Service
	Catalog  *framework.Catalog
	Slack    Slack
	Deferred Deferred
	Log      *slog.Logger
	Now      func() time.Time
}

// Handlers handle what people do in Slack.
type Handlers struct {
	svc   *review.Service
	cat   *framework.Catalog
	slack Slack
	later Deferred
	log   *slog.Logger
	now   func() time.Time
}

// New returns the handlers of cfg.
func New(cfg Config) *Handlers {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Handlers{svc: cfg.Service, cat: cfg.Catalog, slack: cfg.Slack, later: cfg.Deferred, log: cfg.Log, now: cfg.Now}
}

// Precheck answers, before an envelope's ack and without I/O, what needs
// no handler: a command that does not parse, help, a form with errors. It
// returns the ack's payload and whether the envelope still needs handling
// (then ack is nil).
func (h *Handlers) Precheck(data any) (ack any, handle bool) {
	switch d := data.(type) {
	case slack.SlashCommand:
		cmd, err := ParseCommand(d.Text)
		switch {
		case err != nil:
			return present.EphemeralAck(err.Error()), false
		case cmd.Verb == "help":
			return present.EphemeralAck(present.Help), false
		}
	case slack.InteractionCallback:
		if d.Type != slack.InteractionTypeViewSubmission {
			break
		}
		var errs map[string]string
		switch d.View.CallbackID {
		case codec.CbStart:
			errs = validateStartForm(d.View.State, h.now())
		case codec.CbSchedule:
			errs = validateScheduleForm(d.View.State)
		case codec.CbPlan, codec.CbUpdate:
			errs = validateActionForm(d.View.State, d.View.CallbackID == codec.CbPlan, h.now())
		}
		if len(errs) > 0 {
			return present.FormErrors(errs), false
		}
	}
	return nil, true
}

// Home shows a person their App Home.
func (h *Handlers) Home(ctx context.Context, user string) {
	if err := h.slack.PublishHome(ctx, user, present.Home(h.svc.Home(ctx, user))); err != nil {
		h.log.Warn("home: publish failed", "user", user, "err", err)
	}
}

// tell logs a refused or failed request (internal failures loudly) and
// returns the words for the person.
func (h *Handlers) tell(op string, err error, attrs ...any) string {
	attrs = append(attrs, "op", op, "err", err)
	switch code := assessment.ErrorCode(err); code {
	case assessment.EINTERNAL:
		h.log.Error("request failed", attrs...)
	case assessment.EFORBIDDEN, assessment.EINVALID:
		h.log.Warn("request refused", append(attrs, "code", code)...)
	default:
		h.log.Info("request refused", append(attrs, "code", code)...)
	}
	return present.Words(op, err)
}

type envelopeKey struct{}

// WithEnvelope carries the id of the envelope being handled, from which
// what it creates takes its id: handled twice, it creates one thing.
func WithEnvelope(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, envelopeKey{}, id)
}

// derivedID is the id of what the envelope being handled creates, from
// one of assessment's ...IDFor; empty (a random id) outside an envelope.
func derivedID(ctx context.Context, idFor func(string) string) string {
	if e, _ := ctx.Value(envelopeKey{}).(string); e != "" {
		return idFor(e)
	}
	return ""
}
