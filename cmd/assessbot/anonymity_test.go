package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
)

// No message, file, log line or metric puts a respondent's id next to what
// they answered. Every respondent writes a comment and an open answer
// carrying a marker; the test then reads everything the bot sent to Slack,
// everything it logged, and its metrics.
func TestNoAnswerNextToRespondent(t *testing.T) {
	users := []string{"U1A", "U2B", "U3C", "U4D", "U5E", "U6F"}
	h := newHarness(t, users...)
	var mentions []string
	for _, u := range users {
		mentions = append(mentions, "<@"+u+"|"+strings.ToLower(u)+">")
	}
	h.command(admin, leads, "start cs-foundations to "+strings.Join(mentions, " ")+" digest <#CLEADS|x> due 3d now")
	f, _ := mustCatalog(t).Get("cs-foundations")
	marker := func(u, kind string) string { return fmt.Sprintf("zz-%s-%s-zz", kind, strings.ToLower(u)) }
	for i, u := range users {
		intro := h.waitDM(u, `"start"`)
		h.click(u, intro, "start")
		h.waitDM(u, "1/12 · ")
		a := plan(f, i, false)
		q := f.Sections[0].Questions[1].ID // the open question
		a[q] = assessment.Answer{Text: marker(u, "text")}
		for id := range a {
			if id != q && id != f.Sections[0].Questions[0].ID {
				delete(a, id)
			}
		}
		h.answerSection(u, f, 0, a)
		h.comment(u, f.Sections[0].Questions[0].ID, marker(u, "comment")) // on the rating question
		h.wait("the comment", func() bool { return h.responses()[u] != nil && len(h.responses()[u]) >= 2 })
	}
	h.command(admin, leads, "status")
	h.told(admin, "submitted")
	h.command(admin, leads, "results")
	h.command(admin, leads, "close")
	h.told(admin, "posted the digest")
	h.wait("the digest's thread", func() bool { return len(h.slack.ChannelMessages(leads)) > len(f.Sections) })
	h.command(admin, leads, "results")
	h.command(admin, leads, "export")
	h.told(admin, "open answers and comments")

	own := func(u, body string) bool {
		return strings.Contains(body, `"D`+u[1:]+`"`) || strings.Contains(body, "channel=D"+u[1:])
	}
	for _, c := range h.slack.Calls() {
		body := string(c.Body)
		for _, u := range users {
			for _, kind := range []string{"text", "comment"} {
				m := marker(u, kind)
				if !strings.Contains(body, m) {
					continue
				}
				// Only the respondent's own DM may show their words with them.
				if strings.Contains(body, u) && !own(u, body) && !strings.Contains(body, `"user_id":"`+u+`"`) {
					t.Errorf("%s call puts %s next to their %s:\n%.600s", c.Method, u, kind, body)
				}
			}
		}
	}
	for _, file := range h.slack.Files() {
		for _, u := range users {
			if strings.Contains(string(file.Content), u) {
				t.Errorf("file %s names %s", file.Name, u)
			}
		}
	}
	logs := h.logs.String()
	for _, u := range users {
		for _, kind := range []string{"text", "comment"} {
			if strings.Contains(logs, marker(u, kind)) {
				t.Errorf("the logs hold %s's %s", u, kind)
			}
		}
	}
	metrics := h.metricsText()
	for _, u := range users {
		if strings.Contains(metrics, u) {
			t.Errorf("/metrics names %s", u)
		}
	}
	// The open answers did reach the digest's thread, anonymously.
	thread := ""
	for _, m := range h.slack.ChannelMessages(leads) {
		thread += string(m.Blocks)
	}
	if !strings.Contains(thread, marker(users[0], "text")) || !strings.Contains(thread, marker(users[0], "comment")) {
		t.Fatal("the open answers or comments are missing from the digest thread")
	}
}
