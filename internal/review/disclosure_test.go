package review_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/scoring"
)

// modelYAML has a section of three yes/no questions, one of two five-level
// questions with an open one, a section of a single scored question and
// one mixing scales, and bands.
const modelYAML = `
id: model
title: Model
scales:
  five:
    not_sure: true
    options: [{id: l0, label: L0}, {id: l1, label: L1}, {id: l2, label: L2}, {id: l3, label: L3}, {id: l4, label: L4}]
sections:
  - id: yn
    title: Yes or no
    questions:
      - {id: y1, text: "Y1?", scale: yesno}
      - {id: y2, text: "Y2?", scale: yesno}
      - {id: y3, text: "Y3?", scale: yesno}
  - id: lv
    title: Levels
    questions:
      - {id: v1, text: "V1?", scale: five}
      - {id: v2, text: "V2?", scale: five}
      - {id: vt, text: "In your words", scale: text}
  - id: one
    title: One
    questions:
      - {id: o1, text: "O1?", scale: five}
  - id: mixed
    title: Mixed
    questions:
      - {id: m1, text: "M1?", scale: yesno}
      - {id: m2, text: "M2?", scale: five}
bands:
  - {min: 0, label: Low}
  - {min: 4, label: High}
`

func modelFramework(t *testing.T) *assessment.Framework {
	t.Helper()
	f, err := framework.Parse("model.yaml", []byte(modelYAML))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// modelResponses: n people answer everything; person i picks yes when i is
// even, level i mod 5, writes an open answer and comments on y1.
func modelResponses(n int) []assessment.Response {
	var rs []assessment.Response
	for i := range n {
		yn := []string{"yes", "no"}[i%2]
		lv := fmt.Sprintf("l%d", i%5)
		rs = append(rs, assessment.Response{Respondent: fmt.Sprint("U", i), Answers: map[string]assessment.Answer{
			"y1": {Option: yn, Comment: "because"}, "y2": {Option: yn}, "y3": {Option: "yes"},
			"v1": {Option: lv}, "v2": {Option: "l2"}, "vt": {Text: fmt.Sprint("words ", i)},
			"o1": {Option: lv}, "m1": {Option: yn}, "m2": {Option: lv},
		}})
	}
	return rs
}

func withheldKinds(ws []digest.Withheld) []string {
	var out []string
	for _, w := range ws {
		out = append(out, fmt.Sprintf("%s/%s/%d%v", w.Figure, w.Why, w.Need, w.Sections))
	}
	return out
}

// TestDisclose walks the disclosure model at each size around its two
// thresholds: what each level of figure shows, and what the digest is told
// was withheld.
func TestDisclose(t *testing.T) {
	f := modelFramework(t)
	th := review.Thresholds{Mean: 3, Detail: 5}
	type want struct {
		sectionMean []bool // yn, lv, one, mixed
		sectionBand []bool
		questions   bool // every question's figures
		band        bool // team band
		bandCounts  bool
		alignment   bool
		withheld    []string
	}
	tests := []struct {
		n    int
		want want
	}{
		{2, want{[]bool{false, false, false, false}, []bool{false, false, false, false}, false, false, false, false, []string{
			"section_mean/threshold/3[]", "section_agreement_band/threshold/3[]", "team_band/threshold/3[]",
			"question/detail/5[]", "alignment/detail/5[]", "counts/detail/5[]", "open_answers/detail/5[]", "rows/detail/5[]"}}},
		// Three: the means of yn and lv and their bands (three yes/no
		// questions and two five-level ones are big enough at three
		// people); one and mixed are shown as questions are. The team band
		// adds one (one question) and mixed (two scales): withheld.
		{3, want{[]bool{true, true, false, false}, []bool{true, true, false, false}, false, false, false, false, []string{
			"team_band/small_section/5[]",
			"question/detail/5[]", "alignment/detail/5[]", "counts/detail/5[]", "open_answers/detail/5[]", "rows/detail/5[]",
			"section_mean/small_section/5[one mixed]"}}},
		// Four: yn's band could pin (three yes/no questions at four).
		{4, want{[]bool{true, true, false, false}, []bool{false, true, false, false}, false, false, false, false, []string{
			"team_band/small_section/5[]",
			"question/detail/5[]", "alignment/detail/5[]", "counts/detail/5[]", "open_answers/detail/5[]", "rows/detail/5[]",
			"section_mean/small_section/5[one mixed]", "section_agreement_band/band_pins/5[yn]"}}},
		{5, want{[]bool{true, true, true, true}, []bool{true, true, true, true}, true, true, true, true, nil}},
		{6, want{[]bool{true, true, true, true}, []bool{true, true, true, true}, true, true, true, true, nil}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n, " respondents"), func(t *testing.T) {
			full := scoring.Aggregate(f, modelResponses(tt.n), scoring.Options{Threshold: th.Mean, Seed: "x"})
			before, _ := json.Marshal(full)
			res, withheld := review.Disclose(f, full, th)
			if res.Threshold != 3 || res.Detail != 5 || res.Respondents != tt.n {
				t.Errorf("threshold %d, detail %d, respondents %d", res.Threshold, res.Detail, res.Respondents)
			}
			for i, s := range res.Sections {
				if got := s.Score != nil; got != tt.want.sectionMean[i] {
					t.Errorf("section %s mean shown = %v, want %v", s.ID, got, tt.want.sectionMean[i])
				}
				if got := s.AgreementBand != ""; got != tt.want.sectionBand[i] {
					t.Errorf("section %s band shown = %v, want %v", s.ID, got, tt.want.sectionBand[i])
				}
				if got := s.Answered > 0 || s.Divergence != nil || s.Agreement != nil || s.Min != nil || s.NotSure > 0; got != tt.want.questions {
					t.Errorf("section %s detail (answered %d, divergence %v, agreement %v) shown = %v, want %v", s.ID, s.Answered, s.Divergence != nil, s.Agreement != nil, got, tt.want.questions)
				}
				if s.Score == nil && !s.Withheld {
					t.Errorf("section %s has no mean and is not marked withheld (that would say nobody scored it)", s.ID)
				}
			}
			for _, q := range res.Questions {
				shown := q.Score != nil || len(q.Texts) > 0
				if shown != tt.want.questions {
					t.Errorf("question %s shown = %v, want %v", q.ID, shown, tt.want.questions)
				}
				if !tt.want.questions && (q.Answered != 0 || q.NotSure != 0 || q.Unanswered != 0 || q.Options != nil || q.Comments != nil || q.Texts != nil ||
					q.Agreement != nil || q.AgreementBand != "" || q.Divergence != nil || !q.Withheld) {
					t.Errorf("question %s withheld but shows %+v", q.ID, q)
				}
			}
			if got := res.Band != nil; got != tt.want.band {
				t.Errorf("team band shown = %v, want %v", got, tt.want.band)
			}
			if got := res.Band != nil && res.Band.Counts != nil; got != tt.want.bandCounts {
				t.Errorf("band counts shown = %v, want %v", got, tt.want.bandCounts)
			}
			if got := res.Alignment != nil; got != tt.want.alignment {
				t.Errorf("alignment shown = %v, want %v", got, tt.want.alignment)
			}
			if got := withheldKinds(withheld); !slices.Equal(got, tt.want.withheld) {
				t.Errorf("withheld =\n%q\nwant\n%q", got, tt.want.withheld)
			}
			// The full result is left as it was.
			if after, _ := json.Marshal(full); string(after) != string(before) {
				t.Errorf("Disclose changed its input")
			}
		})
	}
}

// TestDiscloseQuestionsFromDetailAnswers: from the detail threshold of
// respondents a question shows when at least that many answered it (a
// score or not sure); a section's not-sure total leaves out the questions
// it withholds, or it would give their count away.
func TestDiscloseQuestionsFromDetailAnswers(t *testing.T) {
	f := modelFramework(t)
	rs := modelResponses(6)
	rs[0].Answers["y2"] = assessment.Answer{Option: assessment.NotSure}
	delete(rs[1].Answers, "y2")
	delete(rs[2].Answers, "y2")
	rs[3].Answers["y1"] = assessment.Answer{Option: assessment.NotSure}
	full := scoring.Aggregate(f, rs, scoring.Options{Threshold: 3})
	res, _ := review.Disclose(f, full, review.Thresholds{Mean: 3, Detail: 5})
	q := map[string]scoring.QuestionResult{}
	for _, x := range res.Questions {
		q[x.ID] = x
	}
	if y1 := q["y1"]; y1.Score == nil || y1.NotSure != 1 || y1.Answered != 5 {
		t.Errorf("y1 (5 scores, 1 not sure) = %+v, want shown", y1)
	}
	if y2 := q["y2"]; y2.Score != nil || y2.NotSure != 0 || y2.Answered != 0 || !y2.Withheld {
		t.Errorf("y2 (3 scores, 1 not sure: 4 answers) = %+v, want withheld", y2)
	}
	if yn := res.Sections[0]; yn.NotSure != 1 {
		t.Errorf("section yn not sure = %d, want 1 (y1's; y2's is withheld)", yn.NotSure)
	}
}

// TestDiscloseFloors: thresholds below the floors are raised to them.
func TestDiscloseFloors(t *testing.T) {
	f := modelFramework(t)
	full := scoring.Aggregate(f, modelResponses(4), scoring.Options{Threshold: 1})
	res, _ := review.Disclose(f, full, review.Thresholds{Mean: 1, Detail: 1})
	if res.Threshold != assessment.MinThreshold || res.Detail != assessment.MinDetailThreshold {
		t.Errorf("thresholds %d/%d, want the floors %d/%d", res.Threshold, res.Detail, assessment.MinThreshold, assessment.MinDetailThreshold)
	}
	for _, q := range res.Questions {
		if q.Score != nil {
			t.Errorf("question %s shown at 4 respondents", q.ID)
		}
	}
	// A creator who answers raises both (assessment.Review.Thresholds).
	r := &assessment.Review{Threshold: 3, CreatedBy: "U1", Respondents: []string{"U1", "U2"}}
	if got := review.ThresholdsOf(r); got != (review.Thresholds{Mean: 4, Detail: 6}) {
		t.Errorf("ThresholdsOf with the creator answering = %+v, want 4 and 6", got)
	}
}

// TestDisclosureTable: every figure the digest names has one rule, and the
// section figures need the threshold, the rest the detail threshold.
func TestDisclosureTable(t *testing.T) {
	seen := map[digest.Figure]review.Level{}
	for _, r := range review.Disclosure {
		if _, dup := seen[r.Figure]; dup {
			t.Errorf("%s has two rules", r.Figure)
		}
		if r.Why == "" {
			t.Errorf("%s has no reason", r.Figure)
		}
		seen[r.Figure] = r.From
	}
	want := map[digest.Figure]review.Level{
		digest.FigSectionMean: review.AtThreshold, digest.FigSectionBand: review.AtThreshold, digest.FigTeamBand: review.AtThreshold,
		digest.FigQuestion: review.AtDetail, digest.FigAlignment: review.AtDetail, digest.FigCounts: review.AtDetail,
		digest.FigOpenAnswers: review.AtDetail, digest.FigRows: review.AtDetail,
	}
	for fig, lvl := range want {
		if seen[fig] != lvl {
			t.Errorf("%s from level %d, want %d", fig, seen[fig], lvl)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d rules, want %d", len(seen), len(want))
	}
}
