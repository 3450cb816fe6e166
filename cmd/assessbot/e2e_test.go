package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assessbot/assessbot/internal/answersheet"
	"github.com/assessbot/assessbot/internal/app"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/blocktext"
	"github.com/assessbot/assessbot/internal/fakeslack"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/redistest"
)

const (
	admin    = "UADMIN"
	outsider = "UOUTSIDE"
	leads    = "CLEADS"
)

// harness is a workspace double, a Redis prefix and the real bot wiring.
type harness struct {
	t      *testing.T
	ctx    context.Context
	slack  *fakeslack.Server
	prefix string
	main   *app.Main
	logs   *syncBuffer
	// skew moves the bot's clock forward (nanoseconds), so tests pass
	// deadlines without sleeping.
	skew          atomic.Int64
	redisURL      string
	adminGroup    string
	tick          time.Duration
	frameworksDir string
	reg           *prometheus.Registry // the current Main's metrics
	// slowAcks names why this test may see acks slower than maxAck (a
	// deliberate Redis outage); "" = every ack must be in time.
	slowAcks string
}

// maxAck is the slowest ack the harness accepts: Slack redelivers after 3 s.
const maxAck = 2500 * time.Millisecond

// advance moves the bot's clock.
func (h *harness) advance(d time.Duration) { h.skew.Add(int64(d)) }

// setNow sets the bot's clock to t (it then runs on from there).
func (h *harness) setNow(t time.Time) { h.skew.Store(int64(time.Until(t))) }

// now is the bot's clock.
func (h *harness) now() time.Time { return time.Now().Add(time.Duration(h.skew.Load())) }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHarness(t *testing.T, respondents ...string) *harness {
	t.Helper()
	return newHarnessOn(t, "", respondents...)
}

// newHarnessOn is newHarness on a given Redis URL ("" = the shared test Redis).
func newHarnessOn(t *testing.T, redisURL string, respondents ...string) *harness {
	t.Helper()
	return newHarnessWith(t, redisURL, nil, respondents...)
}

// newHarnessWith is newHarnessOn with a workspace double built with opts.
func newHarnessWith(t *testing.T, redisURL string, opts []fakeslack.Option, respondents ...string) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	fs := fakeslack.New(opts...)
	t.Cleanup(fs.Close)
	fs.AddUser(fakeslack.User{ID: admin, Name: "ada", TZ: "Europe/Berlin"})
	fs.AddUser(fakeslack.User{ID: outsider, Name: "olaf", TZ: "UTC"})
	for _, u := range respondents {
		fs.AddUser(fakeslack.User{ID: u, Name: strings.ToLower(u), TZ: "America/Los_Angeles"})
	}
	fs.AddChannel(leads, "cs-leadership", admin)
	prefix := "test:e2e:" + strings.ToLower(t.Name()) + ":"
	if redisURL == "" {
		_, prefix = redistest.New(t)
		redisURL = redistest.URL()
	}
	h := &harness{t: t, ctx: ctx, slack: fs, prefix: prefix, logs: &syncBuffer{}, redisURL: redisURL}
	h.start()
	t.Cleanup(func() {
		if h.main != nil {
			h.main.Close()
		}
		// Every envelope acked within Slack's 3 seconds: Slack redelivers
		// the others, so redeliveries count the late acks.
		var worst time.Duration
		acks := h.slack.Acks()
		for _, a := range acks {
			worst = max(worst, a.Latency)
		}
		late := len(h.slack.Redeliveries())
		t.Logf("acks: %d, slowest %v, redelivered for a late ack: %d", len(acks), worst, late)
		if h.slowAcks == "" && (worst > maxAck || late > 0) {
			t.Errorf("an ack took %v (bound %v); %d envelopes redelivered for a late ack", worst, maxAck, late)
		}
		checkNoSecrets(t, "bot logs", h.logs.String(), h.secrets())
		if t.Failed() {
			t.Logf("bot logs:\n%s", h.logs.String())
		}
	})
	return h
}

// start opens a new bot process (a Main) on the same Redis and workspace.
func (h *harness) start() {
	h.t.Helper()
	h.main = h.open()
}

// open starts one more bot process and returns it; the caller closes it.
func (h *harness) open() *app.Main {
	h.t.Helper()
	cfg := app.Config{
		SlackBotToken: h.slack.BotToken(), SlackAppToken: h.slack.AppToken(), SlackAPIURL: h.slack.APIURL(),
		RedisURL: h.redisURL, RedisPrefix: h.prefix, AdminUsers: []string{admin}, AdminUsergroup: h.adminGroup,
		HTTPAddr: "127.0.0.1:0", LogLevel: "debug", Workers: 8, Tick: 100 * time.Millisecond,
	}
	h.reg = prometheus.NewRegistry()
	clock := app.WithClock(func() time.Time { return time.Now().Add(time.Duration(h.skew.Load())) })
	before := h.slack.SocketsOpened()
	if h.tick > 0 {
		cfg.Tick = h.tick
	}
	cfg.FrameworksDir = h.frameworksDir
	m := app.NewMain(cfg, h.logs, clock, app.WithRegistry(h.reg))
	if err := m.Open(h.ctx); err != nil {
		h.t.Fatalf("open: %v", err)
	}
	h.wait("socket mode connected", func() bool { return h.slack.SocketsOpened() > before && m.Bot.Connected() })
	return m
}

func (h *harness) restart() {
	h.t.Helper()
	h.main.Close()
	h.main = nil
	h.start()
}

func (h *harness) wait(what string, cond func() bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 20*time.Second)
	defer cancel()
	if err := h.slack.WaitFor(ctx, cond); err != nil {
		h.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// command runs /review as user and returns the ack's text, if any.
func (h *harness) command(user, channel, text string) string {
	h.t.Helper()
	ack, err := h.slack.SlashCommand(h.ctx, user, channel, "/review", text)
	if err != nil {
		h.t.Fatalf("/review %s: %v", text, err)
	}
	var p struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(ack.Payload, &p)
	return p.Text
}

// dmWith returns the newest DM to user whose blocks contain s.
func (h *harness) dmWith(user, s string) (fakeslack.Message, bool) {
	dms := h.slack.DMs(user)
	for i := len(dms) - 1; i >= 0; i-- {
		if strings.Contains(string(dms[i].Blocks), s) {
			return dms[i], true
		}
	}
	return fakeslack.Message{}, false
}

func (h *harness) waitDM(user, s string) fakeslack.Message {
	h.t.Helper()
	var m fakeslack.Message
	h.wait(fmt.Sprintf("a DM to %s with %q", user, s), func() bool {
		var ok bool
		m, ok = h.dmWith(user, s)
		return ok
	})
	return m
}

func (h *harness) click(user string, msg fakeslack.Message, actionID string, opts ...fakeslack.EnvelopeOption) {
	h.t.Helper()
	if _, err := h.slack.Click(h.ctx, user, msg, actionID, "", opts...); err != nil {
		h.t.Fatalf("%s clicks %s: %v", user, actionID, err)
	}
}

// ephemeralWith reports whether user was told s: in an ephemeral, or in a
// DM where an ephemeral cannot reach them (another person's DM).
func (h *harness) ephemeralWith(user, s string) bool {
	for _, m := range append(h.slack.Ephemerals(user), h.slack.DMs(user)...) {
		if strings.Contains(m.Text, s) || strings.Contains(string(m.Blocks), s) {
			return true
		}
	}
	return false
}

// plan decides each respondent's answer to each question, deterministically,
// with some "not sure" and some skipped.
func plan(f *assessment.Framework, ui int, skip bool) map[string]assessment.Answer {
	out := map[string]assessment.Answer{}
	for _, ref := range f.Questions() {
		qi := ref.Index
		if ref.Scale.Text {
			if (ui+qi)%5 != 0 {
				out[ref.Question.ID] = assessment.Answer{Text: fmt.Sprintf("answer %d to %s: it depends", ui, ref.Question.ID)}
			}
			continue
		}
		if skip && (ui+qi)%11 == 5 {
			continue
		}
		k := len(ref.Scale.Options) + 1
		c := (ui*7 + qi*3 + qi/4) % k
		if c == k-1 {
			out[ref.Question.ID] = assessment.Answer{Option: assessment.NotSure}
		} else {
			out[ref.Question.ID] = assessment.Answer{Option: ref.Scale.Options[c].ID}
		}
	}
	return out
}

// answerSection answers every question of section si shown in msg.
func (h *harness) answerSection(user string, f *assessment.Framework, si int, answers map[string]assessment.Answer) {
	h.t.Helper()
	for _, q := range f.Sections[si].Questions {
		a, ok := answers[q.ID]
		if !ok {
			continue
		}
		if a.Text != "" {
			msg := h.waitDM(user, `"text|`+q.ID+`"`)
			before := len(h.slack.Views(user))
			h.click(user, msg, "text|"+q.ID)
			var v fakeslack.View
			h.wait("the text modal", func() bool {
				vs := h.slack.Views(user)
				if len(vs) > before {
					v = vs[len(vs)-1]
					return true
				}
				return false
			})
			if _, err := h.slack.SubmitView(h.ctx, user, v, map[string]map[string]any{
				"answer": {"v": map[string]any{"type": "plain_text_input", "value": a.Text}},
			}); err != nil {
				h.t.Fatalf("submit text: %v", err)
			}
			continue
		}
		msg := h.waitDM(user, `"answer|`+q.ID+`|`)
		h.click(user, msg, "answer|"+q.ID+"|"+a.Option)
	}
}

// reSectionLine reads a section's line of the overview in the digest's
// thread: its bar, mean and title, and its agreement band when the digest
// shows it.
var reSectionLine = regexp.MustCompile("(?m)`[▰▱]{10}` \\*(\\d+)%\\*  (.+?)(?: _\\((?:agreement [0-9.]+, )?(aligned|mixed|split)\\)_)?(?: ⚡)?(?:  \\*.*\\*)?$")

// TestReviewEndToEnd runs a whole review of every shipped framework through
// fakeslack and real Redis: three respondents, a bot restart halfway, an
// answer change, a forged click, a duplicate envelope; then checks the
// digest against `assessbot score` on the same answers.
func TestReviewEndToEnd(t *testing.T) {
	for _, id := range shippedIDs {
		t.Run(id, func(t *testing.T) { wholeReview(t, "", id) })
	}
}

// shippedIDs are the ids of the frameworks the binary embeds.
var shippedIDs = []string{"cs-excellence", "cs-checklist", "cs-foundations", "saas-cs-assessment", "cs-exec-maturity"}

// wholeReview is TestReviewEndToEnd's review of one framework, on the
// Redis at redisURL ("" = the shared test Redis).
func wholeReview(t *testing.T, redisURL, id string) {
	users := []string{"UAMY", "UBEN", "UCAT"}
	h := newHarnessOn(t, redisURL, users...)
	text := h.command(admin, leads, fmt.Sprintf("start %s to <@UAMY|amy> <@UBEN|ben> <@UCAT|cat> digest <#%s|cs-leadership> due 3d now", id, leads))
	if text != "" {
		t.Fatalf("start answered in the ack: %q", text)
	}
	h.wait("the start confirmation", func() bool { return h.ephemeralWith(admin, "Started review") })
	f, _ := mustCatalog(t).Get(id)

	expected := map[string]map[string]assessment.Answer{}
	for ui, u := range users {
		intro := h.waitDM(u, `"start"`)
		answers := plan(f, ui, ui != 1)
		expected[u] = answers
		h.click(u, intro, "start")
		for si := range f.Sections {
			h.waitDM(u, fmt.Sprintf("%d/%d · ", si+1, len(f.Sections)))
			h.answerSection(u, f, si, answers)
			if ui == 1 && si == len(f.Sections)/2 {
				// A new process takes over; the respondent continues from the intro.
				h.waitAnswers(u, answers, f, si)
				h.restart()
				intro = h.waitDM(u, `"start"`)
				n := len(h.slack.DMs(u))
				h.click(u, intro, "start")
				if si+1 < len(f.Sections) {
					h.waitDM(u, fmt.Sprintf("%d/%d · ", si+2, len(f.Sections)))
				} else {
					// The last section again: its old message is moved first.
					h.wait("the last section re-posted", func() bool { return len(h.slack.DMs(u)) > n })
				}
				continue
			}
			if si+1 < len(f.Sections) {
				cur := h.waitDM(u, `"next"`)
				n := len(h.slack.DMs(u))
				var opts []fakeslack.EnvelopeOption
				if ui == 2 && si == 0 {
					opts = append(opts, fakeslack.Duplicate()) // processed once
				}
				dups := h.metric("assessbot_envelopes_duplicate_total") + h.metric("assessbot_envelopes_coalesced_total")
				h.click(u, cur, "next", opts...)
				h.wait("the next section", func() bool { return len(h.slack.DMs(u)) > n })
				if len(opts) > 0 {
					// Both deliveries were handled (one ran, one was refused as a duplicate).
					h.wait("the duplicate dropped", func() bool {
						return h.metric("assessbot_envelopes_duplicate_total")+h.metric("assessbot_envelopes_coalesced_total") >= dups+1
					})
					if got := len(h.slack.DMs(u)); got != n+1 {
						t.Fatalf("a duplicated Next posted %d messages, want 1", got-n)
					}
				}
			}
		}
		if ui == 0 {
			// Change of mind: the first answer flips; only the last counts.
			q := f.Sections[0].Questions[0]
			sc := f.Scales[q.Scale]
			if !sc.Text {
				other := sc.Options[len(sc.Options)-1].ID
				if answers[q.ID].Option == other {
					other = sc.Options[0].ID
				}
				msg := h.waitDM(u, `"answer|`+q.ID+`|`)
				h.click(u, msg, "answer|"+q.ID+"|"+other)
				answers[q.ID] = assessment.Answer{Option: other}
			}
			// Someone outside the review clicks a button of amy's message.
			msg := h.waitDM(u, `"answer|`)
			h.click(outsider, msg, firstAnswerAction(msg))
			h.wait("the outsider's refusal", func() bool { return h.ephemeralWith(outsider, "not a respondent") })
		}
		h.waitAnswers(u, answers, f, len(f.Sections)-1)
		sub := h.waitDM(u, `"submit"`)
		if !strings.Contains(string(sub.Blocks), `"confirm"`) {
			t.Fatalf("Submit asks for no confirmation:\n%s", sub.Blocks)
		}
		h.click(u, sub, "submit")
		h.wait("the thank-you", func() bool { _, ok := h.dmWith(u, "Thank you"); return ok })
		if ui < len(users)-1 {
			h.wait("the thank-you's deadline", func() bool {
				_, ok := h.dmWith(u, "You can change them until the review closes, \\u003c!date^"+strconv.FormatInt(h.deadline().Unix(), 10))
				return ok
			})
		}
	}

	// Everyone submitted: the review does not close at once, but after
	// its grace period (an hour), and the last thank-you says so.
	h.wait("the last thank-you", func() bool {
		_, ok := h.dmWith(users[len(users)-1], "Everyone has answered; the review closes \\u003c!date^")
		return ok
	})
	time.Sleep(500 * time.Millisecond) // several sweeps
	if n := len(h.digests()); n != 0 {
		t.Fatalf("the last submission closed the review at once: %d digests", n)
	}
	// Within the grace answers can still change, and they count.
	if q, other, ok := otherAnswer(f, expected["UAMY"]); ok {
		msg := h.waitDM("UAMY", `"answer|`+q+`|`)
		h.click("UAMY", msg, "answer|"+q+"|"+other)
		expected["UAMY"][q] = assessment.Answer{Option: other}
		h.wait("the change within the grace", func() bool { return h.responses()["UAMY"][q].Option == other })
		h.wait("the page saying when the review closes", func() bool {
			_, ok := h.dmWith("UAMY", "everyone has answered; the review closes \\u003c!date^")
			return ok
		})
	}
	if n := len(h.digests()); n != 0 {
		t.Fatalf("the review closed within its grace period: %d digests", n)
	}
	// Status and the App Home give the grace period's end, not the deadline.
	h.command(admin, leads, "status")
	h.told(admin, "everyone has submitted · closes <!date^")
	if _, err := h.slack.AppHomeOpened(h.ctx, "UAMY"); err != nil {
		t.Fatal(err)
	}
	h.wait("amy's home with the close time", func() bool {
		home, ok := h.slack.Home("UAMY")
		return ok && strings.Contains(string(home.JSON), "you can change answers until \\u003c!date^") &&
			!strings.Contains(string(home.JSON), "until \\u003c!date^"+strconv.FormatInt(h.deadline().Unix(), 10))
	})
	h.advance(assessment.DefaultGrace + time.Minute)

	// After the grace: the digest is posted once, with its chart in the
	// message, an overview in its thread and one reply per section.
	h.wait("the digest", func() bool { return len(h.digests()) > 0 })
	h.wait("the digest's thread", func() bool {
		return len(h.slack.ChannelMessages(leads))-len(h.digests()) >= 1+len(f.Sections)
	})
	time.Sleep(300 * time.Millisecond)
	var charts []fakeslack.File
	for _, file := range h.slack.Files() {
		if strings.HasSuffix(file.Name, "-chart.png") && file.Uploaded && len(file.Content) > 10000 {
			charts = append(charts, file)
		}
	}
	if len(charts) != 1 {
		t.Fatalf("%d charts uploaded, want 1", len(charts))
	}
	var digests []fakeslack.Message
	for _, m := range h.slack.ChannelMessages(leads) {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			digests = append(digests, m)
		}
		if len(m.Files) > 0 {
			t.Fatalf("a file shared in the digest channel: %+v", m)
		}
	}
	if len(digests) != 1 {
		t.Fatalf("%d digests posted, want 1", len(digests))
	}
	if _, img, _ := digestImage(t, digests[0]); img.SlackFile == nil || img.SlackFile.ID != charts[0].ID || charts[0].Channel != "" {
		t.Fatalf("the digest does not show its chart (%s), uploaded without a channel: %+v", charts[0].ID, img)
	}
	rendered := blocktext.Render(digests[0].Blocks, nil)
	t.Logf("digest:\n%s", rendered)
	// The message fits on one screen; the rest is in its thread.
	if n := strings.Count(rendered, "\n"); n > present.MaxDigestLines {
		t.Fatalf("the digest has %d lines of text, want at most %d:\n%s", n, present.MaxDigestLines, rendered)
	}
	if !strings.Contains(rendered, "question figures and counts from 5") || !strings.Contains(rendered, "in the thread") {
		t.Fatalf("the digest does not give its thresholds or point to its thread:\n%s", rendered)
	}

	// Open answers of three people would name their writers by style:
	// the thread says they show from five, and shows none.
	if _, text := f.CountQuestions(); text > 0 {
		var thread []string
		for _, m := range h.slack.ChannelMessages(leads) {
			if m.ThreadTS == digests[0].TS && m.TS != m.ThreadTS {
				thread = append(thread, blocktext.Render(m.Blocks, nil))
			}
		}
		all := strings.Join(thread, "\n")
		if strings.Contains(all, "it depends") || !strings.Contains(all, "Open answers are shown from 5 respondents") {
			t.Fatalf("open answers of three people in the digest thread:\n%s", all)
		}
		for _, u := range users {
			if strings.Contains(all, u) {
				t.Fatalf("the thread names respondent %s:\n%s", u, all)
			}
		}
	}

	// The thread: an overview of every section, then one reply per
	// section; with three respondents the answer counts stay hidden (they
	// show from five).
	var thread []string
	for _, m := range h.slack.ChannelMessages(leads) {
		if m.ThreadTS == digests[0].TS && m.TS != m.ThreadTS && len(m.Blocks) > 0 && string(m.Blocks) != "null" {
			thread = append(thread, blocktext.Render(m.Blocks, nil))
		}
	}
	if len(thread) < 1+len(f.Sections) {
		t.Fatalf("%d thread replies for an overview and %d sections", len(thread), len(f.Sections))
	}
	overview := thread[0]
	t.Logf("the thread's overview:\n%s", overview)
	all := strings.Join(thread, "\n")
	if strings.Contains(all, "Not sure 1") || strings.Contains(all, "Yes 2") || !strings.Contains(all, "Question figures are shown from 5 answers") {
		t.Fatalf("answer counts shown below the threshold:\n%.2000s", all)
	}

	// Nothing anyone clicked is lost: Redis holds exactly the expected
	// answers. After the digest they are no longer tied to anyone, so
	// the sheets are compared as a set.
	sheet := func(a map[string]assessment.Answer) string {
		var l []string
		for q, x := range a {
			if x.Option != "" || x.Text != "" {
				l = append(l, q+"="+x.Option+"/"+x.Text)
			}
		}
		sort.Strings(l)
		return strings.Join(l, ";")
	}
	var clicked, stored []string
	for _, u := range users {
		clicked = append(clicked, sheet(expected[u]))
	}
	for _, r := range h.storedSheets() {
		stored = append(stored, sheet(r.Answers))
	}
	sort.Strings(clicked)
	sort.Strings(stored)
	if strings.Join(clicked, "\n") != strings.Join(stored, "\n") {
		t.Errorf("stored sheets differ from the clicks:\nclicked\n%s\nstored\n%s", strings.Join(clicked, "\n"), strings.Join(stored, "\n"))
	}

	// The digest's numbers are `assessbot score`'s numbers.
	var csv bytes.Buffer
	var resp []assessment.Response
	for _, u := range users {
		resp = append(resp, assessment.Response{Respondent: u, Answers: expected[u]})
	}
	if err := answersheet.Write(&csv, f, resp); err != nil {
		t.Fatal(err)
	}
	score := scoreJSONFor(t, id, csv.Bytes())
	lines := reSectionLine.FindAllStringSubmatch(overview, -1)
	var want []string
	for _, s := range score.Sections {
		if s.Score == nil {
			continue
		}
		want = append(want, fmt.Sprintf("%s %s %s", present.Percent(*s.Score), s.Title, s.AgreementBand))
	}
	var got []string
	for _, l := range lines {
		got = append(got, fmt.Sprintf("%s%% %s %s", l[1], l[2], l[3]))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("digest sections:\n%s\nassessbot score:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(want) == 0 && !strings.Contains(rendered, "of one question") {
		// Only a framework of one-question sections shows no section
		// score at three respondents, and says why.
		t.Fatal("no section scores to compare")
	}

	// After closing, a click changes nothing and says why.
	msg, _ := h.dmWith("UAMY", `"answer|`)
	h.click("UAMY", msg, firstAnswerAction(msg))
	h.wait("the closed note", func() bool { return h.ephemeralWith("UAMY", "closed") })
}

// otherAnswer picks a scored question of the last section and an option
// other than the one in answers.
func otherAnswer(f *assessment.Framework, answers map[string]assessment.Answer) (question, option string, ok bool) {
	for _, q := range f.Sections[len(f.Sections)-1].Questions {
		sc := f.Scales[q.Scale]
		if sc.Text {
			continue
		}
		for _, o := range sc.Options {
			if answers[q.ID].Option != o.ID {
				return q.ID, o.ID, true
			}
		}
	}
	return "", "", false
}

// deadline returns the latest review's deadline.
func (h *harness) deadline() time.Time {
	ids, err := h.main.Store.RecentReviews(context.Background(), 1)
	if err != nil || len(ids) == 0 {
		h.t.Fatalf("no review: %v", err)
	}
	r, _, err := h.main.Store.Review(context.Background(), ids[0])
	if err != nil {
		h.t.Fatal(err)
	}
	return r.Deadline
}

// digests returns the messages in the digest channel, without thread replies.
func (h *harness) digests() []fakeslack.Message {
	var out []fakeslack.Message
	for _, m := range h.slack.ChannelMessages(leads) {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			out = append(out, m)
		}
	}
	return out
}

func firstAnswerAction(m fakeslack.Message) string {
	i := strings.Index(string(m.Blocks), `"answer|`)
	rest := string(m.Blocks)[i+1:]
	return rest[:strings.Index(rest, `"`)]
}

// waitAnswers waits until Redis holds the respondent's answers up to
// section upTo (clicks are acked before they are stored).
func (h *harness) waitAnswers(user string, answers map[string]assessment.Answer, f *assessment.Framework, upTo int) {
	h.t.Helper()
	want := 0
	for si := 0; si <= upTo; si++ {
		for _, q := range f.Sections[si].Questions {
			if _, ok := answers[q.ID]; ok {
				want++
			}
		}
	}
	h.wait(fmt.Sprintf("%d answers of %s in Redis", want, user), func() bool {
		return len(h.responses()[user]) >= want
	})
}

// storedSheets returns the latest review's responses as stored (after its
// digest, without respondents).
func (h *harness) storedSheets() []assessment.Response {
	st := h.main.Store
	ids, err := st.RecentReviews(context.Background(), 1)
	if err != nil || len(ids) == 0 {
		return nil
	}
	r, _, err := st.Review(context.Background(), ids[0])
	if err != nil {
		return nil
	}
	rs, _ := st.Responses(context.Background(), r)
	var out []assessment.Response
	for _, x := range rs {
		if x.HasAnswers() {
			out = append(out, x)
		}
	}
	return out
}

func (h *harness) responses() map[string]map[string]assessment.Answer {
	out := map[string]map[string]assessment.Answer{}
	st := h.main.Store
	ids, err := st.RecentReviews(context.Background(), 1)
	if err != nil || len(ids) == 0 {
		return out
	}
	r, _, err := st.Review(context.Background(), ids[0])
	if err != nil {
		return out
	}
	r.Respondents = append(r.Respondents, outsider)
	rs, err := st.Responses(context.Background(), r)
	if err != nil {
		return out
	}
	for _, x := range rs {
		ans := map[string]assessment.Answer{}
		for q, a := range x.Answers {
			if a.Option != "" || a.Text != "" {
				ans[q] = a
			}
		}
		out[x.Respondent] = ans
	}
	return out
}

type scoreOut struct {
	Sections []struct {
		ID            string   `json:"id"`
		Title         string   `json:"title"`
		Score         *float64 `json:"score"`
		Divergence    *float64 `json:"divergence"`
		AgreementBand string   `json:"agreement_band"`
	} `json:"sections"`
}

// scoreJSONFor runs `assessbot score --format json` on a CSV.
func scoreJSONFor(t *testing.T, framework string, csv []byte) scoreOut {
	t.Helper()
	path := t.TempDir() + "/answers.csv"
	if err := writeFile(path, csv); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"score", "--framework", framework, "--answers", path, "--format", "json"}, &out, io.Discard); err != nil {
		t.Fatalf("assessbot score: %v", err)
	}
	var s scoreOut
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestHealthEndpoints(t *testing.T) {
	h := newHarness(t)
	base := "http://" + h.main.HTTPAddr()
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
		if path == "/metrics" && !strings.Contains(string(body), "assessbot_digests_posted_total") {
			t.Errorf("/metrics has no assessbot series:\n%.300s", body)
		}
	}
}
