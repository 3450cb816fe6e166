package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/redistest"
)

// privateReview is a whole review of cs-foundations, run the way people
// run it: three respondents who each give a rating, an open answer (a form, through the
// inbox) and a comment and then submit, a fourth who answers nothing and
// is reminded, then the close, the digest and de-linking, and a click
// after it. Every open
// answer and comment carries a marker (see privacyMarker). It returns the
// review's id once de-linking is done.
func privateReview(h *harness, users []string) string {
	h.t.Helper()
	f, _ := mustCatalog(h.t).Get("cs-foundations")
	h.setNow(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)) // a Monday
	if text := h.command(admin, leads, "start cs-foundations to "+mentionAll(users)+" digest <#"+leads+"|x> due 4d now remind 50% anyway"); text != "" {
		h.t.Fatalf("start refused: %s", text)
	}
	id := h.latestReviewIDWhenStarted()
	rating, open := f.Sections[0].Questions[0].ID, f.Sections[0].Questions[1].ID
	for i, u := range users[:len(users)-1] {
		intro := h.waitDM(u, `"start"`)
		h.click(u, intro, "start")
		h.waitDM(u, fmt.Sprintf("1/%d · ", len(f.Sections)))
		a := plan(f, i, false)
		h.answerSection(u, f, 0, map[string]assessment.Answer{
			rating: a[rating],
			open:   {Text: privacyMarker(u, "text")},
		})
		h.comment(u, rating, privacyMarker(u, "comment"))
		h.wait(u+"'s three answers", func() bool { return len(h.responses()[u]) >= 2 })
		for si := 1; si < len(f.Sections); si++ {
			cur := h.waitDM(u, `"next"`)
			n := len(h.slack.DMs(u))
			h.click(u, cur, "next")
			h.wait("the next section", func() bool { return len(h.slack.DMs(u)) > n })
		}
		h.click(u, h.waitDM(u, `"submit"`), "submit")
		h.wait(u+"'s thank-you", func() bool { _, ok := h.dmWith(u, "Thank you"); return ok })
	}
	// Half of four days: Wednesday 10:00 UTC, 2:00 in Los Angeles, so at
	// 9:00 there (17:00 UTC). Only the one who has not submitted is reminded.
	last := users[len(users)-1]
	h.setNow(time.Date(2026, 11, 25, 17, 0, 1, 0, time.UTC))
	h.wait("the reminder", func() bool {
		for _, m := range h.slack.DMs(last) {
			if strings.Contains(string(m.Blocks), "⏰") {
				return true
			}
		}
		return false
	})
	h.wait("the reminder logged", func() bool { return strings.Contains(h.logs.String(), `msg="reminder sent"`) })
	h.command(admin, leads, "close")
	h.told(admin, "posted the digest")
	h.waitDelinked(id)
	// A late click on an answer button is refused, and logged.
	msg := h.waitDM(users[0], `"answer|`)
	h.click(users[0], msg, firstAnswerAction(msg))
	h.wait("the late click refused and logged", func() bool { return strings.Contains(h.logs.String(), `msg="request refused" review=`+id) })
	return id
}

// comment writes text as user's comment on question q, through the form
// its button in their DM opens.
func (h *harness) comment(user, q, text string) {
	h.t.Helper()
	msg := h.waitDM(user, `"comment|`+q+`"`)
	before := len(h.slack.Views(user))
	h.click(user, msg, "comment|"+q)
	h.wait("the comment form", func() bool { return len(h.slack.Views(user)) > before })
	vs := h.slack.Views(user)
	if _, err := h.slack.SubmitView(h.ctx, user, vs[len(vs)-1], map[string]map[string]any{
		"answer": {"v": map[string]any{"type": "plain_text_input", "value": text}},
	}); err != nil {
		h.t.Fatal(err)
	}
}

// metricsText returns what the bot's /metrics serves.
func (h *harness) metricsText() string {
	h.t.Helper()
	resp, err := http.Get("http://" + h.main.HTTPAddr() + "/metrics")
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// mentionAll is users as a /review start audience.
func mentionAll(users []string) string {
	var out []string
	for _, u := range users {
		out = append(out, "<@"+u+"|"+strings.ToLower(u)+">")
	}
	return strings.Join(out, " ")
}

// privacyMarker is the open answer or comment (kind) user gives in
// privateReview.
func privacyMarker(u, kind string) string {
	return fmt.Sprintf("zz-%s-%s-zz", kind, strings.ToLower(u))
}

// latestReviewIDWhenStarted waits for the review just started and returns its id.
func (h *harness) latestReviewIDWhenStarted() string {
	h.t.Helper()
	var id string
	h.wait("the review stored", func() bool {
		ids, err := h.main.Store.RecentReviews(context.Background(), 1)
		if err == nil && len(ids) == 1 {
			id = ids[0]
		}
		return id != ""
	})
	return id
}

// waitDelinked waits until review id is de-linked: nothing in the store
// ties its answers to its respondents any more.
func (h *harness) waitDelinked(id string) {
	h.t.Helper()
	opt, err := redis.ParseURL(h.redisURL)
	if err != nil {
		h.t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	h.wait("de-linking", func() bool {
		v, _ := rdb.Get(context.Background(), h.prefix+"{r:"+id+"}:delinked").Result()
		return v == "done"
	})
}

// No log line, at any level, names a respondent beside a review: a whole
// review with answers, forms, comments,
// submissions, a reminder, the close, the digest and de-linking, logged at
// debug level, and no line holds both the review's id and a respondent's
// (nor their DM's) id. Nor does a metric name a respondent.
func TestLogsNeverPairPersonWithReview(t *testing.T) {
	users := []string{"UAMY", "UBEN", "UCAT", "UDAN"}
	h := newHarness(t, users...)
	id := privateReview(h, users)
	lines := strings.Split(h.logs.String(), "\n")
	withReview := 0
	for _, line := range lines {
		if !strings.Contains(line, id) {
			continue
		}
		withReview++
		for _, u := range users {
			if strings.Contains(line, u) || strings.Contains(line, "D"+u[1:]) {
				t.Errorf("a log line names %s beside review %s: %s", u, id, line)
			}
		}
	}
	if withReview < 5 {
		t.Fatalf("only %d log lines name the review: the test looks in the wrong place", withReview)
	}
	// An operator can still follow one person through the review: each
	// line names them by the review's pseudonym for them.
	who := regexp.MustCompile(`msg="(response submitted|reminder sent)" review=` + id + ` who=(p[0-9a-f]{10})`)
	seen := map[string]bool{}
	for _, m := range who.FindAllStringSubmatch(h.logs.String(), -1) {
		seen[m[2]] = true
	}
	if len(seen) != len(users) {
		t.Errorf("%d pseudonyms in the submitted and reminder lines, want one for each of the %d respondents: %v", len(seen), len(users), seen)
	}
	metrics := h.metricsText()
	for _, u := range users {
		if strings.Contains(metrics, u) || strings.Contains(metrics, id) {
			t.Errorf("/metrics names %s or the review", u)
		}
	}
}

// After a review's digest is posted and it is de-linked, the data files
// Redis writes from then on hold no respondent next to an answer or a
// sheet. A private redis-server with appendonly yes (and RDB compression
// off, so that no id hides in a compressed string) runs a whole review;
// then every append-only file, and a snapshot taken after, are read record
// by record (a command, or a key and its value): no record holds both a
// respondent's id and one of their sheet ids, a question they answered or
// words they wrote. The audience itself (the review's meta) may stay.
func TestDataFilesAfterTheDigest(t *testing.T) {
	srv := redistest.StartServer(t, "--appendonly", "yes", "--rdbcompression", "no")
	users := []string{"UAMY", "UBEN", "UCAT", "UDAN"}
	h := newHarnessOn(t, srv.URL(), users...)
	id := privateReview(h, users)
	ctx := h.ctx
	rdb := redistest.Client(srv)
	sheets := rdb.SMembers(ctx, h.prefix+"{r:"+id+"}:sheets").Val()
	if len(sheets) != len(users)-1 {
		t.Fatalf("%d sheets after de-linking, want %d", len(sheets), len(users)-1)
	}
	f, _ := mustCatalog(t).Get("cs-foundations")
	links := append([]string{f.Sections[0].Questions[0].ID, f.Sections[0].Questions[1].ID}, sheets...)
	for _, u := range users {
		links = append(links, privacyMarker(u, "text"), privacyMarker(u, "comment"))
	}
	// The bot rewrites the append-only file once de-linking is done: wait
	// until it says so and no rewrite is under way (a bot that never says
	// so is checked all the same, after the wait).
	quiet := func() bool {
		return redistest.Info(ctx, rdb, "persistence", "aof_rewrite_in_progress") == "0" &&
			redistest.Info(ctx, rdb, "persistence", "aof_rewrite_scheduled") == "0"
	}
	rewritten := func() bool {
		m := rdb.HGetAll(ctx, h.prefix+"files").Val()
		return m["asked"] != "" && m["done"] >= m["asked"] && quiet()
	}
	for end := time.Now().Add(15 * time.Second); !rewritten() && time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
	}
	// A snapshot taken from then on.
	saves := redistest.Info(ctx, rdb, "persistence", "rdb_saves")
	if err := rdb.BgSave(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	h.wait("the snapshot", func() bool {
		return redistest.Info(ctx, rdb, "persistence", "rdb_saves") != saves &&
			redistest.Info(ctx, rdb, "persistence", "rdb_bgsave_in_progress") == "0"
	})
	// Files a rewrite left behind are deleted soon after it ends; what the
	// manifest no longer names is on its way out.
	h.wait("the append-only directory to hold only its manifest's files", func() bool { return redistest.AOFSettled(srv.Dir) })
	files := redistest.DataFiles(t, srv.Dir)
	if _, ok := files["dump.rdb"]; !ok || len(files) < 3 {
		t.Fatalf("data files read: %d, without a snapshot or an append-only file", len(files))
	}
	for name, recs := range files {
		for _, rec := range recs {
			all := strings.Join(rec, "\x00")
			for _, u := range users {
				if !strings.Contains(all, u) {
					continue
				}
				for _, l := range links {
					if strings.Contains(all, l) {
						t.Errorf("%s holds %s next to %q: %.300q", name, u, l, all)
						break
					}
				}
			}
		}
	}
}
