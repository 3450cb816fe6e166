package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/fakeslack"
)

// Rights stay inside the workspace and fail closed (issue 18): envelopes
// of other workspaces are dropped, Slack Connect external members are
// treated like guests, cached admin decisions expire, and a schedule
// whose creator is no longer an admin stops starting reviews.

// toldCount is how many ephemerals (or DMs) to user hold s.
func (h *harness) toldCount(user, s string) int {
	n := 0
	for _, m := range append(h.slack.Ephemerals(user), h.slack.DMs(user)...) {
		if strings.Contains(m.Text, s) || strings.Contains(string(m.Blocks), s) {
			n++
		}
	}
	return n
}

// toldAgain runs /review text as user and waits until user has been told s
// once more than before.
func (h *harness) toldAgain(user, text, s string) {
	h.t.Helper()
	before := h.toldCount(user, s)
	h.command(user, leads, text)
	h.wait(fmt.Sprintf("%s told %q again", user, s), func() bool { return h.toldCount(user, s) > before })
}

// commandFrom runs /review text as user from a workspace and
// organisation, and returns the ack's payload.
func (h *harness) commandFrom(user, text, team, enterprise string) string {
	h.t.Helper()
	ack, err := h.slack.SlashCommand(h.ctx, user, leads, "/review", text, fakeslack.FromTeam(team, enterprise))
	if err != nil {
		h.t.Fatal(err)
	}
	return string(ack.Payload)
}

const otherWorkspaceWords = "only serves the Slack workspace it is installed in"

// Envelopes whose workspace is not the bot's (a Slack Connect channel, an
// org-wide install elsewhere) are acked and dropped: a command is told so
// in its ack and starts nothing, an answer is not saved, an event is not
// handled; one log line says so without naming the person, and a metric
// counts them.
func TestEnvelopesFromAnotherWorkspace(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN", "UCAT")
	id := h.startReview("3d", "UAMY", "UBEN", "UCAT")
	h.click("UAMY", h.waitDM("UAMY", `"start"`), "start")
	section := h.waitDM("UAMY", `"answer|`)
	foreign := fakeslack.FromTeam("T0OTHER", "")
	cases := []struct {
		name  string
		send  func() (fakeslack.Ack, error)
		check func(t *testing.T, ack fakeslack.Ack)
	}{
		{"a slash command", func() (fakeslack.Ack, error) {
			return h.slack.SlashCommand(h.ctx, admin, leads, "/review", "start cs-excellence to <@UBEN|ben> digest <#CLEADS|x> due 3d now anyway", foreign)
		}, func(t *testing.T, ack fakeslack.Ack) {
			if !strings.Contains(string(ack.Payload), otherWorkspaceWords) {
				t.Errorf("ack = %s; want the words saying the bot serves its own workspace only", ack.Payload)
			}
			if ids, _ := h.main.Store.RecentReviews(h.ctx, 1); len(ids) != 1 || ids[0] != id {
				t.Errorf("a command from another workspace started a review: %v", ids)
			}
		}},
		{"an answer click", func() (fakeslack.Ack, error) {
			return h.slack.Click(h.ctx, "UAMY", section, firstAnswerAction(section), "", foreign)
		}, func(t *testing.T, _ fakeslack.Ack) {
			if got := h.responses()["UAMY"]; len(got) != 0 {
				t.Errorf("an answer from another workspace was saved: %v", got)
			}
		}},
		{"an event", func() (fakeslack.Ack, error) {
			return h.slack.AppHomeOpened(h.ctx, "UCAT", foreign)
		}, func(*testing.T, fakeslack.Ack) {}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := h.metric("assessbot_envelopes_foreign_total")
			ack, err := tc.send()
			if err != nil {
				t.Fatalf("not acked: %v", err)
			}
			tc.check(t, ack)
			if got := h.metric("assessbot_envelopes_foreign_total"); got != before+1 {
				t.Errorf("foreign envelopes counted %v, want %v", got, before+1)
			}
		})
	}
	if _, ok := h.slack.Home("UCAT"); ok {
		t.Error("an App Home was published for an event of another workspace")
	}
	var lines []string
	for _, l := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(l, "envelope from another workspace dropped") {
			lines = append(lines, l)
			for _, who := range []string{admin, "UAMY", "UBEN", "UCAT"} {
				if strings.Contains(l, who) {
					t.Errorf("the log line names %s: %s", who, l)
				}
			}
		}
	}
	if len(lines) != len(cases) {
		t.Errorf("%d log lines for %d dropped envelopes", len(lines), len(cases))
	}
	// The bot's own workspace is served as before.
	h.click("UAMY", section, firstAnswerAction(section))
	h.wait("amy's answer", func() bool { return len(h.responses()["UAMY"]) == 1 })
}

// On Enterprise Grid the bot serves every workspace of its organisation
// (an org-wide install), and no other.
func TestOrgWideInstallServesItsOrganisation(t *testing.T) {
	h := newHarnessWith(t, "", []fakeslack.Option{fakeslack.WithEnterprise("E0ORG")}, "UAMY")
	start := "start cs-checklist to <@UAMY|amy> digest <#CLEADS|x> due 3d now anyway"
	text := h.commandFrom(admin, start, "T0ELSEWHERE", "E0OTHERORG")
	if !strings.Contains(text, otherWorkspaceWords) {
		t.Fatalf("a command from another organisation was not refused in its ack: %s", text)
	}
	text = h.commandFrom(admin, start, "T0SISTER", "E0ORG")
	if strings.Contains(text, otherWorkspaceWords) {
		t.Fatalf("a command from a workspace of the organisation was refused: %s", text)
	}
	h.told(admin, "Started review")
}

// Slack Connect external members are like guests: a channel or a user
// group never brings them into a review, naming them does, and they are
// never admins, whatever list they are in.
func TestExternalMembersAreLikeGuests(t *testing.T) {
	h := newHarness(t)
	// Twelve people: the bot reads them with users.list, which does not
	// list external members; it asks users.info for those.
	var team []string
	for i := range 11 {
		u := fmt.Sprintf("UTEAM%02d", i)
		h.slack.AddUser(fakeslack.User{ID: u, TZ: "UTC"})
		team = append(team, u)
	}
	h.slack.AddUser(fakeslack.User{ID: "UEXT", Name: "partner", TeamID: "T0PARTNER", Stranger: true})
	h.slack.AddUser(fakeslack.User{ID: "UEXT2", Name: "partner2", TeamID: "T0PARTNER"})
	h.slack.AddChannel("CSHARED", "shared-with-partner", append(slices.Clone(team), "UEXT", "UEXT2")...)
	h.slack.AddUsergroup("SMIXED", "mixed", "UTEAM00", "UEXT2")

	respondents := func() []string {
		t.Helper()
		ids, err := h.main.Store.RecentReviews(h.ctx, 1)
		if err != nil || len(ids) == 0 {
			t.Fatalf("no review: %v", err)
		}
		r, _, err := h.main.Store.Review(h.ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		return r.Respondents
	}
	cases := []struct {
		name, framework, audience string
		want, not                 []string
	}{
		{"a channel", "cs-checklist", "<#CSHARED|shared-with-partner>", team, []string{"UEXT", "UEXT2"}},
		{"a user group", "cs-exec-maturity", "<!subteam^SMIXED|@mixed>", []string{"UTEAM00"}, []string{"UEXT2"}},
		{"named one by one", "cs-excellence", "<@UEXT|partner>", []string{"UEXT"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.toldAgain(admin, "start "+tc.framework+" to "+tc.audience+" digest <#CLEADS|x> due 3d anyway", "Started review")
			got := respondents()
			for _, u := range tc.want {
				if !slices.Contains(got, u) {
					t.Errorf("%s is not a respondent: %v", u, got)
				}
			}
			for _, u := range tc.not {
				if slices.Contains(got, u) {
					t.Errorf("external member %s became a respondent through %s", u, tc.name)
				}
			}
		})
	}

	// Listed as an admin (through the admin group): still not one.
	h.slack.AddUsergroup("SLEADS", "cs-leads", "UEXT")
	h.main.Close()
	h.main = nil
	h.adminGroup = "SLEADS"
	h.start()
	h.toldAgain("UEXT", "schedule list", "Only assessbot admins")
}

// When Slack keeps failing, what it last said of an admin (their profile,
// the admin group) stands for ADMIN_CACHE_TTL (5 minutes), no longer:
// then admin commands are refused, saying why, until Slack answers again.
func TestAdminRightsExpireWhenSlackKeepsFailing(t *testing.T) {
	cases := []struct {
		name, asker, group, method string
	}{
		{"a listed admin's profile", admin, "", "users.info"},
		{"the admin user group", "ULEAD", "SLEADS", "usergroups.users.list"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.group != "" {
				h.slack.AddUser(fakeslack.User{ID: tc.asker, Name: "lead"})
				h.slack.AddUsergroup(tc.group, "cs-leads", tc.asker)
				h.main.Close()
				h.main = nil
				h.adminGroup = tc.group
				h.start()
			}
			h.toldAgain(tc.asker, "schedule list", "No schedules yet")
			// Slack stops answering for good.
			h.slack.FailNext(tc.method, 100000, fakeslack.Fault{Error: "fatal_error"})
			h.advance(2 * time.Minute)
			h.toldAgain(tc.asker, "schedule list", "No schedules yet")
			h.advance(4 * time.Minute)
			h.toldAgain(tc.asker, "schedule list", "Slack could not confirm your admin rights just now")
			h.told(tc.asker, "over 5 minutes old")
			// Slack is back.
			h.slack.ClearFaults(tc.method)
			h.toldAgain(tc.asker, "schedule list", "No schedules yet")
		})
	}
}

var reOrphanedID = regexp.MustCompile("Scheduled `(s[a-z0-9]+)`")

// A schedule whose creator is no longer an admin starts no review in
// their name: its run is skipped, the digest channel and the admins are
// told once, the schedule list says it is orphaned, and once another
// admin takes it over its runs start again, in their name.
func TestScheduleOfRemovedAdminIsOrphaned(t *testing.T) {
	h := newHarness(t, "UAMY")
	h.slack.AddUser(fakeslack.User{ID: "ULEAD", Name: "lead", TZ: "UTC"})
	h.slack.AddUsergroup("SLEADS", "cs-leads", "ULEAD")
	h.main.Close()
	h.main = nil
	h.adminGroup = "SLEADS"
	h.start()

	monday := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	h.setNow(monday)
	h.toldAgain("ULEAD", `schedule add "0 9 * * 1" cs-exec-maturity to <@UAMY|amy> digest <#CLEADS|x> window 2d tz UTC now`, "Scheduled `s")
	var id string
	for _, m := range append(h.slack.Ephemerals("ULEAD"), h.slack.DMs("ULEAD")...) {
		if sm := reOrphanedID.FindStringSubmatch(m.Text); sm != nil {
			id = sm[1]
		}
	}
	if id == "" {
		t.Fatal("no schedule id in the reply")
	}
	// ULEAD leaves the admin group.
	h.slack.AddUsergroup("SLEADS", "cs-leads")

	const notice = "is no longer an assessbot admin"
	inChannel := func() int {
		n := 0
		for _, m := range h.slack.ChannelMessages(leads) {
			if strings.Contains(string(m.Blocks), notice) {
				n++
			}
		}
		return n
	}
	for week := range 2 {
		run := monday.Add(time.Duration(week)*7*24*time.Hour + 2*time.Hour)
		h.setNow(run.Add(time.Second))
		h.wait("the run skipped", func() bool {
			pending, err := h.main.Store.PendingOccurrences(h.ctx)
			sc, serr := h.main.Store.Schedule(h.ctx, id)
			return err == nil && serr == nil && len(pending) == 0 && sc.Next.After(run) && inChannel() >= 1
		})
		time.Sleep(300 * time.Millisecond) // a few more ticks: nothing more happens
		if n := inChannel(); n != 1 {
			t.Fatalf("week %d: the digest channel was told %d times, want once", week, n)
		}
		if n := h.toldCount(admin, notice); n != 1 {
			t.Fatalf("week %d: the admin was told %d times, want once", week, n)
		}
		if n := countIntros(h.slack, "UAMY"); n != 0 {
			t.Fatalf("week %d: a review started in the name of a removed admin", week)
		}
	}
	if !strings.Contains(h.slack.ChannelMessages(leads)[0].Text+string(h.slack.ChannelMessages(leads)[0].Blocks), "/review schedule take "+id) {
		t.Errorf("the notice does not say how to take the schedule over")
	}
	h.toldAgain(admin, "schedule list", "orphaned")
	h.toldAgain("ULEAD", "schedule take "+id, "Only assessbot admins")
	h.toldAgain(admin, "schedule take "+id, "is yours now")
	h.setNow(monday.Add(14*24*time.Hour + 2*time.Hour + time.Second))
	h.waitDM("UAMY", `"start"`)
	ids, err := h.main.Store.RecentReviews(h.ctx, 1)
	if err != nil || len(ids) != 1 {
		t.Fatalf("reviews: %v %v", ids, err)
	}
	r, _, err := h.main.Store.Review(context.Background(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if r.CreatedBy != admin {
		t.Errorf("the run after the takeover started in the name of %s, want %s", r.CreatedBy, admin)
	}
}

// What `/review help` says of status and results is what they do: status
// counts and names nobody; results shows the counts alone while the review
// is open and, once closed, only what the anonymity thresholds allow.
func TestHelpMatchesStatusAndResults(t *testing.T) {
	users := []string{"UAMY", "UBEN", "UCAT"}
	h := newHarness(t, users...)
	id := h.startReview("3d", users...)
	help := h.command(admin, leads, "help")
	line := func(verb string) string {
		for _, l := range strings.Split(help, "\n") {
			if strings.Contains(l, "`/review "+verb+" ") {
				return l
			}
		}
		t.Fatalf("help has no line for %s:\n%s", verb, help)
		return ""
	}
	namesNobody := func(t *testing.T, text string) {
		for _, u := range users {
			if strings.Contains(text, u) || strings.Contains(text, strings.ToLower(u)) {
				t.Errorf("the reply names %s: %s", u, text)
			}
		}
	}
	cases := []struct {
		name, verb string
		claims     []string // what help says of the verb
		never      []string // what it must not claim
		run        func(t *testing.T)
	}{
		{"status while open", "status", []string{"how many have submitted", "never who"}, []string{"who has not finished"}, func(t *testing.T) {
			h.toldAgain(admin, "status "+id, "0 of 3 submitted")
			namesNobody(t, lastTold(h, admin))
		}},
		{"results while open", "results", []string{"while it is open, the counts alone"}, []string{"figures so far"}, func(t *testing.T) {
			h.toldAgain(admin, "results "+id, "Figures are shown once the review closes")
			if text := lastTold(h, admin); strings.Contains(text, "%*") {
				t.Errorf("results of an open review show figures: %s", text)
			}
		}},
		{"results once closed", "results", []string{"once the review is closed", "anonymity thresholds"}, nil, func(t *testing.T) {
			h.toldAgain(admin, "close "+id, "Closed review")
			n := len(h.slack.Ephemerals(admin)) + len(h.slack.DMs(admin))
			h.command(admin, leads, "results "+id)
			h.wait("the results", func() bool { return len(h.slack.Ephemerals(admin))+len(h.slack.DMs(admin)) > n })
			text := lastTold(h, admin)
			if !strings.Contains(text, "results") || strings.Contains(text, "%*") {
				t.Errorf("results of a closed review nobody answered: want the digest without figures, got %s", text)
			}
			namesNobody(t, text)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := line(tc.verb)
			for _, c := range tc.claims {
				if !strings.Contains(l, c) {
					t.Errorf("help says of %s %q; want it to say %q", tc.verb, l, c)
				}
			}
			for _, c := range tc.never {
				if strings.Contains(l, c) {
					t.Errorf("help says of %s %q, which it does not do", tc.verb, c)
				}
			}
			tc.run(t)
		})
	}
}

// lastTold is the newest ephemeral (or DM) to user, text and blocks.
func lastTold(h *harness, user string) string {
	all := append(h.slack.Ephemerals(user), h.slack.DMs(user)...)
	slices.SortStableFunc(all, func(a, b fakeslack.Message) int { return strings.Compare(a.TS, b.TS) })
	if len(all) == 0 {
		return ""
	}
	m := all[len(all)-1]
	return m.Text + string(m.Blocks)
}
