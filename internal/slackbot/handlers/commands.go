package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
)

// request is a parsed /review command and where it came from.
type request struct {
	sc  slack.SlashCommand
	cmd Command
}

// reply tells the person who typed the command.
func (h *Handlers) reply(ctx context.Context, rq request, text string) {
	h.slack.Ephemeral(ctx, rq.sc.ChannelID, rq.sc.UserID, text)
}

// command is the handler of one verb of /review. admin refuses everyone
// but assessbot's admins; refusals are logged with warn, when set.
type command struct {
	admin bool
	warn  string
	run   func(h *Handlers, ctx context.Context, rq request)
}

// commands are the verbs of /review (help is answered in the ack).
var commands = map[string]command{
	"frameworks": {run: (*Handlers).frameworks},
	"":           {admin: true, run: (*Handlers).openStartForm},
	"start":      {admin: true, warn: "non-admin tried to start a review", run: (*Handlers).start},
	"schedule":   {admin: true, warn: "non-admin tried to manage schedules", run: (*Handlers).schedule},
	"status":     {admin: true, run: (*Handlers).status},
	"results":    {admin: true, warn: "non-admin asked for results", run: (*Handlers).results},
	"export":     {admin: true, warn: "non-admin asked for results", run: (*Handlers).export},
	"forget":     {admin: true, warn: "non-admin tried to forget someone", run: (*Handlers).forget},
	"close":      {admin: true, warn: "non-admin tried to close a review", run: (*Handlers).close},
	// Owners see their own actions; the use case decides who sees more.
	"actions": {run: (*Handlers).listActions},
}

// Command handles a /review command after its ack.
func (h *Handlers) Command(ctx context.Context, sc slack.SlashCommand) {
	cmd, err := ParseCommand(sc.Text)
	if err != nil {
		return // answered in the ack (Precheck)
	}
	h.runCommand(ctx, request{sc: sc, cmd: cmd})
}

func (h *Handlers) runCommand(ctx context.Context, rq request) {
	c, ok := commands[rq.cmd.Verb]
	if !ok {
		return
	}
	// The rule is review's (each admin use case applies it again); asking
	// first keeps a non-admin from reading forms and audiences.
	if c.admin {
		if err := h.svc.MayAdminister(ctx, rq.sc.UserID, rq.cmd.Verb); err != nil {
			if c.warn != "" {
				h.log.Warn(c.warn, "verb", rq.cmd.Verb, "sub", rq.cmd.Sub, "review", rq.cmd.ReviewID)
			}
			h.reply(ctx, rq, present.Words(present.OpStart, err))
			return
		}
	}
	c.run(h, ctx, rq)
}

func (h *Handlers) frameworks(ctx context.Context, rq request) {
	h.reply(ctx, rq, present.Frameworks(h.cat.All()))
}

// digestChannel is where a command's digest goes: the channel it names,
// else the channel it was typed in; "" in a DM.
func digestChannel(rq request) string {
	if rq.cmd.Digest != "" {
		return rq.cmd.Digest
	}
	if ch := rq.sc.ChannelID; strings.HasPrefix(ch, "C") || strings.HasPrefix(ch, "G") {
		return ch
	}
	return ""
}

func (h *Handlers) start(ctx context.Context, rq request) {
	cmd := rq.cmd
	f, ok := h.cat.Get(cmd.Framework)
	if !ok {
		h.reply(ctx, rq, present.Words(present.OpStart, assessment.NewError(assessment.EINVALID, assessment.UnknownFramework{ID: cmd.Framework, Known: h.cat.IDs()})))
		return
	}
	digestCh := digestChannel(rq)
	if digestCh == "" {
		h.reply(ctx, rq, present.DigestWhere)
		return
	}
	h.startReview(ctx, startInput{
		framework: f, users: cmd.Users, groups: cmd.Usergroups, channels: cmd.Channels,
		digest: digestCh, due: cmd.Due, threshold: cmd.Threshold, detail: cmd.Detail, by: rq.sc.UserID, replyChannel: rq.sc.ChannelID,
		now: cmd.Now, reminders: cmd.Reminders, grace: cmd.Grace, anyway: cmd.Anyway, segments: cmd.Segments,
	})
}

type startInput struct {
	framework        *assessment.Framework
	users, groups    []string
	channels         []string
	digest           string
	due              Due
	deadline         time.Time // set by the modal; otherwise from due
	threshold        int
	detail           int
	by, replyChannel string
	now              bool
	reminders        []string
	grace            time.Duration
	// anyway starts below the anonymity threshold; fromModal says how the
	// admin can ask for it.
	anyway, fromModal bool
	segments          []assessment.Segment
}

// startReview stores the review; the use case resolves the audience and
// begins the fan-out.
func (h *Handlers) startReview(ctx context.Context, in startInput) {
	deadline := in.deadline
	if deadline.IsZero() {
		deadline = in.due.Resolve(h.svc.Now(), h.svc.Location(ctx, in.by))
	}
	r, err := h.svc.Start(ctx, review.StartRequest{
		Framework: in.framework, Audience: review.Audience{Users: in.users, Groups: in.groups, Channels: in.channels},
		AudienceText: present.Audience(in.users, in.groups, in.channels), DigestChannel: in.digest,
		Deadline: deadline, Threshold: in.threshold, Detail: in.detail, CreatedBy: in.by, DeliverNow: in.now, Reminders: in.reminders,
		Grace: in.grace, Anyway: in.anyway, Segments: in.segments, ID: derivedID(ctx, assessment.ReviewIDFor),
	})
	text := ""
	if err != nil {
		h.tell(present.OpStart, err, "user", in.by)
		text = present.NotStarted(err, in.fromModal)
	} else {
		text = present.Started(r, in.framework, in.now)
	}
	h.slack.Ephemeral(ctx, in.replyChannel, in.by, text)
}

// status says where a review stands (without naming anyone) and, for the
// latest review, the upcoming scheduled runs.
func (h *Handlers) status(ctx context.Context, rq request) {
	id := rq.cmd.ReviewID
	st, err := h.svc.Status(ctx, id, rq.sc.UserID)
	if err == nil {
		var upcoming []*assessment.Schedule
		if id == "" {
			upcoming, _ = h.svc.Upcoming(ctx, rq.sc.UserID, 10)
		}
		h.reply(ctx, rq, present.Status(st, upcoming))
		return
	}
	if assessment.ErrorCode(err) == assessment.ENOTFOUND && id == "" {
		if upcoming, _ := h.svc.Upcoming(ctx, rq.sc.UserID, 10); len(upcoming) > 0 {
			h.reply(ctx, rq, present.NoStatus(err, upcoming))
			return
		}
	}
	h.reply(ctx, rq, h.tell(present.OpStatus, err))
}

func (h *Handlers) close(ctx context.Context, rq request) {
	c, err := h.svc.CloseNow(ctx, rq.cmd.ReviewID, rq.sc.UserID)
	if err != nil {
		h.reply(ctx, rq, h.tell(present.OpClose, err, "review", rq.cmd.ReviewID))
		return
	}
	h.reply(ctx, rq, present.Closed(c))
}

func (h *Handlers) forget(ctx context.Context, rq request) {
	u := rq.cmd.Users[0]
	got, err := h.svc.Forget(ctx, rq.sc.UserID, u)
	if err != nil {
		h.reply(ctx, rq, h.tell(present.OpForget, err))
		return
	}
	h.reply(ctx, rq, present.Forgot(u, got))
}
