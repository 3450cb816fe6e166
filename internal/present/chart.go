package present

import (
	"fmt"

	"github.com/assessbot/assessbot/internal/digest"
)

// ChartWords are the words internal/chart draws on the digest's chart.
type ChartWords struct {
	RadarHeading, BarsHeading string
	// The legends: the radar's now and previous; the bars' range, middle
	// half, median and team score.
	Now, Previous, Range, MiddleHalf, Median, TeamScore string
	// A section without data: on a bar, withheld or with no data; at a
	// spoke of the radar, in short.
	WithheldRow, Withheld, NoData string
}

// Chart is what the chart says.
var Chart = ChartWords{
	RadarHeading: "Team score by section",
	BarsHeading:  "Spread of respondents' scores",
	Now:          "now", Previous: "previous",
	Range: "lowest to highest", MiddleHalf: "middle half", Median: "median", TeamScore: "team score",
	WithheldRow: "withheld: too few answered", Withheld: "withheld", NoData: "no data",
}

// ChartUntitled names the nth section (from 1) of a chart whose title has
// nothing the chart can draw.
func ChartUntitled(n int) string { return fmt.Sprintf("Section %d", n) }

// ChartSubtitle is the line under the chart's title: the review, its
// dates, the response rate and what it is compared with.
func ChartSubtitle(d digest.Digest, reviewID string) string {
	s := fmt.Sprintf("Review %s · %s → %s · %s",
		reviewID, d.Opened.UTC().Format("2 Jan"), d.Closed.UTC().Format("2 Jan 2006"), ResponseLine(d))
	if d.Previous != nil {
		s += " · previous review " + d.PreviousClosed.UTC().Format("2 Jan 2006")
	}
	return s
}

// ChartTitle is the title of the chart's file in Slack.
func ChartTitle(d digest.Digest) string { return "Chart: " + d.Framework.Title }

// ChartAltText describes the chart for those who cannot see it.
const ChartAltText = "Radar of section scores and the spread of respondents' scores per section"

// MaxAltText is the most characters of an image block's alt text.
const MaxAltText = 2000

// ChartAlt is the chart's alt text: what it shows and, since its font
// draws Latin, Greek and Cyrillic but not every script a framework may be
// written in (Chinese, Japanese, emoji…), which characters of the titles
// it could not draw. cannotDraw returns the characters of a text the
// chart cannot draw (chart.Undrawable), "" when it draws them all.
func ChartAlt(d digest.Digest, cannotDraw func(string) string) string {
	s := ChartAltText + "."
	if d.Framework != nil {
		if c := cannotDraw(d.Framework.Title); c != "" {
			s += fmt.Sprintf(" The title's characters %s could not be drawn.", c)
		}
	}
	for i, sec := range d.Result.Sections {
		if c := cannotDraw(sec.Title); c != "" {
			s += fmt.Sprintf(" Section %d's title's characters %s could not be drawn.", i+1, c)
		}
	}
	return Truncate(s, MaxAltText)
}

// HeatmapWords are the words internal/chart draws on the heatmap of
// sections by segment.
type HeatmapWords struct {
	// Withheld is written in a withheld cell, NoData in one nobody scored.
	Withheld, NoData string
	// N labels a cell's count ("n 6").
	N string
	// Split is the legend of the mark of a split cell; WithheldLegend
	// that of a withheld one.
	Split, WithheldLegend string
	// EveryoneElse heads the column of those in no segment.
	EveryoneElse string
}

// Heatmap is what the heatmap says.
var Heatmap = HeatmapWords{
	Withheld: "withheld", NoData: "no data", N: "n",
	Split: "split: the team disagrees", WithheldLegend: "withheld: the thread says why",
	EveryoneElse: "everyone else",
}

// HeatmapTitle is the title of the heatmap's file in Slack.
func HeatmapTitle(d digest.Digest) string { return "Heatmap: " + d.Framework.Title }

// HeatmapAltText describes the heatmap for those who cannot see it.
const HeatmapAltText = "Heatmap of section scores by team; the thread's table gives the same figures"
