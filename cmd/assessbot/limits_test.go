package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/fakeslack"
)

// A 10,000-member user group: the review starts at once, every member is a
// respondent, and the DMs start flowing; nothing Slack refuses.
func TestTenThousandMemberGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 users")
	}
	h := newHarness(t)
	var members []string
	for i := 0; i < 10000; i++ {
		u := fmt.Sprintf("UG%05d", i)
		members = append(members, u)
		h.slack.AddUser(fakeslack.User{ID: u, Name: strings.ToLower(u), TZ: "UTC"})
	}
	h.slack.AddUsergroup("SBIG", "everyone", members...)
	start := time.Now()
	h.command(admin, leads, "start cs-exec-maturity to <!subteam^SBIG|@everyone> digest <#CLEADS|x> due 3d now")
	h.told(admin, "for 10000 people")
	t.Logf("review for 10,000 started in %v", time.Since(start))
	h.wait("the first 200 intro DMs", func() bool { return len(h.slack.Calls("chat.postMessage")) >= 200 })
	h.command(admin, leads, "status")
	h.told(admin, "of 10000 submitted")
	for _, c := range h.slack.Calls() {
		if c.Err != "" {
			t.Fatalf("Slack refused %s: %s", c.Method, c.Err)
		}
	}
}

// Twenty open reviews for one person: each has its own DMs, the App Home
// lists the latest ten and stays within Slack's limits.
func TestTwentyOpenReviews(t *testing.T) {
	h := newHarness(t, "UAMY")
	for i := 0; i < 20; i++ {
		h.command(admin, leads, "start cs-checklist to <@UAMY|amy> digest <#CLEADS|x> due 3d now anyway")
		want := i + 1
		h.wait(fmt.Sprintf("intro %d", want), func() bool { return countIntros(h.slack, "UAMY") == want })
	}
	if _, err := h.slack.AppHomeOpened(h.ctx, "UAMY"); err != nil {
		t.Fatal(err)
	}
	h.wait("the home tab", func() bool {
		v, ok := h.slack.Home("UAMY")
		return ok && strings.Count(string(v.JSON), "0/32 answered") == 10
	})
	// Answering one review leaves the others alone.
	intro := h.waitDM("UAMY", `"start"`)
	h.click("UAMY", intro, "start")
	msg := h.waitDM("UAMY", `"answer|`)
	h.click("UAMY", msg, firstAnswerAction(msg))
	h.waitDM("UAMY", "Your answer")
	if answered := len(h.responses()["UAMY"]); answered != 1 {
		t.Fatalf("%d answers stored, want 1", answered)
	}
	for _, c := range h.slack.Calls() {
		if c.Err != "" {
			t.Fatalf("Slack refused %s: %s", c.Method, c.Err)
		}
	}
}

// Written answers: 4,000 characters are kept whole and shown shortened;
// more are refused with a clear reason, and the form stays open.
func TestLongTextAnswers(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN", "UCAT")
	h.command(admin, leads, "start cs-foundations to <@UAMY|a> <@UBEN|b> <@UCAT|c> digest <#CLEADS|x> due 3d now")
	id := ""
	h.wait("the review", func() bool {
		ids, _ := h.main.Store.RecentReviews(h.ctx, 1)
		if len(ids) > 0 {
			id = ids[0]
		}
		return id != ""
	})
	submit := func(user, text string) string {
		payload := map[string]any{
			"type": "view_submission", "team": map[string]any{"id": h.slack.TeamID()},
			"user": map[string]any{"id": user, "name": "x", "team_id": h.slack.TeamID()},
			"view": map[string]any{"id": "V" + user, "type": "modal", "callback_id": "text_answer",
				"private_metadata": id + "|org-structure-notes|D" + user[1:],
				"state":            map[string]any{"values": map[string]any{"answer": map[string]any{"v": map[string]any{"type": "plain_text_input", "value": text}}}}},
		}
		ack, err := h.slack.Send(h.ctx, "interactive", payload)
		if err != nil {
			t.Fatal(err)
		}
		return string(ack.Payload)
	}
	long := strings.Repeat("é", 2000) // 4,000 bytes
	for _, u := range []string{"UAMY", "UBEN", "UCAT"} {
		if ack := submit(u, long); strings.Contains(ack, "errors") {
			t.Fatalf("a 4,000-byte answer was refused: %s", ack)
		}
	}
	if got := h.responses()["UAMY"]["org-structure-notes"].Text; got != long {
		t.Fatalf("stored %d bytes, want the whole 4,000", len(got))
	}
	if ack := submit("UAMY", long+"x"); !strings.Contains(ack, "too long") {
		t.Fatalf("a 4,001-byte answer was not refused: %s", ack)
	}
	if got := h.responses()["UAMY"]["org-structure-notes"].Text; got != long {
		t.Fatal("a refused answer replaced the stored one")
	}
	h.command(admin, leads, "close")
	h.told(admin, "posted the digest")
	h.wait("the thread", func() bool { return len(h.slack.ChannelMessages(leads)) > 3 })
	for _, c := range h.slack.Calls() {
		if c.Err != "" {
			t.Fatalf("Slack refused %s: %s", c.Method, c.Err)
		}
	}
}
