package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/blocktext"
	"github.com/assessbot/assessbot/internal/chart"
	"github.com/assessbot/assessbot/internal/fakeslack"
)

// TestSegmentsEndToEnd: a review by two user groups, through fakeslack and
// real Redis. EMEA (6) answers every question with its best option, AMER
// (6) with its worst, five people in neither with the middle one. The
// channel message says the largest gap (AMER 0% vs EMEA 100%), the thread
// has the teams' table and the heatmap, the metadata and the export carry
// the cells; once the digest is out Redis holds no membership.
func TestSegmentsEndToEnd(t *testing.T) {
	var emea, amer, others, all []string
	for i := range 6 {
		emea, amer = append(emea, fmt.Sprintf("UEMEA%d", i)), append(amer, fmt.Sprintf("UAMER%d", i))
	}
	for i := range 5 {
		others = append(others, fmt.Sprintf("UOTHER%d", i))
	}
	all = append(append(append(all, emea...), amer...), others...)
	h := newHarness(t, all...)
	h.slack.AddUsergroup("SEMEA", "cs-emea", emea...)
	h.slack.AddUsergroup("SAMER", "cs-amer", amer...)
	cmd := "start cs-checklist to <!subteam^SEMEA|@cs-emea> <!subteam^SAMER|@cs-amer>"
	for _, u := range others {
		cmd += " <@" + u + ">"
	}
	cmd += " by <!subteam^SEMEA|@cs-emea> <!subteam^SAMER|@cs-amer> digest <#" + leads + "|cs-leadership> due 3d now"
	if text := h.command(admin, leads, cmd); text != "" {
		t.Fatalf("start refused: %s", text)
	}
	for _, u := range all {
		h.waitDM(u, `"start"`)
	}
	ids, err := h.main.Store.RecentReviews(h.ctx, 1)
	if err != nil || len(ids) == 0 {
		t.Fatalf("no review: %v", err)
	}
	id := ids[0]
	f, _ := mustCatalog(t).Get("cs-checklist")
	pick := func(sc *assessment.Scale, who string) string {
		switch {
		case strings.HasPrefix(who, "UEMEA"):
			return sc.Options[len(sc.Options)-1].ID
		case strings.HasPrefix(who, "UAMER"):
			return sc.Options[0].ID
		}
		return sc.Options[len(sc.Options)/2].ID
	}
	for _, u := range all {
		for _, ref := range f.Questions() {
			if ref.Scale == nil || ref.Scale.Text {
				continue
			}
			if _, err := h.main.Service.Answer(h.ctx, id, u, ref.Question.ID, assessment.Answer{Option: pick(ref.Scale, u)}, false); err != nil {
				t.Fatalf("%s answers: %v", u, err)
			}
		}
		if _, err := h.main.Service.Submit(h.ctx, id, u); err != nil {
			t.Fatal(err)
		}
	}
	outputs := h.closeAndCollect(id, len(f.Sections), nil)

	var top fakeslack.Message
	var thread string
	for _, m := range h.slack.ChannelMessages(leads) {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			top = m
		} else {
			thread += blocktext.Render(m.Blocks, nil) + "\n"
		}
	}
	msg := blocktext.Render(top.Blocks, nil)
	if want := "Largest gap between teams* " + f.Sections[0].Title + ": cs-amer `0%` vs cs-emea `100%`"; !strings.Contains(msg, want) {
		t.Errorf("the message lacks %q:\n%s", want, msg)
	}
	for _, want := range []string{"Teams side by side", "cs-emea", "cs-amer", "everyone else", "100% n6", "0% n6"} {
		if !strings.Contains(thread, want) {
			t.Errorf("the thread lacks %q:\n%s", want, thread)
		}
	}
	var md struct {
		Payload struct {
			Segments []struct {
				ID    string           `json:"id"`
				N     int              `json:"n"`
				Cells []map[string]any `json:"cells"`
			} `json:"segments"`
		} `json:"event_payload"`
	}
	if err := json.Unmarshal(top.Metadata, &md); err != nil || len(md.Payload.Segments) != 3 {
		t.Fatalf("metadata segments: %+v, %v", md.Payload.Segments, err)
	}
	for _, s := range md.Payload.Segments {
		if len(s.Cells) != len(f.Sections) {
			t.Errorf("metadata: %s has %d cells, want one per section", s.ID, len(s.Cells))
		}
	}
	heatmap, teams := false, false
	for _, file := range h.slack.Files() {
		switch file.Name {
		case id + "-heatmap.png":
			heatmap = true
			if file.ThreadTS != top.TS {
				t.Errorf("the heatmap went to %q, not the digest's thread %q", file.ThreadTS, top.TS)
			}
			img, err := png.Decode(bytes.NewReader(file.Content))
			if err != nil || img.Bounds().Dx() != chart.Width {
				t.Errorf("heatmap: %v", err)
			}
		case id + "-teams.csv":
			teams = true
			if lines := strings.Count(string(file.Content), "\n"); lines != 1+3*len(f.Sections) {
				t.Errorf("teams.csv has %d lines, want a header and a row per team and section:\n%s", lines, file.Content)
			}
		}
	}
	if !heatmap || !teams {
		t.Errorf("files: heatmap %v, teams.csv %v", heatmap, teams)
	}
	if keys := keysNaming(t, h.prefix, "}:segm"); len(keys) != 0 {
		t.Errorf("membership left after the digest: %v", keys)
	}
	if t.Failed() {
		for name, text := range outputs {
			t.Logf("--- %s\n%.2000s", name, text)
		}
	}
}

// TestTeamsFromTheForms: the start form's and the schedule form's team
// fields name a review's segments: user groups with their handles and
// channels by id; more than assessment.MaxSegments teams go back into the
// form.
func TestTeamsFromTheForms(t *testing.T) {
	var emea, amer []string
	for i := range 3 {
		emea, amer = append(emea, fmt.Sprintf("UEMEA%d", i)), append(amer, fmt.Sprintf("UAMER%d", i))
	}
	h := newHarness(t, append(append([]string{}, emea...), amer...)...)
	h.slack.AddUsergroup("SEMEA", "cs-emea", emea...)
	h.slack.AddUsergroup("SAMER", "cs-amer", amer...)
	opt := func(value, text string) map[string]any {
		return map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": text}}
	}
	form := func(callbackID string) fakeslack.View {
		n := len(h.slack.Views(admin))
		if callbackID == "schedule_review" {
			h.command(admin, leads, "schedule")
		} else {
			h.command(admin, leads, "")
		}
		var v fakeslack.View
		h.wait("the "+callbackID+" modal", func() bool {
			vs := h.slack.Views(admin)
			if len(vs) > n {
				v = vs[len(vs)-1]
			}
			return v.CallbackID == callbackID
		})
		if !strings.Contains(string(v.JSON), `"team_groups"`) || !strings.Contains(string(v.JSON), `"team_channels"`) {
			t.Fatalf("the %s form has no team fields: %s", callbackID, v.JSON)
		}
		return v
	}
	values := map[string]map[string]any{
		"framework":     {"v": map[string]any{"type": "static_select", "selected_option": opt("cs-checklist", "x")}},
		"groups":        {"v": map[string]any{"type": "multi_static_select", "selected_options": []map[string]any{opt("SEMEA", "@cs-emea"), opt("SAMER", "@cs-amer")}}},
		"digest":        {"v": map[string]any{"type": "conversations_select", "selected_conversation": leads}},
		"threshold":     {"v": map[string]any{"type": "number_input", "value": "3"}},
		"deadline":      {"v": map[string]any{"type": "datepicker", "selected_date": time.Now().AddDate(0, 0, 5).Format("2006-01-02")}},
		"team_groups":   {"v": map[string]any{"type": "multi_static_select", "selected_options": []map[string]any{opt("SEMEA", "@cs-emea"), opt("SAMER", "@cs-amer")}}},
		"team_channels": {"v": map[string]any{"type": "multi_conversations_select", "selected_conversations": []string{leads}}},
	}
	tooMany := map[string]map[string]any{}
	for k, v := range values {
		tooMany[k] = v
	}
	var nine []string
	for i := range 9 {
		nine = append(nine, fmt.Sprintf("C%d", i))
	}
	tooMany["team_channels"] = map[string]any{"v": map[string]any{"type": "multi_conversations_select", "selected_conversations": nine}}
	v := form("start_review")
	ack, err := h.slack.SubmitView(h.ctx, admin, v, tooMany)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), `"team_groups":"Pick at most 8 teams`) {
		t.Fatalf("eleven teams: ack = %s", ack.Payload)
	}
	if _, err := h.slack.SubmitView(h.ctx, admin, v, values); err != nil {
		t.Fatal(err)
	}
	h.told(admin, "Started review")
	r, _, err := h.main.Store.Review(h.ctx, h.latestReviewID())
	if err != nil {
		t.Fatal(err)
	}
	// A channel comes from the form by id only; the review names it as
	// Slack does, so the digest says #cs-leadership, not an id.
	want := []assessment.Segment{{ID: "SEMEA", Name: "cs-emea"}, {ID: "SAMER", Name: "cs-amer"}, {ID: leads}}
	named := []assessment.Segment{want[0], want[1], {ID: leads, Name: "cs-leadership"}}
	if !slices.Equal(r.Segments, named) {
		t.Errorf("the review's teams: %+v, want %+v", r.Segments, named)
	}
	m, err := h.main.Store.Membership(h.ctx, r.ID)
	if err != nil || len(m["SEMEA"]) != 3 || len(m["SAMER"]) != 3 {
		t.Errorf("membership frozen at the start: %v, %v", m, err)
	}

	v = form("schedule_review")
	delete(values, "deadline")
	values["spec"] = map[string]any{"v": map[string]any{"type": "plain_text_input", "value": "0 9 1 */3 *"}}
	values["tz"] = map[string]any{"v": map[string]any{"type": "plain_text_input", "value": "Europe/Berlin"}}
	values["window"] = map[string]any{"v": map[string]any{"type": "number_input", "value": "7"}}
	values["reminders"] = map[string]any{"v": map[string]any{"type": "plain_text_input", "value": "50%,24h"}}
	if _, err := h.slack.SubmitView(h.ctx, admin, v, values); err != nil {
		t.Fatal(err)
	}
	h.told(admin, "Scheduled `s")
	all, err := h.main.Store.Schedules(h.ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("schedules: %v, %v", all, err)
	}
	if !slices.Equal(all[0].Segments, want) {
		t.Errorf("the schedule's teams: %+v, want %+v", all[0].Segments, want)
	}
}
