package present

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// IntroFallback is the notification text of an intro DM.
func IntroFallback(f *assessment.Framework) string { return "You're invited to " + f.Title }

// Intro is the first DM of a review; sh is the person's response so far
// (nil before they start).
func Intro(r *assessment.Review, f *assessment.Framework, sh *assessment.Response) []slack.Block {
	scored, text := f.CountQuestions()
	minutes := (scored*15 + text*60 + 59) / 60
	mean, detail := r.Thresholds()
	bs := []slack.Block{
		slack.NewHeaderBlock(plain(f.Title, MaxHeader)),
		section(fmt.Sprintf("<@%s> asked you to take part in a review: *%s*.\n%s",
			r.CreatedBy, escape(f.Title), escape(f.Description))),
	}
	qs := fmt.Sprintf("%s in %s", plural(scored, "question", "questions"), plural(len(f.Sections), "section", "sections"))
	if text > 0 {
		qs += ", plus " + plural(text, "optional open question", "optional open questions")
	}
	bs = append(bs, slack.NewContextBlock("intro-facts",
		mrkdwn(fmt.Sprintf("%s · about %s · due %s · each click is saved, so you can stop and come back · "+
			"the digest never shows who answered what: section scores only when at least %s answered, question figures and open answers from %d "+
			"(in a small group, colleagues who compare their own answers could still work out yours)",
			qs, plural(minutes, "minute", "minutes"), slackDate(r.Deadline), plural(mean, "person", "people"), detail))))
	if r.Status != assessment.StatusOpen {
		return append(bs, section("🔒 This review is closed. Thank you — the digest has gone to the team's leaders."))
	}
	label, style, status := introProgress(f, sh)
	if status != "" {
		bs = append(bs, section(status))
	}
	b := button(codec.ActStart, codec.StartValue(r.ID), label)
	if style != slack.StyleDefault {
		b = b.WithStyle(style)
	}
	return append(bs, slack.NewActionBlock("intro-actions", b))
}

// introProgress is the intro's button and the line above it: how far the
// person is.
func introProgress(f *assessment.Framework, sh *assessment.Response) (label string, style slack.Style, status string) {
	label, style = "Start", slack.StylePrimary
	if sh == nil {
		return label, style, ""
	}
	answered, total := f.Progress(sh.Answers)
	switch {
	case sh.Submitted:
		return "Review my answers", slack.StyleDefault, fmt.Sprintf("✅ Submitted (%d/%d answered). You can change answers until the review closes.", answered, total)
	case answered > 0:
		return "Continue", style, fmt.Sprintf("%d/%d answered so far.", answered, total)
	}
	return label, style, ""
}

// questionBlocks renders one question: its text with the chosen answer and,
// beside it, the comment button; under it the help and comment; then its
// answers, alone in their row, one click away. Only the chosen answer is
// green.
func questionBlocks(r *assessment.Review, ref assessment.QuestionRef, a assessment.Answer, open bool) []slack.Block {
	q := ref.Question
	var accessory *slack.Accessory
	if open && !ref.Scale.Text {
		accessory = slack.NewAccessory(commentButton(r, q.ID, a))
	}
	out := []slack.Block{slack.NewSectionBlock(mrkdwn(questionText(ref, a)), nil, accessory, slack.SectionBlockOptionBlockID("q|"+q.ID))}
	var ctx []slack.MixedElement
	if q.Help != "" {
		ctx = append(ctx, mrkdwn("_Why it matters:_ "+escape(Truncate(q.Help, 1500))))
	}
	if a.Comment != "" {
		ctx = append(ctx, mrkdwn("💬 "+escape(Truncate(a.Comment, 1400))))
	}
	if len(ctx) > 0 {
		out = append(out, slack.NewContextBlock("h|"+q.ID, ctx...))
	}
	if !open {
		return out
	}
	return append(out, slack.NewActionBlock("a|"+q.ID, answerElements(r, ref, a)...))
}

// questionText is a question's number and text with, for a scale, what
// each option means and the answer chosen; for an open question, the
// answer written.
func questionText(ref assessment.QuestionRef, a assessment.Answer) string {
	q := ref.Question
	var b strings.Builder
	fmt.Fprintf(&b, "*%d.* %s", ref.Index+1, escape(q.Text))
	if ref.Scale.Text {
		if a.Text != "" {
			fmt.Fprintf(&b, "\n> %s", escape(strings.ReplaceAll(Truncate(a.Text, 1500), "\n", "\n> ")))
		} else {
			b.WriteString("\n_Optional: write as much or as little as you like._")
		}
		return b.String()
	}
	for _, o := range ref.Scale.Options {
		if d := q.OptionDescriptions[o.ID]; d != "" {
			fmt.Fprintf(&b, "\n• *%s*: %s", escape(o.Label), escape(d))
		}
	}
	switch a.Option {
	case "":
	case assessment.NotSure:
		b.WriteString("\n✅ Your answer: *Not sure*")
	default:
		if o, ok := ref.Scale.Option(a.Option); ok {
			fmt.Fprintf(&b, "\n✅ Your answer: *%s*", escape(o.Label))
		}
	}
	return b.String()
}

// answerElements are a question's answers: the write button of an open
// question, a button per option, or a menu when there are too many to be
// one click each.
func answerElements(r *assessment.Review, ref assessment.QuestionRef, a assessment.Answer) []slack.BlockElement {
	q := ref.Question
	if ref.Scale.Text {
		label := "✍️ Write an answer"
		if a.Text != "" {
			label = "✍️ Edit your answer"
		}
		return []slack.BlockElement{button(codec.ActionID(codec.ActText, q.ID), codec.QuestionValue(r.ID, q.ID), label)}
	}
	if n := len(ref.Scale.Options); n > maxButtons || (ref.Scale.NotSure && n+1 > maxButtons) {
		return []slack.BlockElement{answerMenu(r, ref, a)}
	}
	var els []slack.BlockElement
	for _, o := range answerChoices(ref) {
		bt := button(codec.ActionID(codec.ActAnswer, q.ID, o.ID), codec.AnswerValue(r.ID, q.ID, o.ID), o.Label)
		if a.Option == o.ID {
			bt = bt.WithStyle(slack.StylePrimary)
		}
		els = append(els, bt)
	}
	return els
}

// answerChoices are a scale's options and, when it has it, "Not sure".
func answerChoices(ref assessment.QuestionRef) []assessment.Option {
	out := append([]assessment.Option(nil), ref.Scale.Options...)
	if ref.Scale.NotSure {
		out = append(out, assessment.Option{ID: assessment.NotSure, Label: "Not sure"})
	}
	return out
}

// answerMenu is a question's answers as a menu, the chosen one selected.
func answerMenu(r *assessment.Review, ref assessment.QuestionRef, a assessment.Answer) *slack.SelectBlockElement {
	q := ref.Question
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, o := range answerChoices(ref) {
		ob := slack.NewOptionBlockObject(codec.AnswerValue(r.ID, q.ID, o.ID), plain(o.Label, 75), nil)
		if a.Option == o.ID {
			initial = ob
		}
		opts = append(opts, ob)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose an answer", 150), codec.ActionID(codec.ActAnswer, q.ID), opts...)
	sel.InitialOption = initial
	return sel
}

func commentButton(r *assessment.Review, questionID string, a assessment.Answer) *slack.ButtonBlockElement {
	label := "💬 Comment"
	if a.Comment != "" {
		label = "💬 Edit comment"
	}
	return button(codec.ActionID(codec.ActComment, questionID), codec.QuestionValue(r.ID, questionID), label)
}

// Page is one message's worth of a section: question indexes within it.
type Page struct {
	Section   int
	Page      int
	Pages     int
	Questions []int // indexes into the section's questions
}

// Name names a page's message in the store ("s:2:0").
func (p Page) Name() string { return fmt.Sprintf("s:%d:%d", p.Section, p.Page) }

// Pages splits a section into messages of at most MaxBlocks blocks.
func Pages(f *assessment.Framework, si int) []Page {
	const (
		reserved    = 5 // header, progress, description; divider and navigation
		perQuestion = 3 // text (with the comment button), help and comment, answers
	)
	var out []Page
	cur := Page{Section: si}
	used := reserved
	for qi := range f.Sections[si].Questions {
		if used+perQuestion > MaxBlocks && len(cur.Questions) > 0 {
			out = append(out, cur)
			cur = Page{Section: si, Page: len(out)}
			used = reserved
		}
		cur.Questions = append(cur.Questions, qi)
		used += perQuestion
	}
	out = append(out, cur)
	for i := range out {
		out[i].Pages = len(out)
	}
	return out
}

// PageOf returns the page of a section that holds question qi.
func PageOf(f *assessment.Framework, si, qi int) Page {
	for _, p := range Pages(f, si) {
		for _, x := range p.Questions {
			if x == qi {
				return p
			}
		}
	}
	return Page{Section: si}
}

// LastPage is the page that holds Submit: the last of the last section.
func LastPage(f *assessment.Framework) Page {
	last := Pages(f, len(f.Sections)-1)
	return last[len(last)-1]
}

// SectionFallback is the notification text of a section's message.
func SectionFallback(f *assessment.Framework, si int) string {
	return fmt.Sprintf("%s: %s", f.Title, f.Sections[si].Title)
}

// Section renders one page of one section for a respondent: progress at
// the top, the questions, then (on a section's last page) a divider and
// the navigation. closesEarly is set once everyone has submitted: when the
// review then closes.
func Section(r *assessment.Review, f *assessment.Framework, p Page, sh assessment.Response, closesEarly time.Time) []slack.Block {
	s := f.Sections[p.Section]
	open := r.Status == assessment.StatusOpen
	title := fmt.Sprintf("%d/%d · %s", p.Section+1, len(f.Sections), s.Title)
	if p.Pages > 1 {
		title += fmt.Sprintf(" (part %d of %d)", p.Page+1, p.Pages)
	}
	answered, total := f.Progress(sh.Answers)
	bs := []slack.Block{
		slack.NewHeaderBlock(plain(title, MaxHeader)),
		slack.NewContextBlock("progress", mrkdwn(progressLine(r, sh, answered, total, closesEarly))),
	}
	if s.Description != "" && p.Page == 0 {
		bs = append(bs, slack.NewContextBlock("sd", mrkdwn(escape(s.Description))))
	}
	refs := f.Questions()
	first := 0
	for i := 0; i < p.Section; i++ {
		first += len(f.Sections[i].Questions)
	}
	for _, qi := range p.Questions {
		ref := refs[first+qi]
		bs = append(bs, questionBlocks(r, ref, sh.Answers[ref.Question.ID], open)...)
	}
	if !open || p.Page != p.Pages-1 {
		return bs
	}
	if nav := navigation(r, f, p.Section, sh.Submitted, answered, total); len(nav) > 0 {
		bs = append(bs, slack.NewDividerBlock(), slack.NewActionBlock("nav", nav...))
	}
	return bs
}

// progressLine is the line at the top of a section: how far the person
// is, and until when answers can change.
func progressLine(r *assessment.Review, sh assessment.Response, answered, total int, closesEarly time.Time) string {
	switch {
	case r.Status != assessment.StatusOpen:
		return fmt.Sprintf("*%d/%d answered* · 🔒 this review is closed", answered, total)
	case sh.Submitted && !closesEarly.IsZero():
		return fmt.Sprintf("✅ *Submitted* · %d/%d answered · everyone has answered; the review closes %s, until then you can still change your answers", answered, total, slackDate(closesEarly))
	case sh.Submitted:
		return fmt.Sprintf("✅ *Submitted* · %d/%d answered · you can change answers until the review closes, %s at the latest", answered, total, slackDate(r.Deadline))
	}
	return fmt.Sprintf("*%d/%d answered* · due %s · every click is saved", answered, total, slackDate(r.Deadline))
}

// navigation looks like navigation: below a divider, and never green
// (green is the chosen answer).
func navigation(r *assessment.Review, f *assessment.Framework, si int, submitted bool, answered, total int) []slack.BlockElement {
	var nav []slack.BlockElement
	if si > 0 {
		nav = append(nav, button(codec.ActBack, codec.SectionValue(r.ID, si-1), "◀ Back"))
	}
	if si < len(f.Sections)-1 {
		nav = append(nav, button(codec.ActNext, codec.SectionValue(r.ID, si+1), "Next section ▶"))
	} else if !submitted {
		nav = append(nav, button(codec.ActSubmit, codec.StartValue(r.ID), "Submit my answers").WithConfirm(submitConfirm(r, answered, total)))
	}
	return nav
}

// submitConfirm asks before a submission, with the questions still
// unanswered counted when the page is rendered.
func submitConfirm(r *assessment.Review, answered, total int) *slack.ConfirmationBlockObject {
	text := fmt.Sprintf("You have answered all %s.", plural(total, "question", "questions"))
	if left := total - answered; left > 0 {
		still := "is"
		if left > 1 {
			still = "are"
		}
		text = fmt.Sprintf("You have answered %d of %d; %s %s still unanswered and will not count.", answered, total, plural(left, "question", "questions"), still)
	}
	text += fmt.Sprintf(" You can still change answers until the review closes: at its deadline, or %s after everyone has submitted.", DurationText(r.GracePeriod()))
	return slack.NewConfirmationBlockObject(plain("Submit your answers?", MaxConfirmTitle), plain(text, MaxConfirmText),
		plain("Submit", MaxConfirmButton), plain("Keep answering", MaxConfirmButton))
}

// Moved replaces a section's older message once it is posted anew, so
// only one live copy stays clickable.
func Moved(f *assessment.Framework, si int) (fallback string, blocks []slack.Block) {
	return "Moved", []slack.Block{slack.NewContextBlock("moved",
		mrkdwn(fmt.Sprintf("_%s continues in a newer message below._", escape(f.Sections[si].Title))))}
}

// SectionNotPosted tells a person Slack did not take the next section.
const SectionNotPosted = "Slack did not take the next questions. Please press the button again in a minute; your answers are saved."

// ThanksFallback is the notification text of the thank-you.
const ThanksFallback = "Thank you!"

// Thanks is the message after a submission. closesEarly is set when
// everyone has submitted.
func Thanks(r *assessment.Review, f *assessment.Framework, resp assessment.Response, closesEarly time.Time) []slack.Block {
	return []slack.Block{section(thankYouText(r, f, resp, closesEarly))}
}

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

// TextNotSaved gives a person back the text the database did not take.
func TextNotSaved(text string) string {
	return "Your text could not be saved because our database is not answering. Here it is, so nothing is lost; please try again in a minute:\n> " + escape(Truncate(text, 2800))
}

// IsIntroOf reports whether a message's blocks are the intro DM of a
// review: its Start button.
func IsIntroOf(blocks []slack.Block, reviewID string) bool {
	return HasButton(blocks, codec.ActStart, codec.StartValue(reviewID))
}
