package present

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// TestWithChart: the chart's image block goes above the withheld
// footnote, which stays last, or last when there is none; a full message
// keeps its blocks.
func TestWithChart(t *testing.T) {
	d := fixedDigest(t)
	blocks := Digest(d, fixedReview)
	if blocks[len(blocks)-1].ID() != "withheld" {
		t.Fatal("the fixed digest has no withheld footnote")
	}
	got, ok := WithChart(blocks, "F123", "the chart")
	if !ok || len(got) != len(blocks)+1 {
		t.Fatalf("ok %v, %d blocks", ok, len(got))
	}
	img, isImage := got[len(got)-2].(*slack.ImageBlock)
	if !isImage || img.SlackFile == nil || img.SlackFile.ID != "F123" || img.AltText != "the chart" || img.ImageURL != "" {
		t.Fatalf("block before the footnote: %#v", got[len(got)-2])
	}
	if got[len(got)-1].ID() != "withheld" {
		t.Error("the footnote is not last")
	}
	plain := blocks[:len(blocks)-1]
	if got, _ := WithChart(plain, "F123", "x"); got[len(got)-1].ID() != ChartBlockID {
		t.Error("without a footnote the chart is not last")
	}
	full := make([]slack.Block, MaxBlocks)
	for i := range full {
		full[i] = section("x")
	}
	if got, ok := WithChart(full, "F123", "x"); ok || len(got) != MaxBlocks {
		t.Errorf("a full message took the chart: %v, %d blocks", ok, len(got))
	}
}

// TestChartAlt: the alt text names what the chart could not draw.
func TestChartAlt(t *testing.T) {
	cannot := func(s string) string { // a Latin-only font
		var b strings.Builder
		for _, r := range s {
			if r > 0x2FF && r != ' ' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	d := digest.Digest{Framework: &assessment.Framework{Title: "顧客成功評価"}, Result: scoring.Result{Sections: []scoring.SectionResult{
		{Title: "People"}, {Title: "Onboarding 🚀"}}}}
	alt := ChartAlt(d, cannot)
	for _, want := range []string{ChartAltText, "The title's characters 顧客成功評価 could not be drawn.",
		"Section 2's title's characters 🚀 could not be drawn."} {
		if !strings.Contains(alt, want) {
			t.Errorf("alt text %q lacks %q", alt, want)
		}
	}
	if strings.Contains(alt, "Section 1") {
		t.Errorf("alt text names a section drawn in full: %q", alt)
	}
	d.Framework.Title = strings.Repeat("顧", 3000)
	if n := len([]rune(ChartAlt(d, cannot))); n > MaxAltText {
		t.Errorf("alt text of %d characters", n)
	}
}
