package handlers

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"testing"

	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// TestSegmentsCSV: a row per team and section; shown cells carry their
// figures as numbers, withheld ones are empty with the reason; a team's
// name that reads as a formula opens as text.
func TestSegmentsCSV(t *testing.T) {
	score := 0.4225
	d := digest.Digest{Result: scoring.Result{Sections: []scoring.SectionResult{{ID: "p", Title: "Planning"}}},
		Segments: []digest.Segment{
			{ID: "S1", Name: "=cs-emea", N: 6, Cells: []digest.Cell{{Section: "p", Score: &score, N: 6, Split: true, Band: "split"}}},
			{ID: "S2", Name: "cs-amer", Why: digest.SegTooFew, Cells: []digest.Cell{{Section: "p", Why: digest.SegTooFew}}},
		}}
	rows, err := csv.NewReader(bytes.NewReader(segmentsCSV(d))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"team_id", "team", "section", "section_title", "score", "split", "agreement_band", "n", "withheld"},
		{"S1", "'=cs-emea", "p", "Planning", "0.4225", "true", "split", "6", ""},
		{"S2", "cs-amer", "p", "Planning", "", "", "", "", "too_few"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows\n%q\nwant\n%q", rows, want)
	}
}
