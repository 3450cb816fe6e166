package digest

import (
	"fmt"
	"strings"
)

// Figure names a kind of figure a digest may show. Which ones a review
// shows, and from how many respondents, is decided by the disclosure model
// (review.Disclosure); a Digest carries only the figures it allows and
// says, in Withheld, what it left out and why.
type Figure string

// The figures of the disclosure model.
const (
	// Section level: shown from the review's threshold.
	FigSectionMean Figure = "section_mean"
	FigSectionBand Figure = "section_agreement_band"
	FigTeamBand    Figure = "team_band"
	// Question level: shown from the detail threshold.
	FigQuestion  Figure = "question" // a question's mean, agreement, not-sure count, place among where you diverge
	FigAlignment Figure = "alignment"
	// Detail: shown from the detail threshold.
	FigCounts      Figure = "counts" // answer counts, how many answered, ranges, spreads, band counts
	FigOpenAnswers Figure = "open_answers"
	FigRows        Figure = "rows" // per-respondent rows of an export
	// Everything: the review is withheld as a whole.
	FigAll Figure = "all"
)

// Why says why a figure is withheld.
type Why string

// The reasons.
const (
	// WhyThreshold: fewer respondents than the review's threshold.
	WhyThreshold Why = "threshold"
	// WhyDetail: fewer respondents than the detail threshold.
	WhyDetail Why = "detail"
	// WhySmallSection: a section of one scored question (or of questions
	// on different scales) shows its figures as a question does.
	WhySmallSection Why = "small_section"
	// WhyBandPins: at this many respondents the section's agreement band
	// beside its mean could pin a question's answers.
	WhyBandPins Why = "band_pins"
	// WhyDifferencing: the people who answered differ from those of an
	// earlier published review of the framework by too few.
	WhyDifferencing Why = "differencing"
)

// Withheld is one kind of figure a digest leaves out: what, why, and from
// how many respondents it would show. It never says who.
type Withheld struct {
	Figure Figure `json:"figure"`
	Why    Why    `json:"why"`
	// Need is how many respondents the figure needs (0 when more
	// respondents would not help, as for differencing).
	Need int `json:"need,omitempty"`
	// Sections are the ids of the sections concerned, when only some are.
	Sections []string `json:"sections,omitempty"`
	// Review and Differ are set for WhyDifferencing: the earlier review,
	// and by how many people the two differ.
	Review string `json:"review,omitempty"`
	Differ int    `json:"differ,omitempty"`
}

var figureWords = map[Figure]string{
	FigSectionMean: "section scores",
	FigSectionBand: "section agreement",
	FigTeamBand:    "the team band",
	FigQuestion:    "question figures",
	FigAlignment:   "the alignment index",
	FigCounts:      "answer counts and ranges",
	FigOpenAnswers: "open answers and comments",
	FigRows:        "per-respondent rows",
	FigAll:         "every figure",
}

// WithheldNote says in one line what the digest withholds and why, e.g.
// "Question figures and answer counts and ranges are shown from 5
// respondents.", or "" when it withholds nothing.
func (d Digest) WithheldNote() string {
	var parts []string
	byNeed := map[int][]string{}
	var needs []int
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	for _, w := range d.Withheld {
		var what string
		switch {
		case w.Why == WhyDifferencing:
			parts = append(parts, fmt.Sprintf("no figures: the people who answered differ by %s from those of review %s, and comparing the two would show their answers",
				plural(w.Differ, "person", "people"), w.Review))
			continue
		case w.Figure == FigRows:
			continue // only an export has rows
		case w.Why == WhySmallSection && w.Figure == FigTeamBand:
			what = "the team band (it would give a one-question section away)"
		case w.Why == WhySmallSection:
			what = "the scores of " + plural(len(w.Sections), "section", "sections") + " of one question"
		case w.Why == WhyBandPins:
			what = "the agreement of " + plural(len(w.Sections), "small section", "small sections")
		default:
			what = figureWords[w.Figure]
		}
		if _, ok := byNeed[w.Need]; !ok {
			needs = append(needs, w.Need)
		}
		byNeed[w.Need] = append(byNeed[w.Need], what)
	}
	for _, n := range needs {
		parts = append(parts, fmt.Sprintf("%s are shown from %d respondents", join(byNeed[n]), n))
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "; ") + "."
	return strings.ToUpper(s[:1]) + s[1:]
}

// WithheldFor returns what the digest says of a withheld figure.
func (d Digest) WithheldFor(f Figure) (Withheld, bool) {
	for _, w := range d.Withheld {
		if w.Figure == f || w.Figure == FigAll {
			return w, true
		}
	}
	return Withheld{}, false
}

func join(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// Withholds reports whether the digest withholds a figure for any reason.
func (d Digest) Withholds(f Figure) bool {
	_, ok := d.WithheldFor(f)
	return ok
}
