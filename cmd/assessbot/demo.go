package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/app"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/blocktext"
	"github.com/assessbot/assessbot/internal/fakeslack"
)

// runDemo plays a whole review on this machine: an embedded Redis, the
// Slack double, the real bot, and simulated respondents who click through
// their DMs over Socket Mode. It prints what people would see in Slack.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("demo", flag.ContinueOnError)
	fwID := fl.String("framework", "cs-excellence", "framework to run")
	n := fl.Int("respondents", 5, "number of simulated respondents (1-20)")
	verbose := fl.Bool("v", false, "print the bot's logs")
	chartPath := fl.String("chart", "", "write the digest's chart (PNG) to this file")
	if err := fl.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if *n < 1 || *n > 20 {
		return usageErr("--respondents must be from 1 to 20")
	}
	cat, err := loadCatalog("")
	if err != nil {
		return err
	}
	f, ok := cat.Get(*fwID)
	if !ok {
		return usageErr("no framework %q; known: %s", *fwID, strings.Join(cat.IDs(), ", "))
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()

	fs := fakeslack.New()
	defer fs.Close()
	names := map[string]string{"UADA": "ada", "CLEADS": "cs-leadership"}
	fs.AddUser(fakeslack.User{ID: "UADA", Name: "ada", RealName: "Ada (Head of CS)", TZ: "Europe/Berlin"})
	people := []string{"amy", "ben", "cat", "dev", "eli", "fay", "gus", "hal", "ivy", "jon", "kim", "lea", "max", "noa", "oli", "pat", "quinn", "rae", "sam", "tia"}
	var users []string
	for i := 0; i < *n; i++ {
		id := "U" + strings.ToUpper(people[i])
		users = append(users, id)
		names[id] = people[i]
		fs.AddUser(fakeslack.User{ID: id, Name: people[i], TZ: []string{"Asia/Tokyo", "Europe/Berlin", "America/Los_Angeles"}[i%3]})
	}
	fs.AddChannel("CLEADS", "cs-leadership", "UADA")

	logs := io.Discard
	if *verbose {
		logs = stderr
	}
	m := app.NewMain(app.Config{
		SlackBotToken: fs.BotToken(), SlackAppToken: fs.AppToken(), SlackAPIURL: fs.APIURL(),
		RedisPrefix: "assessbot:", LogLevel: "info", Workers: 8, Tick: 200 * time.Millisecond,
	}, logs)
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	wait := func(cond func() bool) error { return fs.WaitFor(ctx, cond) }
	if err := wait(m.Bot.Connected); err != nil {
		return fmt.Errorf("demo: the bot did not connect: %w", err)
	}
	out := func(title, body string) {
		fmt.Fprintf(stdout, "\n┌─ %s\n", title)
		for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
			fmt.Fprintf(stdout, "│ %s\n", l)
		}
		fmt.Fprintln(stdout, "└─")
	}

	var mentions []string
	for _, u := range users {
		mentions = append(mentions, fmt.Sprintf("<@%s|%s>", u, names[u]))
	}
	cmd := fmt.Sprintf("start %s to %s digest <#CLEADS|cs-leadership> due 3d now", f.ID, strings.Join(mentions, " "))
	fmt.Fprintf(stdout, "@ada types in #cs-leadership:  /review start %s to @%s digest #cs-leadership due 3d now\n", f.ID, strings.Join(people[:*n], " @"))
	if _, err := fs.SlashCommand(ctx, "UADA", "CLEADS", "/review", cmd); err != nil {
		return err
	}
	if err := wait(func() bool { return len(fs.Ephemerals("UADA")) > 0 }); err != nil {
		return err
	}
	out("only @ada sees (ephemeral)", blocktext.Mrkdwn(fs.Ephemerals("UADA")[0].Text, names))

	rng := rand.New(rand.NewPCG(7, 11))
	findDM := func(u, s string) (fakeslack.Message, error) {
		var msg fakeslack.Message
		err := wait(func() bool {
			dms := fs.DMs(u)
			for i := len(dms) - 1; i >= 0; i-- {
				if strings.Contains(string(dms[i].Blocks), s) {
					msg = dms[i]
					return true
				}
			}
			return false
		})
		return msg, err
	}
	for ui, u := range users {
		intro, err := findDM(u, `"start"`)
		if err != nil {
			return fmt.Errorf("demo: no intro DM for %s: %w", names[u], err)
		}
		if ui == 0 {
			out(fmt.Sprintf("DM from assessbot to @%s", names[u]), blocktext.Render(intro.Blocks, names))
		}
		if _, err := fs.Click(ctx, u, intro, "start", ""); err != nil {
			return err
		}
		// Each person has a view of the team: an optimist, a sceptic, ...
		lean := []float64{0.8, 0.35, 0.6, 0.5, 0.7}[ui%5]
		for si, s := range f.Sections {
			hdr := fmt.Sprintf("%d/%d · ", si+1, len(f.Sections))
			if _, err := findDM(u, hdr); err != nil {
				return err
			}
			for _, q := range s.Questions {
				sc := f.Scales[q.Scale]
				if sc.Text {
					continue // open answers are written in a modal; see the e2e tests
				}
				opt := assessment.NotSure
				if r := rng.Float64(); r > 0.08 {
					x := min(max(lean+(rng.Float64()-0.5)*0.9, 0), 1)
					opt = sc.Options[int(math.Round(x*float64(len(sc.Options)-1)))].ID
				}
				msg, err := findDM(u, `"answer|`+q.ID+`|`)
				if err != nil {
					return err
				}
				if _, err := fs.Click(ctx, u, msg, "answer|"+q.ID+"|"+opt, ""); err != nil {
					return err
				}
			}
			if ui == 0 && si == 0 {
				_ = wait(func() bool {
					dm, _ := findDM(u, hdr)
					return strings.Count(string(dm.Blocks), "Your answer") >= len(s.Questions)-1
				})
				dm, _ := findDM(u, hdr)
				out(fmt.Sprintf("@%s's DM after answering the first section", names[u]), blocktext.Render(dm.Blocks, names))
			}
			if si+1 < len(f.Sections) {
				msg, err := findDM(u, `"next"`)
				if err != nil {
					return err
				}
				before := len(fs.DMs(u))
				if _, err := fs.Click(ctx, u, msg, "next", ""); err != nil {
					return err
				}
				if err := wait(func() bool { return len(fs.DMs(u)) > before }); err != nil {
					return err
				}
			}
		}
		msg, err := findDM(u, `"submit"`)
		if err != nil {
			return err
		}
		if _, err := fs.Click(ctx, u, msg, "submit", ""); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "@%s answered and submitted.\n", names[u])
	}
	if err := wait(func() bool { return len(fs.ChannelMessages("CLEADS")) > 0 }); err != nil {
		return fmt.Errorf("demo: no digest was posted: %w", err)
	}
	_ = wait(func() bool { return len(fs.ChannelMessages("CLEADS")) > len(f.Sections) })
	time.Sleep(300 * time.Millisecond)
	replies := 0
	for _, msg := range fs.ChannelMessages("CLEADS") {
		if msg.ThreadTS == "" || msg.ThreadTS == msg.TS {
			out("#cs-leadership: the digest", blocktext.Render(msg.Blocks, names))
			continue
		}
		if len(msg.Blocks) == 0 || string(msg.Blocks) == "null" {
			continue // the chart's file message
		}
		if replies++; replies == 1 {
			out("#cs-leadership: the first reply in the digest's thread (one per section)", blocktext.Render(msg.Blocks, names))
		}
	}
	if replies > 1 {
		fmt.Fprintf(stdout, "(… and %d more section replies in the thread.)\n", replies-1)
	}
	for _, file := range fs.Files() {
		if strings.HasSuffix(file.Name, "-chart.png") {
			fmt.Fprintf(stdout, "\n(The digest's thread also holds a chart: %s, %d KB.)\n", file.Name, len(file.Content)/1024)
			if *chartPath != "" {
				if err := os.WriteFile(*chartPath, file.Content, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "Chart written to %s\n", *chartPath)
			}
		}
	}
	fmt.Fprintln(stdout, "\nThat was the whole flow, on this machine: embedded Redis, a Slack double, the real bot. See README.md to run it against your workspace.")
	return nil
}
