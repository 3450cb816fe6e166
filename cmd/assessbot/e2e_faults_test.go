package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/fakeslack"
	"github.com/assessbot/assessbot/internal/redistest"
)

// startReview starts cs-checklist for users and waits for every intro DM.
func (h *harness) startReview(due string, users ...string) string {
	h.t.Helper()
	return h.startFramework("cs-checklist", due, users...)
}

func (h *harness) told(user, s string) {
	h.t.Helper()
	h.wait(user+" is told "+s, func() bool { return h.ephemeralWith(user, s) })
}

func countIntros(fs *fakeslack.Server, user string) int {
	n := 0
	for _, m := range fs.DMs(user) {
		if strings.Contains(string(m.Blocks), `"start"`) {
			n++
		}
	}
	return n
}

func TestCommandsAndPermissions(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN")
	// Answers in the ack: help and bad arguments, for everyone.
	acks := []struct{ user, text, want string }{
		{outsider, "help", "/review start"},
		{outsider, "launch", "/review help"},
		{admin, "start cs-checklist to @amy", "autocomplete"},
		{admin, "close soon", "not a review id"},
	}
	for _, tc := range acks {
		if got := h.command(tc.user, leads, tc.text); !strings.Contains(got, tc.want) {
			t.Errorf("/review %s: ack %q, want it to mention %q", tc.text, got, tc.want)
		}
	}
	// Admin-only commands refuse others and change nothing.
	for _, text := range []string{"start cs-checklist to <@UAMY|amy> digest <#CLEADS|x>", "close", "status", ""} {
		before := len(h.slack.Ephemerals(outsider)) + len(h.slack.DMs(outsider))
		h.command(outsider, leads, text)
		h.wait("a refusal", func() bool { return len(h.slack.Ephemerals(outsider))+len(h.slack.DMs(outsider)) > before })
		if !h.ephemeralWith(outsider, "Only assessbot admins") {
			t.Errorf("/review %s by a non-admin was not refused", text)
		}
	}
	if ids, _ := h.main.Store.RecentReviews(context.Background(), 1); len(ids) != 0 {
		t.Fatalf("a non-admin started a review: %v", ids)
	}
	h.command(admin, leads, "start nope to <@UAMY|amy>")
	h.told(admin, "There is no framework `nope`")
	h.command(admin, leads, "frameworks")
	h.told(admin, "`cs-exec-maturity`")
	h.command(admin, leads, "status")
	h.told(admin, "No review has been started yet")

	// The modal: errors come back into the form; a good form starts a review.
	h.command(admin, leads, "")
	var v fakeslack.View
	h.wait("the start modal", func() bool {
		vs := h.slack.Views(admin)
		if len(vs) > 0 {
			v = vs[0]
		}
		return len(vs) > 0
	})
	ack, err := h.slack.SubmitView(h.ctx, admin, v, map[string]map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), `"framework":"Choose a framework."`) || !strings.Contains(string(ack.Payload), "Pick at least one person") {
		t.Fatalf("empty form ack = %s", ack.Payload)
	}
	// Fewer people than the anonymity threshold: refused on the people
	// field unless "Start anyway" is ticked; with a channel, whose members
	// are only known later, by ephemeral.
	fw := map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "cs-exec-maturity", "text": map[string]any{"type": "plain_text", "text": "x"}}}
	due := map[string]any{"type": "datepicker", "selected_date": time.Now().AddDate(0, 0, 5).Format("2006-01-02")}
	ack, err = h.slack.SubmitView(h.ctx, admin, v, map[string]map[string]any{
		"framework": {"v": fw}, "deadline": {"v": due},
		"people":    {"v": map[string]any{"type": "multi_users_select", "selected_users": []string{"UAMY", "UBEN"}}},
		"digest":    {"v": map[string]any{"type": "conversations_select", "selected_conversation": leads}},
		"threshold": {"v": map[string]any{"type": "number_input", "value": "3"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := string(ack.Payload); !strings.Contains(p, `"people":"Only 2 people would answer, fewer than the anonymity threshold of 3`) || !strings.Contains(p, "Start anyway") {
		t.Fatalf("below-threshold form ack = %s", p)
	}
	if _, err = h.slack.SubmitView(h.ctx, admin, v, map[string]map[string]any{
		"framework": {"v": fw}, "deadline": {"v": due},
		"people":    {"v": map[string]any{"type": "multi_users_select", "selected_users": []string{}}},
		"channels":  {"v": map[string]any{"type": "multi_conversations_select", "selected_conversations": []string{leads}}},
		"digest":    {"v": map[string]any{"type": "conversations_select", "selected_conversation": leads}},
		"threshold": {"v": map[string]any{"type": "number_input", "value": "3"}},
	}); err != nil {
		t.Fatal(err)
	}
	h.told(admin, "Only 0 people would answer, fewer than the anonymity threshold of 3") // the admin, the channel's one member, does not count
	h.told(admin, "tick *Start anyway*")
	n := len(h.slack.Views(admin))
	h.command(admin, leads, "")
	h.wait("the start modal again", func() bool {
		vs := h.slack.Views(admin)
		if len(vs) > n {
			v = vs[len(vs)-1]
			return true
		}
		return false
	})
	_, err = h.slack.SubmitView(h.ctx, admin, v, map[string]map[string]any{
		"framework": {"v": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "cs-exec-maturity", "text": map[string]any{"type": "plain_text", "text": "x"}}}},
		"people":    {"v": map[string]any{"type": "multi_users_select", "selected_users": []string{"UAMY", "UBEN"}}},
		"digest":    {"v": map[string]any{"type": "conversations_select", "selected_conversation": leads}},
		"deadline":  {"v": map[string]any{"type": "datepicker", "selected_date": time.Now().AddDate(0, 0, 5).Format("2006-01-02")}},
		"threshold": {"v": map[string]any{"type": "number_input", "value": "3"}},
		"delivery":  {"v": map[string]any{"type": "checkboxes", "selected_options": []map[string]any{{"value": "now", "text": map[string]any{"type": "plain_text", "text": "Send the DMs now"}}}}},
		"anyway":    {"v": map[string]any{"type": "checkboxes", "selected_options": []map[string]any{{"value": "anyway", "text": map[string]any{"type": "plain_text", "text": "Start anyway"}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.told(admin, "Started review")
	h.waitDM("UAMY", "CS Executive Maturity")
	h.waitDM("UBEN", "CS Executive Maturity")

	h.command(admin, leads, "status")
	h.told(admin, "0 of 2 submitted")
	h.command(admin, leads, "close")
	h.told(admin, "posted the digest")
	h.wait("the digest", func() bool { return len(h.digests()) == 1 })
	h.command(admin, leads, "close")
	h.told(admin, "already closed")
	if n := len(h.digests()); n != 1 {
		t.Fatalf("%d messages in the digest channel after two closes, want 1", n)
	}
}

// Slack answers 429 and 5xx: every DM is still delivered, exactly once.
func TestFanoutThroughRateLimitsAndErrors(t *testing.T) {
	users := []string{"U1", "U2", "U3", "U4", "U5", "U6"}
	h := newHarness(t, users...)
	h.slack.FailNext("chat.postMessage", 3, fakeslack.Fault{Status: 429, RetryAfter: 1})
	h.startReview("3d", users...)
	h.slack.FailNext("chat.postMessage", 2, fakeslack.Fault{Status: 503})
	h.slack.FailNext("response_url", 2, fakeslack.Fault{Status: 500})
	time.Sleep(200 * time.Millisecond)
	for _, u := range users {
		if n := countIntros(h.slack, u); n != 1 {
			t.Errorf("%s got %d intro DMs, want 1", u, n)
		}
	}
	limited := 0
	for _, c := range h.slack.Calls("chat.postMessage") {
		if c.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 3 {
		t.Errorf("%d chat.postMessage calls were rate limited, want the 3 injected", limited)
	}
	// A click through a 5xx on the first chat.update still shows the answer.
	intro := h.waitDM("U1", `"start"`)
	h.click("U1", intro, "start")
	msg := h.waitDM("U1", `"answer|`)
	h.click("U1", msg, firstAnswerAction(msg))
	h.waitDM("U1", "Your answer")
	failed := 0
	for _, c := range h.slack.Calls("response_url") {
		if c.Status == 500 {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("%d response_url posts failed, want the 2 injected", failed)
	}
}

// A bot stopped in the middle of the fan-out: the next process finishes it
// and nobody is skipped or asked twice.
func TestFanoutResumesAfterRestart(t *testing.T) {
	var users []string
	for _, c := range "ABCDEFGHIJKL" {
		users = append(users, "U"+string(c))
	}
	h := newHarness(t, users...)
	h.slack.FailNext("chat.postMessage", 100, fakeslack.Fault{Delay: 120 * time.Millisecond})
	var mentions []string
	for _, u := range users {
		mentions = append(mentions, "<@"+u+"|x>")
	}
	h.command(admin, leads, "start cs-checklist to "+strings.Join(mentions, " ")+" digest <#"+leads+"|x> due 3d now")
	h.wait("the first intro DMs", func() bool { return countIntros(h.slack, users[0]) > 0 })
	h.restart()
	for _, u := range users {
		h.waitDM(u, `"start"`)
	}
	time.Sleep(300 * time.Millisecond)
	for _, u := range users {
		if n := countIntros(h.slack, u); n != 1 {
			t.Errorf("%s got %d intro DMs, want 1", u, n)
		}
	}
}

// The deadline passes while no bot runs: the next one closes the review and
// posts one digest, withholding scores below the anonymity threshold.
func TestDeadlineWhileDown(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN")
	h.startReview("1h", "UAMY", "UBEN")
	intro := h.waitDM("UAMY", `"start"`)
	h.click("UAMY", intro, "start")
	msg := h.waitDM("UAMY", `"answer|`)
	h.click("UAMY", msg, firstAnswerAction(msg))
	h.waitDM("UAMY", "Your answer")
	h.main.Close()
	h.main = nil
	h.advance(2 * time.Hour)
	h.start()
	h.wait("the digest", func() bool { return len(h.digests()) > 0 })
	time.Sleep(400 * time.Millisecond)
	msgs := h.digests()
	if len(msgs) != 1 {
		t.Fatalf("%d digests, want 1", len(msgs))
	}
	body := string(msgs[0].Blocks)
	if !strings.Contains(body, "1 of 2 responded") || !strings.Contains(body, "withheld") || strings.Contains(body, "%*") {
		t.Fatalf("digest below the threshold shows figures:\n%s", body)
	}
	// The closed review refuses clicks.
	h.click("UAMY", msg, firstAnswerAction(msg))
	h.told("UAMY", "closed")
}

// Duplicates and retries of one envelope are handled once.
func TestDuplicateEnvelopes(t *testing.T) {
	h := newHarness(t, "UAMY")
	h.startReview("3d", "UAMY")
	intro := h.waitDM("UAMY", `"start"`)
	h.click("UAMY", intro, "start", fakeslack.WithEnvelopeID("Eone"))
	h.waitDM("UAMY", `"next"`)
	n := len(h.slack.DMs("UAMY"))
	dropped := func() float64 {
		// refused as a duplicate, or superseded while queued (a burst of Start clicks opens one section)
		return h.metric("assessbot_envelopes_duplicate_total") + h.metric("assessbot_envelopes_coalesced_total")
	}
	before := dropped()
	h.click("UAMY", intro, "start", fakeslack.WithEnvelopeID("Eone"), fakeslack.WithRetryAttempt(1))
	h.click("UAMY", intro, "start", fakeslack.WithEnvelopeID("Etwo"), fakeslack.Duplicate())
	// Handled: both envelopes recorded as done, and the two redundant
	// deliveries (the retry, the duplicate) dropped; nothing else can run.
	h.wait("both envelopes handled and the two extra deliveries dropped", func() bool {
		a, _ := h.main.Store.EnvelopeState(h.ctx, "Eone")
		b, _ := h.main.Store.EnvelopeState(h.ctx, "Etwo")
		return a == "handled" && b == "handled" && dropped() >= before+2
	})
	if got := len(h.slack.DMs("UAMY")); got != n+1 {
		t.Fatalf("%d new messages for a retried and a duplicated envelope, want 1", got-n)
	}
}

// A view_submission forged with another review's metadata writes nothing.
func TestForgedViewSubmission(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN")
	id := h.startReview("3d", "UAMY", "UBEN")
	payload := map[string]any{
		"type": "view_submission", "team": map[string]any{"id": h.slack.TeamID()},
		"user": map[string]any{"id": outsider, "name": "olaf", "team_id": h.slack.TeamID()},
		"view": map[string]any{"id": "VFORGED", "type": "modal", "callback_id": "text_answer",
			"private_metadata": id + "|team-roles-documented|DAMY",
			"state":            map[string]any{"values": map[string]any{"answer": map[string]any{"v": map[string]any{"type": "plain_text_input", "value": "forged"}}}}},
	}
	ack, err := h.slack.Send(h.ctx, "interactive", payload)
	if err != nil {
		t.Fatal(err)
	}
	// The form stays open with the reason.
	if !strings.Contains(string(ack.Payload), `"response_action":"errors"`) || !strings.Contains(string(ack.Payload), "not a respondent") {
		t.Fatalf("ack = %s", ack.Payload)
	}
	if got := h.responses(); len(got[outsider]) != 0 || len(got["UAMY"]) != 0 {
		t.Fatalf("a forged submission was stored: %v", got)
	}
}

// Redis stops while people answer: they are told, /readyz goes red, and
// everything works again when Redis is back, with nothing acknowledged lost.
func TestRedisOutage(t *testing.T) {
	srv := redistest.StartServer(t, "--appendonly", "yes", "--appendfsync", "always")
	h := newHarnessOn(t, srv.URL(), "UAMY", "UBEN")
	h.slowAcks = "Redis is stopped on purpose: a save may wait for its timeout"
	h.startReview("3d", "UAMY", "UBEN")
	intro := h.waitDM("UAMY", `"start"`)
	h.click("UAMY", intro, "start")
	msg := h.waitDM("UAMY", `"answer|`)
	first := firstAnswerAction(msg)
	h.click("UAMY", msg, first)
	h.waitDM("UAMY", "Your answer")

	srv.Stop()
	second := strings.Replace(first, "|no", "|yes", 1)
	if second == first {
		second = strings.Replace(first, "|yes", "|no", 1)
	}
	h.click("UAMY", msg, second)
	h.told("UAMY", "could not be saved")
	if code := h.readyz(); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with Redis down = %d, want 503", code)
	}

	srv.Start()
	h.wait("/readyz green", func() bool { return h.readyz() == http.StatusOK })
	h.click("UAMY", msg, second)
	want := second[strings.LastIndex(second, "|")+1:]
	q := strings.Split(second, "|")[1]
	h.wait("the answer after the outage", func() bool { return h.responses()["UAMY"][q].Option == want })
	if h.main.Bot == nil || !strings.Contains(h.logs.String(), "could not be saved") && !strings.Contains(h.logs.String(), "unavailable") {
		t.Errorf("the outage left no trace in the logs")
	}
}

func (h *harness) readyz() int {
	resp, err := http.Get("http://" + h.main.HTTPAddr() + "/readyz")
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// The digest channel refuses the bot: it joins a public channel and posts;
// a channel it cannot reach gets the digest sent to the review's creator.
func TestDigestChannelProblems(t *testing.T) {
	h := newHarness(t, "UAMY")
	h.startReview("3d", "UAMY")
	h.slack.FailNext("chat.postMessage", 1, fakeslack.Fault{Error: "not_in_channel"})
	h.command(admin, leads, "close")
	h.told(admin, "posted the digest")
	if len(h.slack.Calls("conversations.join")) != 1 || len(h.digests()) != 1 {
		t.Fatalf("join calls %d, digests %d; want the bot to join and post once",
			len(h.slack.Calls("conversations.join")), len(h.digests()))
	}

	h.startReview("3d", "UAMY")
	h.wait("the second intro", func() bool { return countIntros(h.slack, "UAMY") == 2 })
	h.slack.FailNext("chat.postMessage", 1, fakeslack.Fault{Error: "channel_not_found"})
	h.command(admin, leads, "close")
	h.wait("the digest in the creator's DM", func() bool {
		m, ok := h.dmWith(admin, "Invite me there")
		return ok && strings.Contains(string(m.Blocks), "results")
	})
	if n := len(h.digests()); n != 1 {
		t.Fatalf("%d digests in the channel, want only the first review's", n)
	}
}

// Members of ADMIN_USERGROUP are admins; others are not.
func TestAdminUsergroup(t *testing.T) {
	h := newHarness(t, "UAMY")
	h.slack.AddUser(fakeslack.User{ID: "ULEAD", Name: "lead"})
	h.slack.AddUsergroup("SLEADS", "cs-leads", "ULEAD")
	h.main.Close()
	h.main = nil
	h.adminGroup = "SLEADS"
	h.start()
	h.command("ULEAD", leads, "start cs-checklist to <@UAMY|amy> digest <#"+leads+"|x> anyway")
	h.told("ULEAD", "Started review")
	h.command("UAMY", leads, "close")
	h.told("UAMY", "Only assessbot admins")
}

// The App Home lists a respondent's reviews with Start/Continue, and the
// admin's recent reviews.
func TestAppHome(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN", "UCAT")
	h.startReview("3d", "UAMY")
	if _, err := h.slack.AppHomeOpened(h.ctx, "UAMY"); err != nil {
		t.Fatal(err)
	}
	var home fakeslack.View
	h.wait("amy's home", func() bool {
		var ok bool
		home, ok = h.slack.Home("UAMY")
		return ok
	})
	if body := string(home.JSON); !strings.Contains(body, "Customer Success Checklist") || !strings.Contains(body, "0/32 answered") || strings.Contains(body, "Recent reviews") {
		t.Fatalf("amy's home:\n%s", body)
	}
	n := len(h.slack.DMs("UAMY"))
	if _, err := h.slack.ClickInView(h.ctx, "UAMY", home, "start", ""); err != nil {
		t.Fatal(err)
	}
	h.wait("the first section from the home tab", func() bool { return len(h.slack.DMs("UAMY")) > n })
	h.waitDM("UAMY", "1/6 · ")

	if _, err := h.slack.AppHomeOpened(h.ctx, admin); err != nil {
		t.Fatal(err)
	}
	h.wait("the admin's home", func() bool {
		v, ok := h.slack.Home(admin)
		return ok && strings.Contains(string(v.JSON), "Recent reviews") && strings.Contains(string(v.JSON), "0/1 submitted")
	})
	// A closed review with bands shows its band to admins (three people:
	// no band is shown for fewer than the threshold).
	h.command(admin, leads, "start cs-excellence to <@UAMY|amy> <@UBEN|ben> <@UCAT|cat> digest <#CLEADS|x> due 3d now")
	for _, u := range []string{"UAMY", "UBEN", "UCAT"} {
		intro := h.waitDM(u, "Checklist for Customer Success Excellence")
		n := len(h.slack.DMs(u))
		h.click(u, intro, "start")
		h.wait("the first section", func() bool { return len(h.slack.DMs(u)) > n })
		msg := h.waitDM(u, `"answer|sensory`)
		h.click(u, msg, firstAnswerAction(msg))
		h.wait("the answer", func() bool { return len(h.responses()[u]) == 1 })
	}
	h.command(admin, leads, "close")
	h.told(admin, "posted the digest")
	if _, err := h.slack.AppHomeOpened(h.ctx, admin); err != nil {
		t.Fatal(err)
	}
	h.wait("the band on the admin's home", func() bool {
		v, _ := h.slack.Home(admin)
		return strings.Contains(string(v.JSON), "band: There")
	})
}

// latestReviewID is the id of the review started last.
func (h *harness) latestReviewID() string {
	h.t.Helper()
	ids, err := h.main.Store.RecentReviews(context.Background(), 1)
	if err != nil || len(ids) == 0 {
		h.t.Fatalf("no review: %v", err)
	}
	return ids[0]
}

// Forged or stale block_actions: nothing is written, and the person is told.
func TestForgedActions(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN")
	id := h.startReview("3d", "UAMY")
	// A review of someone else: it exists, UAMY is not asked. (Another
	// framework: a second cs-checklist review of nearly the same people
	// would be refused, as its difference would give answers away.)
	h.command(admin, leads, "start cs-excellence to <@UBEN|uben> digest <#"+leads+"|cs-leadership> due 3d now anyway")
	h.waitDM("UBEN", `"start"`)
	bens := h.latestReviewID()
	cases := []struct {
		name, actionID, value, want string
		user                        string // the clicker; "" = UAMY
	}{
		{"someone else's review", "answer|team-roles-documented|yes", bens + "|team-roles-documented|yes", "not a respondent", ""},
		{"a review by an outsider", "answer|team-roles-documented|yes", id + "|team-roles-documented|yes", "not a respondent", outsider},
		{"unknown question", "answer|nope|yes", id + "|nope|yes", "not part of the review", ""},
		{"unknown option", "answer|team-roles-documented|maybe", id + "|team-roles-documented|maybe", "does not exist", ""},
		{"unknown review", "answer|team-roles-documented|yes", "rnothere|team-roles-documented|yes", "no review", ""},
		{"malformed value", "answer|x", id, "out of date", ""},
		{"unknown action", "explode", id, "out of date", ""},
		{"oversized value", "answer|team-roles-documented|yes", id + "|team-roles-documented|" + strings.Repeat("y", 2000), "out of date", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			user := tc.user
			if user == "" {
				user = "UAMY"
			}
			payload := map[string]any{
				"type": "block_actions", "team": map[string]any{"id": h.slack.TeamID()},
				"user":      map[string]any{"id": user, "name": strings.ToLower(user), "team_id": h.slack.TeamID()},
				"channel":   map[string]any{"id": "D" + user},
				"container": map[string]any{"type": "message", "channel_id": "D" + user, "message_ts": "1.1"},
				"actions": []map[string]any{{"type": "button", "action_id": tc.actionID, "block_id": "b1", "value": tc.value,
					"text": map[string]any{"type": "plain_text", "text": "x"}, "action_ts": "1.2"}},
			}
			before := len(h.slack.Ephemerals(user)) + len(h.slack.DMs(user))
			if _, err := h.slack.Send(h.ctx, "interactive", payload); err != nil {
				t.Fatal(err)
			}
			h.wait("a refusal", func() bool { return len(h.slack.Ephemerals(user))+len(h.slack.DMs(user)) > before })
			h.told(user, tc.want)
			// Nothing stored in either review, for anyone.
			for _, rid := range []string{id, bens} {
				for _, who := range []string{"UAMY", "UBEN", outsider} {
					resp, err := h.main.Store.Response(h.ctx, rid, who)
					if err != nil {
						t.Fatal(err)
					}
					if len(resp.Answers) != 0 {
						t.Fatalf("a forged click was stored in %s for %s: %v", rid, who, resp.Answers)
					}
				}
			}
		})
	}
}

// A framework far beyond Block Kit's limits (40 sections × 12 questions of
// 3,000 characters, a 30-level scale) goes through Slack without one
// refused message: long sections are split, many levels become a menu.
func TestHugeFrameworkThroughSlack(t *testing.T) {
	dir := t.TempDir()
	var y strings.Builder
	long := strings.Repeat("How well do we really know this part of the customer journey? ", 60)[:2990]
	y.WriteString("id: huge\ntitle: \"" + strings.Repeat("H", 150) + "\"\nscales:\n  levels:\n    options:\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&y, "      - {id: l%d, label: \"%s\"}\n", i, strings.Repeat("L", 75))
	}
	y.WriteString("sections:\n")
	for s := 0; s < 40; s++ {
		fmt.Fprintf(&y, "  - id: s%d\n    title: \"%s\"\n    description: \"%s\"\n    questions:\n", s, strings.Repeat("S", 150), long)
		for q := 0; q < 12; q++ {
			scale := []string{"yesno", "levels", "text"}[q%3]
			fmt.Fprintf(&y, "      - {id: s%dq%d, scale: %s, text: \"%s\", help: \"%s\"}\n", s, q, scale, long, long)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "huge.yaml"), []byte(y.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.slack.AddUser(fakeslack.User{ID: "UAMY", Name: "amy", TZ: "UTC"})
	h.frameworksDir = dir
	h.restart()
	h.command(admin, leads, "start huge to <@UAMY|amy> digest <#CLEADS|x> due 3d now anyway")
	intro := h.waitDM("UAMY", `"start"`)
	h.click("UAMY", intro, "start")
	h.waitDM("UAMY", "1/40 · ")
	// Answer through the menu, then walk every section.
	msg := h.waitDM("UAMY", `"answer|s0q1"`)
	if _, err := h.slack.Click(h.ctx, "UAMY", msg, "answer|s0q1", msg0Value(msg, "s0q1", "l29")); err != nil {
		t.Fatal(err)
	}
	h.wait("the menu answer", func() bool { return h.responses()["UAMY"]["s0q1"].Option == "l29" })
	for si := 1; si < 40; si++ {
		next := h.waitDM("UAMY", `"next"`)
		n := len(h.slack.DMs("UAMY"))
		h.click("UAMY", next, "next")
		h.wait(fmt.Sprintf("section %d", si+1), func() bool { return len(h.slack.DMs("UAMY")) > n })
	}
	h.waitDM("UAMY", `"submit"`)
	for _, c := range h.slack.Calls() {
		if c.Err != "" {
			t.Fatalf("Slack refused %s: %s", c.Method, c.Err)
		}
	}
	if strings.Contains(h.logs.String(), "level=ERROR") {
		t.Fatalf("errors logged")
	}
	h.command(admin, leads, "close")
	h.wait("the digest", func() bool { return len(h.digests()) > 0 })
	time.Sleep(500 * time.Millisecond)
	for _, c := range h.slack.Calls() {
		if c.Err != "" {
			t.Fatalf("Slack refused %s: %s", c.Method, c.Err)
		}
	}
}

// msg0Value returns the value of a menu option for a question's answer.
func msg0Value(m fakeslack.Message, question, option string) string {
	re := regexp.MustCompile(`"value":"(r[a-z0-9]+\|` + regexp.QuoteMeta(question) + `\|` + regexp.QuoteMeta(option) + `)"`)
	if sm := re.FindStringSubmatch(string(m.Blocks)); sm != nil {
		return sm[1]
	}
	return ""
}

// Results for the asker's eyes only; an export whose responses recompute
// through `assessbot score` to the exported aggregates; per-respondent rows
// withheld in a small team.
func TestResultsAndExport(t *testing.T) {
	users := []string{"U1", "U2", "U3", "U4", "U5", "U6"}
	h := newHarness(t, users...)
	h.command(admin, leads, "start cs-exec-maturity to <@U1|a> <@U2|b> <@U3|c> <@U4|d> <@U5|e> <@U6|f> digest <#CLEADS|x> due 3d now")
	f, _ := mustCatalog(t).Get("cs-exec-maturity")
	for i, u := range users {
		intro := h.waitDM(u, `"start"`)
		h.click(u, intro, "start")
		h.waitDM(u, "1/1 · ")
		a := plan(f, i, true)
		h.answerSection(u, f, 0, a)
		h.waitAnswersIn(u, a)
	}
	h.command(outsider, leads, "export")
	h.told(outsider, "Only assessbot admins")

	// While open: counts only, no figure that a click could move.
	h.command(admin, leads, "results")
	h.wait("the counts of an open review", func() bool {
		for _, m := range h.slack.Ephemerals(admin) {
			if strings.Contains(m.Text, "of 6 submitted") && strings.Contains(m.Text, "Figures are shown once the review closes") {
				return !strings.Contains(m.Text, "divergence") && len(m.Blocks) < 10
			}
		}
		return false
	})
	h.command(admin, leads, "export")
	h.told(admin, "still open")
	if len(h.slack.Files()) != 0 {
		t.Fatalf("an open review was exported: %+v", h.slack.Files())
	}
	h.command(admin, leads, "close")
	h.told(admin, "posted the digest")
	h.command(admin, leads, "export")
	h.told(admin, "6 anonymised responses")
	var responses, aggregates []byte
	for _, file := range h.slack.Files() {
		switch {
		case strings.HasSuffix(file.Name, "-responses.csv"):
			responses = file.Content
		case strings.HasSuffix(file.Name, "-aggregates.csv"):
			aggregates = file.Content
		}
	}
	if responses == nil || aggregates == nil {
		t.Fatalf("files: %+v", h.slack.Files())
	}
	for _, u := range users {
		if strings.Contains(string(responses), u) {
			t.Fatalf("the export names %s:\n%s", u, responses)
		}
	}
	score := scoreJSONFor(t, "cs-exec-maturity", responses)
	wantRow := fmt.Sprintf("section,executive,executive,CS Executive Maturity,%.4f,%.4f,", *score.Sections[0].Score, *score.Sections[0].Divergence)
	if !strings.Contains(string(aggregates), wantRow) {
		t.Fatalf("aggregates do not match the recomputed export:\nwant %s\n%s", wantRow, aggregates)
	}
	if !strings.Contains(string(aggregates), "question,retention-responsibility,executive,") {
		t.Fatalf("no question rows:\n%s", aggregates)
	}
	// Every export draws a fresh order (crypto/rand): the row numbering of
	// one export says nothing of another's. Three identical orders of six
	// rows would come once in 518,400 runs.
	orders := map[string]bool{string(responses): true}
	for range 2 {
		n := len(h.slack.Files())
		h.command(admin, leads, "export")
		h.wait("another export", func() bool { return len(h.slack.Files()) >= n+2 })
		for _, file := range h.slack.Files()[n:] {
			if strings.HasSuffix(file.Name, "-responses.csv") {
				orders[string(file.Content)] = true
			}
		}
	}
	if len(orders) == 1 {
		t.Fatal("three exports listed the respondents in the same order")
	}
}

func TestExportWithheldInSmallTeams(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN", "UCAT")
	h.startReview("3d", "UAMY", "UBEN", "UCAT")
	for _, u := range []string{"UAMY", "UBEN", "UCAT"} {
		intro := h.waitDM(u, `"start"`)
		h.click(u, intro, "start")
		msg := h.waitDM(u, `"answer|`)
		h.click(u, msg, firstAnswerAction(msg))
	}
	h.wait("three respondents", func() bool {
		n := 0
		for _, a := range h.responses() {
			if len(a) > 0 {
				n++
			}
		}
		return n == 3
	})
	h.command(admin, leads, "close")
	h.told(admin, "Closed review")
	h.command(admin, leads, "export")
	h.told(admin, "3 people answered, and rows are exported only from 5")
	for _, file := range h.slack.Files() {
		if strings.HasSuffix(file.Name, "-responses.csv") {
			t.Fatal("responses of a 3-person team were exported")
		}
	}
}

// Socket Mode trouble mid-review: a disconnect request and dropped sockets
// make the bot reconnect by itself; slow Slack calls never slow the acks.
func TestSocketTroubleAndSlowSlack(t *testing.T) {
	h := newHarness(t, "UAMY")
	h.startReview("3d", "UAMY")
	intro := h.waitDM("UAMY", `"start"`)
	h.click("UAMY", intro, "start")
	msg := h.waitDM("UAMY", `"answer|`)
	qs := regexp.MustCompile(`"(answer\|[a-z0-9-]+\|yes)"`).FindAllStringSubmatch(string(msg.Blocks), -1)
	if len(qs) < 4 {
		t.Fatalf("%d questions in the first section", len(qs))
	}
	opened := h.slack.SocketsOpened()
	h.slack.Disconnect("refresh_requested")
	h.wait("a new socket after the disconnect request", func() bool { return h.slack.SocketsOpened() > opened && h.slack.Connections() > 0 })
	h.click("UAMY", msg, qs[0][1])

	opened = h.slack.SocketsOpened()
	h.slack.DropSockets()
	h.wait("a new socket after the drop", func() bool { return h.slack.SocketsOpened() > opened && h.slack.Connections() > 0 })
	h.click("UAMY", msg, qs[1][1])

	// Message updates take 2 s; the acks do not wait for them.
	h.slack.FailNext("response_url", 10, fakeslack.Fault{Delay: 2 * time.Second})
	for _, q := range qs[2:4] {
		ack, err := h.slack.Click(h.ctx, "UAMY", msg, q[1], "")
		if err != nil {
			t.Fatal(err)
		}
		if ack.Latency > time.Second {
			t.Errorf("ack took %v behind a slow Slack", ack.Latency)
		}
	}
	h.wait("four answers", func() bool { return len(h.responses()["UAMY"]) == 4 })
}

// A 429 storm in the middle of a 300-person fan-out: every DM is delivered,
// exactly once.
func TestRateLimitStormDuringFanout(t *testing.T) {
	var users, mentions []string
	for i := 0; i < 300; i++ {
		u := fmt.Sprintf("US%03d", i)
		users = append(users, u)
		mentions = append(mentions, "<@"+u+"|x>")
	}
	h := newHarness(t, users...)
	h.command(admin, leads, "start cs-checklist to "+strings.Join(mentions, " ")+" digest <#CLEADS|x> due 3d now remind none")
	h.wait("a third of the DMs", func() bool { return total(h.slack, users) >= 100 })
	h.slack.FailNext("chat.postMessage", 40, fakeslack.Fault{Status: 429, RetryAfter: 1})
	h.wait("every DM", func() bool { return total(h.slack, users) >= len(users) })
	time.Sleep(300 * time.Millisecond)
	if n := total(h.slack, users); n != len(users) {
		t.Fatalf("%d intro DMs for %d people", n, len(users))
	}
	for _, u := range users {
		if c := countIntros(h.slack, u); c != 1 {
			t.Fatalf("%s got %d intro DMs", u, c)
		}
	}
	limited := 0
	for _, c := range h.slack.Calls("chat.postMessage") {
		if c.Status == 429 {
			limited++
		}
	}
	t.Logf("300 DMs through %d rate-limited answers", limited)
	if limited != 40 {
		t.Fatalf("%d 429s seen, want the 40 injected", limited)
	}
}

// A channel's bots and deactivated members are not asked.
func TestAudienceLeavesOutBotsAndDeactivated(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN")
	h.slack.AddUser(fakeslack.User{ID: "UROBOT", Name: "robot", IsBot: true})
	h.slack.AddUser(fakeslack.User{ID: "UGONE", Name: "gone", Deleted: true})
	h.slack.AddChannel("CTEAM", "cs-team", "UAMY", "UBEN", "UROBOT", "UGONE", h.slack.BotUserID())
	// Two people are fewer than the anonymity threshold (3): refused with
	// the reason, once the channel is resolved, and started with `anyway`.
	h.command(admin, leads, "start cs-checklist to <#CTEAM|cs-team> digest <#CLEADS|x> due 3d now")
	h.told(admin, "Only 2 people would answer, fewer than the anonymity threshold of 3")
	h.told(admin, "add `anyway` to the command")
	if ids, _ := h.main.Store.RecentReviews(context.Background(), 1); len(ids) != 0 {
		t.Fatalf("a refused start stored review %v", ids)
	}
	h.command(admin, leads, "start cs-checklist to <#CTEAM|cs-team> digest <#CLEADS|x> due 3d now anyway")
	h.told(admin, "for 2 people")
	h.waitDM("UAMY", `"start"`)
	h.waitDM("UBEN", `"start"`)
	if len(h.slack.DMs("UROBOT"))+len(h.slack.DMs("UGONE")) != 0 {
		t.Fatal("a bot or a deactivated account was asked")
	}
}

// Submit's confirm counts the questions still unanswered. A person who
// reached the last section, went Back and answered there sees the count
// of the last section's message follow: it never overstates what is left.
func TestSubmitConfirmFollowsAnswersAfterBack(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN", "UCAT")
	h.startReview("3d", "UAMY", "UBEN", "UCAT")
	// A section's message, posted at or after index from of Amy's DMs, by
	// its header ("2/6 · …").
	section := func(k, from int) fakeslack.Message {
		t.Helper()
		var m fakeslack.Message
		h.wait(fmt.Sprintf("section %d/6", k), func() bool {
			dms := h.slack.DMs("UAMY")
			for i := len(dms) - 1; i >= from; i-- {
				if strings.Contains(string(dms[i].Blocks), fmt.Sprintf(`"text":"%d/6 · `, k)) {
					m = dms[i]
					return true
				}
			}
			return false
		})
		return m
	}
	h.click("UAMY", h.waitDM("UAMY", `"start"`), "start")
	var last fakeslack.Message
	for k := 1; k <= 6; k++ {
		n := len(h.slack.DMs("UAMY"))
		m := section(k, 0)
		if k == 6 {
			last = m
			break
		}
		h.click("UAMY", m, "next")
		h.wait("the next section's post", func() bool { return len(h.slack.DMs("UAMY")) > n })
	}
	if !strings.Contains(string(last.Blocks), "You have answered 0 of 32") {
		t.Fatalf("the confirm before any answer:\n%s", last.Blocks)
	}
	n := len(h.slack.DMs("UAMY"))
	h.click("UAMY", last, "back")
	before := section(5, n)
	var q string
	for _, m := range regexp.MustCompile(`"action_id":"answer\|([a-z0-9-]+)\|yes"`).FindAllStringSubmatch(string(before.Blocks), 1) {
		q = m[1]
	}
	if q == "" {
		t.Fatalf("no question in the section before:\n%s", before.Blocks)
	}
	h.click("UAMY", before, "answer|"+q+"|yes")
	h.wait("the last section's confirm with the new answer", func() bool {
		for _, m := range h.slack.DMs("UAMY") {
			if m.TS == last.TS {
				return strings.Contains(string(m.Blocks), "You have answered 1 of 32")
			}
		}
		return false
	})
}
