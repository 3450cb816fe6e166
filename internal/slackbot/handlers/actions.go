package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// Improvement actions: "Plan an action" opens the plan modal, whose
// submission (kept in the inbox before its ack) proposes one; the owner's
// Accept and Decline, Done, Drop and the reminder's buttons change one
// (acked once stored, on the answers lane); Update opens the update
// modal; `/review actions` lists them.

// planAction opens the plan modal of a digest's "Plan an action".
func (h *Handlers) planAction(ctx context.Context, c click) {
	user := c.cb.User.ID
	pf, err := h.svc.PlanAction(ctx, c.act.Review, c.act.SectionID, user)
	if err != nil {
		h.refuse(ctx, c.cb, present.OpAction, err, "review", c.act.Review)
		return
	}
	if err := h.slack.OpenView(ctx, c.cb.TriggerID, present.PlanForm(pf, c.cb.Channel.ID, h.now())); err != nil {
		h.log.Warn("cannot open the plan modal", "err", err)
		h.slack.Ephemeral(ctx, c.cb.Channel.ID, user, present.TextFormNotOpened)
	}
}

// openUpdateForm opens the update modal of an action.
func (h *Handlers) openUpdateForm(ctx context.Context, c click) {
	v, err := h.svc.FindAction(ctx, c.act.Review, c.act.ActionID, c.cb.User.ID)
	if err != nil {
		h.refuse(ctx, c.cb, present.OpAction, err, "action", c.act.ActionID)
		return
	}
	if err := h.slack.OpenView(ctx, c.cb.TriggerID, present.UpdateForm(v, c.cb.Channel.ID)); err != nil {
		h.log.Warn("cannot open the update modal", "err", err)
		h.slack.Ephemeral(ctx, c.cb.Channel.ID, c.cb.User.ID, present.TextFormNotOpened)
	}
}

// changes are the action buttons that change an action, by kind.
var changes = map[string]assessment.ActionChange{
	codec.ActAccept:  assessment.ChangeAccept,
	codec.ActDecline: assessment.ChangeDecline,
	codec.ActDone:    assessment.ChangeDone,
	codec.ActDrop:    assessment.ChangeDrop,
}

// changeAction applies an action button's change, acks it once stored,
// and shows the result where the click came from.
func (h *Handlers) changeAction(ctx context.Context, c click) {
	v, err := h.svc.ChangeAction(ctx, review.ActionChange{Review: c.act.Review, Action: c.act.ActionID, By: c.cb.User.ID, Change: changes[c.act.Kind]})
	c.acked()
	if err != nil {
		h.refuse(ctx, c.cb, present.OpAction, err, "action", c.act.ActionID)
		return
	}
	h.showChanged(ctx, c, v)
}

// showChanged shows a changed action where it was clicked: the App Home
// is drawn again, a DM replaced, a list told in an ephemeral.
func (h *Handlers) showChanged(ctx context.Context, c click, v review.ActionView) {
	user := c.cb.User.ID
	switch {
	case c.cb.View.Type == slack.VTHomeTab:
		h.later.AfterClick(ctx, "home|"+user, func(ctx context.Context) { h.Home(ctx, user) })
	case strings.HasPrefix(c.cb.Channel.ID, "D") && c.cb.ResponseURL != "" && !c.cb.Container.IsEphemeral:
		fallback, blocks := present.ActionChanged(v, h.now())
		h.later.AfterClick(ctx, "action|"+v.Action.ID+"|"+user, func(ctx context.Context) {
			_ = h.slack.ReplaceClicked(ctx, c.cb.ResponseURL, fallback, blocks)
		})
	default:
		h.later.Tell(c.cb.Channel.ID, user, present.ActionDone(v, h.now()))
	}
}

// snoozeAction handles an action reminder's "Remind me tomorrow" and "No
// more reminders".
func (h *Handlers) snoozeAction(ctx context.Context, c click) {
	stop := c.act.Kind == codec.ActActNoRemind
	v, err := h.svc.ActionSnooze(ctx, c.act.Review, c.act.ActionID, c.cb.User.ID, stop)
	c.acked()
	if err != nil {
		h.refuse(ctx, c.cb, present.OpAction, err, "action", c.act.ActionID)
		return
	}
	text := present.ActionSnoozed(v)
	if stop {
		text = present.ActionRemindersOff(v)
	}
	if c.cb.ResponseURL == "" {
		h.later.Tell(c.cb.Channel.ID, c.cb.User.ID, text)
		return
	}
	h.later.AfterClick(ctx, "action|"+v.Action.ID+"|"+c.cb.User.ID, func(ctx context.Context) {
		_ = h.slack.ReplaceClicked(ctx, c.cb.ResponseURL, text, []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)})
	})
}

// actionFields are what the plan and update modals hold.
type actionFields struct {
	section, what, owner string
	due                  time.Time
	questions            []string
}

func readActionFields(v map[string]map[string]slack.BlockAction) actionFields {
	f := actionFields{
		section: codec.Field(v, codec.FieldSection).SelectedOption.Value,
		what:    strings.TrimSpace(codec.Field(v, codec.FieldWhat).Value),
		owner:   codec.Field(v, codec.FieldOwner).SelectedUser,
	}
	f.due, _ = time.Parse("2006-01-02", codec.Field(v, codec.FieldDue).SelectedDate)
	for _, o := range codec.Field(v, codec.FieldQuestions).SelectedOptions {
		f.questions = append(f.questions, o.Value)
	}
	return f
}

// validateActionForm checks the plan and update modals without I/O, so
// the ack can carry the errors back into the modal.
func validateActionForm(state *slack.ViewState, plan bool, now time.Time) map[string]string {
	errs := map[string]string{}
	if state == nil {
		errs[codec.FieldWhat] = present.FieldWhat()
		return errs
	}
	f := readActionFields(state.Values)
	if plan && f.section == "" {
		errs[codec.FieldSection] = present.FieldNoSection
	}
	if f.what == "" || len([]rune(f.what)) > assessment.MaxActionText {
		errs[codec.FieldWhat] = present.FieldWhat()
	}
	if f.owner == "" {
		errs[codec.FieldOwner] = present.FieldNoOwner
	}
	if err := assessment.CheckAction("x", "x", f.due, now); err != nil || f.due.IsZero() {
		errs[codec.FieldDue] = present.FieldDue()
	}
	return errs
}

// proposeFromForm proposes the action of a submitted plan modal.
func (h *Handlers) proposeFromForm(ctx context.Context, cb slack.InteractionCallback, _ Acker) {
	meta, ok := codec.DecodeActionMeta(cb.View.PrivateMetadata)
	if !ok {
		h.log.Warn("plan modal with bad metadata")
		return
	}
	f := readActionFields(cb.View.State.Values)
	v, err := h.svc.Propose(ctx, review.Proposal{ID: derivedID(ctx, assessment.ActionIDFor), Review: meta.Review, Section: f.section,
		What: f.what, Owner: f.owner, Due: f.due, Questions: f.questions, By: cb.User.ID})
	if err != nil {
		h.slack.Ephemeral(ctx, meta.Channel, cb.User.ID, h.tell(present.OpAction, err, "review", meta.Review))
		return
	}
	h.slack.Ephemeral(ctx, meta.Channel, cb.User.ID, present.ActionProposed(v))
}

// updateFromForm applies a submitted update modal.
func (h *Handlers) updateFromForm(ctx context.Context, cb slack.InteractionCallback, _ Acker) {
	meta, ok := codec.DecodeActionMeta(cb.View.PrivateMetadata)
	if !ok || meta.Target == "" {
		h.log.Warn("update modal with bad metadata")
		return
	}
	f := readActionFields(cb.View.State.Values)
	v, err := h.svc.ChangeAction(ctx, review.ActionChange{Review: meta.Review, Action: meta.Target, By: cb.User.ID,
		Change: assessment.ChangeUpdate, What: f.what, Owner: f.owner, Due: f.due})
	if err != nil {
		h.slack.Ephemeral(ctx, meta.Channel, cb.User.ID, h.tell(present.OpAction, err, "action", meta.Target))
		return
	}
	h.slack.Ephemeral(ctx, meta.Channel, cb.User.ID, present.ActionDone(v, h.now()))
}

// listActions answers `/review actions [review|schedule]`.
func (h *Handlers) listActions(ctx context.Context, rq request) {
	id := rq.cmd.ReviewID
	if id == "" {
		id = rq.cmd.ScheduleID
	}
	l, err := h.svc.ListActions(ctx, rq.sc.UserID, id)
	if err != nil {
		h.reply(ctx, rq, h.tell(present.OpAction, err))
		return
	}
	fallback, blocks := present.ActionList(l, rq.sc.UserID, h.now())
	// Where an ephemeral cannot reach the person (a channel they are not
	// in), the list goes to their DM.
	if err := h.slack.EphemeralBlocks(ctx, rq.sc.ChannelID, rq.sc.UserID, fallback, blocks); err != nil {
		if _, err := h.slack.Post(ctx, rq.sc.UserID, fallback, blocks); err != nil {
			h.log.Warn("cannot show the actions", "err", err)
		}
	}
}
