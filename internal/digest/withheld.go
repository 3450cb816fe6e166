package digest

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

// WithheldFor returns what the digest says of a withheld figure.
func (d Digest) WithheldFor(f Figure) (Withheld, bool) {
	for _, w := range d.Withheld {
		if w.Figure == f || w.Figure == FigAll {
			return w, true
		}
	}
	return Withheld{}, false
}

// Withholds reports whether the digest withholds a figure for any reason.
func (d Digest) Withholds(f Figure) bool {
	_, ok := d.WithheldFor(f)
	return ok
}
