package present

import (
	"fmt"
	"strings"

	"github.com/assessbot/assessbot/internal/digest"
)

// figureWords name the disclosure model's figures for people.
var figureWords = map[digest.Figure]string{
	digest.FigSectionMean: "section scores",
	digest.FigSectionBand: "section agreement",
	digest.FigTeamBand:    "the team band",
	digest.FigQuestion:    "question figures",
	digest.FigAlignment:   "the alignment index",
	digest.FigCounts:      "answer counts and ranges",
	digest.FigOpenAnswers: "open answers and comments",
	digest.FigRows:        "per-respondent rows",
	digest.FigAll:         "every figure",
}

// WithheldNote says in one line what a digest withholds and why, e.g.
// "Question figures and answer counts and ranges are shown from 5
// respondents.", or "" when it withholds nothing.
func WithheldNote(d digest.Digest) string {
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
		case w.Why == digest.WhyDifferencing:
			parts = append(parts, fmt.Sprintf("no figures: the people who answered differ by %s from those of review %s, and comparing the two would show their answers",
				plural(w.Differ, "person", "people"), w.Review))
			continue
		case w.Figure == digest.FigRows:
			continue // only an export has rows
		case w.Why == digest.WhySmallSection && w.Figure == digest.FigTeamBand:
			what = "the team band (it would give a one-question section away)"
		case w.Why == digest.WhySmallSection:
			what = "the scores of " + plural(len(w.Sections), "section", "sections") + " of one question"
		case w.Why == digest.WhyBandPins:
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
		parts = append(parts, fmt.Sprintf("%s are shown from %d respondents", joinAnd(byNeed[n]), n))
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "; ") + "."
	return strings.ToUpper(s[:1]) + s[1:]
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
