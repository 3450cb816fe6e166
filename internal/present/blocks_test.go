package present

import (
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/scoring"
)

var update = flag.Bool("update", false, "rewrite golden files")

func shipped(t *testing.T, id string) *assessment.Framework {
	t.Helper()
	cat, err := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := cat.Get(id)
	if !ok {
		t.Fatalf("no framework %s", id)
	}
	return f
}

func golden(t *testing.T, name string, blocks []slack.Block) {
	t.Helper()
	goldenJSON(t, name+".golden.json", blocks)
}

var fixedReview = &assessment.Review{
	ID: "rgolden1", FrameworkID: "cs-exec-maturity", Title: "CS Executive Maturity", Respondents: []string{"U1", "U2", "U3", "U4"},
	DigestChannel: "CLEADS", CreatedBy: "UADA", Threshold: 3, Status: assessment.StatusOpen,
	CreatedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), Deadline: time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC),
}

func TestBlocksGolden(t *testing.T) {
	f := shipped(t, "cs-exec-maturity")
	answers := map[string]assessment.Answer{
		"retention-responsibility": {Option: "average", Comment: "Depends on the region"},
		"renewals-ownership":       {Option: assessment.NotSure},
	}
	sh := &assessment.Response{Answers: answers}
	golden(t, "intro-new", Intro(fixedReview, f, nil))
	golden(t, "intro-started", Intro(fixedReview, f, sh))
	golden(t, "section", Section(fixedReview, f, Pages(f, 0)[0], *sh, time.Time{}))

	golden(t, "digest", Digest(fixedDigest(t), fixedReview))
}

// fixedDigest is a digest of four respondents of cs-exec-maturity, on the
// NuffSaid scale.
func fixedDigest(t *testing.T) digest.Digest {
	t.Helper()
	f := shipped(t, "cs-exec-maturity")
	var rs []assessment.Response
	for i, levels := range [][]string{
		{"poor", "average", "excellent", "average", "poor", "poor", "average", "excellent", "average", "poor"},
		{"average", "average", "excellent", "poor", "poor", assessment.NotSure, "average", "excellent", "excellent", "poor"},
		{"excellent", "average", "average", "poor", "average", assessment.NotSure, "poor", "excellent", "average", "poor"},
		{"poor", "excellent", "average", "average", "poor", "average", "average", "average", "excellent", ""},
	} {
		r := assessment.Response{Respondent: fmt.Sprintf("U%d", i+1), Answers: map[string]assessment.Answer{}, Submitted: i != 3}
		for qi, ref := range f.Questions() {
			if levels[qi] != "" {
				r.Answers[ref.Question.ID] = assessment.Answer{Option: levels[qi]}
			}
		}
		rs = append(rs, r)
	}
	// Through the disclosure model: four is below the detail threshold, so
	// the digest holds the section's mean and band and no question figure.
	res := scoring.Aggregate(f, rs, scoring.Options{Threshold: 3, Seed: fixedReview.ID})
	th := review.ThresholdsOf(fixedReview)
	shown, withheld := review.Disclose(f, res, th)
	return digest.Build(f, shown, digest.Meta{ReviewID: fixedReview.ID, Opened: fixedReview.CreatedAt, Closed: fixedReview.Deadline, Invited: 4,
		Detail: th.Detail, Withheld: withheld})
}

// Every section of every shipped framework fits Slack's limits, and a
// framework far beyond them is split over messages instead of failing.
func TestBlockKitLimits(t *testing.T) {
	// 40 sections × 12 questions of 3,000 characters, with a 30-level scale
	// on every other question (a menu, not buttons).
	long := strings.Repeat("How well do we really know this part of the customer journey? ", 60)[:3000]
	levels := &assessment.Scale{ID: "levels", NotSure: true}
	for i := 0; i < 30; i++ {
		levels.Options = append(levels.Options, assessment.Option{ID: fmt.Sprintf("l%d", i), Label: strings.Repeat("L", 75), Score: float64(i) / 29})
	}
	huge := &assessment.Framework{ID: "huge", Title: strings.Repeat("T", 150), Scales: map[string]*assessment.Scale{"yesno": framework.YesNo(), "levels": levels}}
	for s := 0; s < 40; s++ {
		sec := assessment.Section{ID: fmt.Sprintf("s%d", s), Title: strings.Repeat("S", 150), Description: long}
		for q := 0; q < 12; q++ {
			scale := "yesno"
			if q%2 == 1 {
				scale = "levels"
			}
			sec.Questions = append(sec.Questions, assessment.Question{ID: fmt.Sprintf("s%dq%d", s, q), Text: long, Scale: scale, Help: long})
		}
		huge.Sections = append(huge.Sections, sec)
	}
	// One section of 30 questions: more than one message can hold.
	tall := &assessment.Framework{ID: "tall", Title: "Tall", Scales: map[string]*assessment.Scale{"yesno": framework.YesNo()}}
	tall.Sections = []assessment.Section{{ID: "only", Title: "Only"}}
	for q := 0; q < 30; q++ {
		tall.Sections[0].Questions = append(tall.Sections[0].Questions, assessment.Question{ID: fmt.Sprintf("q%d", q), Text: "Q", Scale: "yesno", Help: "h"})
	}
	if n := len(Pages(tall, 0)); n < 2 {
		t.Fatalf("30 questions fit on %d message", n)
	}
	fws := []*assessment.Framework{huge, tall}
	for _, id := range []string{"cs-excellence", "cs-checklist", "cs-foundations", "saas-cs-assessment", "cs-exec-maturity"} {
		fws = append(fws, shipped(t, id))
	}
	for _, f := range fws {
		answers := map[string]assessment.Answer{}
		for _, ref := range f.Questions() {
			answers[ref.Question.ID] = assessment.Answer{Comment: strings.Repeat("c", 3000), Text: strings.Repeat("t", 3000), Option: "l29"}
		}
		for si := range f.Sections {
			ps := Pages(f, si)
			seen := 0
			for _, p := range ps {
				bs := Section(fixedReview, f, p, assessment.Response{Answers: answers}, time.Time{})
				if len(bs) > MaxBlocks {
					t.Fatalf("%s section %d page %d: %d blocks", f.ID, si, p.Page, len(bs))
				}
				checkTexts(t, f.ID, bs)
				seen += len(p.Questions)
			}
			if seen != len(f.Sections[si].Questions) {
				t.Fatalf("%s section %d: pages hold %d of %d questions", f.ID, si, seen, len(f.Sections[si].Questions))
			}
			if f.ID == "huge" {
				raw, _ := json.Marshal(Section(fixedReview, f, ps[0], assessment.Response{Answers: answers}, time.Time{}))
				if !strings.Contains(string(raw), `"static_select"`) {
					t.Fatalf("a 30-level scale is not a menu")
				}
			}
		}
	}
}

func TestHugeDigestFits(t *testing.T) {
	long := strings.Repeat("A long section title that goes on and on ", 4)
	f := &assessment.Framework{ID: "huge", Title: "Huge", Scales: map[string]*assessment.Scale{"yesno": framework.YesNo()}}
	for s := 0; s < 100; s++ {
		f.Sections = append(f.Sections, assessment.Section{ID: fmt.Sprintf("s%d", s), Title: long,
			Questions: []assessment.Question{{ID: fmt.Sprintf("q%d", s), Text: strings.Repeat("q", 1999), Scale: "yesno"}}})
	}
	var rs []assessment.Response
	for i := 0; i < 5; i++ {
		r := assessment.Response{Respondent: fmt.Sprint(i), Answers: map[string]assessment.Answer{}}
		for s := 0; s < 100; s++ {
			r.Answers[fmt.Sprintf("q%d", s)] = assessment.Answer{Option: []string{"yes", "no"}[(i+s)%2]}
		}
		rs = append(rs, r)
	}
	d := digest.Build(f, scoring.Aggregate(f, rs, scoring.Options{}), digest.Meta{Invited: 5})
	bs := Digest(d, fixedReview)
	if len(bs) > MaxBlocks {
		t.Fatalf("digest of 100 sections has %d blocks", len(bs))
	}
	checkTexts(t, "huge digest", bs)
	if n := countLines(messageText(t, bs)); n > MaxDigestLines {
		t.Fatalf("the digest of 100 sections has %d lines", n)
	}
	// Every section is in the thread: in its overview, and a reply each.
	thread := DigestThread(d)
	var all strings.Builder
	for _, msg := range thread {
		if len(msg) > MaxBlocks {
			t.Fatalf("a thread reply of %d blocks", len(msg))
		}
		checkTexts(t, "huge digest thread", msg)
		raw, _ := json.Marshal(msg)
		all.Write(raw)
	}
	if n := strings.Count(all.String(), "agreement"); n < 2*100 {
		t.Fatalf("only %d of 100 sections' agreements shown twice in the thread", n)
	}
	if len(thread) < 100+1 {
		t.Fatalf("%d thread replies for 100 sections and the overview", len(thread))
	}
}

func checkTexts(t *testing.T, id string, bs []slack.Block) {
	t.Helper()
	raw, _ := json.Marshal(bs)
	var blocks []map[string]any
	_ = json.Unmarshal(raw, &blocks)
	for _, b := range blocks {
		if tx, ok := b["text"].(map[string]any); ok {
			n := len([]rune(tx["text"].(string)))
			limit := MaxSectionText
			if b["type"] == "header" {
				limit = MaxHeader
			}
			if n > limit {
				t.Fatalf("%s: %s text of %d characters", id, b["type"], n)
			}
		}
	}
}
