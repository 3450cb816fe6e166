package present

import (
	"fmt"
	"strings"

	"github.com/assessbot/assessbot/internal/digest"
)

// SegmentLabel is a segment's name as the digest writes it: the user
// group's or channel's handle, "everyone else" for the rest.
func SegmentLabel(s digest.Segment) string {
	switch {
	case s.ID == digest.EveryoneElse:
		return Heatmap.EveryoneElse
	case s.Name != "":
		return strings.TrimLeft(s.Name, "@#")
	}
	return s.ID
}

// SegmentWhyWords says, in one line, why a segment's cells are withheld,
// never naming who: need is the detail threshold.
func SegmentWhyWords(why digest.SegmentWhy, need int) string {
	switch why {
	case digest.SegTooFew:
		return fmt.Sprintf("fewer than %d answered in it", need)
	case digest.SegRestTooFew:
		return fmt.Sprintf("fewer than %d answered outside it: the whole minus it would show them", need)
	case digest.SegOverlap:
		return fmt.Sprintf("it overlaps another team so that the difference would show fewer than %d people", need)
	case digest.SegSection:
		return "the review's own figure for it is withheld"
	}
	return ""
}

// GapLine is the channel message's line on the segments: the largest gap
// between two shown segments on one section ("Planning: EMEA 42% vs AMER
// 78%"); "" when no section shows two segments apart.
func GapLine(d digest.Digest, st Style) string {
	g, ok := d.LargestGap()
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s %s: %s %s vs %s %s", st.Bold("Largest gap between teams"), st.Escape(g.Section.Title),
		st.Escape(SegmentLabel(g.Low)), st.Code(Percent(g.LowScore)), st.Escape(SegmentLabel(g.High)), st.Code(Percent(g.HighScore)))
}

// messageQuestions is how many questions of "where you diverge" the
// channel message lists: one fewer when it has the line on the teams' gap,
// so that it stays within MaxDigestLines.
func messageQuestions(d digest.Digest) int {
	if _, ok := d.LargestGap(); ok {
		return MessageQuestions - 1
	}
	return MessageQuestions
}
