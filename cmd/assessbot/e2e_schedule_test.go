package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/answersheet"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/blocktext"
	"github.com/assessbot/assessbot/internal/fakeslack"
)

var reScheduleID = regexp.MustCompile("Scheduled `(s[a-z0-9]+)`")

func TestScheduleCommands(t *testing.T) {
	h := newHarness(t, "UAMY")
	cases := []struct{ text, want string }{
		{`schedule add "0 9 1 */3" cs-excellence to <@UAMY|amy> digest <#CLEADS|x>`, "not a valid schedule"},
		{`schedule add "0 9 1 */3 *" cs-excellence to <@UAMY|amy> digest <#CLEADS|x> tz Mars/Base`, "unknown time zone"},
		{`schedule add "0 9 * * *" cs-excellence to <@UAMY|amy> digest <#CLEADS|x> window 7d`, "still be open when the next one starts"},
		{`schedule add "0 9 1 */3 *" nope to <@UAMY|amy> digest <#CLEADS|x>`, "There is no framework"},
	}
	for _, tc := range cases {
		h.command(admin, leads, tc.text)
		h.told(admin, tc.want)
	}
	if text := h.command(admin, leads, `schedule add "0 9 1 */3 *" cs-excellence to @amy`); !strings.Contains(text, "autocomplete") {
		t.Errorf("a bad audience was not refused in the ack: %q", text)
	}
	h.command(admin, leads, `schedule add “0 9 1 */3 *” cs-excellence to <@UAMY|amy> digest <#CLEADS|cs-leadership> window 7d tz Europe/Berlin`)
	h.told(admin, "Scheduled `s")
	var id string
	for _, m := range h.slack.Ephemerals(admin) {
		if sm := reScheduleID.FindStringSubmatch(m.Text); sm != nil {
			id = sm[1]
		}
	}
	if id == "" {
		t.Fatal("no schedule id in the reply")
	}
	h.command(admin, leads, "schedule list")
	h.told(admin, "`"+id+"` `0 9 1 */3 *` (Europe/Berlin)")
	h.command(admin, leads, "schedule next "+id)
	h.wait("five next runs", func() bool {
		for _, m := range h.slack.Ephemerals(admin) {
			if strings.HasPrefix(m.Text, "Next runs of `"+id+"`") && strings.Count(m.Text, "09:00 CE") == 5 {
				return true
			}
		}
		return false
	})
	h.command(admin, leads, "schedule pause "+id)
	h.told(admin, "Paused `"+id+"`")
	h.command(admin, leads, "schedule list")
	h.told(admin, "⏸ paused")
	h.command(admin, leads, "schedule resume "+id)
	h.told(admin, "Resumed `"+id+"`")
	h.command(outsider, leads, "schedule remove "+id)
	h.told(outsider, "Only assessbot admins")
	h.command(admin, leads, "schedule remove "+id)
	h.told(admin, "Removed schedule `"+id+"`")
	h.command(admin, leads, "schedule list")
	h.told(admin, "No schedules yet")
}

// A weekly schedule across Berlin, Tokyo and San Francisco: each person gets
// the review in their own morning, reminders reach only those who have not
// submitted, in their working hours, and the second digest shows the change
// since the first, equal to the difference of `assessbot score` results.
func TestScheduledReviewsInLocalTime(t *testing.T) {
	users := map[string]string{"UBER": "Europe/Berlin", "UTOK": "Asia/Tokyo", "USFO": "America/Los_Angeles"}
	h := newHarness(t)
	for u, tz := range users {
		h.slack.AddUser(fakeslack.User{ID: u, Name: strings.ToLower(u), TZ: tz})
	}
	h.setNow(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)) // Monday
	h.command(admin, leads, `schedule add "0 9 * * 1" cs-exec-maturity to <@UBER|b> <@UTOK|t> <@USFO|s> digest <#CLEADS|x> window 2d tz Europe/Berlin`)
	h.told(admin, "Scheduled `s")

	intros := h.introsTo
	reminders := func(u string) int {
		n := 0
		for _, m := range h.slack.DMs(u) {
			if strings.Contains(string(m.Blocks), "⏰") {
				n++
			}
		}
		return n
	}
	step := func(to time.Time, what string, cond func() bool) {
		t.Helper()
		h.setNow(to)
		h.wait(what, cond)
		time.Sleep(250 * time.Millisecond) // let anything wrong happen too
	}
	f, _ := mustCatalog(t).Get("cs-exec-maturity")
	var answerSets []map[string]map[string]assessment.Answer
	for week := 0; week < 2; week++ {
		mon := time.Date(2026, 11, 30+7*week, 0, 0, 0, 0, time.UTC)
		// 9:00 Berlin = 8:00 UTC: Berlin's morning; 17:00 in Tokyo; midnight in San Francisco.
		step(mon.Add(8*time.Hour+time.Second), "Berlin's intro", func() bool { return intros("UBER") == week+1 })
		if intros("UTOK") != week || intros("USFO") != week {
			t.Fatalf("week %d: Tokyo %d and San Francisco %d intros at 8:00 UTC; their mornings are later", week, intros("UTOK"), intros("USFO"))
		}
		step(mon.Add(17*time.Hour+time.Second), "San Francisco's 9:00", func() bool { return intros("USFO") == week+1 })
		if intros("UTOK") != week {
			t.Fatalf("Tokyo got its intro at 2:00 local")
		}
		step(mon.Add(24*time.Hour+time.Second), "Tokyo's 9:00", func() bool { return intros("UTOK") == week+1 })

		// Berlin and Tokyo answer and submit; San Francisco answers half and stops.
		answers := map[string]map[string]assessment.Answer{}
		for i, u := range []string{"UBER", "UTOK", "USFO"} {
			a := plan(f, i+week*3, false)
			if u == "USFO" {
				for q := range a {
					if q < "m" {
						delete(a, q)
					}
				}
			}
			answers[u] = a
			intro := h.latestIntro(u)
			n := len(h.slack.DMs(u))
			h.click(u, intro, "start")
			h.wait("the section", func() bool { return len(h.slack.DMs(u)) > n })
			h.answerSection(u, f, 0, a)
			h.waitAnswersIn(u, a)
			if u != "USFO" {
				sub := h.waitDM(u, `"submit"`)
				h.click(u, sub, "submit")
				h.wait("thanks", func() bool { _, ok := h.dmWith(u, "Thank you"); return ok && h.submittedCount() >= 1 })
			}
		}
		answerSets = append(answerSets, answers)

		// Reminders: halfway is Tuesday 8:00 UTC; only San Francisco has not
		// submitted, and 8:00 UTC is midnight there: it waits for 9:00.
		step(mon.Add(32*time.Hour+time.Second), "nothing at 8:00 UTC", func() bool { return true })
		if reminders("USFO") != week {
			t.Fatalf("San Francisco was reminded at midnight local")
		}
		step(mon.Add(41*time.Hour+time.Second), "San Francisco's reminder", func() bool { return reminders("USFO") == week+1 })
		for _, u := range []string{"UBER", "UTOK"} {
			if reminders(u) != 0 {
				t.Fatalf("%s submitted and was still reminded", u)
			}
		}
		// The window ends Wednesday 8:00 UTC: one digest.
		step(mon.Add(56*time.Hour+time.Second), "the digest", func() bool { return len(h.digests()) == week+1 })
	}
	msgs := h.digests()
	if len(msgs) != 2 {
		t.Fatalf("%d digests, want 2", len(msgs))
	}
	second := blocktext.Render(msgs[1].Blocks, nil)
	t.Logf("second digest:\n%s", second)
	if !reSince.MatchString(second) {
		t.Fatalf("the second digest has no trend")
	}
	// The change equals the difference of `assessbot score` on the two answer sets.
	var scores []float64
	for _, set := range answerSets {
		var resp []assessment.Response
		for _, u := range []string{"UBER", "UTOK", "USFO"} {
			resp = append(resp, assessment.Response{Respondent: u, Answers: set[u]})
		}
		var csv bytes.Buffer
		if err := answersheet.Write(&csv, f, resp); err != nil {
			t.Fatal(err)
		}
		out := scoreJSONFor(t, "cs-exec-maturity", csv.Bytes())
		scores = append(scores, *out.Sections[0].Score)
	}
	delta := math.Round((scores[1] - scores[0]) * 100)
	// A section that did not move by a point is not among the changes;
	// the message says so.
	want := "No section moved by a point or more since"
	switch {
	case delta > 0:
		want = "▲ +" + strconv.Itoa(int(delta))
	case delta < 0:
		want = "▼ −" + strconv.Itoa(int(-delta))
	}
	if !strings.Contains(second, want) {
		t.Fatalf("digest change should be %q (%.3f → %.3f)", want, scores[0], scores[1])
	}
}

// reSince finds a digest's comparison with the previous review: "since
// 2 Nov 2026".
var reSince = regexp.MustCompile(`since \d{1,2} [A-Z][a-z]{2} \d{4}`)

// latestIntro returns the newest intro DM of a user.
func (h *harness) latestIntro(u string) fakeslack.Message {
	h.t.Helper()
	return h.waitDM(u, "asked you to take part")
}

func (h *harness) submittedCount() int {
	ids, _ := h.main.Store.RecentReviews(context.Background(), 1)
	if len(ids) == 0 {
		return 0
	}
	sub, _ := h.main.Store.Submitted(context.Background(), ids[0])
	return len(sub)
}

// waitAnswersIn waits until the latest review holds all of a user's answers.
func (h *harness) waitAnswersIn(u string, a map[string]assessment.Answer) {
	h.t.Helper()
	h.wait(fmt.Sprintf("%d answers of %s", len(a), u), func() bool { return len(h.responses()[u]) >= len(a) })
}

// Two replicas on one Redis, a two-hourly schedule, 100 runs: exactly 100
// reviews, 100 intro DMs and 100 digests.
func TestReplicasExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("100 simulated hours")
	}
	replicasExactlyOnce(t, "", 100)
}

// replicasExactlyOnce runs two replicas on the Redis at redisURL ("" = the
// shared test Redis) through runs runs of a two-hourly schedule.
func replicasExactlyOnce(t *testing.T, redisURL string, runs int) {
	h := newHarnessOn(t, redisURL, "UAMY")
	h.tick = 40 * time.Millisecond
	h.main.Close()
	h.main = nil
	h.start()
	other := h.open()
	defer other.Close()
	start := time.Date(2027, 1, 4, 0, 10, 0, 0, time.UTC)
	h.setNow(start)
	if text := h.command(admin, leads, `schedule add "0 */2 * * *" cs-checklist to <@UAMY|amy> digest <#CLEADS|x> window 1h tz UTC now remind none`); text != "" {
		t.Fatal(text)
	}
	h.told(admin, "Scheduled `s")
	for i := 1; i <= runs+1; i++ {
		h.setNow(start.Add(time.Duration(2*i)*time.Hour - 10*time.Minute + time.Second))
		want := min(i, runs)
		h.wait(fmt.Sprintf("run %d", i), func() bool {
			return countIntros(h.slack, "UAMY") >= want && len(h.digests()) >= i-1
		})
		if n, d := countIntros(h.slack, "UAMY"), len(h.digests()); n > want || d > i-1 {
			t.Fatalf("run %d: %d intro DMs and %d digests, want %d and %d", i, n, d, want, i-1)
		}
		if i == runs {
			h.command(admin, leads, "schedule list")
			h.told(admin, "`s")
			// Stop the schedule so the last hour only closes.
			for _, m := range h.slack.Ephemerals(admin) {
				if sm := reScheduleID.FindStringSubmatch(m.Text); sm != nil {
					h.command(admin, leads, "schedule pause "+sm[1])
				}
			}
			h.told(admin, "Paused")
		}
	}
	time.Sleep(300 * time.Millisecond)
	ids, _ := h.main.Store.RecentReviews(context.Background(), 1000)
	if len(ids) != runs || countIntros(h.slack, "UAMY") != runs || len(h.digests()) != runs {
		t.Fatalf("reviews %d, intro DMs %d, digests %d; want %d of each", len(ids), countIntros(h.slack, "UAMY"), len(h.digests()), runs)
	}
	logs := h.logs.String()
	started, posted := strings.Count(logs, `msg="scheduled review started"`), strings.Count(logs, `msg="digest posted"`)
	if started != runs || posted != runs {
		t.Fatalf("logs: %d reviews started, %d digests posted; want %d each", started, posted, runs)
	}
	replicas := map[string]bool{}
	for _, m := range regexp.MustCompile(`msg="scheduled review started".* replica=(\S+)`).FindAllStringSubmatch(logs, -1) {
		replicas[m[1]] = true
	}
	t.Logf("runs started by %d replicas", len(replicas))
}

// The schedule form: errors go back into it; a good one schedules.
func TestScheduleModal(t *testing.T) {
	h := newHarness(t, "UAMY")
	h.command(admin, leads, "schedule")
	var v fakeslack.View
	h.wait("the schedule modal", func() bool {
		for _, x := range h.slack.Views(admin) {
			if x.CallbackID == "schedule_review" {
				v = x
				return true
			}
		}
		return false
	})
	bad := map[string]map[string]any{
		"spec":      {"v": map[string]any{"type": "plain_text_input", "value": "every day"}},
		"tz":        {"v": map[string]any{"type": "plain_text_input", "value": "Europe/Berlin"}},
		"window":    {"v": map[string]any{"type": "number_input", "value": "0"}},
		"reminders": {"v": map[string]any{"type": "plain_text_input", "value": "sometimes"}},
	}
	ack, err := h.slack.SubmitView(h.ctx, admin, v, bad)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"spec":`, `"window":`, `"reminders":`, `"framework":`, `"people":`} {
		if !strings.Contains(string(ack.Payload), field) {
			t.Errorf("no error for %s in %s", field, ack.Payload)
		}
	}
	good := map[string]map[string]any{
		"framework": {"v": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "cs-excellence", "text": map[string]any{"type": "plain_text", "text": "x"}}}},
		"people":    {"v": map[string]any{"type": "multi_users_select", "selected_users": []string{"UAMY"}}},
		"digest":    {"v": map[string]any{"type": "conversations_select", "selected_conversation": leads}},
		"threshold": {"v": map[string]any{"type": "number_input", "value": "3"}},
		"spec":      {"v": map[string]any{"type": "plain_text_input", "value": "0 9 1 */3 *"}},
		"tz":        {"v": map[string]any{"type": "plain_text_input", "value": "Asia/Tokyo"}},
		"window":    {"v": map[string]any{"type": "number_input", "value": "7"}},
		"reminders": {"v": map[string]any{"type": "plain_text_input", "value": "50%,24h"}},
	}
	if _, err := h.slack.SubmitView(h.ctx, admin, v, good); err != nil {
		t.Fatal(err)
	}
	h.told(admin, "Scheduled `s")
	h.command(admin, leads, "status")
	h.told(admin, "Upcoming runs")
}

// A reminder's buttons: snooze moves the next one to tomorrow; opt-out
// stops them.
func TestReminderSnoozeAndOptOut(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN")
	h.setNow(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)) // Monday; both users in Los Angeles
	h.command(admin, leads, "start cs-checklist to <@UAMY|a> <@UBEN|b> digest <#CLEADS|x> due 5d now remind 25%,50%,75% anyway")
	h.told(admin, "Started review")
	h.waitDM("UAMY", `"start"`)
	h.waitDM("UBEN", `"start"`)
	reminders := func(u string) []fakeslack.Message {
		var out []fakeslack.Message
		for _, m := range h.slack.DMs(u) {
			if strings.Contains(string(m.Blocks), "⏰") {
				out = append(out, m)
			}
		}
		return out
	}
	// 25% of five days: Tuesday 16:00 UTC = 8:00 in Los Angeles → 9:00 local (17:00 UTC).
	h.setNow(time.Date(2026, 11, 24, 17, 0, 1, 0, time.UTC))
	h.wait("the first reminders", func() bool { return len(reminders("UAMY")) == 1 && len(reminders("UBEN")) == 1 })
	h.click("UAMY", reminders("UAMY")[0], "snooze")
	h.waitDM("UAMY", "remind you again")
	h.click("UBEN", reminders("UBEN")[0], "optout")
	h.waitDM("UBEN", "no more reminders")
	// 50%: Wednesday 22:00 UTC = 14:00 local. Amy snoozed until Wednesday
	// 17:00 UTC, so she gets it; Ben opted out.
	h.setNow(time.Date(2026, 11, 25, 22, 0, 1, 0, time.UTC))
	// (The snoozed and opted-out reminders were replaced by their notes.)
	h.wait("amy's second reminder", func() bool { return len(reminders("UAMY")) == 1 })
	time.Sleep(300 * time.Millisecond)
	if n := len(reminders("UBEN")); n != 0 {
		t.Fatalf("ben opted out and got %d more reminders", n)
	}
	if sent := strings.Count(h.logs.String(), `msg="reminder sent" review=`); sent != 3 {
		t.Fatalf("%d reminders sent, want 3 (two on Tuesday, amy's on Wednesday)", sent)
	}
}

// introsTo counts the intro DMs user has been sent.
func (h *harness) introsTo(user string) int {
	n := 0
	for _, m := range h.slack.DMs(user) {
		if strings.Contains(string(m.Blocks), "asked you to take part") {
			n++
		}
	}
	return n
}
