package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/blocktext"
	"github.com/assessbot/assessbot/internal/fakeslack"
)

// Differencing on who answered, through the bot: two attacks on the
// start-time audience check, each of which gave away alice's answers by
// comparing two digests, and now gets no figures for the second review.

// waitDMOf returns the newest DM to user holding both s and the review id.
func (h *harness) waitDMOf(user, s, reviewID string) fakeslack.Message {
	h.t.Helper()
	var m fakeslack.Message
	h.wait("a DM of "+reviewID+" to "+user+" with "+s, func() bool {
		dms := h.slack.DMs(user)
		for i := len(dms) - 1; i >= 0; i-- {
			if b := string(dms[i].Blocks); strings.Contains(b, s) && strings.Contains(b, reviewID) {
				m = dms[i]
				return true
			}
		}
		return false
	})
	return m
}

// answerAndClose has users answer the first question of review id, then
// closes it and returns its digest, rendered.
func (h *harness) answerAndClose(id string, users ...string) string {
	h.t.Helper()
	for _, u := range users {
		h.click(u, h.waitDMOf(u, `"start"`, id), "start")
		msg := h.waitDMOf(u, `"answer|`, id)
		h.click(u, msg, firstAnswerAction(msg))
	}
	h.wait("the answers", func() bool {
		n := 0
		for _, a := range h.responses() {
			if len(a) > 0 {
				n++
			}
		}
		return n == len(users)
	})
	n := len(h.digests())
	h.command(admin, leads, "close "+id)
	h.wait("the digest of "+id, func() bool { return len(h.digests()) > n })
	for _, m := range h.digests() {
		if r := blocktext.Render(m.Blocks, nil); strings.Contains(r, "Review `"+id+"`") {
			return r
		}
	}
	h.t.Fatalf("no digest of %s", id)
	return ""
}

// showsSectionScores reports whether a rendered digest shows a section's
// score.
func showsSectionScores(digest string) bool { return reSectionScore.MatchString(digest) }

// reSectionScore finds a section's bar and score in a digest's message.
var reSectionScore = regexp.MustCompile("`[▰▱]{10}` \\*\\d+%\\*")

// TestPaddingAttackThroughTheBot: R1 asks alice, bob, carol and dave; R2
// asks bob, carol and dave and three who never answer, so its audience
// differs by four and it starts; it ends with three respondents, who
// differ from R1's by one. Before the check, R2's digest showed figures
// and 4·mean(R1) − 3·mean(R2) gave alice's answers.
func TestPaddingAttackThroughTheBot(t *testing.T) {
	h := newHarness(t, "UALICE", "UBOB", "UCAROL", "UDAVE", "UX1", "UX2", "UX3")
	r1 := h.startReview("3d", "UALICE", "UBOB", "UCAROL", "UDAVE")
	d1 := h.answerAndClose(r1, "UALICE", "UBOB", "UCAROL", "UDAVE")
	if !showsSectionScores(d1) {
		t.Fatalf("R1 shows no section score:\n%s", d1)
	}
	r2 := h.startReview("3d", "UBOB", "UCAROL", "UDAVE", "UX1", "UX2", "UX3")
	if r2 == r1 {
		t.Fatal("R2 did not start")
	}
	d2 := h.answerAndClose(r2, "UBOB", "UCAROL", "UDAVE")
	t.Logf("R2's digest:\n%s", d2)
	if showsSectionScores(d2) || !strings.Contains(d2, "differ by 1 person from those of review "+r1) {
		t.Fatalf("R2's digest gives figures away, or does not say why it shows none:\n%s", d2)
	}
	for _, u := range []string{"UALICE", "UBOB", "UCAROL", "UDAVE"} {
		if strings.Contains(d2, u) {
			t.Fatalf("R2's digest names %s:\n%s", u, d2)
		}
	}
	// Nor do the results or the export.
	h.command(admin, leads, "export "+r2)
	h.told(admin, "without figures")
}

// TestForgetAttackThroughTheBot: with R1 closed, R2 without alice is
// refused at the start; /review forget @alice rewrote R1's stored audience
// and let the same start through, and the two digests differed by alice's
// answers. The record of who answered R1 survives forget: R2 starts, but
// shows no figures.
func TestForgetAttackThroughTheBot(t *testing.T) {
	h := newHarness(t, "UALICE", "UBOB", "UCAROL", "UDAVE")
	r1 := h.startReview("3d", "UALICE", "UBOB", "UCAROL", "UDAVE")
	h.answerAndClose(r1, "UALICE", "UBOB", "UCAROL", "UDAVE")
	h.command(admin, leads, "forget <@UALICE|alice>")
	h.told(admin, "Forgot <@UALICE>")
	h.startReview("3d", "UBOB", "UCAROL", "UDAVE")
	// Each of them has R1's intro already: wait for R2 itself.
	h.wait("R2", func() bool { return h.latestReviewID() != r1 })
	r2 := h.latestReviewID()
	d2 := h.answerAndClose(r2, "UBOB", "UCAROL", "UDAVE")
	if showsSectionScores(d2) || !strings.Contains(d2, "review "+r1) {
		t.Fatalf("after forget @alice, R2's digest gives figures away:\n%s", d2)
	}
}
