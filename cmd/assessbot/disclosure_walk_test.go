package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/blocktext"
	"github.com/assessbot/assessbot/internal/fakeslack"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/scoring"
)

// The disclosure model, walked through every output of the built bot: for
// every shipped framework and n = 3, 4, 5 and 6 respondents, a closed
// review's channel message and thread, the chart's words, the message's
// metadata, /review status and results, App Home, the export's files, the
// DMs and the logs show no figure the model (review.Disclose) withholds.
//
// The answers are saved through the answer use case, as a click would save
// them; everything read afterwards is what the bot sent to fakeslack or
// logged. What the model withholds is computed from the same answers with
// the same function the bot calls; the walk then reads each output line by
// line:
//   - a line that names a withheld question, or a withheld section, holds
//     no figure (a percentage, a count of answers or people, an agreement
//     band);
//   - no open answer or comment shows below the detail threshold (each is a
//     canary word of its own);
//   - the logs name no question and hold no canary.
//
// So that the walk cannot pass by matching nothing, from the detail
// threshold up it must find question figures and open answers where the
// model shows them.

// reFigure finds a figure in a line, once the question's or section's own
// text is taken out of it.
var reFigure = regexp.MustCompile(`\d+(\.\d+)?\s*%|\b\d+\s*(answered|people|person|not sure|×)|×\s*\d|\b(aligned|mixed|split)\b|agreement|[^\s\d]\s\d+\s*(·|\)|$)`)

func TestEveryOutputKeepsToTheDisclosureModel(t *testing.T) {
	cat := mustCatalog(t)
	for _, f := range cat.All() {
		for n := 3; n <= 6; n++ {
			t.Run(fmt.Sprintf("%s/n=%d", f.ID, n), func(t *testing.T) {
				t.Parallel()
				walkOutputs(t, f, n)
			})
		}
	}
}

// walkOutputs runs one review of f with n respondents to its digest and
// reads every output.
func walkOutputs(t *testing.T, f *assessment.Framework, n int) {
	var users []string
	for i := range n {
		users = append(users, fmt.Sprintf("UWALK%d", i+1))
	}
	h := newHarness(t, users...)
	id := h.startFramework(f.ID, "3d", users...)

	// Everyone answers every question (some not sure), writes open answers
	// and a comment, each a canary.
	var responses []assessment.Response
	var canaries []string
	for ui, u := range users {
		answers := plan(f, ui, false)
		resp := assessment.Response{Respondent: u, Answers: map[string]assessment.Answer{}, Submitted: true}
		for qid, a := range answers {
			if a.Text != "" {
				a.Text = fmt.Sprintf("CANARY%dX%s", ui, qid)
				canaries = append(canaries, a.Text)
			}
			if _, err := h.main.Service.Answer(h.ctx, id, u, qid, a, false); err != nil {
				t.Fatalf("%s answers %s: %v", u, qid, err)
			}
			resp.Answers[qid] = a
		}
		if q, ok := firstScored(f); ok {
			c := fmt.Sprintf("CANARY%dCOMMENT", ui)
			if _, err := h.main.Service.Answer(h.ctx, id, u, q, assessment.Answer{Comment: c}, true); err != nil {
				t.Fatalf("%s comments: %v", u, err)
			}
			a := resp.Answers[q]
			a.Comment = c
			resp.Answers[q] = a
			canaries = append(canaries, c)
		}
		if _, err := h.main.Service.Submit(h.ctx, id, u); err != nil {
			t.Fatalf("%s submits: %v", u, err)
		}
		responses = append(responses, resp)
	}

	// What the model shows of these answers.
	r, _, err := h.main.Store.Review(h.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	th := review.ThresholdsOf(r).Floor()
	full := scoring.Aggregate(f, responses, scoring.Options{Threshold: th.Mean})
	shown, _ := review.Disclose(f, full, th)

	outputs := h.closeAndCollect(id, len(f.Sections), users)
	w := walker{t: t, outputs: outputs}
	for i, q := range full.Questions {
		if q.IsText {
			continue
		}
		if questionWithheld(shown.Questions[i], q) {
			w.noFigureNear(q.Text, q.ID, "question "+q.ID)
		} else if q.Score != nil && w.figureNear(q.Text) {
			w.matched++
		}
	}
	for i, s := range shown.Sections {
		if s.Withheld && full.Sections[i].Score != nil {
			w.noFigureNear(s.Title, s.ID, "section "+s.ID)
		}
	}
	w.metadata(h.slack.ChannelMessages(leads), f, shown, n >= th.Detail)
	textsShown := n >= th.Detail
	seen := 0
	for _, c := range canaries {
		for name, text := range outputs {
			if strings.Contains(text, c) {
				seen++
				if !textsShown {
					t.Errorf("%s holds %s below the detail threshold (%d of %d)", name, c, n, th.Detail)
				}
			}
		}
	}
	logs := h.logs.String()
	for _, c := range canaries {
		if strings.Contains(logs, c) {
			t.Errorf("the logs hold the open answer %s", c)
		}
	}
	for _, q := range full.Questions {
		if p := prefix(q.Text); strings.Contains(logs, p) {
			t.Errorf("the logs name the question %q", p)
		}
	}
	if n >= th.Detail {
		if w.matched == 0 {
			t.Errorf("at %d respondents no output shows a question's figure next to its text: the walk reads nothing", n)
		}
		if len(canaries) > 0 && seen == 0 {
			t.Errorf("at %d respondents no output shows an open answer: the walk reads nothing", n)
		}
	}
	if t.Failed() {
		for name, text := range outputs {
			t.Logf("--- %s\n%s", name, text)
		}
	}
}

// questionWithheld reports whether the model withheld a question's figures.
func questionWithheld(shown, full scoring.QuestionResult) bool {
	return shown.Withheld || (full.Score != nil && shown.Score == nil)
}

func firstScored(f *assessment.Framework) (string, bool) {
	for _, ref := range f.Questions() {
		if !ref.Scale.Text {
			return ref.Question.ID, true
		}
	}
	return "", false
}

// startFramework starts a review of framework fid to users, due in due,
// posting its digest to the leadership channel, and waits for their intros.
func (h *harness) startFramework(fid, due string, users ...string) string {
	h.t.Helper()
	var mentions []string
	for _, u := range users {
		mentions = append(mentions, "<@"+u+"|"+strings.ToLower(u)+">")
	}
	if text := h.command(admin, leads, "start "+fid+" to "+strings.Join(mentions, " ")+" digest <#"+leads+"|cs-leadership> due "+due+" now anyway"); text != "" {
		h.t.Fatalf("start refused: %s", text)
	}
	for _, u := range users {
		h.waitDM(u, `"start"`)
	}
	ids, err := h.main.Store.RecentReviews(context.Background(), 1)
	if err != nil || len(ids) == 0 {
		h.t.Fatalf("no review stored: %v", err)
	}
	return ids[0]
}

// closeAndCollect closes review id and returns every output about it, by
// name, as text: the digest and its thread (with the metadata), the files
// uploaded (their text, title and alt text), what /review status, results
// and export tell the admin, App Home of the admin and of each respondent,
// and the DMs.
func (h *harness) closeAndCollect(id string, sections int, respondents []string) map[string]string {
	h.t.Helper()
	h.command(admin, leads, "close "+id)
	h.wait("the digest and its thread", func() bool {
		top, replies := 0, 0
		for _, m := range h.slack.ChannelMessages(leads) {
			if m.ThreadTS == "" || m.ThreadTS == m.TS {
				top++
			} else {
				replies++
			}
		}
		return top > 0 && replies >= sections
	})
	out := map[string]string{}
	for _, verb := range []string{"status", "results", "export"} {
		before := len(h.slack.Ephemerals(admin)) + len(h.slack.DMs(admin)) + len(h.slack.Files())
		if text := h.command(admin, leads, verb+" "+id); text != "" {
			out["the ack of "+verb] = text
			continue
		}
		h.wait("the answer to "+verb, func() bool {
			return len(h.slack.Ephemerals(admin))+len(h.slack.DMs(admin))+len(h.slack.Files()) > before
		})
	}
	// The export's files are all uploaded before it says so.
	h.told(admin, "I sent you the")
	for i, m := range h.slack.ChannelMessages(leads) {
		out[fmt.Sprintf("channel message %d", i)] = m.Text + "\n" + blocktext.Render(m.Blocks, nil)
	}
	for i, m := range h.slack.Ephemerals(admin) {
		out[fmt.Sprintf("ephemeral %d", i)] = m.Text + "\n" + blocktext.Render(m.Blocks, nil)
	}
	for i, f := range h.slack.Files() {
		text := f.Name + "\n" + f.Title + "\n" + f.AltText
		if strings.HasSuffix(f.Name, ".csv") {
			text += "\n" + csvLines(f.Content)
		}
		out[fmt.Sprintf("file %d (%s)", i, f.Name)] = text
	}
	for _, u := range append([]string{admin}, respondents...) {
		for i, m := range h.slack.DMs(u) {
			out[fmt.Sprintf("DM %d to %s", i, u)] = m.Text + "\n" + blocktext.Render(m.Blocks, nil)
		}
		before := len(h.slack.Calls("views.publish"))
		if _, err := h.slack.AppHomeOpened(h.ctx, u); err != nil {
			h.t.Fatal(err)
		}
		h.wait("App Home of "+u, func() bool { return len(h.slack.Calls("views.publish")) > before })
		if v, ok := h.slack.Home(u); ok {
			var view struct {
				Blocks json.RawMessage `json:"blocks"`
			}
			if err := json.Unmarshal(v.JSON, &view); err != nil {
				h.t.Fatal(err)
			}
			out["App Home of "+u] = blocktext.Render(view.Blocks, nil)
		}
	}
	return out
}

// csvLines renders a CSV file one record a line, its cells joined by " | ".
func csvLines(b []byte) string {
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return string(b)
	}
	var lines []string
	for _, r := range recs {
		lines = append(lines, strings.Join(r, " | "))
	}
	return strings.Join(lines, "\n")
}

// walker reads the outputs line by line.
type walker struct {
	t       *testing.T
	outputs map[string]string
	// matched counts the shown questions some line names with a figure.
	matched int
}

// prefix is how an output names a question or section it may shorten:
// its first 30 characters, as the digest escapes them.
func prefix(s string) string {
	r := []rune(s)
	if len(r) > 30 {
		r = r[:30]
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(string(r))
}

// noFigureNear fails when a line that names text (a question's or a
// section's, whose id is id) holds a figure.
func (w *walker) noFigureNear(text, id, what string) {
	w.t.Helper()
	p := prefix(text)
	for name, out := range w.outputs {
		for _, line := range strings.Split(out, "\n") {
			i := strings.Index(line, p)
			if i < 0 {
				continue
			}
			rest := line[:i] + " " + line[i+len(p):]
			if full := strings.Index(line, text); full >= 0 {
				rest = line[:full] + " " + line[full+len(text):]
			}
			// An id (a CSV's first columns) may hold a band's word:
			// `plan-aligned`.
			rest = strings.ReplaceAll(rest, id, " ")
			if m := reFigure.FindString(rest); m != "" {
				w.t.Errorf("%s shows %q next to the withheld %s:\n%s", name, m, what, line)
			}
		}
	}
}

// metadata checks the digest's message metadata: it names no question,
// carries no figure of a section the model withholds, no band counts and
// no alignment the model does not show.
func (w *walker) metadata(msgs []fakeslack.Message, f *assessment.Framework, shown scoring.Result, detail bool) {
	w.t.Helper()
	found := 0
	for _, m := range msgs {
		if len(m.Metadata) == 0 {
			continue
		}
		found++
		var md struct {
			Payload struct {
				Band *struct {
					Counts []any `json:"counts"`
				} `json:"band"`
				Alignment *float64         `json:"alignment"`
				Sections  []map[string]any `json:"sections"`
			} `json:"event_payload"`
		}
		if err := json.Unmarshal(m.Metadata, &md); err != nil {
			w.t.Fatalf("metadata: %v", err)
		}
		raw := string(m.Metadata)
		for _, ref := range f.Questions() {
			if strings.Contains(raw, `"`+ref.Question.ID+`"`) {
				w.t.Errorf("the metadata names the question %s: %s", ref.Question.ID, raw)
			}
		}
		if b := md.Payload.Band; b != nil && b.Counts != nil && !detail {
			w.t.Errorf("the metadata gives band counts below the detail threshold: %s", raw)
		}
		if md.Payload.Alignment != nil && shown.Alignment == nil {
			w.t.Errorf("the metadata gives the alignment the model withholds: %s", raw)
		}
		for _, sec := range md.Payload.Sections {
			for _, s := range shown.Sections {
				if s.ID != sec["id"] || (!s.Withheld && s.Score != nil) {
					continue
				}
				for _, k := range []string{"score", "agreement", "agreement_band"} {
					if _, ok := sec[k]; ok {
						w.t.Errorf("the metadata gives the %s of the withheld section %s: %s", k, s.ID, raw)
					}
				}
			}
		}
	}
	if found != 1 {
		w.t.Errorf("%d messages carry metadata, want the digest's only", found)
	}
}

// figureNear reports whether some line that names text holds a figure.
func (w *walker) figureNear(text string) bool {
	p := prefix(text)
	for _, out := range w.outputs {
		for _, line := range strings.Split(out, "\n") {
			if i := strings.Index(line, p); i >= 0 && reFigure.MatchString(line[:i]+" "+line[i+len(p):]) {
				return true
			}
		}
	}
	return false
}
