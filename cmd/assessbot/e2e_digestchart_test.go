package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/fakeslack"
)

// The digest's chart in the digest message, its fallback into the thread,
// and the digest's message metadata, through fakeslack.

// kokyaku is a framework titled in Japanese, with an emoji in a section
// title: scripts the chart's font does not draw.
const kokyaku = `id: kokyaku
title: "顧客成功評価"
source: "assessbot tests (no copyright)"
sections:
  - id: onboarding
    title: "Onboarding 🚀"
    questions:
      - {id: plan, text: "Does every new customer get an onboarding plan?", scale: yesno}
      - {id: value, text: "Do customers reach first value within 30 days?", scale: yesno}
  - id: kokyaku
    title: "顧客"
    questions:
      - {id: health, text: "Do we score customer health?", scale: yesno}
      - {id: risk, text: "Do we know which customers are at risk?", scale: yesno}
  - id: renewals
    title: "Renewals"
    questions:
      - {id: forecast, text: "Do we forecast renewals?", scale: yesno}
      - {id: ahead, text: "Do we start renewals 90 days ahead?", scale: yesno}
`

// chartImage is the image block of a digest message, if any.
type chartImage struct {
	Type      string `json:"type"`
	BlockID   string `json:"block_id"`
	AltText   string `json:"alt_text"`
	SlackFile *struct {
		ID string `json:"id"`
	} `json:"slack_file"`
}

// digestImage returns the index and the image block of a message.
func digestImage(t *testing.T, m fakeslack.Message) (int, chartImage, []chartImage) {
	t.Helper()
	var blocks []chartImage
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	for i, b := range blocks {
		if b.Type == "image" {
			return i, b, blocks
		}
	}
	return -1, chartImage{}, blocks
}

// reviewAfter waits for a review started after review prev ("" for the
// first) to be stored, and returns its id: /review start is acked before.
func (h *harness) reviewAfter(prev string) string {
	h.t.Helper()
	id := ""
	h.wait("the review started after "+prev, func() bool {
		ids, err := h.main.Store.RecentReviews(context.Background(), 1)
		if err == nil && len(ids) > 0 && ids[0] != prev {
			id = ids[0]
		}
		return id != ""
	})
	return id
}

// threadOf returns the replies under a message.
func (h *harness) threadOf(top fakeslack.Message) []fakeslack.Message {
	var out []fakeslack.Message
	for _, m := range h.slack.ChannelMessages(leads) {
		if m.ThreadTS == top.TS && m.TS != top.TS {
			out = append(out, m)
		}
	}
	return out
}

// closeWithAnswers has users answer review id's first section (yes, then
// no), closes it and returns its digest message once its thread of n
// section replies is out.
func (h *harness) closeWithAnswers(id string, n int, users ...string) fakeslack.Message {
	h.t.Helper()
	h.answerFirstSection(id, users...)
	h.command(admin, leads, "close "+id)
	var top fakeslack.Message
	h.wait("the digest of "+id, func() bool {
		for _, m := range h.digests() {
			if strings.Contains(string(m.Blocks), "`"+id+"`") {
				top = m
				return true
			}
		}
		return false
	})
	h.wait("the digest's thread", func() bool { return len(h.threadOf(top)) >= n })
	time.Sleep(300 * time.Millisecond) // anything more would show
	return top
}

// answerFirstSection has users answer review id's first question, and
// every other one also the kokyaku framework's second.
func (h *harness) answerFirstSection(id string, users ...string) {
	h.t.Helper()
	for i, u := range users {
		h.click(u, h.waitDMOf(u, `"start"`, id), "start")
		msg := h.waitDMOf(u, `"answer|`, id)
		first := firstAnswerAction(msg)
		h.click(u, msg, first)
		q := strings.Split(first, "|")[1]
		h.wait("the first answer", func() bool { return h.responses()[u][q].Option != "" })
		if i%2 == 1 {
			continue
		}
		for _, a := range []string{"answer|value|no", "answer|health|no"} {
			if m, ok := h.dmWith(u, `"`+a+`"`); ok {
				h.click(u, m, a)
			}
		}
	}
}

// finerKeys are payload keys of figures finer than a section's mean and
// band: question figures and counts.
var finerKeys = []string{`"alignment"`, `"agreement"`, `"counts"`, `"answered"`, `"not_sure"`, `"options"`, `"questions"`, `"min"`, `"max"`}

// TestDigestChartInMessage: three people answer a review of a framework
// titled 顧客成功評価. Its digest shows the chart in the message, as an
// image block naming a file uploaded without a channel, above the withheld
// footnote; the thread holds the section replies and no chart; the alt
// text says what the chart could not draw; and the message carries
// metadata with the section figures three people allow and nothing finer.
// Slack takes a moment to process the upload here: the bot waits for it.
func TestDigestChartInMessage(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "kokyaku.yaml"), []byte(kokyaku), 0o600); err != nil {
		t.Fatal(err)
	}
	users := []string{"UAMY", "UBEN", "UCAT"}
	h := newHarness(t, users...)
	h.frameworksDir = dir
	h.restart()
	h.slack.SetFileProcessing(700 * time.Millisecond)
	if text := h.command(admin, leads, "start kokyaku to <@UAMY|amy> <@UBEN|ben> <@UCAT|cat> digest <#CLEADS|x> due 3d now anyway"); text != "" {
		t.Fatalf("start refused: %s", text)
	}
	id := h.reviewAfter("")
	top := h.closeWithAnswers(id, 3, users...)

	at, img, blocks := digestImage(t, top)
	if at < 0 || img.SlackFile == nil || img.SlackFile.ID == "" {
		t.Fatalf("no chart image in the digest message: %s", top.Blocks)
	}
	if at != len(blocks)-2 || blocks[len(blocks)-1].BlockID != "withheld" {
		t.Errorf("the chart is block %d of %d; want it just above the withheld footnote", at, len(blocks))
	}
	var charts []fakeslack.File
	for _, f := range h.slack.Files() {
		if strings.HasSuffix(f.Name, "-chart.png") {
			charts = append(charts, f)
		}
	}
	if len(charts) != 1 {
		t.Fatalf("%d charts uploaded, want 1: %+v", len(charts), charts)
	}
	c := charts[0]
	if c.ID != img.SlackFile.ID || !c.Completed || c.Channel != "" || c.Deleted || !bytes.HasPrefix(c.Content, []byte("\x89PNG")) {
		t.Errorf("the image names %s; the chart file is %+v", img.SlackFile.ID, c)
	}
	for _, want := range []string{"The title's characters 顧客成功評価 could not be drawn", "Section 1's title's characters 🚀", "Section 2's title's characters 顧客"} {
		if !strings.Contains(img.AltText, want) || !strings.Contains(c.AltText, want) {
			t.Errorf("alt text %q (file: %q) lacks %q", img.AltText, c.AltText, want)
		}
	}
	refusedOnce := false
	for _, call := range h.slack.Calls("chat.postMessage") {
		refusedOnce = refusedOnce || call.Err == "invalid_blocks"
	}
	if !refusedOnce {
		t.Log("Slack never refused the file while processing it (a slow machine?)")
	}
	thread := h.threadOf(top)
	if len(thread) != 1+3 {
		t.Errorf("%d thread replies, want an overview and one per section", len(thread))
	}
	for _, m := range thread {
		if len(m.Files) > 0 {
			t.Errorf("a file in the thread: %+v", m)
		}
	}

	var meta struct {
		EventType    string          `json:"event_type"`
		EventPayload json.RawMessage `json:"event_payload"`
	}
	if err := json.Unmarshal(top.Metadata, &meta); err != nil || meta.EventType != "assessbot_digest_posted" {
		t.Fatalf("metadata %s (%v)", top.Metadata, err)
	}
	var p struct {
		ReviewID  string           `json:"review_id"`
		Framework string           `json:"framework"`
		Sections  []map[string]any `json:"sections"`
		Withheld  []map[string]any `json:"withheld"`
	}
	if err := json.Unmarshal(meta.EventPayload, &p); err != nil || p.ReviewID != id || p.Framework != "kokyaku" || len(p.Sections) != 3 {
		t.Fatalf("payload %s (%v)", meta.EventPayload, err)
	}
	if _, ok := p.Sections[0]["score"]; !ok {
		t.Errorf("no score for the answered section: %s", meta.EventPayload)
	}
	shown := string(meta.EventPayload)
	if i := strings.Index(shown, `"withheld":[`); i >= 0 {
		shown = shown[:i] // the list of what is withheld names the figures
	}
	for _, k := range finerKeys {
		if strings.Contains(shown, k) {
			t.Errorf("three respondents' metadata carries %s: %s", k, meta.EventPayload)
		}
	}
}

// TestDigestChartFallback: when Slack will not show the chart in the
// message (here: the file never becomes usable), the digest is posted
// once without it, the chart goes into the thread, and the unshared file
// is deleted; when the upload itself fails, the same.
func TestDigestChartFallback(t *testing.T) {
	users := []string{"UAMY", "UBEN", "UCAT"}
	h := newHarness(t, users...)
	f, _ := mustCatalog(t).Get("cs-checklist")
	check := func(id string, wantDeleted int) {
		t.Helper()
		var top fakeslack.Message
		for _, m := range h.digests() {
			if strings.Contains(string(m.Blocks), "`"+id+"`") {
				if top.TS != "" {
					t.Fatalf("review %s's digest posted twice", id)
				}
				top = m
			}
		}
		if at, _, _ := digestImage(t, top); at >= 0 {
			t.Fatalf("the digest shows an image Slack refused: %s", top.Blocks)
		}
		if len(top.Metadata) == 0 {
			t.Error("the digest lost its metadata in the fallback")
		}
		var inThread []string
		for _, m := range h.threadOf(top) {
			inThread = append(inThread, m.Files...)
		}
		shared, deleted := 0, 0
		for _, f := range h.slack.Files() {
			switch {
			case f.Deleted:
				deleted++
			case strings.HasPrefix(f.Name, id) && len(inThread) == 1 && f.ID == inThread[0] && f.ThreadTS == top.TS:
				shared++
			}
		}
		if shared != 1 || deleted != wantDeleted {
			t.Errorf("review %s: %d charts in the thread (want 1), %d unshared files deleted (want %d); thread files %v",
				id, shared, deleted, wantDeleted, inThread)
		}
	}

	// The file never becomes usable: about 7.5 s of waiting, then the thread.
	h.slack.SetFileProcessing(time.Hour)
	h.startReview("3d", users...)
	r1 := h.reviewAfter("")
	h.closeWithAnswers(r1, len(f.Sections)+1, users...) // the sections and the chart
	check(r1, 1)

	// The upload fails.
	h.slack.SetFileProcessing(0)
	h.startReview("3d", users...)
	r2 := h.reviewAfter(r1)
	h.slack.FailNext("files.getUploadURLExternal", 1, fakeslack.Fault{Error: "internal_error"})
	h.closeWithAnswers(r2, len(f.Sections)+1, users...)
	check(r2, 1)
}

// TestDigestChartFollowsTheDigest: the digest channel cannot be found, so
// the digest goes to the review's creator, with the chart uploaded for
// the channel: a retried post shows the same file and uploads no other.
func TestDigestChartFollowsTheDigest(t *testing.T) {
	users := []string{"UAMY", "UBEN", "UCAT"}
	h := newHarness(t, users...)
	h.startReview("3d", users...)
	id := h.reviewAfter("")
	h.answerFirstSection(id, users...)
	h.slack.FailNext("chat.postMessage", 1, fakeslack.Fault{Error: "channel_not_found"})
	h.command(admin, leads, "close "+id)
	var dm fakeslack.Message
	h.wait("the digest in the creator's DM", func() bool {
		var ok bool
		dm, ok = h.dmWith(admin, "Invite me there")
		return ok
	})
	time.Sleep(300 * time.Millisecond)
	if n := len(h.digests()); n != 0 {
		t.Fatalf("%d digests in the channel", n)
	}
	_, img, _ := digestImage(t, dm)
	uploads := h.slack.Calls("files.getUploadURLExternal")
	files := h.slack.Files()
	if img.SlackFile == nil || len(uploads) != 1 || len(files) != 1 || files[0].ID != img.SlackFile.ID || files[0].Deleted {
		t.Fatalf("the creator's digest shows %+v; %d uploads, files %+v", img.SlackFile, len(uploads), files)
	}
}
