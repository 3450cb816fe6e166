package present

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// The digest in Slack: the message posted to the leadership channel, one
// thread reply per section under it, and its notification text. Its
// figures and lines are those of the terminal digest (digesttext.go).

// DigestFallback is the notification text of a digest.
func DigestFallback(d digest.Digest) string {
	return fmt.Sprintf("Results of %s: %s", d.Framework.Title, ResponseLine(d))
}

// DigestThreadFallback is the notification text of a thread reply.
const DigestThreadFallback = "Section details"

// DigestRefused is the note above a digest posted to its creator because
// its channel refused it.
func DigestRefused(r *assessment.Review, refusedBy string) slack.Block {
	return section(fmt.Sprintf("⚠️ I could not post this digest to <#%s> (Slack said `%s`). Invite me there with `/invite @assessbot`; here it is meanwhile.", r.DigestChannel, refusedBy))
}

// IsDigestOf reports whether a message's blocks are the digest of a
// review: its meta line names the review.
func IsDigestOf(blocks []slack.Block, reviewID string) bool {
	return hasText(blocks, "Review `"+reviewID+"`")
}

// Digest renders the digest posted to the leadership channel, with a
// footnote when the disclosure model withheld anything.
func Digest(d digest.Digest, r *assessment.Review) []slack.Block {
	bs := digestBody(d, r)
	if note := WithheldNote(d); note != "" {
		bs = append(bs, slack.NewContextBlock("withheld", mrkdwn("🔒 "+escape(note))))
	}
	return bs
}

func digestBody(d digest.Digest, r *assessment.Review) []slack.Block {
	res := d.Result
	bs := []slack.Block{
		slack.NewHeaderBlock(plain("📊 "+d.Framework.Title+" — results", MaxHeader)),
		slack.NewContextBlock("meta", mrkdwn(fmt.Sprintf("Review `%s` · %s → %s · %s · %s",
			r.ID, d.Opened.UTC().Format("2 Jan"), d.Closed.UTC().Format("2 Jan 2006"), ResponseLine(d), ThresholdLine(d)))),
	}
	if bl := strings.TrimSpace(BandLine(d) + "\n" + AlignmentLine(d)); bl != "" {
		bs = append(bs, section(bl))
	}
	if res.Respondents == 0 {
		return append(bs, section("Nobody answered this review, so there is nothing to show. Try a longer window or a reminder next time."))
	}
	if tl := TrendLine(d); tl != "" {
		bs = append(bs, slack.NewContextBlock("trend", mrkdwn(escape(tl))))
	}
	var lines []string
	for _, s := range res.Sections {
		line := SectionLine(s, slackStyle)
		if c := Change(d, s.ID); c != "" {
			line += "  *" + c + "*"
		}
		lines = append(lines, line)
	}
	bs = append(bs, linesBlocks("*Sections*", lines)...)
	return append(bs, digestLists(d)...)
}

// digestLists are the digest's lists under its sections: where
// disagreement grew, strongest and weakest, where the team disagrees and
// what it is not sure about.
func digestLists(d digest.Digest) []slack.Block {
	var bs []slack.Block
	if d.Trend != nil && len(d.Trend.Rising) > 0 {
		var l []string
		for _, x := range d.Trend.Rising {
			l = append(l, fmt.Sprintf("• %s _(agreement %.2f → %.2f)_", escape(QuestionText(x.Question, 200)), x.Then, x.Now))
		}
		bs = append(bs, section("*Where disagreement grew*\n"+strings.Join(l, "\n")))
	}
	if len(d.Strongest) > 0 {
		bs = append(bs, section(fmt.Sprintf("💪 *Strongest:* %s\n🛠 *Weakest:* %s",
			SectionNames(d.Strongest, slackStyle), SectionNames(d.Weakest, slackStyle))))
	}
	if len(d.Disagree) > 0 {
		var l []string
		for _, q := range d.Disagree {
			l = append(l, fmt.Sprintf("• %s _(%s; %s)_", escape(QuestionText(q, 200)), AgreementText(q.Stats), spread(q, d.Detail)))
		}
		bs = append(bs, section("*Where you diverge*\n"+strings.Join(l, "\n")))
	}
	if len(d.NotSure) > 0 {
		var l []string
		for _, q := range d.NotSure {
			l = append(l, fmt.Sprintf("• %s _(%d× not sure)_", escape(QuestionText(q, 200)), q.NotSure))
		}
		bs = append(bs, section("*What the team is not sure about*\n"+strings.Join(l, "\n")))
	}
	return bs
}

// linesBlocks puts a titled list into as many section blocks as its length
// needs, each within Slack's 3,000 characters.
func linesBlocks(title string, lines []string) []slack.Block {
	var out []slack.Block
	cur := title
	for _, l := range lines {
		l = Truncate(l, MaxSectionText-100)
		if len(cur)+1+len(l) > MaxSectionText {
			out = append(out, section(cur))
			cur = ""
		}
		if cur != "" {
			cur += "\n"
		}
		cur += l
	}
	return append(out, section(cur))
}

// slackStyle marks a digest's lines up in mrkdwn.
var slackStyle = Style{
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
	return fmt.Sprintf("%d answered, from %s to %s", q.Answered, Percent(*q.Min), Percent(*q.Max))
}

// DigestThread renders one thread reply per section under the digest:
// each question's score and agreement, how many chose each answer (only
// from the detail threshold up; never who), and the open answers,
// anonymous and shuffled. Long sections are split over several messages.
func DigestThread(d digest.Digest) [][]slack.Block {
	var msgs [][]slack.Block
	byID := map[string]scoring.QuestionResult{}
	for _, q := range d.Result.Questions {
		byID[q.ID] = q
	}
	for si, sr := range d.Result.Sections {
		s := d.Framework.Sections[si]
		head := fmt.Sprintf("*%d. %s*", si+1, escape(s.Title))
		if sr.Score != nil {
			head += fmt.Sprintf("  `%s` %s", Bar(*sr.Score), Percent(*sr.Score))
			if a := AgreementText(sr.Stats); a != "" {
				head += " · " + a
			}
		}
		cur := []slack.Block{section(head)}
		for _, q := range s.Questions {
			ref, _ := d.Framework.Lookup(q.ID)
			cur = questionDetail(d, ref, byID[q.ID], cur)
			if len(cur) >= MaxBlocks-2 {
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

// questionDetail appends one question of a section's thread reply to cur:
// its figures and, as far as the thresholds allow, answer counts, open
// answers and comments, over as many blocks as they need.
func questionDetail(d digest.Digest, ref assessment.QuestionRef, qr scoring.QuestionResult, cur []slack.Block) []slack.Block {
	var b strings.Builder
	// add writes a line, starting a new block when this one is full.
	add := func(line string) {
		if b.Len()+len(line) > MaxSectionText-20 {
			cur = append(cur, section(b.String()))
			b.Reset()
		}
		b.WriteString(line)
	}
	fmt.Fprintf(&b, "*%d.* %s\n", ref.Index+1, escape(Truncate(ref.Question.Text, 1500)))
	switch {
	case qr.IsText && len(qr.Texts) > 0:
		for _, t := range qr.Texts {
			add("> " + escape(strings.ReplaceAll(Truncate(t, 600), "\n", " ")) + "\n")
		}
	case qr.IsText && qr.Withheld:
		fmt.Fprintf(&b, "_Open answers are shown from %d respondents._", d.Detail)
	case qr.IsText:
		b.WriteString("_No written answers._")
	case qr.Withheld:
		fmt.Fprintf(&b, "_Question figures are shown from %d answers._", d.Detail)
	case qr.Score == nil:
		fmt.Fprintf(&b, "_Nobody scored it (%d not sure)._", qr.NotSure)
	default:
		fmt.Fprintf(&b, "%s · %s", Percent(*qr.Score), AgreementText(qr.Stats))
		b.WriteString(answerCounts(ref, qr, d.Detail))
		for _, c := range qr.Comments {
			add("\n💬 " + escape(strings.ReplaceAll(Truncate(c, 600), "\n", " ")))
		}
	}
	return append(cur, section(b.String()))
}

// answerCounts says how many chose each answer, from the detail threshold
// up.
func answerCounts(ref assessment.QuestionRef, qr scoring.QuestionResult, detail int) string {
	if qr.Answered+qr.NotSure < detail {
		return fmt.Sprintf(" · _answer counts shown from %d answers_", detail)
	}
	var parts []string
	for _, o := range ref.Scale.Options {
		parts = append(parts, fmt.Sprintf("%s %d", escape(o.Label), qr.Options[o.ID]))
	}
	if ref.Scale.NotSure {
		parts = append(parts, fmt.Sprintf("Not sure %d", qr.NotSure))
	}
	return " · " + strings.Join(parts, " · ")
}
