package present

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// oneQuestion is a framework of one section with one question.
func oneQuestion() *assessment.Framework {
	return &assessment.Framework{ID: "one", Title: "One", Scales: map[string]*assessment.Scale{"yesno": framework.YesNo()},
		Sections: []assessment.Section{{ID: "s", Title: "Only", Questions: []assessment.Question{{ID: "q", Text: "Q?", Scale: "yesno"}}}}}
}

// blocksText is blocks as JSON, with < and > as they are.
func blocksText(t *testing.T, bs []slack.Block) string {
	t.Helper()
	raw, err := json.Marshal(bs)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(raw))
}

// The intro counts in English: one question, one section, one minute. A
// review's threshold of 1 is raised to the floors, and the intro says the
// thresholds in force, not the one asked for.
func TestIntroPlurals(t *testing.T) {
	r := *fixedReview
	r.Threshold = 1
	got := blocksText(t, Intro(&r, oneQuestion(), nil))
	for _, want := range []string{"1 question in 1 section", "about 1 minute ·", "at least 3 people answered", "open answers from 5", "compare their own answers"} {
		if !strings.Contains(got, want) {
			t.Errorf("intro lacks %q:\n%s", want, got)
		}
	}
	for _, bad := range []string{"1 questions", "1 sections", "1 minutes", "1 people"} {
		if strings.Contains(got, bad) {
			t.Errorf("intro says %q:\n%s", bad, got)
		}
	}
	f := shipped(t, "cs-foundations") // 12 scored, 12 open
	got = blocksText(t, Intro(fixedReview, f, nil))
	if !strings.Contains(got, "plus 12 optional open questions") || !strings.Contains(got, "3 people answered") {
		t.Errorf("intro of cs-foundations:\n%.600s", got)
	}
}

// A section shows progress first, keeps each question's answers alone in
// their row (comment beside the question), and puts the navigation below a
// divider, never green; Submit asks first, counting what is unanswered.
func TestSectionLayout(t *testing.T) {
	f := shipped(t, "cs-exec-maturity")
	sh := assessment.Response{Answers: map[string]assessment.Answer{"retention-responsibility": {Option: "average"}}}
	bs := Section(fixedReview, f, Pages(f, 0)[0], sh, time.Time{})
	if c, ok := bs[1].(*slack.ContextBlock); !ok || c.BlockID != "progress" || !strings.Contains(blocksText(t, bs[1:2]), "1/10 answered") {
		t.Fatalf("block 1 is not the progress line: %s", blocksText(t, bs[1:2]))
	}
	var nav *slack.ActionBlock
	for i, b := range bs {
		a, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		if a.BlockID == "nav" {
			if _, ok := bs[i-1].(*slack.DividerBlock); !ok {
				t.Fatal("no divider before the navigation")
			}
			nav = a
			continue
		}
		for _, e := range a.Elements.ElementSet {
			bt, ok := e.(*slack.ButtonBlockElement)
			if !ok || !strings.HasPrefix(bt.ActionID, codec.ActAnswer+"|") {
				t.Fatalf("%s holds %+v beside the answers", a.BlockID, e)
			}
		}
	}
	if nav == nil || len(nav.Elements.ElementSet) != 1 {
		t.Fatalf("navigation = %+v, want Submit alone", nav)
	}
	sub := nav.Elements.ElementSet[0].(*slack.ButtonBlockElement)
	if sub.ActionID != codec.ActSubmit || sub.Style != slack.StyleDefault || sub.Confirm == nil {
		t.Fatalf("submit = %+v, want an unstyled button with a confirm", sub)
	}
	if txt := sub.Confirm.Text.Text; !strings.Contains(txt, "answered 1 of 10; 9 questions are still unanswered") || len(txt) > MaxConfirmText {
		t.Fatalf("confirm text %q", txt)
	}
	all := map[string]assessment.Answer{}
	for _, ref := range f.Questions() {
		all[ref.Question.ID] = assessment.Answer{Option: assessment.NotSure}
	}
	delete(all, "retention-responsibility")
	bs = Section(fixedReview, f, Pages(f, 0)[0], assessment.Response{Answers: all}, time.Time{})
	if got := blocksText(t, bs); !strings.Contains(got, "answered 9 of 10; 1 question is still unanswered") {
		t.Fatalf("confirm with one left:\n%.600s", got)
	}
	for _, b := range bs {
		if s, ok := b.(*slack.SectionBlock); ok && s.Accessory != nil && s.Accessory.ButtonElement != nil {
			if s.Accessory.ButtonElement.ActionID != codec.ActComment+"|"+strings.TrimPrefix(s.BlockID, "q|") {
				t.Fatalf("accessory of %s: %+v", s.BlockID, s.Accessory.ButtonElement)
			}
		}
	}

	// Submitted: no Submit, and the progress line tells the truth.
	sh.Submitted = true
	got := blocksText(t, Section(fixedReview, f, Pages(f, 0)[0], sh, time.Time{}))
	if strings.Contains(got, `"submit"`) || !strings.Contains(got, "until the review closes, <!date^") {
		t.Fatalf("submitted section:\n%.600s", got)
	}
	closes := fixedReview.CreatedAt.Add(2 * time.Hour)
	got = blocksText(t, Section(fixedReview, f, Pages(f, 0)[0], sh, closes))
	if !strings.Contains(got, "everyone has answered; the review closes <!date^"+itoa(closes.Unix())) {
		t.Fatalf("section once everyone submitted:\n%.600s", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The thank-you says until when answers can change: the deadline at the
// latest, or, once everyone has submitted, the end of the grace period.
func TestThankYouText(t *testing.T) {
	f := oneQuestion()
	got := thankYouText(fixedReview, f, assessment.Response{Answers: map[string]assessment.Answer{}}, time.Time{})
	if !strings.Contains(got, "(0/1 answered). You left 1 question unanswered") || !strings.Contains(got, "You can change them until the review closes, <!date^1795798800") {
		t.Fatalf("thank-you: %s", got)
	}
	closes := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	got = thankYouText(fixedReview, f, assessment.Response{Answers: map[string]assessment.Answer{"q": {Option: "yes"}}}, closes)
	if strings.Contains(got, "unanswered") || !strings.Contains(got, "Everyone has answered; the review closes <!date^"+itoa(closes.Unix())) ||
		!strings.Contains(got, "until then you can still change your answers") {
		t.Fatalf("thank-you once everyone submitted: %s", got)
	}
}

func TestDurationWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1 hour", 30 * time.Minute: "30 minutes", 90 * time.Minute: "1 hour 30 minutes", 48 * time.Hour: "2 days",
	} {
		if got := DurationText(d); got != want {
			t.Errorf("DurationText(%v) = %q, want %q", d, got, want)
		}
	}
	if DurationWord(time.Hour) != "1h" || DurationWord(30*time.Minute) != "30m" || DurationWord(48*time.Hour) != "2d" {
		t.Error("durationWord")
	}
}
