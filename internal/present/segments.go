package present

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
)

// SegmentLabel is a segment's name as the digest writes it: the user
// group's or channel's handle, "everyone else" for the rest.
func SegmentLabel(s digest.Segment) string {
	switch {
	case s.ID == digest.EveryoneElse:
		return Heatmap.EveryoneElse
	case s.Name != "":
		return strings.TrimLeft(s.Name, "@#")
	}
	return s.ID
}

// SegmentWhyWords says, in one line, why a segment's cells are withheld,
// never naming who: need is the detail threshold.
func SegmentWhyWords(why digest.SegmentWhy, need int) string {
	switch why {
	case digest.SegTooFew:
		return fmt.Sprintf("fewer than %d answered in it", need)
	case digest.SegRestTooFew:
		return fmt.Sprintf("fewer than %d answered outside it: the whole minus it would show them", need)
	case digest.SegOverlap:
		return fmt.Sprintf("it overlaps another team so that the difference would show fewer than %d people", need)
	case digest.SegSection:
		return "the review's own figure for it is withheld"
	}
	return ""
}

// TrendWhyWords says, in one line, why a team's change since the previous
// run is withheld, never naming who came or went: need is the detail
// threshold; "" when it is not withheld.
func TrendWhyWords(why digest.SegmentWhy, need int) string {
	switch why {
	case digest.TrendFewChanged:
		return fmt.Sprintf("too few people changed: some who answered in it then or now did not answer in it both times, but fewer than %d, so the change would be theirs", need)
	case digest.TrendUncomparable:
		return "I cannot tell whether the same people answered in it (my secret changed since), so I show no change"
	}
	return ""
}

// trendTable is the teams' change since the previous run, a cell per team
// and section ("▲ +12"; "—" where there is none to show); nil when no team
// has one.
func trendTable(d digest.Digest) []slack.Block {
	some := false
	for _, s := range d.Segments {
		some = some || len(s.Trend) > 0
	}
	if !some {
		return nil
	}
	rows := []string{pad("", tableTitleWidth) + tableRow(d.Segments, func(s digest.Segment, _ int) string { return SegmentLabel(s) })}
	for _, sec := range d.Result.Sections {
		rows = append(rows, pad(Truncate(sec.Title, tableTitleWidth-2), tableTitleWidth)+tableRow(d.Segments, func(s digest.Segment, _ int) string {
			if v, ok := s.Trend[sec.ID]; ok {
				return Points(v)
			}
			return "—"
		}))
	}
	head := fmt.Sprintf("*Change since the previous run, by team* (in points; a team's change shows only when the people who answered in it are the same as then, or differ by at least %d)", d.Detail)
	return append([]slack.Block{section(head)}, codeBlocks(rows)...)
}

// GapLine is the channel message's line on the segments: the largest gap
// between two shown segments on one section ("Planning: EMEA 42% vs AMER
// 78%"); "" when no section shows two segments apart.
func GapLine(d digest.Digest, st Style) string {
	g, ok := d.LargestGap()
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s %s: %s %s vs %s %s", st.Bold("Largest gap between teams"), st.Escape(g.Section.Title),
		st.Escape(SegmentLabel(g.Low)), st.Code(Percent(g.LowScore)), st.Escape(SegmentLabel(g.High)), st.Code(Percent(g.HighScore)))
}

// messageQuestions is how many questions of "where you diverge" the
// channel message lists: one fewer when it has the line on the teams' gap,
// so that it stays within MaxDigestLines.
func messageQuestions(d digest.Digest) int {
	if _, ok := d.LargestGap(); ok {
		return MessageQuestions - 1
	}
	return MessageQuestions
}

// Widths of the teams' table in the thread, in characters.
const (
	tableTitleWidth = 26
	tableCellWidth  = 14
)

// SegmentsReply is the thread's reply on the teams side by side: the
// heatmap's figures as a table (a cell: score, ⚡ when split, n), a line
// per withheld team saying why, never who, and one on withheld cells;
// nil when the review named no teams.
func SegmentsReply(d digest.Digest) []slack.Block {
	if len(d.Segments) == 0 {
		return nil
	}
	head := fmt.Sprintf("*Teams side by side* (a team's figures show when at least %d answered in it and at least %d outside it, and no difference of teams singles out fewer; ⚡ split)", d.Detail, d.Detail)
	rows := []string{pad("", tableTitleWidth) + tableRow(d.Segments, func(s digest.Segment, _ int) string { return SegmentLabel(s) })}
	cellsWithheld := false
	for i, sec := range d.Result.Sections {
		rows = append(rows, pad(Truncate(sec.Title, tableTitleWidth-2), tableTitleWidth)+tableRow(d.Segments, func(s digest.Segment, _ int) string {
			if i >= len(s.Cells) || s.Cells[i].Score == nil {
				cellsWithheld = cellsWithheld || s.Shown()
				return "—"
			}
			c := s.Cells[i]
			split := ""
			if c.Split {
				split = "⚡"
			}
			return fmt.Sprintf("%s%s n%d", Percent(*c.Score), split, c.N)
		}))
	}
	bs := []slack.Block{section(head)}
	bs = append(bs, codeBlocks(rows)...)
	bs = append(bs, trendTable(d)...)
	var notes []string
	for _, s := range d.Segments {
		if !s.Shown() {
			notes = append(notes, fmt.Sprintf("🔒 *%s* withheld: %s.", escape(SegmentLabel(s)), SegmentWhyWords(s.Why, d.Detail)))
		}
	}
	for _, s := range d.Segments {
		if w := TrendWhyWords(s.TrendWhy, d.Detail); w != "" && s.Shown() {
			notes = append(notes, fmt.Sprintf("🔒 *%s*: change since the previous run withheld: %s.", escape(SegmentLabel(s)), w))
		}
	}
	if cellsWithheld {
		notes = append(notes, fmt.Sprintf("🔒 — on a shown team: withheld on that section, where fewer than %d answered it in the team or outside it, or the section's own figure is withheld.", d.Detail))
	}
	if len(notes) > 0 {
		bs = append(bs, linesBlocks("", notes)...)
	}
	return bs
}

// tableRow is one row's cells, each padded to tableCellWidth.
func tableRow(segs []digest.Segment, cell func(digest.Segment, int) string) string {
	var b strings.Builder
	for j, s := range segs {
		b.WriteString(pad(Truncate(cell(s, j), tableCellWidth-1), tableCellWidth))
	}
	return strings.TrimRight(b.String(), " ")
}

// pad fills s with spaces to width runes.
func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// codeBlocks sets rows in preformatted blocks, as many as Slack's limit
// per block needs.
func codeBlocks(rows []string) []slack.Block {
	esc := make([]string, len(rows))
	for i, r := range rows {
		esc[i] = escape(r)
	}
	const fence = len("```\n") + len("```")
	var out []slack.Block
	for _, text := range packLines("", esc, MaxSectionText-fence) {
		out = append(out, section("```\n"+text+"```"))
	}
	return out
}

// metaSegments are the teams' figures for the message metadata: the
// shown cells only; a withheld team by its id, name and why.
func metaSegments(d digest.Digest) []map[string]any {
	var out []map[string]any
	for _, s := range d.Segments {
		m := map[string]any{"id": s.ID, "name": SegmentLabel(s)}
		if !s.Shown() {
			m["withheld"] = string(s.Why)
			out = append(out, m)
			continue
		}
		m["n"] = s.N
		if len(s.Trend) > 0 {
			trend := map[string]any{}
			for sec, v := range s.Trend {
				trend[sec] = math.Round(v)
			}
			m["trend"] = trend
		}
		if s.TrendWhy != "" {
			m["trend_withheld"] = string(s.TrendWhy)
		}
		var cells []map[string]any
		for _, c := range s.Cells {
			if c.Score == nil {
				continue
			}
			cells = append(cells, map[string]any{"section": c.Section, "score": roundTo(*c.Score, 2), "split": c.Split, "n": c.N})
		}
		m["cells"] = cells
		out = append(out, m)
	}
	return out
}

// SegmentsFile is the export's per-team figures.
func SegmentsFile(r *assessment.Review) ExportFile {
	return ExportFile{Name: r.ID + "-teams.csv", Title: "Teams of " + r.ID, Comment: fmt.Sprintf(
		"Figures of review `%s` by team, as its digest shows them: a row per team and section; withheld cells are empty, with the reason.", r.ID)}
}
