package review

import (
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// Level is the threshold of respondents a figure needs.
type Level int

// The two thresholds of a review (assessment.Review.Thresholds).
const (
	// AtThreshold: the review's anonymity threshold (floor 3, one more
	// when the creator answers).
	AtThreshold Level = iota + 1
	// AtDetail: the detail threshold (floor 5, never below the
	// threshold, one more when the creator answers).
	AtDetail
)

// Rule is one row of the disclosure model.
type Rule struct {
	Figure digest.Figure
	From   Level
	// Why is the reason, as the README gives it.
	Why string
}

// Disclosure is the disclosure model: what a digest may show, and from how
// many respondents. Every output (the channel message, its thread and
// chart, App Home, /review results, the export files, `assessbot score`)
// renders a digest.Digest, and a Digest carries only what Disclose lets
// through: this table is the one place the rule lives. README, "Who can see
// what", prints it.
var Disclosure = []Rule{
	{digest.FigSectionMean, AtThreshold, "a section's mean mixes several questions' answers: it gives no count of any answer (a section of one scored question, or of questions on different scales, is shown as a question is, from the detail threshold)"},
	{digest.FigSectionBand, AtThreshold, "aligned, mixed or split for a whole section; where, at so few respondents, the band beside the mean would pin a question's answers (checked for the section's size), from the detail threshold"},
	{digest.FigTeamBand, AtThreshold, "the band of the team's mean points total, from all questions"},
	{digest.FigQuestion, AtDetail, "a question's mean, agreement, not-sure count and place among where you diverge: below five answers a question's mean and spread name the count of each answer (at three, yes/no score × answered is the count of yes)"},
	{digest.FigAlignment, AtDetail, "the alignment index is the mean of the questions' agreements: at three respondents it tells how many questions were unanimous"},
	{digest.FigCounts, AtDetail, "counts, ranges, spreads and band counts are the answers themselves, counted"},
	{digest.FigOpenAnswers, AtDetail, "open answers at three or four people identify their writers by style"},
	{digest.FigRows, AtDetail, "per-respondent rows of an export, even shuffled, are one person's answers"},
}

// Thresholds are the two thresholds a review's figures need.
type Thresholds struct{ Mean, Detail int }

// ThresholdsOf are a review's thresholds (assessment.Review.Thresholds).
func ThresholdsOf(r *assessment.Review) Thresholds {
	mean, detail := r.Thresholds()
	return Thresholds{Mean: mean, Detail: detail}
}

// Floor raises thresholds to their floors.
func (t Thresholds) Floor() Thresholds {
	t.Mean = max(t.Mean, assessment.MinThreshold)
	t.Detail = max(t.Detail, t.Mean, assessment.MinDetailThreshold)
	return t
}

// Need is how many respondents a level needs.
func (t Thresholds) Need(l Level) int {
	if l == AtDetail {
		return t.Detail
	}
	return t.Mean
}

func rule(fig digest.Figure) Rule {
	for _, r := range Disclosure {
		if r.Figure == fig {
			return r
		}
	}
	panic("review: no disclosure rule for " + string(fig))
}

// sectionShape is what the model needs to know of a section's structure.
type sectionShape struct {
	scored  int  // scored questions
	options int  // options of their scale
	oneKind bool // all on one scale
}

func shapes(f *assessment.Framework) map[string]sectionShape {
	out := make(map[string]sectionShape, len(f.Sections))
	for _, s := range f.Sections {
		sh := sectionShape{oneKind: true}
		scale := ""
		for _, q := range s.Questions {
			sc := f.Scales[q.Scale]
			if sc == nil || sc.Text {
				continue
			}
			if sh.scored == 0 {
				scale, sh.options = q.Scale, len(sc.Options)
			} else if q.Scale != scale {
				sh.oneKind = false
			}
			sh.scored++
		}
		out[s.ID] = sh
	}
	return out
}

// Disclose applies the disclosure model to the full result of a review's
// responses: it returns the result with only the figures the model allows
// for its number of respondents, and what it left out and why (never who).
// Everything a digest renders comes from the result it returns.
func Disclose(f *assessment.Framework, full scoring.Result, th Thresholds) (scoring.Result, []digest.Withheld) {
	th = th.Floor()
	n := full.Respondents
	shown := func(fig digest.Figure) bool { return n >= th.Need(rule(fig).From) }
	res := full
	res.Threshold, res.Detail = th.Mean, th.Detail
	var out []digest.Withheld
	withhold := func(fig digest.Figure, why digest.Why, sections []string) {
		out = append(out, digest.Withheld{Figure: fig, Why: why, Need: th.Need(rule(fig).From), Sections: sections})
	}
	hasText, hasBands := false, len(f.Bands) > 0

	// Questions.
	res.Questions = make([]scoring.QuestionResult, len(full.Questions))
	for i, q := range full.Questions {
		hasText = hasText || q.IsText
		res.Questions[i] = discloseQuestion(q, th.Detail, shown(digest.FigQuestion))
	}

	// Sections.
	shape := shapes(f)
	var small, pins []string
	res.Sections = make([]scoring.SectionResult, len(full.Sections))
	for i, s := range full.Sections {
		sh := shape[s.ID]
		kept := scoring.SectionResult{ID: s.ID, Title: s.Title}
		switch {
		case shown(digest.FigCounts) && s.Answered >= th.Detail:
			// From the detail threshold a section shows everything but
			// the not-sure answers of the questions it withholds.
			kept = s
			kept.NotSure = 0
			for _, q := range res.Questions {
				if q.Section == s.ID {
					kept.NotSure += q.NotSure
				}
			}
		case !shown(digest.FigSectionMean):
			kept.Withheld = n > 0
		case sh.scored < 2 || !sh.oneKind:
			kept.Withheld = true
			small = append(small, s.ID)
		case s.Score == nil:
			// Below the detail threshold not even "nobody scored it"
			// shows: it is a count.
			kept.Withheld = true
		default:
			kept.Score = s.Score
			if s.AgreementBand != "" {
				if bandSafe(sh.options, n, sh.scored) {
					kept.AgreementBand, kept.Split = s.AgreementBand, s.Split
				} else {
					pins = append(pins, s.ID)
				}
			}
		}
		res.Sections[i] = kept
	}

	// The team.
	if res.Band != nil {
		b := *res.Band
		switch {
		case !shown(digest.FigTeamBand):
			res.Band = nil
		case !shown(digest.FigCounts) && !bandSumsSafely(f, shape):
			res.Band = nil
			withhold(digest.FigTeamBand, digest.WhySmallSection, nil)
			out[len(out)-1].Need = th.Detail
		case !shown(digest.FigCounts):
			b.Counts = nil
			res.Band = &b
		}
	}
	res.Alignment = nil
	if shown(digest.FigAlignment) {
		res.Alignment = scoring.AlignmentIndex(res.Questions)
	}

	// What was left out, in the table's order.
	if n > 0 {
		for _, r := range Disclosure {
			switch {
			case shown(r.Figure):
			case r.Figure == digest.FigTeamBand && !hasBands,
				r.Figure == digest.FigOpenAnswers && !hasText && !hasComments(full):
			default:
				why := digest.WhyDetail
				if r.From == AtThreshold {
					why = digest.WhyThreshold
				}
				withhold(r.Figure, why, nil)
			}
		}
	}
	if len(small) > 0 {
		withhold(digest.FigSectionMean, digest.WhySmallSection, small)
		out[len(out)-1].Need = th.Detail
	}
	if len(pins) > 0 {
		withhold(digest.FigSectionBand, digest.WhyBandPins, pins)
		out[len(out)-1].Need = th.Detail
	}
	return res, out
}

// bandSumsSafely reports whether the team band's mean points total, shown
// beside the section means, gives away no question's answers. It adds
// every section's total: those of the sections whose mean shows are known
// already; the rest add up to one more total, which must cover at least
// two questions of one scale, as a section mean must.
func bandSumsSafely(f *assessment.Framework, shape map[string]sectionShape) bool {
	rest, scale := 0, ""
	for _, s := range f.Sections {
		if sh := shape[s.ID]; sh.scored >= 2 && sh.oneKind {
			continue
		}
		for _, q := range s.Questions {
			if sc := f.Scales[q.Scale]; sc == nil || sc.Text {
				continue
			}
			if rest > 0 && q.Scale != scale {
				return false
			}
			rest, scale = rest+1, q.Scale
		}
	}
	return rest != 1
}

// WithholdAll keeps a result's identity and response counts and withholds
// every figure.
func WithholdAll(full scoring.Result, th Thresholds) scoring.Result {
	th = th.Floor()
	res := scoring.Result{Framework: full.Framework, Title: full.Title, Respondents: full.Respondents, Submitted: full.Submitted,
		Threshold: th.Mean, Detail: th.Detail}
	for _, s := range full.Sections {
		res.Sections = append(res.Sections, scoring.SectionResult{ID: s.ID, Title: s.Title, Stats: scoring.Stats{Withheld: true}})
	}
	for _, q := range full.Questions {
		res.Questions = append(res.Questions, discloseQuestion(q, 0, false))
	}
	return res
}

func hasComments(r scoring.Result) bool {
	for _, q := range r.Questions {
		if len(q.Comments) > 0 {
			return true
		}
	}
	return false
}

// discloseQuestion keeps a question's figures when the question level is
// shown and at least detail people answered it (a score or not sure);
// otherwise it keeps only its identity, marked withheld, so that not even
// whether anybody answered it shows.
func discloseQuestion(q scoring.QuestionResult, detail int, levelShown bool) scoring.QuestionResult {
	if levelShown && q.Answered+q.NotSure >= detail {
		return q
	}
	return scoring.QuestionResult{ID: q.ID, Section: q.Section, Text: q.Text, IsText: q.IsText, Stats: scoring.Stats{Withheld: true}}
}
