package present

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// The digest's thread: everything the channel message leaves out. First
// an overview (every section's bar, how many respondents fall in each
// band, where disagreement grew, the rest of "where you diverge", what
// the team is not sure about), then one reply per section.

// DigestThread renders the thread under the digest: the overview, then
// one reply per section with its bar, score and agreement band, and each
// of its questions: score and agreement, how many chose each answer (only
// from the detail threshold up; never who), and the open answers,
// anonymous and shuffled. A reply is split over several messages only
// when Block Kit's limits force it.
func DigestThread(d digest.Digest) [][]slack.Block {
	msgs := pages(digestOverview(d))
	if seg := SegmentsReply(d); seg != nil {
		msgs = append(msgs, pages(seg)...)
	}
	byID := map[string]scoring.QuestionResult{}
	for _, q := range d.Result.Questions {
		byID[q.ID] = q
	}
	for si, sr := range d.Result.Sections {
		s := d.Framework.Sections[si]
		cur := []slack.Block{section(sectionHead(d, si, sr))}
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
		// The section's last message ends with its "Plan an action" (a
		// page is flushed with room for it).
		if d.ReviewID != "" {
			last := &msgs[len(msgs)-1]
			*last = append(*last, PlanButton(d.ReviewID, s.ID))
		}
	}
	return msgs
}

// sectionHead heads a section's reply, e.g. "*1. Delivery*  `▰▰▰▰▰▰▱▱▱▱`
// 62% · agreement 0.41, mixed  *▲ +4*".
func sectionHead(d digest.Digest, si int, sr scoring.SectionResult) string {
	head := fmt.Sprintf("*%d. %s*", si+1, escape(sr.Title))
	switch {
	case sr.Score != nil:
		head += fmt.Sprintf("  `%s` %s", Bar(*sr.Score), Percent(*sr.Score))
		if a := AgreementText(sr.Stats); a != "" {
			head += " · " + a
		}
		if c := SectionChange(d, sr.ID); c != "" {
			head += "  *" + c + "*"
		}
		if scoring.Hotspot(sr) {
			head += "  🔥 _hotspot: the score looks fine, the team is split_"
		}
	case sr.Withheld:
		head += "  _(score withheld)_"
	}
	return head
}

// threadQuestions is how many more questions of "where you diverge" the
// overview lists after the message's: at five respondents most yes/no
// questions are mixed (4–1), and a list of forty is no summary.
const threadQuestions = 20

// digestOverview is the thread's first reply.
func digestOverview(d digest.Digest) []slack.Block {
	title := "*Sections*"
	if d.Trend != nil {
		title += " · changes " + SinceWhen(d)
	}
	var lines []string
	for _, s := range d.Result.Sections {
		line := SectionLine(s, slackStyle)
		if c := SectionChange(d, s.ID); c != "" {
			line += "  *" + c + "*"
		}
		lines = append(lines, line)
	}
	bs := linesBlocks(title, lines)
	if bc := BandCounts(d, slackStyle); bc != "" {
		bs = append(bs, section(bc))
	}
	if d.Result.Alignment != nil {
		bs = append(bs, slack.NewContextBlock("", mrkdwn("The alignment index is the mean agreement over the questions: 100% when everyone gives the same answers, 0% when the answers are no closer than chance.")))
	}
	return append(bs, overviewLists(d)...)
}

// overviewLists are the overview's lists: where disagreement grew, the
// questions of "where you diverge" the message leaves out, and what the
// team is not sure about.
func overviewLists(d digest.Digest) []slack.Block {
	var bs []slack.Block
	if d.Trend != nil && len(d.Trend.Rising) > 0 {
		var l []string
		for _, x := range d.Trend.Rising {
			l = append(l, fmt.Sprintf("• %s _(agreement %.2f → %.2f)_", escape(QuestionText(x.Question, questionWidth)), x.Then, x.Now))
		}
		bs = append(bs, linesBlocks("*Where disagreement grew* "+escape(SinceWhen(d)), l)...)
	}
	if rest := d.Disagree[min(messageQuestions(d), len(d.Disagree)):]; len(rest) > 0 {
		var l []string
		for i, q := range rest {
			if i == threadQuestions {
				l = append(l, fmt.Sprintf("_…and %d more, marked in their sections' replies._", len(rest)-i))
				break
			}
			l = append(l, DivergeLine(d, q, slackStyle))
		}
		bs = append(bs, linesBlocks(fmt.Sprintf("*Where you diverge, continued* (%d more after the message's %d)", len(rest), messageQuestions(d)), l)...)
	}
	if len(d.NotSure) > 0 {
		var l []string
		for _, q := range d.NotSure {
			l = append(l, fmt.Sprintf("• %s _(%s)_", escape(QuestionText(q, questionWidth)), plural(q.NotSure, "person", "people")))
		}
		bs = append(bs, linesBlocks(fmt.Sprintf("*What the team is not sure about* (%s in all)", plural(d.NotSureTotal, "“not sure” answer", "“not sure” answers")), l)...)
	}
	return bs
}

// pages splits blocks into messages of at most MaxBlocks.
func pages(bs []slack.Block) [][]slack.Block {
	var out [][]slack.Block
	for len(bs) > MaxBlocks {
		out = append(out, bs[:MaxBlocks])
		bs = bs[MaxBlocks:]
	}
	if len(bs) > 0 {
		out = append(out, bs)
	}
	return out
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
