package handlers

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// click is a decoded block action and the callback it came in.
type click struct {
	cb  slack.InteractionCallback
	act codec.Action
	ack Acker // set when the click changes a response
}

// actions are the handlers of clicks, by action kind.
var actions = map[string]func(h *Handlers, ctx context.Context, c click){
	codec.ActStart:   (*Handlers).openFirstSection,
	codec.ActNext:    (*Handlers).openSection,
	codec.ActBack:    (*Handlers).openSection,
	codec.ActAnswer:  (*Handlers).answer,
	codec.ActComment: (*Handlers).openTextForm,
	codec.ActText:    (*Handlers).openTextForm,
	codec.ActSubmit:  (*Handlers).submit,
	codec.ActSnooze:  (*Handlers).snooze,
	codec.ActOptOut:  (*Handlers).optOut,

	codec.ActPlan:        (*Handlers).planAction,
	codec.ActUpdate:      (*Handlers).openUpdateForm,
	codec.ActAccept:      (*Handlers).changeAction,
	codec.ActDecline:     (*Handlers).changeAction,
	codec.ActDone:        (*Handlers).changeAction,
	codec.ActDrop:        (*Handlers).changeAction,
	codec.ActActSnooze:   (*Handlers).snoozeAction,
	codec.ActActNoRemind: (*Handlers).snoozeAction,
}

// Interaction handles a click or a form. ack is set when the envelope
// changes a response (codec.SavesClick, or an open answer or comment): it
// is acked once that is stored.
func (h *Handlers) Interaction(ctx context.Context, cb slack.InteractionCallback, ack Acker) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return
		}
		h.clicked(ctx, cb, cb.ActionCallback.BlockActions[0], ack)
	case slack.InteractionTypeViewSubmission:
		h.submitted(ctx, cb, ack)
	}
}

func (h *Handlers) clicked(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction, ack Acker) {
	val := act.Value
	if val == "" {
		val = act.SelectedOption.Value // a menu
	}
	a, ok := codec.Decode(act.ActionID, val)
	if !ok {
		h.refuse(ctx, cb, present.OpAnswer, present.ErrBadPayload, "action", act.ActionID)
		return
	}
	if run, ok := actions[a.Kind]; ok {
		run(h, ctx, click{cb: cb, act: a, ack: ack})
	}
}

// acked acks a click's envelope, if it waits for one.
func (c click) acked() {
	if c.ack != nil {
		c.ack.Ack(nil)
	}
}

// refuse tells the clicking person why nothing happened. The ephemeral
// goes off the lane: a refused answer must not wait for Slack.
func (h *Handlers) refuse(ctx context.Context, cb slack.InteractionCallback, op string, err error, attrs ...any) {
	h.later.Tell(cb.Channel.ID, cb.User.ID, h.tell(op, err, append(attrs, h.person(ctx, cb.User.ID, attrs)...)...))
}

// person names a user in a log line: beside a review, by that review's
// pseudonym for them (review.Who), as no line may pair a person with a
// review's participation.
func (h *Handlers) person(ctx context.Context, user string, attrs []any) []any {
	for i := 0; i+1 < len(attrs); i += 2 {
		if id, ok := attrs[i+1].(string); ok && attrs[i] == "review" {
			return []any{"who", h.svc.Who(ctx, id, user)}
		}
	}
	return []any{"user", user}
}

func (h *Handlers) openFirstSection(ctx context.Context, c click) {
	h.showSection(ctx, c.cb, c.act.Review, -1)
}

func (h *Handlers) openSection(ctx context.Context, c click) {
	h.showSection(ctx, c.cb, c.act.Review, c.act.Section)
}

// showSection posts section si (or, with -1, the first one not finished)
// to the respondent. A section posted before is replaced by the new message
// so only one live copy stays clickable.
func (h *Handlers) showSection(ctx context.Context, cb slack.InteractionCallback, reviewID string, si int) {
	user := cb.User.ID
	sh, err := h.svc.Open(ctx, reviewID, user)
	if err != nil {
		h.refuse(ctx, cb, present.OpSection, err, "review", reviewID)
		return
	}
	r, f := sh.Review, sh.Framework
	if si < 0 {
		si = f.NextSection(sh.Response.Answers)
		if sh.Response.Submitted {
			si = 0
		}
	}
	if si >= len(f.Sections) {
		h.refuse(ctx, cb, present.OpSection, present.ErrBadPayload, "section", si)
		return
	}
	for _, p := range present.Pages(f, si) {
		if old, ok := sh.Messages[p.Name()]; ok {
			fallback, blocks := present.Moved(f, si)
			_ = h.slack.Update(ctx, old, fallback, blocks)
		}
		ref, err := h.slack.Post(ctx, user, present.SectionFallback(f, si), present.Section(r, f, p, sh.Response, sh.ClosesEarly))
		if err != nil {
			h.log.Error("cannot post a section", "review", reviewID, "who", h.svc.Who(ctx, reviewID, user), "err", err)
			h.slack.Ephemeral(ctx, cb.Channel.ID, user, present.SectionNotPosted)
			return
		}
		if err := h.svc.RememberMessage(ctx, reviewID, user, p.Name(), ref); err != nil {
			h.log.Warn("cannot remember a section message", "review", reviewID, "err", err)
		}
	}
	// The intro's button says Continue and shows progress from now on.
	if m, ok := sh.Messages["intro"]; ok {
		_ = h.slack.Update(ctx, m, f.Title, present.Intro(r, f, &sh.Response))
	}
}

// answer saves a click on an answer, acks it, and re-renders its message
// off the lane.
func (h *Handlers) answer(ctx context.Context, c click) {
	a := c.act
	sh, err := h.svc.Answer(ctx, a.Review, c.cb.User.ID, a.Question, assessment.Answer{Option: a.Option}, false)
	c.acked() // stored (or refused): now Slack may forget the click
	if err != nil {
		h.later.CountAnswer(assessment.ErrorCode(err))
		h.refuse(ctx, c.cb, present.OpAnswer, err, "review", a.Review, "question", a.Question)
		return
	}
	h.later.CountAnswer("saved")
	h.refreshQuestion(ctx, sh, a.Question, c.cb.ResponseURL)
}

// refreshQuestion re-renders the message that holds a question so it shows
// the answer just saved. A click carries a response_url that replaces the
// clicked message without spending chat.update's workspace-wide rate limit;
// otherwise (a modal's answer) the stored message is updated.
func (h *Handlers) refreshQuestion(ctx context.Context, sh review.Sheet, questionID, responseURL string) {
	si, qi := sh.Framework.Position(questionID)
	if si < 0 {
		return
	}
	p := present.PageOf(sh.Framework, si, qi)
	h.refreshPage(ctx, sh, p, responseURL)
	// Submit's confirm says how many questions are still unanswered. When
	// the page that holds it is another message (the person went Back, or
	// the last section has several pages), it is re-rendered too, so the
	// confirm never overstates what is left.
	if sh.Response.Submitted {
		return // no Submit button any more
	}
	if lp := present.LastPage(sh.Framework); lp.Name() != p.Name() {
		if _, ok := sh.Messages[lp.Name()]; ok {
			h.refreshPage(ctx, sh, lp, "")
		}
	}
}

// refreshPage replaces one page of a section in a respondent's DM, off the
// click's lane: one update at a time per message, the newest waiting one
// only.
func (h *Handlers) refreshPage(ctx context.Context, sh review.Sheet, p present.Page, responseURL string) {
	h.later.AfterClick(ctx, messageKey(sh.Review.ID, sh.Response.Respondent, p.Name()), func(ctx context.Context) {
		fallback := present.SectionFallback(sh.Framework, p.Section)
		blocks := present.Section(sh.Review, sh.Framework, p, sh.Response, sh.ClosesEarly)
		if responseURL != "" {
			err := h.slack.ReplaceClicked(ctx, responseURL, fallback, blocks)
			if err == nil {
				return
			}
			h.log.Debug("response_url refused the update; using chat.update", "err", err)
		}
		if m, ok := sh.Messages[p.Name()]; ok {
			if err := h.slack.Update(ctx, m, fallback, blocks); err != nil {
				h.log.Warn("answer saved but its message was not refreshed", "review", sh.Review.ID, "err", err)
			}
		}
	})
}

// messageKey names one of a person's messages of a review, for the
// transport's AfterClick.
func messageKey(reviewID, user, name string) string { return reviewID + "|" + user + "|" + name }

// openTextForm asks for an open answer or a comment in a modal.
func (h *Handlers) openTextForm(ctx context.Context, c click) {
	cb, reviewID, questionID, comment := c.cb, c.act.Review, c.act.Question, c.act.Kind == codec.ActComment
	sh, err := h.svc.Open(ctx, reviewID, cb.User.ID)
	if err != nil {
		h.refuse(ctx, cb, present.OpModal, err, "review", reviewID)
		return
	}
	ref, ok := sh.Framework.Lookup(questionID)
	if !ok || (!comment && !ref.Scale.Text) || (comment && ref.Scale.Text) {
		h.refuse(ctx, cb, present.OpModal, present.ErrBadPayload, "review", reviewID, "question", questionID)
		return
	}
	meta := codec.TextMeta{Review: sh.Review.ID, Question: questionID, Channel: cb.Channel.ID}
	if err := h.slack.OpenView(ctx, cb.TriggerID, present.TextForm(ref, sh.Response.Answers[questionID], comment, meta)); err != nil {
		h.log.Warn("cannot open a text modal", "err", err)
		h.slack.Ephemeral(ctx, cb.Channel.ID, cb.User.ID, present.TextFormNotOpened)
	}
}

// textSubmitted saves an open answer or a comment and acks it; a refusal
// keeps the form open with the reason while there is time.
func (h *Handlers) textSubmitted(ctx context.Context, cb slack.InteractionCallback, ack Acker) {
	user := cb.User.ID
	meta, ok := codec.DecodeTextMeta(cb.View.PrivateMetadata)
	if !ok {
		h.log.Warn("text submission with bad metadata", "user", user)
		return
	}
	text := strings.TrimSpace(codec.Field(cb.View.State.Values, codec.FieldAnswer).Value)
	comment := cb.View.CallbackID == codec.CbComment
	a := assessment.Answer{Text: text}
	if comment {
		a = assessment.Answer{Comment: text}
	}
	sh, err := h.svc.Answer(ctx, meta.Review, user, meta.Question, a, comment)
	if err != nil {
		h.later.CountAnswer(assessment.ErrorCode(err))
		msg := h.tell(present.OpText, err, "review", meta.Review, "question", meta.Question, "who", h.svc.Who(ctx, meta.Review, user))
		// Still in time: keep the form open with the reason, so nothing
		// typed is lost.
		if ack != nil && ack.Ack(present.FormErrors(map[string]string{codec.FieldAnswer: present.FieldRefused(msg)})) {
			return
		}
		if assessment.ErrorCode(err) == assessment.EUNAVAILABLE {
			msg = present.TextNotSaved(text)
		}
		h.later.Tell(meta.Channel, user, msg)
		return
	}
	if ack != nil {
		ack.Ack(nil)
	}
	h.later.CountAnswer("saved")
	h.refreshQuestion(ctx, sh, meta.Question, "")
}

// submit records a submission (the button asked for confirmation first)
// on the answers lane and acks it once stored; the messages it changes and
// the thank-you, which says until when answers can change, go off the
// lane.
func (h *Handlers) submit(ctx context.Context, c click) {
	user, reviewID := c.cb.User.ID, c.act.Review
	res, err := h.svc.Submit(ctx, reviewID, user)
	c.acked()
	if err != nil {
		h.refuse(ctx, c.cb, present.OpSubmit, err, "review", reviewID)
		return
	}
	// Each page's update goes the way the answers' refreshes of that page
	// go, so the one queued last (this one) is the one that stays.
	r, f := res.Review, res.Framework
	for _, p := range present.Pages(f, len(f.Sections)-1) {
		if _, ok := res.Messages[p.Name()]; ok {
			h.refreshPage(ctx, res.Sheet, p, "")
		}
	}
	if m, ok := res.Messages["intro"]; ok {
		h.later.AfterClick(ctx, messageKey(reviewID, user, "intro"), func(ctx context.Context) {
			_ = h.slack.Update(ctx, m, f.Title, present.Intro(r, f, &res.Response))
		})
	}
	h.later.AfterClick(ctx, messageKey(reviewID, user, "thanks"), func(ctx context.Context) {
		_, _ = h.slack.Post(ctx, user, present.ThanksFallback, present.Thanks(r, f, res.Response, res.ClosesEarly))
	})
}

// snooze handles the reminder's "Remind me tomorrow".
func (h *Handlers) snooze(ctx context.Context, c click) {
	r, until, err := h.svc.Snooze(ctx, c.act.Review, c.cb.User.ID)
	c.acked()
	if err != nil {
		h.refuse(ctx, c.cb, present.OpSnooze, err, "review", c.act.Review)
		return
	}
	fallback, blocks := present.Snoozed(r, until)
	h.replaceReminder(ctx, c, fallback, blocks)
}

// optOut handles the reminder's "No more reminders".
func (h *Handlers) optOut(ctx context.Context, c click) {
	r, err := h.svc.OptOut(ctx, c.act.Review, c.cb.User.ID)
	c.acked()
	if err != nil {
		h.refuse(ctx, c.cb, present.OpSnooze, err, "review", c.act.Review)
		return
	}
	fallback, blocks := present.OptedOut(r)
	h.replaceReminder(ctx, c, fallback, blocks)
}

// replaceReminder replaces the reminder clicked with what the click did,
// off the lane.
func (h *Handlers) replaceReminder(ctx context.Context, c click, fallback string, blocks []slack.Block) {
	if c.cb.ResponseURL == "" {
		return
	}
	h.later.AfterClick(ctx, messageKey(c.act.Review, c.cb.User.ID, "remind"), func(ctx context.Context) {
		_ = h.slack.ReplaceClicked(ctx, c.cb.ResponseURL, fallback, blocks)
	})
}
