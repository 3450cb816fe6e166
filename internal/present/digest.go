package present

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
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

// Digest renders the digest posted to the leadership channel: at most
// MaxDigestLines lines a leader reads at a glance (the band and alignment,
// the sections that moved most, where the team diverges, hotspots, what it
// is not sure about, a next step), and a footnote, a context block with
// block_id "withheld" at its end, when the disclosure model withheld
// anything. DigestThread has the rest.
func Digest(d digest.Digest, r *assessment.Review) []slack.Block {
	bs := digestBody(d, r)
	if note := WithheldNote(d); note != "" {
		bs = append(bs, slack.NewContextBlock("withheld", mrkdwn("🔒 "+escape(note))))
	}
	return bs
}

func digestBody(d digest.Digest, r *assessment.Review) []slack.Block {
	meta := []slack.MixedElement{mrkdwn(fmt.Sprintf("Review `%s` · closed %s · %s · %s",
		r.ID, d.Closed.UTC().Format("2 Jan 2006"), ResponseLine(d), thresholdsShort(d)))}
	// The follow-through of the last review's actions heads the message
	// beside its meta line, within the line budget.
	if ft := FollowThroughLine(d); ft != "" {
		meta = append(meta, mrkdwn("🎯 *"+ft+"*"))
	}
	bs := []slack.Block{
		slack.NewHeaderBlock(plain("📊 "+d.Framework.Title+" — results", MaxHeader)),
		slack.NewContextBlock("meta", meta...),
	}
	if hl := Headline(d, slackStyle); hl != "" {
		bs = append(bs, sectionBlock("headline", hl))
	}
	if d.Result.Respondents == 0 {
		return append(bs, section("Nobody answered this review, so there is nothing to show. Try a longer window or a reminder next time."))
	}
	if title, ss, ok := BriefSections(d); ok {
		lines := []string{"*" + escape(title) + "*"}
		for _, s := range ss {
			lines = append(lines, SectionBrief(d, s, slackStyle))
		}
		bs = append(bs, sectionBlock("sections", strings.Join(lines, "\n")))
	}
	if g := GapLine(d, slackStyle); g != "" {
		bs = append(bs, sectionBlock("gap", "↔️ "+g))
	}
	if QuestionsShown(d) {
		bs = append(bs, sectionBlock("diverge", divergeBrief(d)))
	}
	if h := HotspotsLine(d, slackStyle); h != "" {
		bs = append(bs, sectionBlock("hotspots", "🔥 "+h))
	}
	if n := NotSureLine(d, slackStyle); n != "" {
		bs = append(bs, sectionBlock("not-sure", "❔ "+n))
	}
	return append(bs, slack.NewContextBlock("next", mrkdwn("👉 "+escape(strings.TrimSpace(NextStep(d)+" "+InTheThread)))),
		PlanButton(r.ID, ""))
}

// divergeBrief is "where you diverge" in the message: its first
// MessageQuestions questions, most split first, or that the team agrees.
func divergeBrief(d digest.Digest) string {
	if len(d.Disagree) == 0 {
		return "✅ " + Agrees
	}
	qs := d.Disagree[:min(messageQuestions(d), len(d.Disagree))]
	lines := []string{"*" + DivergeTitle(d, len(qs)) + "*"}
	if len(qs) < len(d.Disagree) {
		lines[0] += " (the rest in the thread)"
	}
	for _, q := range qs {
		lines = append(lines, DivergeLine(d, q, slackStyle))
	}
	return strings.Join(lines, "\n")
}

// thresholdsShort says the thresholds in force in the message's meta line.
func thresholdsShort(d digest.Digest) string {
	l := strings.TrimSuffix(ThresholdLine(d), ".")
	return strings.ToLower(l[:1]) + l[1:]
}

// sectionBlock is a section block of mrkdwn text with a block id.
func sectionBlock(id, text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID(id))
}

// linesBlocks puts a titled list into as many section blocks as its length
// needs, each within Slack's 3,000 characters.
func linesBlocks(title string, lines []string) []slack.Block {
	short := make([]string, len(lines))
	for i, l := range lines {
		short[i] = Truncate(l, MaxSectionText-100)
	}
	var out []slack.Block
	for _, text := range packLines(title, short, MaxSectionText) {
		out = append(out, section(text))
	}
	return out
}

// packLines joins lines, one a line, into as few texts as it can, each
// within limit bytes, the first starting with first.
func packLines(first string, lines []string, limit int) []string {
	var out []string
	cur := first
	for _, l := range lines {
		if len(cur)+1+len(l) > limit {
			out = append(out, cur)
			cur = ""
		}
		if cur != "" {
			cur += "\n"
		}
		cur += l
	}
	return append(out, cur)
}

// slackStyle marks a digest's lines up in mrkdwn.
var slackStyle = Style{
	Code:   func(s string) string { return "`" + s + "`" },
	Bold:   func(s string) string { return "*" + s + "*" },
	Aside:  func(s string) string { return "_" + s + "_" },
	Escape: escape,
	Split:  " ⚡",
}
