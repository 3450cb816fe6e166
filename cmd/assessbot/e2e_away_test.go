package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/fakeslack"
	"github.com/assessbot/assessbot/internal/schedule"
)

// People who are away, through fakeslack and real Redis on a moved clock,
// in Los Angeles, Berlin and Tokyo (both sides of UTC). A review starts on
// Monday 30 Nov 2026 at 7:00 UTC, due a week later, reminders halfway:
//
//   - UPAC (Los Angeles): vacation until Wednesday 18:00 there: their intro
//     waits for Thursday 9:00 there;
//   - UTOK (Tokyo): out of office until Tuesday 20:00 there: Wednesday 9:00
//     there;
//   - UBER (Berlin): parental leave without an end: looked at again each
//     morning, the intro on the first morning after the status is cleared;
//   - ULAT (Los Angeles): no status when the review starts; sick (an emoji
//     only) from before their intro's morning, until Tuesday 23:00: the job
//     reads the status when it runs, and the intro waits for Wednesday;
//   - UALL (Tokyo): holiday beyond the deadline: no intro at all, counted
//     away in /review status and in the digest, out of the response rate;
//   - UPRE, UPR2 (Los Angeles): there. UPRE sets "OOO" before the halfway
//     reminder, which is skipped; UPR2 gets theirs.
//
// A restart while intros wait shows that a moved intro lives in the
// durable queue. Each person gets one intro at most; /review status counts
// the away apart from those not started; the digest says "2 of 6
// responded … 1 was away"; after it, nothing in Redis says who was away
// and no log line names an away person beside the review.
func TestPeopleWhoAreAway(t *testing.T) {
	zones := map[string]string{
		"UPAC": "America/Los_Angeles", "UTOK": "Asia/Tokyo", "UBER": "Europe/Berlin", "ULAT": "America/Los_Angeles",
		"UALL": "Asia/Tokyo", "UPRE": "America/Los_Angeles", "UPR2": "America/Los_Angeles",
	}
	users := []string{"UPAC", "UTOK", "UBER", "ULAT", "UALL", "UPRE", "UPR2"}
	h := newHarness(t)
	for _, u := range users {
		h.slack.AddUser(fakeslack.User{ID: u, Name: strings.ToLower(u), TZ: zones[u]})
	}
	la, tokyo, berlin := mustZone(t, "America/Los_Angeles"), mustZone(t, "Asia/Tokyo"), mustZone(t, "Europe/Berlin")
	h.slack.SetStatus("UPAC", fakeslack.Status{Text: "Vacation", Emoji: ":palm_tree:", Expiration: time.Date(2026, 12, 2, 18, 0, 0, 0, la)})
	h.slack.SetStatus("UTOK", fakeslack.Status{Text: "Out of office", Expiration: time.Date(2026, 12, 1, 20, 0, 0, 0, tokyo)})
	h.slack.SetStatus("UBER", fakeslack.Status{Text: "Parental leave 🍼"})
	h.slack.SetStatus("UALL", fakeslack.Status{Text: "Holiday", Emoji: ":airplane:", Expiration: time.Date(2026, 12, 10, 0, 0, 0, 0, tokyo)})

	start := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC) // Monday
	h.setNow(start)
	if text := h.command(admin, leads, "start cs-exec-maturity to "+mentionAll(users)+" digest <#"+leads+"|x> due 7d remind 50%"); text != "" {
		t.Fatalf("start refused: %s", text)
	}
	id := h.latestReviewIDWhenStarted()
	ctx := context.Background()
	away := func(want int, when string) {
		t.Helper()
		h.wait(when, func() bool { n, err := h.main.Store.AwayCount(ctx, id); return err == nil && n == want })
	}
	intros := h.introsTo
	noIntro := func(when string, who ...string) {
		t.Helper()
		for _, u := range who {
			if n := intros(u); n != 0 {
				t.Errorf("%s: %s got %d intros while away", when, u, n)
			}
		}
	}
	at := func(t time.Time) { h.setNow(t.Add(time.Second)) }

	// Monday 9:00 in Berlin: UBER's intro waits for Tuesday morning.
	at(time.Date(2026, 11, 30, 9, 0, 0, 0, berlin))
	away(1, "UBER's intro held")
	noIntro("Monday, Berlin", "UBER")

	// ULAT falls ill after their intro was queued; at 9:00 in Los Angeles
	// the job reads it.
	h.slack.SetStatus("ULAT", fakeslack.Status{Emoji: ":face_with_thermometer:", Expiration: time.Date(2026, 12, 1, 23, 0, 0, 0, la)})
	mondayLA := time.Date(2026, 11, 30, 9, 0, 0, 0, la)
	at(mondayLA)
	h.waitDM("UPRE", `"start"`)
	h.waitDM("UPR2", `"start"`)
	away(3, "UPAC's and ULAT's intros held")
	noIntro("Monday, Los Angeles", "UPAC", "ULAT", "UBER")
	h.command(admin, leads, "status "+id)
	h.told(admin, "0 in progress · 4 not started · 3 away")

	// A restart: the held intros are in Redis, not in a process.
	h.restart()

	// Tuesday 9:00 in Tokyo (Monday 24:00 UTC): UTOK waits for Wednesday,
	// UALL for after the deadline: never.
	at(time.Date(2026, 12, 1, 9, 0, 0, 0, tokyo))
	away(5, "Tokyo's intros held")
	noIntro("Tuesday, Tokyo", "UTOK", "UALL")

	// Tuesday 9:00 in Berlin: UBER, still on leave, is looked at again.
	looks := func() int {
		n := 0
		for _, c := range h.slack.Calls("users.info", "users.list") {
			if c.Params["user"] == "UBER" || c.Method == "users.list" {
				n++
			}
		}
		return n
	}
	before := looks()
	at(time.Date(2026, 12, 1, 9, 0, 0, 0, berlin))
	h.wait("UBER's status read again on Tuesday", func() bool { return looks() > before })
	noIntro("Tuesday, Berlin", "UBER")

	// Wednesday 9:00 in Tokyo: UTOK is back.
	at(time.Date(2026, 12, 2, 9, 0, 0, 0, tokyo))
	h.waitDM("UTOK", `"start"`)
	away(4, "UTOK back")
	noIntro("Wednesday, Tokyo", "UALL")

	// UBER clears their status; Wednesday 9:00 in Berlin brings the intro.
	h.slack.SetStatus("UBER", fakeslack.Status{})
	at(time.Date(2026, 12, 2, 9, 0, 0, 0, berlin))
	h.waitDM("UBER", `"start"`)
	away(3, "UBER back")

	// Wednesday 9:00 in Los Angeles: ULAT's sickness ended Tuesday night.
	at(time.Date(2026, 12, 2, 9, 0, 0, 0, la))
	h.waitDM("ULAT", `"start"`)
	away(2, "ULAT back")
	noIntro("Wednesday, Los Angeles", "UPAC")

	// Halfway: UPRE is out of office, UPR2 is not.
	h.slack.SetStatus("UPRE", fakeslack.Status{Text: "OOO", Expiration: time.Date(2026, 12, 4, 18, 0, 0, 0, la)})
	deadline := start.AddDate(0, 0, 7)
	half := schedule.ReminderTimes(schedule.Morning(start, la), deadline, la, []schedule.Reminder{{Fraction: 0.5}})
	if len(half) != 1 {
		t.Fatalf("reminder times: %v", half)
	}
	at(half[0])
	h.waitDM("UPR2", "⏰")
	h.wait("UPRE's reminder skipped", func() bool {
		return strings.Contains(h.logs.String(), `msg="reminder skipped: the respondent is away" review=`+id)
	})
	if _, ok := h.dmWith("UPRE", "⏰"); ok {
		t.Error("UPRE was reminded while out of office")
	}

	// Thursday 9:00 in Los Angeles: UPAC is back.
	at(time.Date(2026, 12, 3, 9, 0, 0, 0, la))
	h.waitDM("UPAC", `"start"`)
	away(1, "UPAC back")
	noIntro("Thursday", "UALL")

	// Two answer; /review status counts one away.
	f, _ := mustCatalog(t).Get("cs-exec-maturity")
	q := f.Sections[0].Questions[0]
	for _, u := range []string{"UPR2", "UTOK"} {
		h.click(u, h.waitDM(u, `"start"`), "start")
		h.answerSection(u, f, 0, map[string]assessment.Answer{q.ID: {Option: f.Scales[q.Scale].Options[0].ID}})
		h.wait(u+"'s answer", func() bool { return len(h.responses()[u]) == 1 })
	}
	h.command(admin, leads, "status "+id)
	h.told(admin, "2 in progress · 4 not started · 1 away")

	h.command(admin, leads, "close "+id)
	h.wait("the digest", func() bool { return len(h.digests()) == 1 })
	if d := h.digests()[0]; !strings.Contains(d.Text+string(d.Blocks), "2 of 6 responded (33%), 0 submitted; 1 was away") {
		t.Errorf("the digest's response line leaves out nobody away: %s", d.Blocks)
	}
	h.waitDelinked(id)
	if n, err := h.main.Store.AwayCount(ctx, id); err != nil || n != 1 {
		t.Errorf("away after de-linking: %d, %v; want 1", n, err)
	}
	for _, u := range users {
		if n := intros(u); n != 1 && u != "UALL" {
			t.Errorf("%s got %d intros, want 1", u, n)
		}
	}
	if intros("UALL") != 0 {
		t.Error("UALL, away past the deadline, got an intro")
	}
	// Nothing in Redis names who was away, and no log line names anyone
	// beside the review.
	opt, err := redis.ParseURL(h.redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	keys, _ := rdb.Keys(ctx, h.prefix+"{r:"+id+"}:*").Result()
	for _, k := range keys {
		if strings.HasSuffix(k, ":away") {
			t.Errorf("%s outlives the digest", k)
		}
		typ := rdb.Type(ctx, k).Val()
		if typ != "set" && typ != "hash" {
			continue
		}
		for _, m := range append(rdb.SMembers(ctx, k).Val(), rdb.HKeys(ctx, k).Val()...) {
			if m == "UALL" || m == "UPAC" {
				t.Errorf("%s names %s after the digest", k, m)
			}
		}
	}
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if !strings.Contains(line, id) {
			continue
		}
		for _, u := range users {
			if strings.Contains(line, u) || strings.Contains(line, "D"+u[1:]) {
				t.Errorf("a log line names %s beside review %s: %s", u, id, line)
			}
		}
	}
	if !strings.Contains(h.logs.String(), `msg="intro DM not sent: the respondent is away until the review closes" review=`+id+` who=p`) {
		t.Error("no log line follows the intro that never went out (by pseudonym)")
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
