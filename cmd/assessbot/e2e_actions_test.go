package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/blocktext"
	"github.com/assessbot/assessbot/internal/fakeslack"
)

// answerAll has each user start the latest review from its intro,
// answer every question of cs-exec-maturity (one section) and submit.
func (h *harness) answerAll(f *assessment.Framework, users []string, seed int) {
	h.t.Helper()
	for i, u := range users {
		a := plan(f, i+seed, false)
		before := len(h.slack.DMs(u))
		h.click(u, h.latestIntro(u), "start")
		h.wait("the section", func() bool { return len(h.slack.DMs(u)) > before })
		h.answerSection(u, f, 0, a)
		h.waitAnswersIn(u, a)
		n := h.submittedCount()
		h.click(u, h.waitDM(u, `"submit"`), "submit")
		h.wait("the submission", func() bool { return h.submittedCount() > n })
	}
}

// threadMessages are the replies in the digest channel's threads that
// contain s.
func (h *harness) threadMessages(s string) []fakeslack.Message {
	var out []fakeslack.Message
	for _, m := range h.slack.ChannelMessages(leads) {
		if m.ThreadTS != "" && m.ThreadTS != m.TS && strings.Contains(string(m.Blocks), s) {
			out = append(out, m)
		}
	}
	return out
}

// planButton returns the digest's message or thread reply with the "Plan
// an action" button of section ("" for the message's).
func (h *harness) planButton(section string) fakeslack.Message {
	h.t.Helper()
	var msg fakeslack.Message
	h.wait("a Plan an action button", func() bool {
		for _, m := range h.slack.ChannelMessages(leads) {
			if strings.Contains(string(m.Blocks), `"plan|`+section+`"`) {
				msg = m
			}
		}
		return msg.TS != ""
	})
	return msg
}

// openModal clicks actionID in msg as user and returns the modal with
// callbackID it opens.
func (h *harness) openModal(user string, msg fakeslack.Message, actionID, callbackID string) fakeslack.View {
	h.t.Helper()
	before := len(h.slack.Views(user))
	h.click(user, msg, actionID)
	var v fakeslack.View
	h.wait("the "+callbackID+" modal", func() bool {
		vs := h.slack.Views(user)
		for _, x := range vs[min(before, len(vs)):] {
			if x.CallbackID == callbackID {
				v = x
				return true
			}
		}
		return false
	})
	return v
}

// propose fills and submits a plan modal.
func (h *harness) propose(user string, v fakeslack.View, what, owner string, due time.Time) {
	h.t.Helper()
	if _, err := h.slack.SubmitView(h.ctx, user, v, map[string]map[string]any{
		"what":  {"v": map[string]any{"type": "plain_text_input", "value": what}},
		"owner": {"v": owner},
		"due":   {"v": due.Format("2006-01-02")},
	}); err != nil {
		h.t.Fatalf("submit the plan: %v", err)
	}
}

// actions returns the stored actions of a review.
func (h *harness) actions(reviewID string) []*assessment.Action {
	all, err := h.main.Store.ReviewActions(context.Background(), reviewID)
	if err != nil {
		h.t.Fatal(err)
	}
	return all
}

var reActionID = regexp.MustCompile("action `(a[a-z0-9]+)`")

// The whole action loop on a schedule: a respondent plans an action from
// a section's reply in the digest's thread; its owner is asked in a DM and
// accepts; the action's one message in the thread is edited in place;
// `/review actions` and the App Home show it; the owner is reminded three
// days before in their working hours, once, and marks it done from the
// reminder; no reminder on the day; the next digest of the schedule
// reports the follow-through in its header and beside the section.
func TestActionLoop(t *testing.T) {
	users := []string{"UAMY", "UBEN", "UCAT"}
	h := newHarness(t, users...)
	f, _ := mustCatalog(t).Get("cs-exec-maturity")
	start := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC) // Monday
	h.setNow(start)
	h.command(admin, leads, `schedule add "0 9 * * 1" cs-exec-maturity to <@UAMY|a> <@UBEN|b> <@UCAT|c> digest <#CLEADS|x> window 1d tz UTC now remind none`)
	h.told(admin, "Scheduled `s")
	h.setNow(start.Add(time.Hour + time.Second))
	h.wait("the intros", func() bool { return countIntros(h.slack, "UCAT") == 1 })
	h.answerAll(f, users, 0)
	h.setNow(start.Add(26 * time.Hour)) // Tuesday 10:00 UTC: the window is over
	h.wait("the first digest", func() bool { return len(h.digests()) == 1 })
	first := h.latestReviewID()

	// An outsider may not plan; a respondent may, from the section's reply.
	reply := h.planButton("executive")
	h.click(outsider, reply, "plan|executive")
	h.told(outsider, "Only assessbot admins and the people asked")
	v := h.openModal("UAMY", reply, "plan|executive", "plan_action")
	due := time.Date(2027, 1, 8, 0, 0, 0, 0, time.UTC) // Friday
	h.propose("UAMY", v, "Write the renewal playbook", "UBEN", due)
	h.told("UAMY", "I asked <@UBEN> to accept")
	proposal := h.waitDM("UBEN", `"accept"`)
	h.wait("the action in the thread", func() bool { return len(h.threadMessages("Write the renewal playbook")) == 1 })
	if got := blocktext.Render(h.threadMessages("Write the renewal playbook")[0].Blocks, nil); !strings.Contains(got, "waiting for @UBEN") || !strings.Contains(got, "Proposed by @UAMY") {
		t.Fatalf("the thread message says:\n%s", got)
	}

	// Only the owner accepts.
	h.click("UCAT", proposal, "accept")
	h.told("UCAT", "Only the action's owner, <@UBEN>")
	h.click("UBEN", proposal, "accept")
	h.wait("the thread message edited", func() bool {
		ms := h.threadMessages("Write the renewal playbook")
		return len(ms) == 1 && strings.Contains(string(ms[0].Blocks), "accepted") && ms[0].Updated >= 1
	})
	if as := h.actions(first); len(as) != 1 || as[0].Status != assessment.ActionAccepted || as[0].Owner != "UBEN" || as[0].Proposer != "UAMY" || as[0].Section != "executive" {
		t.Fatalf("stored actions: %+v", as)
	}

	// The owner sees it in /review actions and in the App Home.
	h.command("UBEN", leads, "actions")
	h.told("UBEN", "Write the renewal playbook")
	if _, err := h.slack.AppHomeOpened(h.ctx, "UBEN"); err != nil {
		t.Fatal(err)
	}
	h.wait("the owner's App Home with the action", func() bool {
		home, ok := h.slack.Home("UBEN")
		return ok && strings.Contains(string(home.JSON), "Your actions") && strings.Contains(string(home.JSON), `"done|`)
	})

	// Reminded three days before, in the owner's working hours: Tuesday
	// 9:00 in Los Angeles is 17:00 UTC.
	reminders := func(s string) int {
		n := 0
		for _, m := range h.slack.DMs("UBEN") {
			if strings.Contains(string(m.Blocks), s) {
				n++
			}
		}
		return n
	}
	h.setNow(time.Date(2027, 1, 5, 16, 0, 0, 0, time.UTC))
	time.Sleep(300 * time.Millisecond)
	if reminders("is due on Fri 8 Jan 2027") != 0 {
		t.Fatal("reminded at 8:00 in Los Angeles")
	}
	h.setNow(time.Date(2027, 1, 5, 17, 0, 1, 0, time.UTC))
	h.wait("the owner's reminder", func() bool { return reminders("is due on Fri 8 Jan 2027") == 1 })
	h.restart() // a restart sends nothing twice
	time.Sleep(300 * time.Millisecond)
	if n := reminders("is due on Fri 8 Jan 2027"); n != 1 {
		t.Fatalf("%d reminders three days before", n)
	}
	h.click("UBEN", h.waitDM("UBEN", "is due on Fri 8 Jan 2027"), "done")
	h.wait("the thread message says done", func() bool {
		ms := h.threadMessages("Write the renewal playbook")
		return len(ms) == 1 && strings.Contains(string(ms[0].Blocks), "✅ done")
	})
	h.setNow(time.Date(2027, 1, 8, 17, 0, 1, 0, time.UTC))
	time.Sleep(300 * time.Millisecond)
	if n := reminders("is due today"); n != 0 {
		t.Fatalf("a done action was reminded on its day (%d)", n)
	}

	// The next run of the schedule reports the follow-through.
	h.setNow(time.Date(2027, 1, 11, 9, 0, 1, 0, time.UTC))
	for _, u := range users {
		// Everyone's, or an answer may go to the first run's intro.
		h.wait("the second intro of "+u, func() bool { return countIntros(h.slack, u) == 2 })
	}
	h.answerAll(f, users, 3)
	h.setNow(time.Date(2027, 1, 12, 10, 0, 0, 0, time.UTC))
	h.wait("the second digest", func() bool { return len(h.digests()) == 2 })
	second := blocktext.Render(h.digests()[1].Blocks, nil)
	if !strings.Contains(second, "Actions since last review: 1 done, 0 open, 0 dropped") {
		t.Fatalf("the second digest lacks the follow-through:\n%s", second)
	}
	h.wait("the follow-through in the thread", func() bool { return len(h.threadMessages("1 of 1 action done")) > 0 })
	if n := len(h.threadMessages("Write the renewal playbook")); n != 1 {
		t.Fatalf("the action's message is in the threads %d times", n)
	}
}

// A declined action goes back to its proposer; the thread message and
// the owner's DM say so; nobody but the owner may decline it; the export
// lists it.
func TestActionDeclined(t *testing.T) {
	users := []string{"UAMY", "UBEN", "UCAT"}
	h := newHarness(t, users...)
	f, _ := mustCatalog(t).Get("cs-exec-maturity")
	h.closedReview(f, users)

	// The admin plans from the digest's message: no section pre-filled.
	v := h.openModal(admin, h.planButton(""), "plan|", "plan_action")
	ack, err := h.slack.SubmitView(h.ctx, admin, v, map[string]map[string]any{
		"what": {"v": map[string]any{"type": "plain_text_input", "value": "=HYPERLINK(\"x\") Hire a CS ops lead"}}, "owner": {"v": "UCAT"},
		"due": {"v": h.now().AddDate(0, 0, 20).Format("2006-01-02")},
	})
	if err != nil || !strings.Contains(string(ack.Payload), "Choose a section") {
		t.Fatalf("a plan without a section: %s %v", ack.Payload, err)
	}
	// The modal stays open with what was typed: choose the section.
	if _, err := h.slack.SubmitView(h.ctx, admin, v, map[string]map[string]any{"section": {"v": "executive"}}); err != nil {
		t.Fatal(err)
	}
	proposal := h.waitDM("UCAT", `"decline"`)
	h.click("UAMY", proposal, "decline")
	h.told("UAMY", "Only the action's owner, <@UCAT>")
	h.click("UCAT", proposal, "decline")
	h.wait("the proposer told", func() bool { _, ok := h.dmWith(admin, "declined the action you proposed"); return ok })
	h.wait("the thread message edited", func() bool {
		ms := h.threadMessages("Hire a CS ops lead")
		return len(ms) == 1 && strings.Contains(string(ms[0].Blocks), "declined")
	})
	h.wait("the owner's DM replaced", func() bool {
		m, ok := h.slack.Message(proposal.Channel, proposal.TS)
		return ok && strings.Contains(string(m.Blocks), "declined") && !strings.Contains(string(m.Blocks), `"accept"`)
	})
	as := h.actions(h.latestReviewID())
	if len(as) != 1 || as[0].Status != assessment.ActionDeclined {
		t.Fatalf("stored actions: %+v", as)
	}
	// The admin's list shows it under the review; nobody's open list does.
	h.command(admin, leads, "actions "+as[0].Review)
	h.told(admin, "↩️ declined")
	if home := h.homeOf("UCAT"); strings.Contains(home, "Hire a CS ops lead") {
		t.Fatalf("a declined action in its owner's App Home:\n%s", home)
	}
	if m := reActionID.FindStringSubmatch(string(h.threadMessages("Hire a CS ops lead")[0].Blocks)); m == nil || m[1] != as[0].ID {
		t.Fatalf("the thread message does not name action %s", as[0].ID)
	}

	// The export has the actions in a CSV of their own, every typed cell
	// neutralised for spreadsheets.
	h.command(admin, leads, "export")
	var csvFile fakeslack.File
	h.wait("the actions CSV", func() bool {
		for _, f := range h.slack.Files() {
			if strings.HasSuffix(f.Name, "-actions.csv") && f.Completed {
				csvFile = f
				return true
			}
		}
		return false
	})
	rows, err := csv.NewReader(bytes.NewReader(csvFile.Content)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("actions CSV: %v\n%s", err, csvFile.Content)
	}
	row := map[string]string{}
	for i, col := range rows[0] {
		row[col] = rows[1][i]
	}
	if row["action"] != as[0].ID || row["owner"] != "UCAT" || row["proposer"] != admin || row["status"] != "declined" ||
		row["section"] != "executive" || row["what"] != `'=HYPERLINK("x") Hire a CS ops lead` {
		t.Fatalf("actions CSV row: %v", row)
	}
}

// homeOf opens a person's App Home and returns its blocks.
func (h *harness) homeOf(user string) string {
	h.t.Helper()
	before, _ := h.slack.Home(user)
	if _, err := h.slack.AppHomeOpened(h.ctx, user); err != nil {
		h.t.Fatal(err)
	}
	var home fakeslack.View
	h.wait(fmt.Sprintf("%s's App Home", user), func() bool {
		var ok bool
		home, ok = h.slack.Home(user)
		return ok && home.Hash != before.Hash
	})
	return string(home.JSON)
}

// The plan modal of a section with an improvement-actions question (the
// SaaS CS assessment) offers the team's written suggestions only when the
// disclosure model shows open answers: not at three respondents (below
// the detail threshold of five), and at five without a name. The answers
// are saved through the store, as the respondents' clicks would save them.
func TestActionSuggestionsKeepAnonymity(t *testing.T) {
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("%d respondents", n), func(t *testing.T) {
			users := []string{"UAMY", "UBEN", "UCAT", "UDAN", "UEVE"}[:n]
			h := newHarness(t, users...)
			f, _ := mustCatalog(t).Get("saas-cs-assessment")
			mentions := make([]string, n)
			for i, u := range users {
				mentions[i] = "<@" + u + "|x>"
			}
			h.command(admin, leads, "start saas-cs-assessment to "+strings.Join(mentions, " ")+" digest <#CLEADS|x> due 3d now remind none")
			h.wait("the intros", func() bool { return countIntros(h.slack, users[n-1]) == 1 })
			id := h.latestReviewID()
			ctx := context.Background()
			for i, u := range users {
				answers := plan(f, i, false)
				// Everyone writes an improvement action for the first section.
				answers["financial-actions"] = assessment.Answer{Text: fmt.Sprintf("answer %d to financial-actions: name an owner", i)}
				for q, a := range answers {
					if _, _, err := h.main.Store.SaveAnswer(ctx, id, u, q, a, false); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := h.main.Store.Submit(ctx, id, u); err != nil {
					t.Fatal(err)
				}
			}
			h.command(admin, leads, "close")
			h.wait("the digest", func() bool { return len(h.digests()) == 1 })
			v := h.openModal("UAMY", h.planButton("financial"), "plan|financial", "plan_action")
			modal := string(v.JSON)
			written := 0
			for i := range users {
				if strings.Contains(modal, fmt.Sprintf("answer %d to financial-actions", i)) {
					written++
				}
			}
			switch {
			case n < 5 && (written > 0 || strings.Contains(modal, "What the team suggested")):
				t.Fatalf("below the detail threshold the modal offers the written suggestions:\n%s", modal)
			case n >= 5 && written == 0:
				t.Fatalf("at the detail threshold the modal offers no suggestion:\n%s", modal)
			}
			for _, u := range users {
				if strings.Contains(modal, u) || strings.Contains(modal, strings.ToLower(u)) {
					t.Fatalf("the modal names %s:\n%s", u, modal)
				}
			}
		})
	}
}

// Update and Drop: a respondent who neither owns the action nor is an
// admin may not drop it; an admin updates it from the App Home to a new
// owner, who is asked to accept it, and drops it; the thread message
// follows each change in place.
func TestActionUpdateAndDrop(t *testing.T) {
	users := []string{"UAMY", "UBEN", "UCAT"}
	h := newHarness(t, users...)
	f, _ := mustCatalog(t).Get("cs-exec-maturity")
	h.closedReview(f, users)
	v := h.openModal("UAMY", h.planButton("executive"), "plan|executive", "plan_action")
	h.propose("UAMY", v, "Map the onboarding journey", "UBEN", h.now().AddDate(0, 0, 10))
	h.click("UBEN", h.waitDM("UBEN", `"accept"`), "accept")
	thread := func(s string) bool {
		ms := h.threadMessages("Map the onboarding journey")
		return len(ms) == 1 && strings.Contains(string(ms[0].Blocks), s)
	}
	h.wait("accepted in the thread", func() bool { return thread("accepted") })
	id := h.actions(h.latestReviewID())[0].ID

	// As if a process died inside the thread's post, after Slack took it:
	// the store has no ref, only the mark of the post under way. The next
	// attempt finds the message and edits it; it never posts a second.
	a := h.actions(h.latestReviewID())[0]
	posted := h.threadMessages("Map the onboarding journey")[0]
	a.Thread, a.ThreadSince, a.Rev = assessment.MessageRef{}, time.Now().Add(-10*time.Second), a.Rev+1
	if saved, err := h.main.Store.SaveAction(h.ctx, a); err != nil || !saved {
		t.Fatalf("save: %v %v", saved, err)
	}
	if err := h.main.Store.AddJobs(h.ctx, []assessment.Job{{Kind: assessment.JobActionNotify, Review: a.Review, N: a.Rev, Action: a.ID, At: h.now()}}); err != nil {
		t.Fatal(err)
	}
	h.wait("the message found and recorded", func() bool {
		b := h.actions(h.latestReviewID())[0]
		return b.Thread.TS == posted.TS && b.Shown == b.Rev
	})
	if ms := h.threadMessages("Map the onboarding journey"); len(ms) != 1 || ms[0].Updated < 2 {
		t.Fatalf("after a post lost to a crash: %d thread messages (%+v)", len(ms), ms)
	}

	h.command("UCAT", leads, "actions "+h.latestReviewID())
	var list fakeslack.Message
	h.wait("the review's actions for a respondent", func() bool {
		for _, m := range append(h.slack.Ephemerals("UCAT"), h.slack.DMs("UCAT")...) {
			if strings.Contains(string(m.Blocks), `"drop|`+id+`"`) {
				list = m
				return true
			}
		}
		return false
	})
	h.click("UCAT", list, "drop|"+id)
	h.told("UCAT", "Only the action's owner, <@UBEN>")

	home := h.homeOf(admin)
	if !strings.Contains(home, "Open actions of every review") || !strings.Contains(home, `"update|`+id+`"`) {
		t.Fatalf("the admin's App Home lacks the open action:\n%s", home)
	}
	hv, _ := h.slack.Home(admin)
	before := len(h.slack.Views(admin))
	if _, err := h.slack.ClickInView(h.ctx, admin, hv, "update|"+id, ""); err != nil {
		t.Fatal(err)
	}
	var upd fakeslack.View
	h.wait("the update modal", func() bool {
		for _, x := range h.slack.Views(admin)[before:] {
			if x.CallbackID == "update_action" {
				upd = x
				return true
			}
		}
		return false
	})
	if _, err := h.slack.SubmitView(h.ctx, admin, upd, map[string]map[string]any{"owner": {"v": "UCAT"}}); err != nil {
		t.Fatal(err)
	}
	h.waitDM("UCAT", `"accept"`)
	h.wait("a new owner in the thread", func() bool { return thread("waiting for \\u003c@UCAT\\u003e") })
	hv, _ = h.slack.Home(admin)
	if _, err := h.slack.ClickInView(h.ctx, admin, hv, "drop|"+id, ""); err != nil {
		t.Fatal(err)
	}
	h.wait("dropped in the thread", func() bool { return thread("dropped") })
	if as := h.actions(h.latestReviewID()); as[0].Status != assessment.ActionDropped || as[0].Owner != "UCAT" {
		t.Fatalf("stored: %+v", as[0])
	}
	if home := h.homeOf("UCAT"); strings.Contains(home, "Map the onboarding journey") {
		t.Fatalf("a dropped action in its owner's App Home:\n%s", home)
	}
}

// An owner's reminder: "Remind me tomorrow" brings it back a day later,
// once; "No more reminders" stops every other, the day's included.
func TestActionReminderSnoozeAndStop(t *testing.T) {
	users := []string{"UAMY", "UBEN", "UCAT"}
	h := newHarness(t, users...)
	f, _ := mustCatalog(t).Get("cs-exec-maturity")
	h.setNow(time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)) // Monday
	h.closedReview(f, users)
	v := h.openModal("UAMY", h.planButton("executive"), "plan|executive", "plan_action")
	h.propose("UAMY", v, "Write the renewal playbook", "UBEN", time.Date(2027, 1, 8, 0, 0, 0, 0, time.UTC))
	h.click("UBEN", h.waitDM("UBEN", `"accept"`), "accept")
	// Reminders, as sent or as replaced once snoozed or stopped.
	reminders := func() int {
		n := 0
		for _, m := range h.slack.DMs("UBEN") {
			for _, s := range []string{"⏰ Your action", "I will remind you of this action", "no more reminders for this action"} {
				if strings.Contains(string(m.Blocks), s) {
					n++
					break
				}
			}
		}
		return n
	}
	h.wait("the action accepted", func() bool { return len(h.threadMessages("accepted")) == 1 })
	// Tuesday 9:00 in Los Angeles: the first reminder; snoozed.
	h.setNow(time.Date(2027, 1, 5, 17, 0, 1, 0, time.UTC))
	h.wait("the first reminder", func() bool { return reminders() == 1 })
	first, _ := h.dmWith("UBEN", "⏰ Your action")
	h.click("UBEN", first, "actsnooze")
	h.wait("the reminder replaced", func() bool {
		m, ok := h.slack.Message(first.Channel, first.TS)
		return ok && strings.Contains(string(m.Blocks), "I will remind you of this action tomorrow")
	})
	h.setNow(time.Date(2027, 1, 6, 16, 0, 0, 0, time.UTC))
	time.Sleep(300 * time.Millisecond)
	if n := reminders(); n != 1 {
		t.Fatalf("%d reminders before the snooze ended", n)
	}
	h.setNow(time.Date(2027, 1, 6, 17, 0, 2, 0, time.UTC))
	h.wait("the reminder after the snooze", func() bool { return reminders() == 2 })
	var second fakeslack.Message
	for _, m := range h.slack.DMs("UBEN") {
		if strings.Contains(string(m.Blocks), `"actstop"`) {
			second = m
		}
	}
	h.click("UBEN", second, "actstop")
	h.wait("reminders stopped", func() bool {
		m, ok := h.slack.Message(second.Channel, second.TS)
		return ok && strings.Contains(string(m.Blocks), "no more reminders")
	})
	h.setNow(time.Date(2027, 1, 8, 17, 0, 1, 0, time.UTC))
	time.Sleep(300 * time.Millisecond)
	if n := reminders(); n != 2 {
		t.Fatalf("%d reminders after No more reminders, want 2", n)
	}
}

// closedReview starts a review of f to users (reminders off), has them
// answer everything and closes it, waiting for its digest.
func (h *harness) closedReview(f *assessment.Framework, users []string) {
	h.t.Helper()
	var mentions []string
	for _, u := range users {
		mentions = append(mentions, "<@"+u+"|"+strings.ToLower(u)+">")
	}
	h.command(admin, leads, "start "+f.ID+" to "+strings.Join(mentions, " ")+" digest <#CLEADS|x> due 3d now remind none")
	last := users[len(users)-1]
	h.wait("the intros", func() bool { return countIntros(h.slack, last) == 1 })
	h.answerAll(f, users, 0)
	h.command(admin, leads, "close")
	h.wait("the digest", func() bool { return len(h.digests()) == 1 })
}
