package slackbot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
)

// handleInteraction handles a click or a form. ack is non-nil when the
// envelope carries an answer: it is acked once the answer is stored.
func (b *Bot) handleInteraction(ctx context.Context, cb slack.InteractionCallback, ack *deferredAck) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return
		}
		b.handleAction(ctx, cb, cb.ActionCallback.BlockActions[0], ack)
	case slack.InteractionTypeViewSubmission:
		switch cb.View.CallbackID {
		case cbStart:
			b.startFromModal(ctx, cb)
		case cbSchedule:
			b.scheduleFromModal(ctx, cb)
		case cbText, cbComment:
			b.handleTextSubmission(ctx, cb, ack)
		}
	}
}

// refuse tells the clicking person why nothing happened. The ephemeral
// goes off the lane: a refused answer must not wait for Slack.
func (b *Bot) refuse(ctx context.Context, cb slack.InteractionCallback, op string, err error, attrs ...any) {
	b.notices.tell(cb.Channel.ID, cb.User.ID, b.tell(op, err, append(attrs, "user", cb.User.ID)...))
}

func (b *Bot) handleAction(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction, ack *deferredAck) {
	val := act.Value
	if val == "" {
		val = act.SelectedOption.Value // a menu
	}
	a, ok := decodeAction(act.ActionID, val)
	if !ok {
		b.refuse(ctx, cb, opAnswer, errBadPayload, "action", act.ActionID)
		return
	}
	user := cb.User.ID
	switch a.Kind {
	case actStart:
		b.openSection(ctx, cb, a.Review, -1)
	case actNext, actBack:
		b.openSection(ctx, cb, a.Review, a.Section)
	case actAnswer:
		sh, err := b.svc.Answer(ctx, a.Review, user, a.Question, assessment.Answer{Option: a.Option}, false)
		ack.Ack(nil) // stored (or refused): now Slack may forget the click
		if err != nil {
			b.m.answers.WithLabelValues(assessment.ErrorCode(err)).Inc()
			b.refuse(ctx, cb, opAnswer, err, "review", a.Review, "question", a.Question)
			return
		}
		b.m.answers.WithLabelValues("saved").Inc()
		b.refreshQuestion(ctx, sh, a.Question, cb.ResponseURL)
	case actComment, actText:
		b.openTextModal(ctx, cb, a.Review, a.Question, a.Kind == actComment)
	case actSubmit:
		b.submit(ctx, cb, a.Review, ack)
	case actSnooze, actOptOut:
		b.snoozeOrOptOut(ctx, cb, a.Review, a.Kind == actOptOut, ack)
	}
}

// openSection posts section si (or, with -1, the first one not finished)
// to the respondent. A section posted before is replaced by the new message
// so only one live copy stays clickable.
func (b *Bot) openSection(ctx context.Context, cb slack.InteractionCallback, reviewID string, si int) {
	user := cb.User.ID
	sh, err := b.svc.Open(ctx, reviewID, user)
	if err != nil {
		b.refuse(ctx, cb, opSection, err, "review", reviewID)
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
		b.refuse(ctx, cb, opSection, errBadPayload, "section", si)
		return
	}
	for _, p := range pages(f, si) {
		if old, ok := sh.Messages[p.msgName()]; ok {
			_ = b.sl.update(ctx, old, "Moved", []slack.Block{slack.NewContextBlock("moved",
				mrkdwn(fmt.Sprintf("_%s continues in a newer message below._", escape(f.Sections[si].Title))))})
		}
		ref, err := b.sl.post(ctx, user, fmt.Sprintf("%s: %s", f.Title, f.Sections[si].Title), sectionBlocks(r, f, p, sh.Response, sh.ClosesEarly))
		if err != nil {
			b.log.Error("cannot post a section", "review", reviewID, "user", user, "err", err)
			b.sl.ephemeral(ctx, cb.Channel.ID, user, "Slack did not take the next questions. Please press the button again in a minute; your answers are saved.")
			return
		}
		if err := b.svc.RememberMessage(ctx, reviewID, user, p.msgName(), ref); err != nil {
			b.log.Warn("cannot remember a section message", "review", reviewID, "err", err)
		}
	}
	// The intro's button says Continue and shows progress from now on.
	if m, ok := sh.Messages["intro"]; ok {
		_ = b.sl.update(ctx, m, f.Title, introBlocks(r, f, &sh.Response))
	}
}

// refreshQuestion re-renders the message that holds a question so it shows
// the answer just saved. A click carries a response_url that replaces the
// clicked message without spending chat.update's workspace-wide rate limit;
// otherwise (a modal's answer) the stored message is updated.
func (b *Bot) refreshQuestion(ctx context.Context, sh review.Sheet, questionID, responseURL string) {
	si, qi := sh.Framework.Position(questionID)
	if si < 0 {
		return
	}
	p := pageOf(sh.Framework, si, qi)
	b.refreshPage(ctx, sh, p, responseURL)
	// Submit's confirm says how many questions are still unanswered. When
	// the page that holds it is another message (the person went Back, or
	// the last section has several pages), it is re-rendered too, so the
	// confirm never overstates what is left.
	if sh.Response.Submitted {
		return // no Submit button any more
	}
	f := sh.Framework
	last := pages(f, len(f.Sections)-1)
	if lp := last[len(last)-1]; lp.msgName() != p.msgName() {
		if _, ok := sh.Messages[lp.msgName()]; ok {
			b.refreshPage(ctx, sh, lp, "")
		}
	}
}

// refreshPage queues updatePage on the refresher, off the click's lane:
// one update at a time per message, the newest waiting one only.
func (b *Bot) refreshPage(ctx context.Context, sh review.Sheet, p page, responseURL string) {
	ctx = context.WithoutCancel(ctx)
	b.refresh.submit(messageKey(sh.Review.ID, sh.Response.Respondent, p.msgName()), func() { b.updatePage(ctx, sh, p, responseURL) })
}

// updatePage replaces one page of a section in a respondent's DM.
func (b *Bot) updatePage(ctx context.Context, sh review.Sheet, p page, responseURL string) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	f := sh.Framework
	fallback := fmt.Sprintf("%s: %s", f.Title, f.Sections[p.Section].Title)
	blocks := sectionBlocks(sh.Review, f, p, sh.Response, sh.ClosesEarly)
	if responseURL != "" {
		err := b.sl.replaceClicked(ctx, responseURL, fallback, blocks)
		if err == nil {
			return
		}
		b.log.Debug("response_url refused the update; using chat.update", "err", err)
	}
	if m, ok := sh.Messages[p.msgName()]; ok {
		if err := b.sl.update(ctx, m, fallback, blocks); err != nil {
			b.log.Warn("answer saved but its message was not refreshed", "review", sh.Review.ID, "err", err)
		}
	}
}

// openTextModal asks for an open answer or a comment in a modal.
func (b *Bot) openTextModal(ctx context.Context, cb slack.InteractionCallback, reviewID, questionID string, comment bool) {
	user := cb.User.ID
	sh, err := b.svc.Open(ctx, reviewID, user)
	if err != nil {
		b.refuse(ctx, cb, opModal, err, "review", reviewID)
		return
	}
	ref, ok := sh.Framework.Lookup(questionID)
	if !ok || (!comment && !ref.Scale.Text) || (comment && ref.Scale.Text) {
		b.refuse(ctx, cb, opModal, errBadPayload, "review", reviewID, "question", questionID)
		return
	}
	a := sh.Response.Answers[questionID]
	in := slack.NewPlainTextInputBlockElement(nil, "v")
	in.Multiline = true
	in.MaxLength = 3000
	title, label, cbid := "Your answer", strings.TrimSpace(ref.Question.Text), cbText
	in.InitialValue = a.Text
	if comment {
		title, cbid = "Comment", cbComment
		in.InitialValue = a.Comment
	}
	ib := slack.NewInputBlock("answer", plain(label, 2000), plain("Only the digest's leaders see it, without your name. Leave empty to remove it.", 2000), in)
	ib.Optional = true
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbid, Title: plain(title, 24), Submit: plain("Save", 24), Close: plain("Cancel", 24),
		Blocks:          slack.Blocks{BlockSet: []slack.Block{ib}},
		PrivateMetadata: encodeTextMeta(textMeta{Review: sh.Review.ID, Question: questionID, Channel: cb.Channel.ID}),
	}
	if err := b.sl.openView(ctx, cb.TriggerID, view); err != nil {
		b.log.Warn("cannot open a text modal", "err", err)
		b.sl.ephemeral(ctx, cb.Channel.ID, user, "Slack did not open the box in time. Please click again.")
	}
}

func (b *Bot) handleTextSubmission(ctx context.Context, cb slack.InteractionCallback, ack *deferredAck) {
	user := cb.User.ID
	meta, ok := decodeTextMeta(cb.View.PrivateMetadata)
	if !ok {
		b.log.Warn("text submission with bad metadata", "user", user)
		return
	}
	text := strings.TrimSpace(cb.View.State.Values["answer"]["v"].Value)
	comment := cb.View.CallbackID == cbComment
	a := assessment.Answer{Text: text}
	if comment {
		a = assessment.Answer{Comment: text}
	}
	sh, err := b.svc.Answer(ctx, meta.Review, user, meta.Question, a, comment)
	if err != nil {
		b.m.answers.WithLabelValues(assessment.ErrorCode(err)).Inc()
		msg := b.tell(opText, err, "review", meta.Review, "question", meta.Question, "user", user)
		// Still in time: keep the form open with the reason, so nothing
		// typed is lost.
		if ack.Ack(map[string]any{"response_action": "errors", "errors": map[string]string{"answer": present.Truncate(msg, 150)}}) {
			return
		}
		if assessment.ErrorCode(err) == assessment.EUNAVAILABLE {
			msg = "Your text could not be saved because our database is not answering. Here it is, so nothing is lost; please try again in a minute:\n> " + escape(present.Truncate(text, 2800))
		}
		b.notices.tell(meta.Channel, user, msg)
		return
	}
	ack.Ack(nil)
	b.m.answers.WithLabelValues("saved").Inc()
	b.refreshQuestion(ctx, sh, meta.Question, "")
}

// submit records a submission (the button asked for confirmation first)
// and thanks the person with what is true now: until when answers can
// change.
// submit records a submission on the answers lane and acks it once
// stored; the messages it changes and the thank-you go off the lane.
func (b *Bot) submit(ctx context.Context, cb slack.InteractionCallback, reviewID string, ack *deferredAck) {
	user := cb.User.ID
	res, err := b.svc.Submit(ctx, reviewID, user)
	ack.Ack(nil)
	if err != nil {
		b.refuse(ctx, cb, opSubmit, err, "review", reviewID)
		return
	}
	// Each page's update goes the way the answers' refreshes of that page
	// go, so the one queued last (this one) is the one that stays.
	r, f := res.Review, res.Framework
	for _, p := range pages(f, len(f.Sections)-1) {
		if _, ok := res.Messages[p.msgName()]; ok {
			b.refreshPage(ctx, res.Sheet, p, "")
		}
	}
	if m, ok := res.Messages["intro"]; ok {
		b.afterClick(ctx, messageKey(reviewID, user, "intro"), func(ctx context.Context) {
			_ = b.sl.update(ctx, m, f.Title, introBlocks(r, f, &res.Response))
		})
	}
	b.afterClick(ctx, messageKey(reviewID, user, "thanks"), func(ctx context.Context) {
		_, _ = b.sl.post(ctx, user, "Thank you!", []slack.Block{slack.NewSectionBlock(mrkdwn(thankYouText(r, f, res.Response, res.ClosesEarly)), nil, nil)})
	})
}

// messageKey names one of a person's messages of a review, for the
// refresher.
func messageKey(reviewID, user, name string) string { return reviewID + "|" + user + "|" + name }

// afterClick runs what a stored click changes in Slack off the answers
// lane, so the next click's save and ack never wait for Slack. Work with
// the same key runs in order, the newest waiting one only.
func (b *Bot) afterClick(ctx context.Context, key string, fn func(ctx context.Context)) {
	ctx = context.WithoutCancel(ctx)
	b.refresh.submit(key, func() {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		fn(ctx)
	})
}

// thankYouText is the message after a submission. closesEarly is set when
// everyone has submitted.
func thankYouText(r *assessment.Review, f *assessment.Framework, resp assessment.Response, closesEarly time.Time) string {
	answered, total := f.Progress(resp.Answers)
	note := ""
	if left := total - answered; left > 0 {
		note = fmt.Sprintf(" You left %s unanswered; they simply don't count.", plural(left, "question", "questions"))
	}
	until := fmt.Sprintf("You can change them until the review closes, %s at the latest.", slackDate(r.Deadline))
	if !closesEarly.IsZero() {
		until = fmt.Sprintf("Everyone has answered; the review closes %s, until then you can still change your answers.", slackDate(closesEarly))
	}
	return fmt.Sprintf("🙏 Thank you! Your answers to *%s* are in (%d/%d answered).%s %s", escape(f.Title), answered, total, note, until)
}

// snoozeOrOptOut handles the reminder's buttons.
func (b *Bot) snoozeOrOptOut(ctx context.Context, cb slack.InteractionCallback, reviewID string, optOut bool, ack *deferredAck) {
	var note string
	var r *assessment.Review
	var err error
	if optOut {
		r, err = b.svc.OptOut(ctx, reviewID, cb.User.ID)
		if err == nil {
			note = "🔕 OK, no more reminders for this review. You can still answer until " + slackDate(r.Deadline) + "."
		}
	} else {
		var until time.Time
		r, until, err = b.svc.Snooze(ctx, reviewID, cb.User.ID)
		note = "😴 OK, I'll remind you again " + slackDate(until) + " at the earliest."
	}
	ack.Ack(nil)
	if err != nil {
		b.refuse(ctx, cb, opSnooze, err, "review", reviewID)
		return
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(note), nil, nil),
		slack.NewActionBlock("remind-actions", button(actStart, startValue(r.ID), "Continue"))}
	if cb.ResponseURL != "" {
		b.afterClick(ctx, messageKey(reviewID, cb.User.ID, "remind"), func(ctx context.Context) {
			_ = b.sl.replaceClicked(ctx, cb.ResponseURL, note, blocks)
		})
	}
}
