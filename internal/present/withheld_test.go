package present

import (
	"testing"

	"github.com/assessbot/assessbot/internal/digest"
)

// TestWithheldNote: the one line under a digest says what is withheld and
// from how many respondents it shows, or which earlier review a
// differencing verdict compared it with and by how many people — never who.
func TestWithheldNote(t *testing.T) {
	tests := []struct {
		name     string
		withheld []digest.Withheld
		want     string
	}{
		{"nothing", nil, ""},
		{"differencing", []digest.Withheld{{Figure: digest.FigAll, Why: digest.WhyDifferencing, Review: "rA", Differ: 1}},
			"No figures: the people who answered differ by 1 person from those of review rA, and comparing the two would show their answers."},
		{"detail", []digest.Withheld{
			{Figure: digest.FigQuestion, Why: digest.WhyDetail, Need: 5},
			{Figure: digest.FigCounts, Why: digest.WhyDetail, Need: 5},
			{Figure: digest.FigRows, Why: digest.WhyDetail, Need: 5},
			{Figure: digest.FigSectionMean, Why: digest.WhySmallSection, Need: 5, Sections: []string{"s1", "s2"}},
		}, "Question figures, answer counts and ranges and the scores of 2 sections of one question are shown from 5 respondents."},
	}
	for _, tt := range tests {
		if got := WithheldNote(digest.Digest{Meta: digest.Meta{Withheld: tt.withheld}}); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
