package slackbot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/store"
)

func asSlackErr(err error, se *slack.SlackErrorResponse) bool { return errors.As(err, se) }

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

// refuse tells the clicking person why nothing happened.
func (b *Bot) refuse(ctx context.Context, cb slack.InteractionCallback, err error, attrs ...any) {
	msg := b.userMessage(err, append(attrs, "user", cb.User.ID)...)
	b.ephemeral(ctx, cb.Channel.ID, cb.User.ID, msg)
}

var errBadPayload = assessment.Errorf(assessment.EINVALID, "That button is not one of mine or is out of date. Open the review from its first message and try again.")

func (b *Bot) handleAction(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction, ack *deferredAck) {
	val := act.Value
	if val == "" {
		val = act.SelectedOption.Value // a menu
	}
	kind, parts, ok := parseAction(act.ActionID, val)
	if !ok {
		b.refuse(ctx, cb, errBadPayload, "action", act.ActionID)
		return
	}
	reviewID := parts[0]
	user := cb.User.ID
	switch kind {
	case actStart:
		b.openSection(ctx, cb, reviewID, -1)
	case actNext, actBack:
		if len(parts) != 2 {
			b.refuse(ctx, cb, errBadPayload, "action", act.ActionID)
			return
		}
		si, err := strconv.Atoi(parts[1])
		if err != nil {
			b.refuse(ctx, cb, errBadPayload, "action", act.ActionID)
			return
		}
		b.openSection(ctx, cb, reviewID, si)
	case actAnswer:
		if len(parts) != 3 {
			b.refuse(ctx, cb, errBadPayload, "action", act.ActionID)
			return
		}
		sh, r, f, err := b.svc.Answer(ctx, reviewID, user, parts[1], assessment.Answer{Option: parts[2]}, false)
		ack.Ack(nil) // stored (or refused): now Slack may forget the click
		if err != nil {
			b.m.answers.WithLabelValues(assessment.ErrorCode(err)).Inc()
			b.refuse(ctx, cb, err, "op", "answer", "review", reviewID, "question", parts[1])
			return
		}
		b.m.answers.WithLabelValues("saved").Inc()
		b.refreshQuestion(ctx, r, f, user, parts[1], sh, cb.ResponseURL)
	case actComment, actText:
		if len(parts) != 2 {
			b.refuse(ctx, cb, errBadPayload, "action", act.ActionID)
			return
		}
		b.openTextModal(ctx, cb, reviewID, parts[1], kind == actComment)
	case actSubmit:
		b.submit(ctx, cb, reviewID)
	case actSnooze, actOptOut:
		b.snoozeOrOptOut(ctx, cb, reviewID, kind == actOptOut)
	default:
		b.refuse(ctx, cb, errBadPayload, "action", act.ActionID)
	}
}

// respondentReview loads a review for a respondent's action, refusing
// people outside its audience and closed reviews.
func (b *Bot) respondentReview(ctx context.Context, reviewID, user string) (*assessment.Review, *assessment.Framework, error) {
	r, f, err := b.st.Review(ctx, reviewID)
	if err != nil {
		return nil, nil, err
	}
	if !r.IsRespondent(user) {
		return r, f, assessment.Errorf(assessment.EFORBIDDEN, "You are not a respondent of this review, so you cannot answer it.")
	}
	if r.Status != assessment.StatusOpen {
		return r, f, assessment.Errorf(assessment.ECLOSED, "This review is closed, so answers can no longer change. Thank you — your earlier answers are counted.")
	}
	return r, f, nil
}

// openSection posts section si (or, with -1, the first one not finished)
// to the respondent. A section posted before is replaced by the new message
// so only one live copy stays clickable.
func (b *Bot) openSection(ctx context.Context, cb slack.InteractionCallback, reviewID string, si int) {
	user := cb.User.ID
	r, f, err := b.respondentReview(ctx, reviewID, user)
	if err != nil {
		b.refuse(ctx, cb, err, "op", "open section", "review", reviewID)
		return
	}
	sh, err := b.st.Sheet(ctx, reviewID, user)
	if err != nil {
		b.refuse(ctx, cb, err, "op", "open section", "review", reviewID)
		return
	}
	if si < 0 {
		si = review.NextSection(f, sh.Answers)
		if sh.Submitted {
			si = 0
		}
	}
	if si >= len(f.Sections) {
		b.refuse(ctx, cb, errBadPayload, "op", "open section", "section", si)
		return
	}
	msgs, err := b.st.Messages(ctx, reviewID, user)
	if err != nil {
		b.refuse(ctx, cb, err, "op", "open section", "review", reviewID)
		return
	}
	view := sheetView{Answers: sh.Answers, Submitted: sh.Submitted}
	for _, p := range pages(f, si) {
		if old := msgs[p.msgName()]; old != "" {
			_ = b.update(ctx, old, "Moved", []slack.Block{slack.NewContextBlock("moved",
				mrkdwn(fmt.Sprintf("_%s continues in a newer message below._", escape(f.Sections[si].Title))))})
		}
		ref, err := b.post(ctx, user, fmt.Sprintf("%s: %s", f.Title, f.Sections[si].Title), sectionBlocks(r, f, p, view))
		if err != nil {
			b.log.Error("cannot post a section", "review", reviewID, "user", user, "err", err)
			b.ephemeral(ctx, cb.Channel.ID, user, "Slack did not take the next questions. Please press the button again in a minute; your answers are saved.")
			return
		}
		if err := b.st.SetMessage(ctx, reviewID, user, p.msgName(), ref); err != nil {
			b.log.Warn("cannot remember a section message", "review", reviewID, "err", err)
		}
	}
	// The intro's button says Continue and shows progress from now on.
	if m := msgs["intro"]; m != "" {
		_ = b.update(ctx, m, f.Title, introBlocks(r, f, &view))
	}
}

// refreshQuestion re-renders the message that holds a question so it shows
// the answer just saved. A click carries a response_url that replaces the
// clicked message without spending chat.update's workspace-wide rate limit;
// otherwise (a modal's answer) the stored message is updated.
func (b *Bot) refreshQuestion(ctx context.Context, r *assessment.Review, f *assessment.Framework, user, questionID string, sh store.Sheet, responseURL string) {
	si, qi := f.Position(questionID)
	if si < 0 {
		return
	}
	p := pageOf(f, si, qi)
	ctx = context.WithoutCancel(ctx)
	b.refresh.submit(r.ID+"|"+user+"|"+p.msgName(), func() { b.updatePage(ctx, r, f, p, sh, responseURL) })
}

// replaceClicked replaces the message a click came from through the click's
// response_url (which, unlike chat.update, spends no workspace rate limit).
func (b *Bot) replaceClicked(ctx context.Context, responseURL, fallback string, blocks []slack.Block) error {
	return b.send.do(ctx, "response_url", func(ctx context.Context) error {
		return slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.cfg.HTTPClient,
			&slack.WebhookMessage{Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}, ReplaceOriginal: true})
	})
}

// updatePage replaces one page of a section in a respondent's DM.
func (b *Bot) updatePage(ctx context.Context, r *assessment.Review, f *assessment.Framework, p page, sh store.Sheet, responseURL string) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	fallback := fmt.Sprintf("%s: %s", f.Title, f.Sections[p.Section].Title)
	blocks := sectionBlocks(r, f, p, sheetView{Answers: sh.Answers, Submitted: sh.Submitted})
	if responseURL != "" {
		err := b.replaceClicked(ctx, responseURL, fallback, blocks)
		if err == nil {
			return
		}
		b.log.Debug("response_url refused the update; using chat.update", "err", err)
	}
	if m := sh.Messages[p.msgName()]; m != "" {
		if err := b.update(ctx, m, fallback, blocks); err != nil {
			b.log.Warn("answer saved but its message was not refreshed", "review", r.ID, "err", err)
		}
	}
}

// openTextModal asks for an open answer or a comment in a modal.
func (b *Bot) openTextModal(ctx context.Context, cb slack.InteractionCallback, reviewID, questionID string, comment bool) {
	user := cb.User.ID
	r, f, err := b.respondentReview(ctx, reviewID, user)
	if err != nil {
		b.refuse(ctx, cb, err, "op", "text modal", "review", reviewID)
		return
	}
	ref, ok := f.Lookup(questionID)
	if !ok || (!comment && !ref.Scale.Text) || (comment && ref.Scale.Text) {
		b.refuse(ctx, cb, errBadPayload, "op", "text modal", "review", reviewID, "question", questionID)
		return
	}
	sh, err := b.st.Sheet(ctx, reviewID, user)
	if err != nil {
		b.refuse(ctx, cb, err, "op", "text modal", "review", reviewID)
		return
	}
	a := sh.Answers[questionID]
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
		Blocks: slack.Blocks{BlockSet: []slack.Block{ib}}, PrivateMetadata: r.ID + "|" + questionID + "|" + cb.Channel.ID,
	}
	err = b.send.do(ctx, "views.open", func(ctx context.Context) error {
		_, err := b.api.OpenViewContext(ctx, cb.TriggerID, view)
		return err
	})
	if err != nil {
		b.log.Warn("cannot open a text modal", "err", err)
		b.ephemeral(ctx, cb.Channel.ID, user, "Slack did not open the box in time. Please click again.")
	}
}

func (b *Bot) handleTextSubmission(ctx context.Context, cb slack.InteractionCallback, ack *deferredAck) {
	parts := strings.Split(cb.View.PrivateMetadata, "|")
	user := cb.User.ID
	if len(parts) != 3 {
		b.log.Warn("text submission with bad metadata", "user", user)
		return
	}
	reviewID, questionID, channel := parts[0], parts[1], parts[2]
	text := strings.TrimSpace(cb.View.State.Values["answer"]["v"].Value)
	comment := cb.View.CallbackID == cbComment
	a := assessment.Answer{Text: text}
	if comment {
		a = assessment.Answer{Comment: text}
	}
	sh, r, f, err := b.svc.Answer(ctx, reviewID, user, questionID, a, comment)
	if err != nil {
		b.m.answers.WithLabelValues(assessment.ErrorCode(err)).Inc()
		msg := b.userMessage(err, "op", "text answer", "review", reviewID, "question", questionID, "user", user)
		// Still in time: keep the form open with the reason, so nothing
		// typed is lost.
		if ack.Ack(map[string]any{"response_action": "errors", "errors": map[string]string{"answer": digest.Truncate(msg, 150)}}) {
			return
		}
		if assessment.ErrorCode(err) == assessment.EUNAVAILABLE {
			msg = "Your text could not be saved because our database is not answering. Here it is, so nothing is lost; please try again in a minute:\n> " + escape(digest.Truncate(text, 2800))
		}
		b.ephemeral(ctx, channel, user, msg)
		return
	}
	ack.Ack(nil)
	b.m.answers.WithLabelValues("saved").Inc()
	b.refreshQuestion(ctx, r, f, user, questionID, sh, "")
}

func (b *Bot) submit(ctx context.Context, cb slack.InteractionCallback, reviewID string) {
	user := cb.User.ID
	r, f, err := b.respondentReview(ctx, reviewID, user)
	if err != nil {
		b.refuse(ctx, cb, err, "op", "submit", "review", reviewID)
		return
	}
	all, err := b.svc.Submit(ctx, reviewID, user)
	if err != nil {
		b.refuse(ctx, cb, err, "op", "submit", "review", reviewID)
		return
	}
	sh, err := b.st.Sheet(ctx, reviewID, user)
	if err == nil {
		answered, total := review.Progress(f, sh.Answers)
		view := sheetView{Answers: sh.Answers, Submitted: true}
		msgs, _ := b.st.Messages(ctx, reviewID, user)
		last := len(f.Sections) - 1
		for _, p := range pages(f, last) {
			if m := msgs[p.msgName()]; m != "" {
				_ = b.update(ctx, m, "Submitted", sectionBlocks(r, f, p, view))
			}
		}
		if m := msgs["intro"]; m != "" {
			_ = b.update(ctx, m, f.Title, introBlocks(r, f, &view))
		}
		note := ""
		if answered < total {
			note = fmt.Sprintf(" You left %d questions unanswered; they simply don't count.", total-answered)
		}
		_, _ = b.post(ctx, user, "Thank you!", []slack.Block{slack.NewSectionBlock(mrkdwn(fmt.Sprintf(
			"🙏 Thank you! Your answers to *%s* are in (%d/%d answered).%s You can change them until %s.",
			escape(f.Title), answered, total, note, slackDate(r.Deadline))), nil, nil)})
	}
	b.log.Info("response submitted", "review", reviewID, "user", user)
	if all {
		if closed, err := b.svc.Close(ctx, reviewID, "all submitted"); err == nil && closed {
			b.log.Info("everyone submitted; closing", "review", reviewID)
			b.postDigest(ctx, reviewID)
		}
	}
}

// postDigest posts a closed review's digest exactly once: a lease keeps
// replicas apart and the stored digest ref makes later attempts no-ops.
func (b *Bot) postDigest(ctx context.Context, reviewID string) bool {
	// Once begun, a digest is finished even while the process shuts down:
	// a post cut off half-way could reach Slack without being recorded.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	lease := "digest:" + reviewID
	ok, err := b.st.Claim(ctx, lease, b.cfg.Owner, b.cfg.Lease)
	if err != nil || !ok {
		return false
	}
	defer b.st.Release(context.WithoutCancel(ctx), lease, b.cfg.Owner)
	state, err := b.st.DigestState(ctx, reviewID)
	if err != nil {
		return false
	}
	if ch, ts, ok := splitRef(state); ok {
		_ = b.st.DigestPosted(ctx, reviewID, ch, ts) // a crash left it queued
		return true
	}
	d, r, err := b.svc.Digest(ctx, reviewID)
	if err != nil {
		b.log.Error("cannot build digest", "review", reviewID, "err", err)
		return false
	}
	if strings.HasPrefix(state, "posting:") {
		// A process died while posting it: Slack may have it already.
		if ch, ts := b.findDigest(ctx, r, state); ts != "" {
			b.log.Info("digest found after a crash; not posting it again", "review", reviewID)
			_ = b.st.DigestPosted(ctx, reviewID, ch, ts)
			return true
		}
	}
	if err := b.st.DigestPosting(ctx, reviewID, time.Now()); err != nil {
		return false
	}
	blocks := digestBlocks(d, r)
	ref, err := b.post(ctx, r.DigestChannel, digestText(d), blocks)
	var se slack.SlackErrorResponse
	if err != nil && errors.As(err, &se) && se.Err == "not_in_channel" {
		if jerr := b.send.do(ctx, "conversations.join", func(ctx context.Context) error {
			_, _, _, err := b.api.JoinConversationContext(ctx, r.DigestChannel)
			return err
		}); jerr == nil {
			ref, err = b.post(ctx, r.DigestChannel, digestText(d), blocks)
		}
	}
	if err != nil {
		if !permanent(err) {
			b.log.Warn("digest not posted; will retry", "review", reviewID, "err", err)
			return false
		}
		// The channel refuses us: give the digest to the person who started it.
		b.log.Error("digest channel refused the digest; sending it to the review's creator", "review", reviewID, "channel", r.DigestChannel, "err", err)
		note := slack.NewSectionBlock(mrkdwn(fmt.Sprintf("⚠️ I could not post this digest to <#%s> (Slack said `%s`). Invite me there with `/invite @assessbot`; here it is meanwhile.", r.DigestChannel, slackErr(err))), nil, nil)
		ref, err = b.post(ctx, r.CreatedBy, digestText(d), append([]slack.Block{note}, blocks...))
		if err != nil {
			return false
		}
	}
	ch, ts, _ := splitRef(ref)
	b.uploadChart(ctx, d, r, ch, ts)
	for _, msg := range sectionThread(d, r.DistributionThreshold()) {
		if _, err := b.post(ctx, ch, "Section details", msg, slack.MsgOptionTS(ts)); err != nil {
			b.log.Warn("digest thread reply failed", "review", reviewID, "err", err)
		}
	}
	if band := d.Result.Band; band != nil {
		_ = b.st.SetSummary(ctx, reviewID, "band: "+band.Label)
	}
	if err := b.st.DigestPosted(ctx, reviewID, ch, ts); err != nil {
		b.log.Error("digest posted but not recorded", "review", reviewID, "err", err)
	}
	b.m.digests.Inc()
	b.log.Info("digest posted", "review", reviewID, "channel", ch, "respondents", d.Result.Respondents)
	return true
}

// findDigest looks for a review's digest posted since a "posting:<unix>"
// mark, in its channel and in its creator's DM (where it goes when the
// channel refuses it).
func (b *Bot) findDigest(ctx context.Context, r *assessment.Review, state string) (channel, ts string) {
	want := "Review `" + r.ID + "`"
	places := []string{r.DigestChannel}
	if dm := b.dmChannel(ctx, r.CreatedBy); dm != "" {
		places = append(places, dm)
	}
	for _, ch := range places {
		if ts := b.findPosted(ctx, ch, state, func(blocks string) bool { return strings.Contains(blocks, want) }); ts != "" {
			return ch, ts
		}
	}
	return "", ""
}

// dmChannel returns the id of the bot's DM with a user, or "".
func (b *Bot) dmChannel(ctx context.Context, user string) string {
	var dm string
	_ = b.send.do(ctx, "conversations.open", func(ctx context.Context) error {
		c, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
		if err == nil {
			dm = c.ID
		}
		return err
	})
	return dm
}
