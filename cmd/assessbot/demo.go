package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/assessbot/assessbot/internal/app"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/blocktext"
	"github.com/assessbot/assessbot/internal/fakeslack"
)

// demoStart is the bot's clock when the demo runs with a seed: with the same
// seed, the same answers and the same dates give the same output (only the
// review ids, which the bot draws at random, differ).
var demoStart = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// Titles of the demo's boxes that README.md quotes (see demo_test.go).
const (
	demoDigestTitle = "#cs-leadership: the digest"
	demoTrendTitle  = "#cs-leadership: the next quarter's digest, compared with the first"
)

var (
	reStartedReview = regexp.MustCompile("Started review `([a-z0-9-]+)`")
	reAnswered      = regexp.MustCompile(`\((\d+/\d+) answered\)`)
)

// demoTexts are the simulated respondents' open answers.
var demoTexts = []string{
	"Onboarding is solid; renewals still depend on who owns the account.",
	"We measure health scores but rarely act on them.",
	"Nobody owns this today, so it happens when someone has time.",
	"Our playbooks are a year old and the product has moved on.",
	"It works for our largest customers, not for the long tail.",
	"Better handoffs from sales would help more than anything else.",
	"We discuss it in QBRs, but nothing gets written down.",
	"More time with the product team, please.",
}

// runDemo plays a whole review on this machine: an embedded Redis, the
// Slack double, the real bot, and simulated respondents who click through
// their DMs over Socket Mode and write their open answers in the bot's
// forms. Then the same people answer again a quarter later, so the second
// digest shows the change. It prints what people would see in Slack and
// writes the digests' charts to -out.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("demo", flag.ContinueOnError)
	fwID := fl.String("framework", "cs-excellence", "framework to run (shipped, or from FRAMEWORKS_DIR)")
	n := fl.Int("respondents", 5, "number of simulated respondents (1-20)")
	seed := fl.Uint64("seed", 1, "the respondents' answers and the dates: the same seed prints the same review; 0 picks answers at random and uses today's date")
	outDir := fl.String("out", "", "folder for the digests' charts (default: a new temporary folder, printed at the end)")
	verbose := fl.Bool("v", false, "print the bot's logs")
	teams := fl.Bool("teams", false, "split the respondents into two user groups, @cs-emea and @cs-amer, and compare them (`by`): the digest's thread gets a heatmap; each team needs at least 5 respondents, so use it with -respondents 10 or more")
	if helpRequested(args) {
		// Help goes to stdout, as every command's does.
		fmt.Fprintf(stdout, "Usage: assessbot demo [flags]\n\n%s\n\nFlags:\n", wrap(cmdDemo.summary, 78, ""))
		fl.SetOutput(stdout)
		fl.PrintDefaults()
		return nil
	}
	fl.SetOutput(io.Discard) // the error is printed once, by main
	if err := fl.Parse(args); err != nil {
		var usage strings.Builder
		fl.SetOutput(&usage)
		fl.PrintDefaults()
		return usageErr("%s\n\nUsage: assessbot demo [flags]\n%s", err, usage.String())
	}
	if fl.NArg() > 0 {
		return usageErr("demo takes no arguments, only flags; got %q", fl.Args())
	}
	if *n < 1 || *n > 20 {
		return usageErr("-respondents must be from 1 to 20")
	}
	frameworksDir := os.Getenv("FRAMEWORKS_DIR")
	cat, err := loadCatalog(frameworksDir)
	if err != nil {
		return err
	}
	f, ok := cat.Get(*fwID)
	if !ok {
		return usageErr("no framework %q; known: %s", *fwID, strings.Join(cat.IDs(), ", "))
	}
	start := demoStart
	if *seed == 0 {
		*seed = rand.Uint64()
		start = time.Now().UTC().Truncate(time.Minute)
	}
	dir := *outDir
	var written []string
	if dir == "" {
		if dir, err = os.MkdirTemp("", "assessbot-demo-"); err != nil {
			return err
		}
		defer func() {
			if len(written) == 0 {
				os.Remove(dir) // a run that failed leaves no empty folder behind
			}
		}()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	d := &demo{ctx: ctx, f: f, stdout: stdout, rng: rand.New(rand.NewPCG(*seed, 11)),
		fs: fakeslack.New(), names: map[string]string{"UADA": "ada", "CLEADS": "cs-leadership"}, since: map[string]int{}}
	defer d.fs.Close()
	d.now.Store(start.UnixNano())
	d.fs.AddUser(fakeslack.User{ID: "UADA", Name: "ada", RealName: "Ada (Head of CS)", TZ: "Europe/Berlin"})
	people := []string{"amy", "ben", "cat", "dev", "eli", "fay", "gus", "hal", "ivy", "jon", "kim", "lea", "max", "noa", "oli", "pat", "quinn", "rae", "sam", "tia"}
	for i, p := range people[:*n] {
		id := "U" + strings.ToUpper(p)
		d.users = append(d.users, id)
		d.names[id] = p
		d.fs.AddUser(fakeslack.User{ID: id, Name: p, TZ: []string{"Asia/Tokyo", "Europe/Berlin", "America/Los_Angeles"}[i%3]})
	}
	d.fs.AddChannel("CLEADS", "cs-leadership", "UADA")
	if *teams {
		half := len(d.users) / 2
		d.fs.AddUsergroup("SEMEA", "cs-emea", d.users[:half]...)
		d.fs.AddUsergroup("SAMER", "cs-amer", d.users[half:]...)
		d.teams = half
	}

	logs := io.Discard
	if *verbose {
		logs = stderr
	}
	// The demo names its admin: a bot with no admins configured refuses
	// admin commands.
	d.m = app.NewMain(app.Config{
		SlackBotToken: d.fs.BotToken(), SlackAppToken: d.fs.AppToken(), SlackAPIURL: d.fs.APIURL(),
		RedisPrefix: "assessbot:", FrameworksDir: frameworksDir, AdminUsers: []string{"UADA"},
		LogLevel: "info", Workers: 8, Tick: 200 * time.Millisecond,
	}, logs, app.WithClock(func() time.Time { return time.Unix(0, d.now.Load()).UTC() }))
	if err := d.m.Open(ctx); err != nil {
		return err
	}
	defer d.m.Close()
	if err := d.wait(d.m.Bot.Connected); err != nil {
		return fmt.Errorf("demo: the bot did not connect: %w", err)
	}

	// The first review, shown in detail.
	id1, err := d.startReview()
	if err != nil {
		return err
	}
	for ui := range d.users {
		if err := d.respond(ui, d.teamShift(ui), ui == 0); err != nil {
			return err
		}
	}
	d.afterGrace()
	chart1, err := d.showDigest(id1, demoDigestTitle, true)
	if err != nil {
		return err
	}

	// A quarter later the same people answer again, a little more kindly.
	d.now.Store(start.AddDate(0, 3, 0).UnixNano())
	fmt.Fprintln(stdout, "\nA quarter later @ada runs the same review again, to the same channel:")
	id2, err := d.startReview()
	if err != nil {
		return err
	}
	for ui := range d.users {
		if err := d.respond(ui, 0.15+d.teamShift(ui), false); err != nil {
			return err
		}
	}
	d.afterGrace()
	chart2, err := d.showDigest(id2, demoTrendTitle, false)
	if err != nil {
		return err
	}

	heatmaps := d.heatmaps([]string{id1, id2})
	for i, c := range append([][]byte{chart1, chart2}, heatmaps...) {
		if c == nil {
			continue
		}
		name := fmt.Sprintf("review-%d-chart.png", i+1)
		if i >= 2 {
			name = fmt.Sprintf("review-%d-heatmap.png", i-1)
		}
		if err := os.WriteFile(filepath.Join(dir, name), c, 0o644); err != nil {
			return err
		}
		written = append(written, name)
	}
	if len(written) > 0 {
		fmt.Fprintf(stdout, "\nThe digests' charts (a radar of the section scores, the second against the first, and the spread per section) are in %s: %s\n", dir, strings.Join(written, ", "))
	}
	fmt.Fprintln(stdout, "\nThat was the whole flow, on this machine: embedded Redis, a Slack double, the real bot. See README.md to run it against your workspace.")
	return nil
}

// demo is one run of the demo: the Slack double, the bot, and the people.
type demo struct {
	ctx    context.Context
	f      *assessment.Framework
	fs     *fakeslack.Server
	m      *app.Main
	stdout io.Writer
	rng    *rand.Rand
	names  map[string]string // user and channel ids -> names, for printing
	users  []string
	since  map[string]int // per user: how many DMs came before the current review
	teams  int            // with -teams: the first teams users are @cs-emea, the rest @cs-amer
	now    atomic.Int64   // the bot's clock (unix ns): frozen, moved by the demo
}

func (d *demo) wait(cond func() bool) error { return d.fs.WaitFor(d.ctx, cond) }

// box prints what someone sees, framed.
func (d *demo) box(title, body string) {
	fmt.Fprintf(d.stdout, "\n┌─ %s\n", title)
	for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		fmt.Fprintf(d.stdout, "│ %s\n", l)
	}
	fmt.Fprintln(d.stdout, "└─")
}

// startReview has @ada start a review of the framework for everyone, and
// returns its id.
func (d *demo) startReview() (string, error) {
	var mentions, handles []string
	for _, u := range d.users {
		mentions = append(mentions, fmt.Sprintf("<@%s|%s>", u, d.names[u]))
		handles = append(handles, "@"+d.names[u])
	}
	// Fewer people than the anonymity threshold: the bot asks for `anyway`.
	anyway := ""
	if len(d.users) < assessment.DefaultThreshold {
		anyway = " anyway"
	}
	by, byShown := "", ""
	if d.teams > 0 {
		by, byShown = " by <!subteam^SEMEA|@cs-emea> <!subteam^SAMER|@cs-amer>", " by @cs-emea @cs-amer"
	}
	fmt.Fprintf(d.stdout, "@ada types in #cs-leadership:  /review start %s to %s%s digest #cs-leadership due 3d now%s\n", d.f.ID, strings.Join(handles, " "), byShown, anyway)
	seen := len(d.fs.Ephemerals("UADA"))
	for _, u := range d.users {
		d.since[u] = len(d.fs.DMs(u))
	}
	cmd := fmt.Sprintf("start %s to %s%s digest <#CLEADS|cs-leadership> due 3d now%s", d.f.ID, strings.Join(mentions, " "), by, anyway)
	if _, err := d.fs.SlashCommand(d.ctx, "UADA", "CLEADS", "/review", cmd); err != nil {
		return "", err
	}
	if err := d.wait(func() bool { return len(d.fs.Ephemerals("UADA")) > seen }); err != nil {
		return "", fmt.Errorf("demo: no answer to /review start: %w", err)
	}
	reply := d.fs.Ephemerals("UADA")[seen].Text
	d.box("only @ada sees (ephemeral)", blocktext.Mrkdwn(reply, d.names))
	m := reStartedReview.FindStringSubmatch(reply)
	if m == nil {
		return "", errors.New("demo: the review did not start")
	}
	return m[1], nil
}

// afterGrace moves the bot's clock past the grace period that follows
// the last submission, when the review closes and its digest goes out.
func (d *demo) afterGrace() {
	d.now.Add(int64(assessment.DefaultGrace + time.Minute))
	fmt.Fprintln(d.stdout, "Everyone has submitted. An hour later (answers could still change until then) the review closes:")
}

// dm waits for the newest DM to u in the current review whose blocks
// contain s.
func (d *demo) dm(u, s string) (fakeslack.Message, error) {
	var msg fakeslack.Message
	err := d.wait(func() bool {
		var ok bool
		msg, ok = d.findDM(u, s)
		return ok
	})
	if err != nil {
		return msg, fmt.Errorf("demo: no DM to @%s with %s: %w", d.names[u], s, err)
	}
	return msg, nil
}

func (d *demo) findDM(u, s string) (fakeslack.Message, bool) {
	dms := d.fs.DMs(u)
	for i := len(dms) - 1; i >= d.since[u]; i-- {
		if strings.Contains(string(dms[i].Blocks), s) {
			return dms[i], true
		}
	}
	return fakeslack.Message{}, false
}

// click clicks a button of msg as u.
func (d *demo) click(u string, msg fakeslack.Message, actionID string) error {
	if _, err := d.fs.Click(d.ctx, u, msg, actionID, ""); err != nil {
		return fmt.Errorf("demo: @%s clicks %s: %w", d.names[u], actionID, err)
	}
	return nil
}

// respond has respondent ui answer the current review through their DMs, leaning
// shift towards the better answers, and prints a line about it; show also
// prints their intro, an open-answer form and their first section.
func (d *demo) respond(ui int, shift float64, show bool) error {
	u, f := d.users[ui], d.f
	intro, err := d.dm(u, `"start"`)
	if err != nil {
		return err
	}
	if show {
		d.box(fmt.Sprintf("DM from assessbot to @%s", d.names[u]), blocktext.Render(intro.Blocks, d.names))
	}
	if err := d.click(u, intro, "start"); err != nil {
		return err
	}
	// Each person has a view of the team: an optimist, a sceptic, ...
	lean := []float64{0.8, 0.35, 0.6, 0.5, 0.7}[ui%5] + shift
	answered, notSure, texts, total := 0, 0, 0, 0
	for _, ref := range f.Questions() {
		if !ref.Scale.Text {
			total++
		}
	}
	for si, s := range f.Sections {
		hdr := fmt.Sprintf("%d/%d · ", si+1, len(f.Sections))
		if _, err := d.dm(u, hdr); err != nil {
			return err
		}
		var wrote []string
		for qi, q := range s.Questions {
			sc := f.Scales[q.Scale]
			if sc.Text {
				if d.rng.Float64() < 0.25 {
					continue // open answers are optional
				}
				// Different people write different things.
				t := demoTexts[(3*ui+qi)%len(demoTexts)]
				if err := d.writeText(u, q.ID, t, show && texts == 0); err != nil {
					return err
				}
				wrote = append(wrote, t)
				texts++
				continue
			}
			opt := assessment.NotSure
			if d.rng.Float64() > 0.08 {
				x := min(max(lean+(d.rng.Float64()-0.5)*0.9, 0), 1)
				opt = sc.Options[int(math.Round(x*float64(len(sc.Options)-1)))].ID
			} else {
				notSure++
			}
			msg, err := d.dm(u, `"answer|`+q.ID+`|`)
			if err != nil {
				return err
			}
			if err := d.click(u, msg, "answer|"+q.ID+"|"+opt); err != nil {
				return err
			}
			answered++
		}
		// Every answer shows in the section's message before we go on, so
		// what is printed does not depend on timing.
		progress := fmt.Sprintf("*%d/%d answered*", answered, total)
		section, err := d.dm(u, hdr)
		if err != nil {
			return err
		}
		err = d.wait(func() bool {
			section, _ = d.findDM(u, hdr)
			b := string(section.Blocks)
			for _, t := range wrote {
				if !strings.Contains(b, t) {
					return false
				}
			}
			return strings.Contains(b, progress)
		})
		if err != nil {
			return fmt.Errorf("demo: @%s's answers to %s did not show: %w", d.names[u], s.Title, err)
		}
		if show && si == 0 {
			d.box(fmt.Sprintf("@%s's DM after answering the first section", d.names[u]), blocktext.Render(section.Blocks, d.names))
		}
		action := "submit"
		if si+1 < len(f.Sections) {
			action = "next"
		}
		before := len(d.fs.DMs(u))
		if err := d.click(u, section, action); err != nil {
			return err
		}
		if err := d.wait(func() bool { return len(d.fs.DMs(u)) > before }); err != nil {
			return fmt.Errorf("demo: nothing came after @%s clicked %s: %w", d.names[u], action, err)
		}
	}
	thanks, err := d.dm(u, "Your answers to")
	if err != nil {
		return err
	}
	count := "?"
	if m := reAnswered.FindStringSubmatch(string(thanks.Blocks)); m != nil {
		count = m[1]
	}
	line := fmt.Sprintf("@%s submitted: %s answered", d.names[u], count)
	if notSure > 0 {
		line += fmt.Sprintf(" (%d of them Not sure)", notSure)
	}
	switch {
	case texts == 1:
		line += ", 1 open answer"
	case texts > 1:
		line += fmt.Sprintf(", %d open answers", texts)
	}
	fmt.Fprintln(d.stdout, line+".")
	return nil
}

// writeText answers open question qID in the form the bot opens for it.
func (d *demo) writeText(u, qID, text string, show bool) error {
	msg, err := d.dm(u, `"text|`+qID+`"`)
	if err != nil {
		return err
	}
	before := len(d.fs.Views(u))
	if err := d.click(u, msg, "text|"+qID); err != nil {
		return err
	}
	var v fakeslack.View
	err = d.wait(func() bool {
		vs := d.fs.Views(u)
		if len(vs) > before {
			v = vs[len(vs)-1]
			return true
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("demo: no form for @%s's open answer: %w", d.names[u], err)
	}
	if show {
		var view struct {
			Title  struct{ Text string } `json:"title"`
			Blocks json.RawMessage       `json:"blocks"`
		}
		_ = json.Unmarshal(v.JSON, &view)
		d.box(fmt.Sprintf("the form @%s writes an open answer in (%s)", d.names[u], view.Title.Text),
			blocktext.Render(view.Blocks, d.names)+"→ "+text)
	}
	if _, err := d.fs.SubmitView(d.ctx, u, v, map[string]map[string]any{
		"answer": {"v": map[string]any{"type": "plain_text_input", "value": text}},
	}); err != nil {
		return fmt.Errorf("demo: @%s submits an open answer: %w", d.names[u], err)
	}
	return nil
}

// showDigest waits until review id's digest is posted, prints it (and, with
// thread, a look at its thread) and returns its chart, if any.
func (d *demo) showDigest(id, title string, thread bool) ([]byte, error) {
	err := d.wait(func() bool {
		st, err := d.m.Store.DigestState(d.ctx, id)
		return err == nil && st.Kind == assessment.Sent
	})
	if err != nil {
		return nil, fmt.Errorf("demo: no digest was posted: %w", err)
	}
	var top fakeslack.Message
	for _, msg := range d.fs.ChannelMessages("CLEADS") {
		if (msg.ThreadTS == "" || msg.ThreadTS == msg.TS) && strings.Contains(string(msg.Blocks), "`"+id+"`") {
			top = msg
		}
	}
	if top.TS == "" {
		return nil, errors.New("demo: the digest is not in #cs-leadership")
	}
	d.box(title, blocktext.Render(top.Blocks, d.names))
	if thread {
		var replies []fakeslack.Message
		for _, msg := range d.fs.ChannelMessages("CLEADS") {
			if msg.ThreadTS == top.TS && msg.TS != top.TS && len(msg.Blocks) > 0 && string(msg.Blocks) != "null" {
				replies = append(replies, msg) // not the chart's file message
			}
		}
		if len(replies) > 0 {
			d.box("#cs-leadership: the digest's thread opens with an overview", blocktext.Render(replies[0].Blocks, d.names))
		}
		if len(replies) > 1 {
			d.box("#cs-leadership: then one reply per section; the first", blocktext.Render(replies[1].Blocks, d.names))
		}
		for i, msg := range replies {
			if i > 0 && containsAny(string(msg.Blocks), demoTexts) {
				if i > 1 {
					d.box("#cs-leadership: a reply with open answers (anonymous, shuffled)", blocktext.Render(msg.Blocks, d.names))
				}
				break
			}
		}
		if len(replies) > 2 {
			fmt.Fprintf(d.stdout, "(The thread has %d section replies in all.)\n", len(replies)-1)
		}
	}
	for _, file := range d.fs.Files() {
		switch {
		case !strings.HasSuffix(file.Name, "-chart.png"):
		case strings.Contains(string(top.Blocks), `"slack_file":{"id":"`+file.ID+`"}`):
			fmt.Fprintf(d.stdout, "(The digest shows its chart, %s, in the message.)\n", file.Name)
			return file.Content, nil
		case file.ThreadTS == top.TS:
			fmt.Fprintf(d.stdout, "(The digest's thread holds its chart, %s.)\n", file.Name)
			return file.Content, nil
		}
	}
	return nil, nil
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// teamShift leans the second team's answers lower, so that the heatmap
// has a gap to show.
func (d *demo) teamShift(ui int) float64 {
	if d.teams > 0 && ui >= d.teams {
		return -0.25
	}
	return 0
}

// heatmaps returns each review's heatmap, from its digest's thread, and
// shows the first review's table of teams; nil without -teams.
func (d *demo) heatmaps(ids []string) [][]byte {
	if d.teams == 0 {
		return nil
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		for _, file := range d.fs.Files() {
			if file.Name == id+"-heatmap.png" {
				out[i] = file.Content
			}
		}
	}
	for _, msg := range d.fs.ChannelMessages("CLEADS") {
		if strings.Contains(string(msg.Blocks), "Teams side by side") {
			d.box("#cs-leadership: the thread compares the teams (and holds the heatmap)", blocktext.Render(msg.Blocks, d.names))
			break
		}
	}
	return out
}
