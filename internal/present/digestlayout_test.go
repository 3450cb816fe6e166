package present

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/scoring"
)

// shippedIDs are the frameworks the binary embeds (frameworks/*.yaml).
var shippedIDs = []string{"cs-excellence", "cs-checklist", "cs-foundations", "saas-cs-assessment", "cs-exec-maturity"}

// seededTexts are the seeded respondents' open answers.
var seededTexts = []string{
	"Onboarding is solid; renewals still depend on who owns the account.",
	"We measure health scores but rarely act on them.",
	"Nobody owns this today, so it happens when someone has time.",
	"Our playbooks are a year old and the product has moved on.",
}

// seededResponses are n made-up respondents answering f, as `assessbot
// demo`'s do: each leans towards the better answers by their own
// amount (plus shift), answers "not sure" about one time in twelve where
// the scale offers it, and writes three open answers in four. The same
// seed gives the same answers.
func seededResponses(f *assessment.Framework, n int, seed uint64, shift float64) []assessment.Response {
	rng := rand.New(rand.NewPCG(seed, 11))
	var rs []assessment.Response
	for i := range n {
		lean := []float64{0.8, 0.35, 0.6, 0.5, 0.7}[i%5] + shift
		r := assessment.Response{Respondent: fmt.Sprintf("U%d", i+1), Answers: map[string]assessment.Answer{}, Submitted: true}
		for qi, ref := range f.Questions() {
			sc := ref.Scale
			switch x := rng.Float64(); {
			case sc.Text && x < 0.75:
				r.Answers[ref.Question.ID] = assessment.Answer{Text: seededTexts[(3*i+qi)%len(seededTexts)]}
			case sc.Text:
			case sc.NotSure && x < 0.08:
				r.Answers[ref.Question.ID] = assessment.Answer{Option: assessment.NotSure}
			default:
				v := min(max(lean+(rng.Float64()-0.5)*0.9, 0), 1)
				r.Answers[ref.Question.ID] = assessment.Answer{Option: sc.Options[int(math.Round(v*float64(len(sc.Options)-1)))].ID}
			}
		}
		rs = append(rs, r)
	}
	return rs
}

var seededOpened = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// seededDigest is the digest of n seeded respondents of a shipped
// framework through the disclosure model, as a review of threshold 3
// publishes it; with trend, compared with the same people a quarter
// earlier.
func seededDigest(t *testing.T, id string, n int, trend bool) (digest.Digest, *assessment.Review) {
	t.Helper()
	f := shipped(t, id)
	r := &assessment.Review{ID: "rseeded1", FrameworkID: id, Title: f.Title, Threshold: 3, DigestChannel: "CLEADS", CreatedBy: "UADA",
		CreatedAt: seededOpened, Deadline: seededOpened.AddDate(0, 0, 3), Status: assessment.StatusClosed}
	th := review.ThresholdsOf(r)
	disclose := func(rs []assessment.Response) (scoring.Result, []digest.Withheld) {
		full := scoring.Aggregate(f, rs, scoring.Options{Threshold: th.Mean, Seed: r.ID})
		return review.Disclose(f, full, th)
	}
	meta := digest.Meta{ReviewID: r.ID, Opened: r.CreatedAt, Closed: r.Deadline, Invited: n + 1, Detail: th.Floor().Detail}
	if trend {
		prev, _ := disclose(seededResponses(f, n, 1, 0))
		meta.Previous, meta.PreviousClosed = &prev, r.Deadline
		r.CreatedAt, r.Deadline = r.CreatedAt.AddDate(0, 3, 0), r.Deadline.AddDate(0, 3, 0)
		meta.Opened, meta.Closed = r.CreatedAt, r.Deadline
	}
	shift := 0.0
	if trend {
		shift = 0.15
	}
	shown, withheld := disclose(seededResponses(f, n, 1, shift))
	meta.Withheld = withheld
	return digest.Build(f, shown, meta), r
}

// messageText is a message as a person reads it: one line per line of
// each header, section and context text (a context's elements side by
// side), blocks without text (an image, a divider) as nothing.
func messageText(t *testing.T, bs []slack.Block) string {
	t.Helper()
	raw, err := json.Marshal(bs)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []struct {
		Type     string `json:"type"`
		Text     *struct{ Text string }
		Elements []struct{ Text json.RawMessage }
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, b := range blocks {
		switch b.Type {
		case "header", "section":
			lines = append(lines, b.Text.Text)
		case "context":
			var parts []string
			for _, e := range b.Elements {
				var text string
				_ = json.Unmarshal(e.Text, &text)
				parts = append(parts, text)
			}
			lines = append(lines, strings.Join(parts, " | "))
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func countLines(text string) int { return strings.Count(text, "\n") }

// TestDigestFitsOnOneScreen: the channel message of every shipped
// framework has at most MaxDigestLines lines, at three, five and eight
// respondents, with and without a previous review; it always says the
// thresholds in force, always points to the thread, carries the footnote
// last when anything is withheld, and no mechanics.
func TestDigestFitsOnOneScreen(t *testing.T) {
	for _, id := range shippedIDs {
		for _, n := range []int{3, 5, 8} {
			for _, trend := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%d/trend=%v", id, n, trend), func(t *testing.T) {
					d, r := seededDigest(t, id, n, trend)
					bs := Digest(d, r)
					text := messageText(t, bs)
					if got := countLines(text); got > MaxDigestLines {
						t.Errorf("%d lines, want at most %d:\n%s", got, MaxDigestLines, text)
					}
					checkDigestMessage(t, d, bs, text)
				})
			}
		}
	}
}

// checkDigestMessage checks what every digest message says.
func checkDigestMessage(t *testing.T, d digest.Digest, bs []slack.Block, text string) {
	t.Helper()
	for _, want := range []string{ThresholdLine(d)[1 : len(ThresholdLine(d))-1], "in the thread"} {
		if !strings.Contains(text, want) {
			t.Errorf("the message lacks %q:\n%s", want, text)
		}
	}
	for _, jargon := range []string{"divergence", "shown from", "answered;", "× not sure", "agreement 0", "agreement 1"} {
		if i := strings.Index(text, jargon); i >= 0 && !strings.Contains(WithheldNote(d), jargon) {
			t.Errorf("the message says %q:\n%s", jargon, text)
		}
	}
	last, ok := bs[len(bs)-1].(*slack.ContextBlock)
	switch note := WithheldNote(d); {
	case note == "" && ok && last.BlockID == "withheld":
		t.Errorf("a footnote with nothing withheld")
	case note != "" && (!ok || last.BlockID != "withheld"):
		t.Errorf("withheld %q, but the last block is %T", note, bs[len(bs)-1])
	}
}

// TestDigestBudgetAtWorst: a digest with every part the message can have
// at once, each at its longest (a section change, three questions of many
// split, hotspots, not sure, something withheld) still fits.
func TestDigestBudgetAtWorst(t *testing.T) {
	for _, id := range shippedIDs {
		for _, teams := range []bool{false, true} {
			testDigestBudgetAtWorst(t, id, teams)
		}
	}
}

// testDigestBudgetAtWorst is TestDigestBudgetAtWorst for one framework,
// with or without teams compared (the line on their largest gap takes the
// place of a question of "where you diverge").
func testDigestBudgetAtWorst(t *testing.T, id string, teams bool) {
	t.Run(fmt.Sprintf("%s/teams=%v", id, teams), func(t *testing.T) {
		d, r := seededDigest(t, id, 8, true)
		for len(d.Disagree) < 2*MessageQuestions {
			q := d.Result.Questions[len(d.Disagree)]
			q.SetAgreement(0)
			d.Disagree = append(d.Disagree, q)
		}
		d.Trend.Moves = nil
		for _, s := range d.Result.Sections {
			if s.Score != nil {
				d.Trend.Moves = append(d.Trend.Moves, digest.Move{Section: s, Points: 12})
				d.Hotspots = append(d.Hotspots, s)
			}
		}
		d.NotSureTotal, d.NotSure = 9, d.Disagree[:2]
		d.Withheld = append(d.Withheld, digest.Withheld{Figure: digest.FigOpenAnswers, Why: digest.WhyDetail, Need: 9})
		// Actions planned from the previous review, in every section.
		var outcomes []digest.ActionOutcome
		for _, s := range d.Result.Sections {
			outcomes = append(outcomes, digest.ActionOutcome{Section: s.ID, Done: true}, digest.ActionOutcome{Section: s.ID, Open: true})
		}
		d.Actions = digest.Follow(outcomes)
		want := []string{"Hotspots", "Not sure", "Where you diverge: 3 of", "since 5 Nov 2026", "🔒", "Actions since last review", "1 of 2 actions done · ▲"}
		if teams {
			d.Segments = worstSegments(d)
			want = append(want[:2], "Where you diverge: 2 of", "since 5 Nov 2026", "🔒", "Largest gap between teams", "Actions since last review")
		}
		bs := Digest(d, r)
		text := messageText(t, bs)
		if got := countLines(text); got > MaxDigestLines {
			t.Errorf("%d lines, want at most %d:\n%s", got, MaxDigestLines, text)
		}
		for _, want := range want {
			if !strings.Contains(text, want) {
				t.Errorf("the worst case lacks %q:\n%s", want, text)
			}
		}
	})
}

// TestDigestGolden: the channel message of every shipped framework, for
// eight seeded respondents compared with a quarter earlier, as blocks and
// as the text a person reads (testdata/digest/). Run go test
// ./internal/present -update to rewrite them, and review the diff.
func TestDigestGolden(t *testing.T) {
	for _, id := range shippedIDs {
		t.Run(id, func(t *testing.T) {
			d, r := seededDigest(t, id, 8, true)
			bs := Digest(d, r)
			goldenJSON(t, filepath.Join("digest", id+".golden.json"), bs)
			goldenFile(t, filepath.Join("digest", id+".golden.txt"), []byte(messageText(t, bs)))
		})
	}
}
