// Package chart draws the digest's picture: a radar of the team's section
// scores (this review against the previous one) beside bars that show how
// far apart the respondents are in each section. It renders a PNG with
// gonum.org/v1/plot's vector graphics (vg, vgimg) and the Liberation Sans
// font it ships, so it needs no system fonts.
//
// It is pure: it reads nothing, keeps no state between calls and writes only
// to the io.Writer it is given. It is safe for concurrent use.
package chart

import (
	"bufio"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"strings"
	"unicode"
)

// Section is one section of a review, as the chart shows it. Scores are in
// [0,1] and drawn as 0–100%.
type Section struct {
	Title string
	// Score is the team score (the mean of the respondents' section
	// scores); nil = no data or withheld.
	Score *float64
	// Previous is the previous review's team score, if there was one.
	Previous *float64
	// Change is the change since then in percentage points as the digest
	// says it (digest.Trend); nil: the difference of the two scores.
	Change *float64
	// Min, Q1, Median, Q3, Max summarise the respondents' section scores
	// (scoring.Spread). They are read only when Score is set and the section
	// is not withheld.
	Min, Q1, Median, Q3, Max float64
	// Withheld marks a section that fewer respondents answered than the
	// anonymity threshold: it is drawn as "withheld", with no data (even if
	// Score is set).
	Withheld bool
	// SpreadWithheld marks a section scored by fewer respondents than the
	// detail threshold: only its team score is drawn, since at a handful of
	// respondents quartiles and whiskers are individual people's scores.
	SpreadWithheld bool
}

// Input is what the chart shows.
type Input struct {
	Title    string // e.g. the framework's title
	Subtitle string // e.g. review id, dates, response rate
	Sections []Section
}

// Limits of the layout.
const (
	// Width is the width of every chart in pixels; Height that of a chart
	// with a radar. Bars-only charts grow with the number of sections.
	Width  = 1200
	Height = 800
	// MaxRadarSections is the most sections drawn as a radar; with more
	// (or fewer than MinRadarSections, where a radar has no area) the
	// chart shows only the spread bars.
	MaxRadarSections = 12
	MinRadarSections = 3
	// MaxSections is the most sections a chart holds.
	MaxSections = 60
	// MaxTitleRunes is how much of a section title is shown; longer titles
	// end in "…".
	MaxTitleRunes = 30
)

// ErrNoSections is returned for an input without sections.
var ErrNoSections = errors.New("chart: no sections to draw")

// PNG draws the chart of in and writes it to w as a PNG image, Width
// pixels wide: Height pixels with the radar (MinRadarSections to
// MaxRadarSections sections), taller when only the spread bars are drawn.
func PNG(w io.Writer, in Input) error {
	if err := validate(in); err != nil {
		return err
	}
	img := render(in)
	bw := bufio.NewWriter(w)
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(bw, img); err != nil {
		return fmt.Errorf("chart: encode png: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("chart: write png: %w", err)
	}
	return nil
}

// eps tolerates rounding noise in scores computed elsewhere.
const eps = 1e-9

// validate rejects input the chart would draw wrongly.
func validate(in Input) error {
	switch n := len(in.Sections); {
	case n == 0:
		return ErrNoSections
	case n > MaxSections:
		return fmt.Errorf("chart: %d sections; a chart holds at most %d", n, MaxSections)
	}
	for i, s := range in.Sections {
		name := fmt.Sprintf("section %d (%q)", i+1, s.Title)
		if s.Previous != nil && !unit(*s.Previous) {
			return fmt.Errorf("chart: %s: previous score %v is not in [0,1]", name, *s.Previous)
		}
		if s.Withheld || s.Score == nil {
			continue
		}
		if s.SpreadWithheld {
			if !unit(*s.Score) {
				return fmt.Errorf("chart: %s: score %v is not in [0,1]", name, *s.Score)
			}
			continue
		}
		vals := []struct {
			what string
			v    float64
		}{{"score", *s.Score}, {"min", s.Min}, {"Q1", s.Q1}, {"median", s.Median}, {"Q3", s.Q3}, {"max", s.Max}}
		for _, v := range vals {
			if !unit(v.v) {
				return fmt.Errorf("chart: %s: %s %v is not in [0,1]", name, v.what, v.v)
			}
		}
		if !(s.Min <= s.Q1+eps && s.Q1 <= s.Median+eps && s.Median <= s.Q3+eps && s.Q3 <= s.Max+eps) {
			return fmt.Errorf("chart: %s: spread out of order: min %v, Q1 %v, median %v, Q3 %v, max %v",
				name, s.Min, s.Q1, s.Median, s.Q3, s.Max)
		}
		if *s.Score < s.Min-eps || *s.Score > s.Max+eps {
			return fmt.Errorf("chart: %s: score %v lies outside the respondents' range %v–%v (spread not set?)",
				name, *s.Score, s.Min, s.Max)
		}
	}
	return nil
}

func unit(x float64) bool { return x >= -eps && x <= 1+eps }

// clamp01 maps a validated score into [0,1].
func clamp01(x float64) float64 { return math.Min(1, math.Max(0, x)) }

// radar reports whether a chart of n sections has a radar.
func radar(n int) bool { return n >= MinRadarSections && n <= MaxRadarSections }

// oneLine turns control characters and runs of white space into one space.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// cleanTitle makes a title one line of at most MaxTitleRunes runes: it
// drops what the font cannot draw (emoji…), turns control characters and
// runs of spaces into one space, and cuts a longer title at
// MaxTitleRunes-1 runes, ending it in "…".
func cleanTitle(s string) string {
	s = oneLine(drawable(s))
	r := []rune(s)
	if len(r) <= MaxTitleRunes {
		return s
	}
	return strings.TrimRight(string(r[:MaxTitleRunes-1]), " ") + "…"
}

// percent formats a score in [0,1] as a whole percentage.
// percent rounds half away from zero, as the digest's figures do (72.5%
// is 73% in both).
func percent(x float64) string { return fmt.Sprintf("%d%%", int(math.Round(100*clamp01(x)))) }
