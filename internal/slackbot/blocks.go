package slackbot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// Block Kit limits (SLACK-WIRE.md).
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeader      = 150
	maxButtonText  = 75
	// maxButtons is the most answers shown as buttons; more become a menu.
	maxButtons = 10
	// A confirm object's title, text and buttons.
	maxConfirmTitle  = 100
	maxConfirmText   = 300
	maxConfirmButton = 30
)

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, digest.Truncate(s, maxSectionText), false, false)
}

func plain(s string, n int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, digest.Truncate(s, n), true, false)
}

func button(actionID, value, text string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, value, plain(text, maxButtonText))
}

// slackDate formats t so each reader sees it in their own time zone.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("Mon 2 Jan 2006 15:04 UTC"))
}

// plural counts things in English: "1 question", "2 questions".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// durationText says a duration in words: "1 hour", "30 minutes", "2 days",
// "1 hour 30 minutes".
func durationText(d time.Duration) string {
	var parts []string
	for _, u := range []struct {
		d         time.Duration
		one, many string
	}{{24 * time.Hour, "day", "days"}, {time.Hour, "hour", "hours"}, {time.Minute, "minute", "minutes"}} {
		if n := int(d / u.d); n > 0 {
			parts = append(parts, plural(n, u.one, u.many))
			d -= time.Duration(n) * u.d
		}
	}
	if len(parts) == 0 {
		return "less than a minute"
	}
	return strings.Join(parts, " ")
}

// durationWord writes a duration as the parser reads it: "1h", "30m", "2d".
func durationWord(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/time.Minute)) + "m"
}

// escape makes text safe for mrkdwn.
func escape(s string) string { return mrkdwnEscaper.Replace(s) }

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// introBlocks is the first DM of a review.
func introBlocks(r *assessment.Review, f *assessment.Framework, sh *assessment.Response) []slack.Block {
	scored, text := f.CountQuestions()
	minutes := (scored*15 + text*60 + 59) / 60
	bs := []slack.Block{
		slack.NewHeaderBlock(plain(f.Title, maxHeader)),
		slack.NewSectionBlock(mrkdwn(fmt.Sprintf("<@%s> asked you to take part in a review: *%s*.\n%s",
			r.CreatedBy, escape(f.Title), escape(f.Description))), nil, nil),
	}
	qs := fmt.Sprintf("%s in %s", plural(scored, "question", "questions"), plural(len(f.Sections), "section", "sections"))
	if text > 0 {
		qs += ", plus " + plural(text, "optional open question", "optional open questions")
	}
	bs = append(bs, slack.NewContextBlock("intro-facts",
		mrkdwn(fmt.Sprintf("%s · about %s · due %s · each click is saved, so you can stop and come back · "+
			"the digest never shows who answered what, and shows scores only when at least %s answered",
			qs, plural(minutes, "minute", "minutes"), slackDate(r.Deadline), plural(r.Threshold, "person", "people")))))
	label, style := "Start", slack.StylePrimary
	status := ""
	if sh != nil {
		answered, total := f.Progress(sh.Answers)
		switch {
		case sh.Submitted:
			label, style = "Review my answers", slack.StyleDefault
			status = fmt.Sprintf("✅ Submitted (%d/%d answered). You can change answers until the review closes.", answered, total)
		case answered > 0:
			label = "Continue"
			status = fmt.Sprintf("%d/%d answered so far.", answered, total)
		}
	}
	if r.Status != assessment.StatusOpen {
		return append(bs, slack.NewSectionBlock(mrkdwn("🔒 This review is closed. Thank you — the digest has gone to the team's leaders."), nil, nil))
	}
	if status != "" {
		bs = append(bs, slack.NewSectionBlock(mrkdwn(status), nil, nil))
	}
	b := button(actStart, startValue(r.ID), label)
	if style != slack.StyleDefault {
		b = b.WithStyle(style)
	}
	return append(bs, slack.NewActionBlock("intro-actions", b))
}

// questionBlocks renders one question: its text with the chosen answer and,
// beside it, the comment button; under it the help and comment; then its
// answers, alone in their row, one click away. Only the chosen answer is
// green.
func questionBlocks(r *assessment.Review, f *assessment.Framework, ref assessment.QuestionRef, a assessment.Answer, open bool) []slack.Block {
	q := ref.Question
	var b strings.Builder
	fmt.Fprintf(&b, "*%d.* %s", ref.Index+1, escape(q.Text))
	if ref.Scale.Text {
		if a.Text != "" {
			fmt.Fprintf(&b, "\n> %s", escape(strings.ReplaceAll(digest.Truncate(a.Text, 1500), "\n", "\n> ")))
		} else {
			b.WriteString("\n_Optional: write as much or as little as you like._")
		}
	} else {
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
	}
	var accessory *slack.Accessory
	if open && !ref.Scale.Text {
		accessory = slack.NewAccessory(commentButton(r, q.ID, a))
	}
	out := []slack.Block{slack.NewSectionBlock(mrkdwn(b.String()), nil, accessory, slack.SectionBlockOptionBlockID("q|"+q.ID))}
	var ctx []slack.MixedElement
	if q.Help != "" {
		ctx = append(ctx, mrkdwn("_Why it matters:_ "+escape(digest.Truncate(q.Help, 1500))))
	}
	if a.Comment != "" {
		ctx = append(ctx, mrkdwn("💬 "+escape(digest.Truncate(a.Comment, 1400))))
	}
	if len(ctx) > 0 {
		out = append(out, slack.NewContextBlock("h|"+q.ID, ctx...))
	}
	if !open {
		return out
	}
	var els []slack.BlockElement
	if ref.Scale.Text {
		label := "✍️ Write an answer"
		if a.Text != "" {
			label = "✍️ Edit your answer"
		}
		els = append(els, button(actText+"|"+q.ID, questionValue(r.ID, q.ID), label))
	} else if n := len(ref.Scale.Options); n > maxButtons || (ref.Scale.NotSure && n+1 > maxButtons) {
		// Too many to be one click each: a menu.
		var opts []*slack.OptionBlockObject
		var initial *slack.OptionBlockObject
		for _, o := range ref.Scale.Options {
			ob := slack.NewOptionBlockObject(answerValue(r.ID, q.ID, o.ID), plain(o.Label, 75), nil)
			if a.Option == o.ID {
				initial = ob
			}
			opts = append(opts, ob)
		}
		if ref.Scale.NotSure {
			ob := slack.NewOptionBlockObject(answerValue(r.ID, q.ID, assessment.NotSure), plain("Not sure", 75), nil)
			if a.Option == assessment.NotSure {
				initial = ob
			}
			opts = append(opts, ob)
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose an answer", 150), actAnswer+"|"+q.ID, opts...)
		sel.InitialOption = initial
		els = append(els, sel)
	} else {
		for _, o := range ref.Scale.Options {
			bt := button(actAnswer+"|"+q.ID+"|"+o.ID, answerValue(r.ID, q.ID, o.ID), o.Label)
			if a.Option == o.ID {
				bt = bt.WithStyle(slack.StylePrimary)
			}
			els = append(els, bt)
		}
		if ref.Scale.NotSure {
			bt := button(actAnswer+"|"+q.ID+"|"+assessment.NotSure, answerValue(r.ID, q.ID, assessment.NotSure), "Not sure")
			if a.Option == assessment.NotSure {
				bt = bt.WithStyle(slack.StylePrimary)
			}
			els = append(els, bt)
		}
	}
	return append(out, slack.NewActionBlock("a|"+q.ID, els...))
}

func commentButton(r *assessment.Review, questionID string, a assessment.Answer) *slack.ButtonBlockElement {
	label := "💬 Comment"
	if a.Comment != "" {
		label = "💬 Edit comment"
	}
	return button(actComment+"|"+questionID, questionValue(r.ID, questionID), label)
}

// page is one message's worth of a section: question indexes within it.
type page struct {
	Section   int
	Page      int
	Pages     int
	Questions []int // indexes into the section's questions
}

// msgName names a page's message in the store ("s:2:0").
func (p page) msgName() string { return fmt.Sprintf("s:%d:%d", p.Section, p.Page) }

// pages splits a section into messages of at most maxBlocks blocks.
func pages(f *assessment.Framework, si int) []page {
	const (
		reserved    = 5 // header, progress, description; divider and navigation
		perQuestion = 3 // text (with the comment button), help and comment, answers
	)
	var out []page
	cur := page{Section: si}
	used := reserved
	for qi := range f.Sections[si].Questions {
		if used+perQuestion > maxBlocks && len(cur.Questions) > 0 {
			out = append(out, cur)
			cur = page{Section: si, Page: len(out)}
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

// pageOf returns the page of a section that holds question qi.
func pageOf(f *assessment.Framework, si, qi int) page {
	for _, p := range pages(f, si) {
		for _, x := range p.Questions {
			if x == qi {
				return p
			}
		}
	}
	return page{Section: si}
}

// sectionBlocks renders one page of one section for a respondent: progress
// at the top, the questions, then (on a section's last page) a divider and
// the navigation. closesEarly is set once everyone has submitted: when the
// review then closes.
func sectionBlocks(r *assessment.Review, f *assessment.Framework, p page, sh assessment.Response, closesEarly time.Time) []slack.Block {
	s := f.Sections[p.Section]
	open := r.Status == assessment.StatusOpen
	title := fmt.Sprintf("%d/%d · %s", p.Section+1, len(f.Sections), s.Title)
	if p.Pages > 1 {
		title += fmt.Sprintf(" (part %d of %d)", p.Page+1, p.Pages)
	}
	answered, total := f.Progress(sh.Answers)
	progress := fmt.Sprintf("*%d/%d answered* · due %s · every click is saved", answered, total, slackDate(r.Deadline))
	switch {
	case !open:
		progress = fmt.Sprintf("*%d/%d answered* · 🔒 this review is closed", answered, total)
	case sh.Submitted && !closesEarly.IsZero():
		progress = fmt.Sprintf("✅ *Submitted* · %d/%d answered · everyone has answered; the review closes %s, until then you can still change your answers", answered, total, slackDate(closesEarly))
	case sh.Submitted:
		progress = fmt.Sprintf("✅ *Submitted* · %d/%d answered · you can change answers until the review closes, %s at the latest", answered, total, slackDate(r.Deadline))
	}
	bs := []slack.Block{
		slack.NewHeaderBlock(plain(title, maxHeader)),
		slack.NewContextBlock("progress", mrkdwn(progress)),
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
		bs = append(bs, questionBlocks(r, f, ref, sh.Answers[ref.Question.ID], open)...)
	}
	if !open || p.Page != p.Pages-1 {
		return bs
	}
	// Navigation looks like navigation: below a divider, and never green
	// (green is the chosen answer).
	var nav []slack.BlockElement
	if p.Section > 0 {
		nav = append(nav, button(actBack, sectionValue(r.ID, p.Section-1), "◀ Back"))
	}
	if p.Section < len(f.Sections)-1 {
		nav = append(nav, button(actNext, sectionValue(r.ID, p.Section+1), "Next section ▶"))
	} else if !sh.Submitted {
		nav = append(nav, button(actSubmit, startValue(r.ID), "Submit my answers").WithConfirm(submitConfirm(r, answered, total)))
	}
	if len(nav) > 0 {
		bs = append(bs, slack.NewDividerBlock(), slack.NewActionBlock("nav", nav...))
	}
	return bs
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
	text += fmt.Sprintf(" You can still change answers until the review closes: at its deadline, or %s after everyone has submitted.", durationText(r.GracePeriod()))
	return slack.NewConfirmationBlockObject(plain("Submit your answers?", maxConfirmTitle), plain(text, maxConfirmText),
		plain("Submit", maxConfirmButton), plain("Keep answering", maxConfirmButton))
}

// digestBlocks renders the digest posted to the leadership channel, with
// a footnote when the disclosure model withheld anything.
func digestBlocks(d digest.Digest, r *assessment.Review) []slack.Block {
	bs := digestBody(d, r)
	if note := d.WithheldNote(); note != "" {
		bs = append(bs, slack.NewContextBlock("withheld", mrkdwn("🔒 "+escape(note))))
	}
	return bs
}

func digestBody(d digest.Digest, r *assessment.Review) []slack.Block {
	res := d.Result
	bs := []slack.Block{
		slack.NewHeaderBlock(plain("📊 "+d.Framework.Title+" — results", maxHeader)),
		slack.NewContextBlock("meta", mrkdwn(fmt.Sprintf("Review `%s` · %s → %s · %s · %s",
			r.ID, d.Opened.UTC().Format("2 Jan"), d.Closed.UTC().Format("2 Jan 2006"), d.ResponseLine(), d.ThresholdLine()))),
	}
	if bl := strings.TrimSpace(d.BandLine() + "\n" + d.AlignmentLine()); bl != "" {
		bs = append(bs, slack.NewSectionBlock(mrkdwn(bl), nil, nil))
	}
	if res.Respondents == 0 {
		return append(bs, slack.NewSectionBlock(mrkdwn("Nobody answered this review, so there is nothing to show. Try a longer window or a reminder next time."), nil, nil))
	}
	if tl := d.TrendLine(); tl != "" {
		bs = append(bs, slack.NewContextBlock("trend", mrkdwn(escape(tl))))
	}
	var lines []string
	for _, s := range res.Sections {
		line := digest.SectionLine(s, slackStyle)
		if c := d.Change(s.ID); c != "" {
			line += "  *" + c + "*"
		}
		lines = append(lines, line)
	}
	bs = append(bs, linesBlocks("*Sections*", lines)...)
	if d.Trend != nil && len(d.Trend.Rising) > 0 {
		var l []string
		for _, x := range d.Trend.Rising {
			l = append(l, fmt.Sprintf("• %s _(agreement %.2f → %.2f)_", escape(digest.QuestionText(x.Question, 200)), x.Then, x.Now))
		}
		bs = append(bs, slack.NewSectionBlock(mrkdwn("*Where disagreement grew*\n"+strings.Join(l, "\n")), nil, nil))
	}
	if len(d.Strongest) > 0 {
		bs = append(bs, slack.NewSectionBlock(mrkdwn(fmt.Sprintf("💪 *Strongest:* %s\n🛠 *Weakest:* %s",
			digest.SectionNames(d.Strongest, slackStyle), digest.SectionNames(d.Weakest, slackStyle))), nil, nil))
	}
	if len(d.Disagree) > 0 {
		var l []string
		for _, q := range d.Disagree {
			l = append(l, fmt.Sprintf("• %s _(%s; %s)_", escape(digest.QuestionText(q, 200)), digest.AgreementText(q.Stats), spread(q, d.Detail)))
		}
		bs = append(bs, slack.NewSectionBlock(mrkdwn("*Where you diverge*\n"+strings.Join(l, "\n")), nil, nil))
	}
	if len(d.NotSure) > 0 {
		var l []string
		for _, q := range d.NotSure {
			l = append(l, fmt.Sprintf("• %s _(%d× not sure)_", escape(digest.QuestionText(q, 200)), q.NotSure))
		}
		bs = append(bs, slack.NewSectionBlock(mrkdwn("*What the team is not sure about*\n"+strings.Join(l, "\n")), nil, nil))
	}
	return bs
}

// linesBlocks puts a titled list into as many section blocks as its length
// needs, each within Slack's 3,000 characters.
func linesBlocks(title string, lines []string) []slack.Block {
	var out []slack.Block
	cur := title
	for _, l := range lines {
		l = digest.Truncate(l, maxSectionText-100)
		if len(cur)+1+len(l) > maxSectionText {
			out = append(out, slack.NewSectionBlock(mrkdwn(cur), nil, nil))
			cur = ""
		}
		if cur != "" {
			cur += "\n"
		}
		cur += l
	}
	return append(out, slack.NewSectionBlock(mrkdwn(cur), nil, nil))
}

// slackStyle marks a digest's lines up in mrkdwn.
var slackStyle = digest.Style{
	Code:   func(s string) string { return "`" + s + "`" },
	Bold:   func(s string) string { return "*" + s + "*" },
	Aside:  func(s string) string { return "_" + s + "_" },
	Escape: escape,
	Split:  " ⚡",
}

// spread says how many answered a question and, from the detail threshold
// up, the range of their scores.
func spread(q scoring.QuestionResult, detail int) string {
	if q.Answered < detail {
		return fmt.Sprintf("%d answered; the range is shown from %d", q.Answered, detail)
	}
	return fmt.Sprintf("%d answered, from %s to %s", q.Answered, digest.Percent(*q.Min), digest.Percent(*q.Max))
}

// sectionThread renders one thread reply per section under the digest:
// each question's score and divergence, how many chose each answer (only
// from the detail threshold up; never who), and the open answers,
// anonymous and shuffled. Long sections are split over several messages.
func sectionThread(d digest.Digest) [][]slack.Block {
	distThreshold := d.Detail
	var msgs [][]slack.Block
	byID := map[string]scoring.QuestionResult{}
	for _, q := range d.Result.Questions {
		byID[q.ID] = q
	}
	for si, sr := range d.Result.Sections {
		s := d.Framework.Sections[si]
		head := fmt.Sprintf("*%d. %s*", si+1, escape(s.Title))
		if sr.Score != nil {
			head += fmt.Sprintf("  `%s` %s", digest.Bar(*sr.Score), digest.Percent(*sr.Score))
			if a := digest.AgreementText(sr.Stats); a != "" {
				head += " · " + a
			}
		}
		cur := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil)}
		for _, q := range s.Questions {
			qr := byID[q.ID]
			ref, _ := d.Framework.Lookup(q.ID)
			var b strings.Builder
			fmt.Fprintf(&b, "*%d.* %s\n", ref.Index+1, escape(digest.Truncate(q.Text, 1500)))
			switch {
			case qr.IsText && len(qr.Texts) > 0:
				for _, t := range qr.Texts {
					line := "> " + escape(strings.ReplaceAll(digest.Truncate(t, 600), "\n", " ")) + "\n"
					if b.Len()+len(line) > maxSectionText-20 {
						cur = append(cur, slack.NewSectionBlock(mrkdwn(b.String()), nil, nil))
						b.Reset()
					}
					b.WriteString(line)
				}
			case qr.IsText && qr.Withheld:
				fmt.Fprintf(&b, "_Open answers are shown from %d respondents._", distThreshold)
			case qr.IsText:
				b.WriteString("_No written answers._")
			case qr.Withheld:
				fmt.Fprintf(&b, "_Question figures are shown from %d answers._", distThreshold)
			case qr.Score == nil:
				fmt.Fprintf(&b, "_Nobody scored it (%d not sure)._", qr.NotSure)
			default:
				fmt.Fprintf(&b, "%s · %s", digest.Percent(*qr.Score), digest.AgreementText(qr.Stats))
				if qr.Answered+qr.NotSure >= distThreshold {
					var parts []string
					for _, o := range ref.Scale.Options {
						parts = append(parts, fmt.Sprintf("%s %d", escape(o.Label), qr.Options[o.ID]))
					}
					if ref.Scale.NotSure {
						parts = append(parts, fmt.Sprintf("Not sure %d", qr.NotSure))
					}
					b.WriteString(" · " + strings.Join(parts, " · "))
				} else {
					fmt.Fprintf(&b, " · _answer counts shown from %d answers_", distThreshold)
				}
				for _, c := range qr.Comments {
					line := "\n💬 " + escape(strings.ReplaceAll(digest.Truncate(c, 600), "\n", " "))
					if b.Len()+len(line) > maxSectionText-20 {
						cur = append(cur, slack.NewSectionBlock(mrkdwn(b.String()), nil, nil))
						b.Reset()
					}
					b.WriteString(line)
				}
			}
			cur = append(cur, slack.NewSectionBlock(mrkdwn(b.String()), nil, nil))
			if len(cur) >= maxBlocks-2 {
				msgs = append(msgs, cur)
				cur = nil
			}
		}
		if len(cur) > 0 {
			msgs = append(msgs, cur)
		}
	}
	return msgs
}

// digestText is the notification fallback of a digest.
func digestText(d digest.Digest) string {
	return fmt.Sprintf("Results of %s: %s", d.Framework.Title, d.ResponseLine())
}

const helpText = "*assessbot* runs customer-success maturity reviews in Slack.\n" +
	"• `/review` — open a form to start a review\n" +
	"• `/review start <framework> to @people @group #channel digest #channel due 2026-12-01` — start one inline (`due 3d` works too; add `threshold 5` to raise the anonymity threshold, `detail 7` to raise the detail threshold (question figures, counts and open answers; at least 5), `grace 2h` for how long answers can still change once everyone has submitted)\n" +
	"• `/review frameworks` — the frameworks you can use\n" +
	"• `/review status [id]` — response rate and who has not finished (admins)\n" +
	"• `/review close [id]` — close now and post the digest (admins)\n" +
	"• `/review results [id]` — the digest, or the figures so far, for your eyes only (admins)\n" +
	"• `/review export [id]` — anonymised responses and aggregates as CSV, in a DM (admins)\n" +
	"• `/review schedule` — set up a review that repeats (admins; `/review schedule list` shows them)\n" +
	"• `/review forget @person` — take someone out of every review, queue and index (admins)\n" +
	"• `/review help` — this message\n" +
	"Respondents answer in a DM from me; each click is saved at once. The digest never shows who answered what."
