package digest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

func ptr(x float64) *float64 { return &x }

// question is a scored question result with an agreement, answered by 4.
func question(id string, agreement float64, notSure int) scoring.QuestionResult {
	q := scoring.QuestionResult{ID: id, Text: "Question " + id + "?", Stats: scoring.Stats{
		Score: ptr(0.5), Divergence: ptr(1 - agreement), Answered: 4, NotSure: notSure}}
	q.SetAgreement(agreement)
	return q
}

func ids[T any](xs []T, id func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func questionIDs(qs []scoring.QuestionResult) []string {
	return ids(qs, func(q scoring.QuestionResult) string { return q.ID })
}

func sectionIDs(ss []scoring.SectionResult) []string {
	return ids(ss, func(s scoring.SectionResult) string { return s.ID })
}

func TestBuildDisagree(t *testing.T) {
	r := scoring.Result{Respondents: 4, Threshold: 3, Questions: []scoring.QuestionResult{
		question("q1", 0.3, 0),
		question("q2", 1, 0), // aligned: never listed
		question("q3", 0.02, 0),
		question("q4", 0.16, 0),
		question("q5", 0.45, 0),
		question("q6", 0.05, 0),
		question("q7", 0.7, 0),  // aligned
		question("q8", 0.16, 0), // ties keep framework order: q4 before q8
		question("q9", 0.4, 0),
		{ID: "q10", Stats: scoring.Stats{Withheld: true}},
	}}
	d := digest.Build(nil, r, digest.Meta{})
	if got, want := questionIDs(d.Disagree), []string{"q3", "q6", "q4", "q8", "q1", "q9", "q5"}; !slices.Equal(got, want) {
		t.Errorf("Disagree = %v, want %v (every mixed and split question, least agreement first)", got, want)
	}

	// Fewer than five mixed or split: the aligned are left out, not padded in.
	r.Questions = []scoring.QuestionResult{question("a", 1, 0), question("b", 0.4, 0), question("c", 0.64, 0), question("d", 0, 0)}
	if got, want := questionIDs(digest.Build(nil, r, digest.Meta{}).Disagree), []string{"d", "b"}; !slices.Equal(got, want) {
		t.Errorf("Disagree = %v, want %v", got, want)
	}
	r.Questions = []scoring.QuestionResult{question("a", 1, 0), question("b", 0.5, 0)}
	if got := digest.Build(nil, r, digest.Meta{}).Disagree; len(got) != 0 {
		t.Errorf("Disagree = %v when everyone is aligned, want none", questionIDs(got))
	}
}

func TestBuildNotSure(t *testing.T) {
	r := scoring.Result{Respondents: 5, Threshold: 3, Questions: []scoring.QuestionResult{
		question("q1", 0, 1),
		question("q2", 0, 0),
		question("q3", 0, 3),
		question("q4", 0, 2),
		question("q5", 0, 1),
		question("q6", 0, 4),
		question("q7", 0, 1),
		{ID: "t1", IsText: true, Stats: scoring.Stats{NotSure: 5}},
	}}
	d := digest.Build(nil, r, digest.Meta{})
	// Not padded with questions one person was not sure about; the total
	// counts them all (but not the open question's).
	if got, want := questionIDs(d.NotSure), []string{"q6", "q3", "q4"}; !slices.Equal(got, want) {
		t.Errorf("NotSure = %v, want %v", got, want)
	}
	if got, want := d.NotSureTotal, 1+3+2+1+4+1; got != want {
		t.Errorf("NotSureTotal = %d, want %d", got, want)
	}
	// Below the threshold of respondents a count would say who did not know.
	r.Respondents = 2
	if got := digest.Build(nil, r, digest.Meta{}); len(got.NotSure) != 0 || got.NotSureTotal != 0 {
		t.Errorf("NotSure with 2 respondents = %v (total %d), want none", questionIDs(got.NotSure), got.NotSureTotal)
	}
}

func TestBuildHotspots(t *testing.T) {
	sec := func(id string, score float64, band scoring.AgreementBand) scoring.SectionResult {
		return scoring.SectionResult{ID: id, Stats: scoring.Stats{Score: ptr(score), AgreementBand: band, Split: band == scoring.Split}}
	}
	r := scoring.Result{Sections: []scoring.SectionResult{
		sec("fine-split", 0.72, scoring.Split),
		sec("low-split", 0.4, scoring.Split),  // looks bad already
		sec("fine-mixed", 0.9, scoring.Mixed), // not split
		sec("edge-split", 0.6, scoring.Split), // from 60%
		{ID: "withheld", Stats: scoring.Stats{Withheld: true, AgreementBand: scoring.Split}},
	}}
	if got, want := sectionIDs(digest.Build(nil, r, digest.Meta{}).Hotspots), []string{"fine-split", "edge-split"}; !slices.Equal(got, want) {
		t.Errorf("Hotspots = %v, want %v", got, want)
	}
}

func TestTrendMoves(t *testing.T) {
	sec := func(id string, score float64) scoring.SectionResult {
		return scoring.SectionResult{ID: id, Stats: scoring.Stats{Score: ptr(score)}}
	}
	prev := scoring.Result{Sections: []scoring.SectionResult{sec("a", 0.5), sec("b", 0.5), sec("c", 0.5), sec("d", 0.5), sec("e", 0.5), {ID: "f"}}}
	now := scoring.Result{Sections: []scoring.SectionResult{
		sec("a", 0.6),   // +10
		sec("b", 0.3),   // −20: the largest, though down
		sec("c", 0.502), // +0.2: shows as 0, no move
		sec("d", 0.4),   // −10: ties a, after it
		sec("e", 0.505), // +0.5: shows as +1
		sec("f", 0.9),   // nothing to compare with
	}}
	d := digest.Build(nil, now, digest.Meta{Previous: &prev})
	var got []string
	for _, m := range d.Trend.Moves {
		got = append(got, m.Section.ID)
	}
	if want := []string{"b", "a", "d", "e"}; !slices.Equal(got, want) {
		t.Errorf("Moves = %v, want %v (largest change first, ties in framework order)", got, want)
	}
}

func TestBuildStrongestWeakest(t *testing.T) {
	sec := func(id string, score float64) scoring.SectionResult {
		return scoring.SectionResult{ID: id, Title: strings.ToUpper(id), Stats: scoring.Stats{Score: ptr(score), Divergence: ptr(0)}}
	}
	withheld := scoring.SectionResult{ID: "w", Stats: scoring.Stats{Answered: 1, Withheld: true}}
	tests := []struct {
		name               string
		sections           []scoring.SectionResult
		strongest, weakest []string
	}{
		{"none scored", []scoring.SectionResult{withheld}, nil, nil},
		{"one scored", []scoring.SectionResult{sec("a", 0.5), withheld}, nil, nil},
		{"two", []scoring.SectionResult{sec("a", 0.2), sec("b", 0.9)}, []string{"b"}, []string{"a"}},
		{"two scored of three", []scoring.SectionResult{sec("a", 0.2), withheld, sec("b", 0.9)}, []string{"b"}, []string{"a"}},
		{"three: one each, never the same section twice", []scoring.SectionResult{sec("a", 0.5), sec("b", 0.9), sec("c", 0.1)}, []string{"b"}, []string{"c"}},
		{"four: two each", []scoring.SectionResult{sec("a", 0.5), sec("b", 0.9), sec("c", 0.1), sec("d", 0.7)}, []string{"b", "d"}, []string{"c", "a"}},
		{"seven: still two each", []scoring.SectionResult{
			sec("a", 0.5), sec("b", 0.9), sec("c", 0.1), sec("d", 0.7), sec("e", 0.3), sec("f", 0.95), sec("g", 0.05)},
			[]string{"f", "b"}, []string{"g", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := digest.Build(nil, scoring.Result{Sections: tt.sections}, digest.Meta{})
			if got := sectionIDs(d.Strongest); !slices.Equal(got, nonNil(tt.strongest)) {
				t.Errorf("Strongest = %v, want %v", got, tt.strongest)
			}
			if got := sectionIDs(d.Weakest); !slices.Equal(got, nonNil(tt.weakest)) {
				t.Errorf("Weakest = %v, want %v (weakest first)", got, tt.weakest)
			}
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
