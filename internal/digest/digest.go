// Package digest is the digest as data: from a scoring.Result it picks
// what a leader reads — where the team disagrees, what nobody knows,
// strongest and weakest sections, the trend since the previous review.
// internal/present renders it (the Slack message and thread, the chart's
// words, the terminal output of `assessbot score`), every medium from the
// same Digest, so they show the same numbers.
package digest

import (
	"math"
	"sort"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/scoring"
)

// TopN is how many questions the "not sure" list shows.
const TopN = 5

// NotSureFrom is how many "not sure" answers put a question on the "not
// sure" list: one person's doubt is not the team's.
const NotSureFrom = 2

// Meta is what the digest says about the review itself.
type Meta struct {
	ReviewID string
	Opened   time.Time
	Closed   time.Time
	Invited  int // respondents invited; 0 when unknown (a spreadsheet)
	// Away are those invited who were away for the whole window (their
	// intro never went out) and did not answer: the response rate leaves
	// them out of its denominator, and says so. A count, never who.
	Away int
	// Detail is how many respondents anything finer than a mean needs
	// (answer counts, ranges, band counts, the spread); 0 means the one
	// assessment.Thresholds gives the anonymity threshold, with no creator.
	Detail int
	// Previous is the result of the review this one is compared with (the
	// same schedule, or the same framework and channel), if any.
	Previous       *scoring.Result
	PreviousClosed time.Time
	// Withheld says what the disclosure model left out of the result,
	// and why (review.Disclose).
	Withheld []Withheld
	// Actions is how the actions planned from the previous review's
	// digest fared; nil when there were none.
	Actions *FollowThrough
}

// Asked is how many were invited and not away: the response rate's
// denominator.
func (m Meta) Asked() int { return max(m.Invited-m.Away, 0) }

// Trend is the change since the previous review.
type Trend struct {
	// Sections maps a section id to its change in percentage points, for
	// sections scored both times.
	Sections map[string]float64
	BandThen string
	BandNow  string
	// AlignmentThen and AlignmentNow are the alignment index of both
	// reviews, when both show it.
	AlignmentThen, AlignmentNow *float64
	// Rising are the questions whose agreement fell most (by at least
	// 0.05), most first: where disagreement grew.
	Rising []Rise
	// Moves are the sections whose score changed (by at least half a
	// point, so that it shows as a whole point), largest change first
	// (ties in framework order).
	Moves []Move
}

// Move is one section's change since the previous review.
type Move struct {
	Section scoring.SectionResult
	Points  float64 // percentage points, as in Sections
}

// Rise is one question's agreement then and now.
type Rise struct {
	Question  scoring.QuestionResult
	Then, Now float64
}

// RisingN is how many questions the trend lists.
const RisingN = 3

// Digest is the content of a digest, ready to render.
type Digest struct {
	Meta
	Framework *assessment.Framework
	Result    scoring.Result
	// Disagree is "where you diverge": every question whose agreement is
	// mixed or split, least agreement (most split) first.
	Disagree []scoring.QuestionResult
	// NotSure are the questions at least NotSureFrom people were not sure
	// about, most first, at most TopN; NotSureTotal counts the "not sure"
	// answers over all shown questions.
	NotSure      []scoring.QuestionResult
	NotSureTotal int
	// Hotspots are the sections whose mean looks fine but whose agreement
	// is split (scoring.Hotspot), in framework order.
	Hotspots  []scoring.SectionResult
	Strongest []scoring.SectionResult
	Weakest   []scoring.SectionResult
	Trend     *Trend
	// Spread is the spread of respondents' section scores, by section id
	// (only sections that meet the anonymity threshold), for the chart.
	Spread map[string]scoring.Quantiles
	// Segments are the teams of the heatmap, in the order the review
	// named them and everyone else last, holding only the cells the
	// disclosure model allows (review.ScoreSegments); nil when the review
	// named none.
	Segments []Segment
}

// Build assembles a digest.
func Build(f *assessment.Framework, r scoring.Result, m Meta) Digest {
	d := Digest{Meta: m, Framework: f, Result: r}
	if d.Detail == 0 {
		// Figures of no review (a file scored on its own): no creator
		// answers. A review's digest sets Detail from its thresholds.
		_, d.Detail = assessment.Thresholds(r.Threshold, 0, false)
		d.Detail = max(d.Detail, r.Detail)
	}
	d.Disagree = r.Diverging()
	for _, q := range r.MostNotSure() {
		d.NotSureTotal += q.NotSure
		if q.NotSure >= NotSureFrom && len(d.NotSure) < TopN {
			d.NotSure = append(d.NotSure, q)
		}
	}
	for _, s := range r.Sections {
		if scoring.Hotspot(s) {
			d.Hotspots = append(d.Hotspots, s)
		}
	}
	if m.Previous != nil {
		d.Trend = trend(*m.Previous, r)
	}
	by := r.SectionsByScore()
	if len(by) >= 2 {
		n := min(2, len(by)/2)
		d.Strongest = by[:n]
		for i := len(by) - 1; i >= len(by)-n; i-- {
			d.Weakest = append(d.Weakest, by[i])
		}
	}
	return d
}

func trend(prev, now scoring.Result) *Trend {
	t := &Trend{Sections: map[string]float64{}}
	then := map[string]scoring.SectionResult{}
	for _, s := range prev.Sections {
		then[s.ID] = s
	}
	for _, s := range now.Sections {
		if p, ok := then[s.ID]; ok && p.Score != nil && s.Score != nil {
			t.Sections[s.ID] = math.Round((*s.Score-*p.Score)*1000) / 10
		}
	}
	for _, s := range now.Sections {
		if p, ok := t.Sections[s.ID]; ok && math.Abs(p) >= 0.5 {
			t.Moves = append(t.Moves, Move{Section: s, Points: p})
		}
	}
	sort.SliceStable(t.Moves, func(i, j int) bool { return math.Abs(t.Moves[i].Points) > math.Abs(t.Moves[j].Points) })
	if prev.Band != nil {
		t.BandThen = prev.Band.Label
	}
	if now.Band != nil {
		t.BandNow = now.Band.Label
	}
	if prev.Alignment != nil && now.Alignment != nil {
		t.AlignmentThen, t.AlignmentNow = prev.Alignment, now.Alignment
	}
	qthen := map[string]scoring.QuestionResult{}
	for _, q := range prev.Questions {
		qthen[q.ID] = q
	}
	for _, q := range now.Questions {
		p, ok := qthen[q.ID]
		if !ok || p.Agreement == nil || q.Agreement == nil || *p.Agreement-*q.Agreement < 0.05 {
			continue
		}
		t.Rising = append(t.Rising, Rise{Question: q, Then: *p.Agreement, Now: *q.Agreement})
	}
	sort.SliceStable(t.Rising, func(i, j int) bool {
		return t.Rising[i].Then-t.Rising[i].Now > t.Rising[j].Then-t.Rising[j].Now
	})
	if len(t.Rising) > RisingN {
		t.Rising = t.Rising[:RisingN]
	}
	return t
}

// FollowThrough is how the actions planned from the previous review's
// digest fared by the time of this one: declined ones left out (nobody
// took them on).
type FollowThrough struct {
	Done, Open, Dropped int
	// Sections counts each section's actions, by section id.
	Sections map[string]SectionFollow
}

// SectionFollow is one section's actions: Done of Total.
type SectionFollow struct{ Done, Total int }

// ActionOutcome is where one action stands, for Follow.
type ActionOutcome struct {
	Section             string
	Done, Open, Dropped bool
}

// Follow counts actions' outcomes; nil when none was taken on.
func Follow(actions []ActionOutcome) *FollowThrough {
	f := &FollowThrough{Sections: map[string]SectionFollow{}}
	for _, a := range actions {
		if !a.Done && !a.Open && !a.Dropped {
			continue
		}
		sf := f.Sections[a.Section]
		sf.Total++
		switch {
		case a.Done:
			f.Done++
			sf.Done++
		case a.Open:
			f.Open++
		default:
			f.Dropped++
		}
		f.Sections[a.Section] = sf
	}
	if f.Done+f.Open+f.Dropped == 0 {
		return nil
	}
	return f
}
