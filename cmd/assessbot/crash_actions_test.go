package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/fakeslack"
)

// Killed after an action's ack: a plan submitted (kept in the inbox before
// its ack) is proposed by the next process, once: one action, one DM to
// its owner, one message in the digest's thread; an Accept acked before
// the kill is kept, and the next process edits the thread message.
func TestKillAfterActionAck(t *testing.T) {
	h := newCrashHarness(t, "UAMY", "UBEN")
	h.start()
	if _, err := h.slack.SlashCommand(h.ctx, admin, leads, "/review", "start cs-exec-maturity to <@UAMY|amy> digest <#CLEADS|x> due 3d now anyway"); err != nil {
		t.Fatal(err)
	}
	h.wait("the intro", func() bool { return countIntros(h.slack, "UAMY") == 1 })
	r, _ := h.latestReview()
	f, _ := mustCatalog(t).Get("cs-exec-maturity")
	ctx := context.Background()
	for q, a := range plan(f, 0, false) {
		if _, _, err := h.st.SaveAnswer(ctx, r.ID, "UAMY", q, a, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.slack.SlashCommand(h.ctx, admin, leads, "/review", "close"); err != nil {
		t.Fatal(err)
	}
	var digestMsg fakeslack.Message
	h.wait("the digest", func() bool {
		for _, m := range h.slack.ChannelMessages(leads) {
			if strings.Contains(string(m.Blocks), `"plan|"`) {
				digestMsg = m
				return true
			}
		}
		return false
	})
	if _, err := h.slack.Click(h.ctx, "UAMY", digestMsg, "plan|", ""); err != nil {
		t.Fatal(err)
	}
	var modal fakeslack.View
	h.wait("the plan modal", func() bool {
		for _, v := range h.slack.Views("UAMY") {
			if v.CallbackID == "plan_action" {
				modal = v
				return true
			}
		}
		return false
	})

	// The owner's lookup hangs: the process dies after the ack, before the
	// action is stored.
	h.slack.FailNext("users.info", 1, fakeslack.Fault{Delay: 3 * time.Second})
	due := time.Now().AddDate(0, 0, 20).Format("2006-01-02")
	if _, err := h.slack.SubmitView(h.ctx, "UAMY", modal, map[string]map[string]any{
		"section": {"v": "executive"}, "what": {"v": map[string]any{"type": "plain_text_input", "value": "Write the renewal playbook"}},
		"owner": {"v": "UBEN"}, "due": {"v": due},
	}); err != nil {
		t.Fatal(err)
	}
	h.kill()
	if as, _ := h.st.ReviewActions(ctx, r.ID); len(as) != 0 {
		t.Logf("the action was stored before the kill (%d); the restart must still tell of it once", len(as))
	}
	h.start()
	// The proposal DM (replaced in place once accepted).
	proposals := func() int {
		n := 0
		for _, m := range h.slack.DMs("UBEN") {
			if strings.Contains(string(m.Blocks), "Write the renewal playbook") {
				n++
			}
		}
		return n
	}
	inThread := func(s string) []fakeslack.Message {
		var out []fakeslack.Message
		for _, m := range h.slack.ChannelMessages(leads) {
			if m.ThreadTS != "" && m.ThreadTS != m.TS && strings.Contains(string(m.Blocks), "Write the renewal playbook") && strings.Contains(string(m.Blocks), s) {
				out = append(out, m)
			}
		}
		return out
	}
	h.wait("the proposal after the restart", func() bool { return proposals() == 1 && len(inThread("waiting for")) == 1 })

	// Accept, acked once stored; the thread's edit hangs; killed.
	h.slack.FailNext("chat.update", 1, fakeslack.Fault{Delay: 3 * time.Second})
	var proposal fakeslack.Message
	for _, m := range h.slack.DMs("UBEN") {
		if strings.Contains(string(m.Blocks), `"accept"`) {
			proposal = m
		}
	}
	if _, err := h.slack.Click(h.ctx, "UBEN", proposal, "accept", ""); err != nil {
		t.Fatal(err)
	}
	h.kill()
	as, err := h.st.ReviewActions(ctx, r.ID)
	if err != nil || len(as) != 1 || as[0].Status != assessment.ActionAccepted {
		t.Fatalf("after an acknowledged Accept and a kill: %+v, %v", as, err)
	}
	h.start()
	h.wait("the thread message edited after the restart", func() bool { return len(inThread("accepted")) == 1 })
	time.Sleep(500 * time.Millisecond)
	if n, m := proposals(), len(inThread("")); n != 1 || m != 1 {
		t.Fatalf("%d proposals to the owner and %d action messages in the thread, want 1 each", n, m)
	}
	if as, _ := h.st.ReviewActions(ctx, r.ID); len(as) != 1 {
		t.Fatalf("%d actions, want 1", len(as))
	}
}
