package chart

import (
	"fmt"
	"math"

	"github.com/assessbot/assessbot/internal/present"
)

const (
	barsHeadingH   = 38.0 // heading and the gap below it
	barsAxisH      = 30.0 // tick labels under the rows
	barsLegendGap  = 10.0
	barsMaxRowH    = 92.0
	barsLabelAbove = 24.0 // height of a label line above its bar
)

func barsLegend(prev bool) []legendItem {
	items := []legendItem{
		{glyph: func(p pen, x, cy float64) { whisker(p, x+3, x+legendGlyphW-3, cy, 7) }, label: present.Chart.Range},
		{glyph: func(p pen, x, cy float64) { spreadBox(p, x+5, x+legendGlyphW-5, cy, 8) }, label: present.Chart.MiddleHalf},
		{glyph: func(p pen, x, cy float64) { medianTick(p, x+legendGlyphW/2, cy, 10) }, label: present.Chart.Median},
		{glyph: func(p pen, x, cy float64) { p.dot(colNow, x+legendGlyphW/2, cy, 6) }, label: present.Chart.TeamScore},
	}
	if prev {
		items = append(items, legendItem{
			glyph: func(p pen, x, cy float64) { p.ring(colPrevious, x+legendGlyphW/2, cy, 7, 2.5) },
			label: present.Chart.Previous,
		})
	}
	return items
}

// barsChrome is the height of everything in the bars panel but its rows.
func barsChrome(width float64, prev bool) float64 {
	return barsHeadingH + barsAxisH + barsLegendGap + legendHeight(barsLegend(prev), width)
}

func whisker(p pen, x0, x1, cy, capH float64) {
	p.stroke(colWhisker, 2, nil, false, [2]float64{x0, cy}, [2]float64{x1, cy})
	p.stroke(colWhisker, 2, nil, false, [2]float64{x0, cy - capH}, [2]float64{x0, cy + capH})
	p.stroke(colWhisker, 2, nil, false, [2]float64{x1, cy - capH}, [2]float64{x1, cy + capH})
}

func spreadBox(p pen, x0, x1, cy, half float64) {
	if x1-x0 < 2 { // everyone in the middle half agrees: keep it visible
		m := (x0 + x1) / 2
		x0, x1 = m-1, m+1
	}
	p.rect(colBox, x0, cy-half, x1, cy+half)
	p.stroke(colWhisker, 1.5, nil, true, [2]float64{x0, cy - half}, [2]float64{x1, cy - half}, [2]float64{x1, cy + half}, [2]float64{x0, cy + half})
}

func medianTick(p pen, x, cy, half float64) {
	p.stroke(colText, 3.5, nil, false, [2]float64{x, cy - half}, [2]float64{x, cy + half})
}

// drawBars draws one row per section in b: the respondents' range as a
// whisker, their middle half as a box, the median as a tick, the team score
// as a dot and the previous review's score as a ring. With labelAbove each
// title sits on a line above its bar (a narrow panel beside the radar);
// otherwise titles sit left of the bars.
func drawBars(p pen, secs []Section, b box, labelAbove, prev bool) {
	p.text(stHeading, b.x0, b.y0+stHeading.size*0.9, 0, present.Chart.BarsHeading)
	items := barsLegend(prev)
	lh := legendHeight(items, b.w())
	rows := box{b.x0, b.y0 + barsHeadingH, b.x1, b.y1 - lh - barsLegendGap - barsAxisH}
	n := len(secs)
	rowH := math.Min(rows.h()/float64(n), barsMaxRowH)
	rows.y1 = rows.y0 + rowH*float64(n)

	// Columns: labels (unless above), track, value.
	valueW := stValue.width("100%") + 6 + stSmall.width("+100")
	if !prev {
		valueW = stValue.width("100%")
	}
	trackL := b.x0 + 10
	labelW := b.w() - valueW - 20
	if !labelAbove {
		labelW = 0
		for _, s := range secs {
			labelW = math.Max(labelW, stLabel.width(s.Title))
		}
		labelW = math.Min(labelW, b.w()*0.34)
		trackL = b.x0 + labelW + 24
	}
	trackR := b.x1 - valueW - 22
	x := func(v float64) float64 { return trackL + (trackR-trackL)*clamp01(v) }

	// Bar zone of row i: where its bar and grid go.
	zone := func(i int) (top, bottom float64) {
		top = rows.y0 + float64(i)*rowH
		bottom = top + rowH
		if labelAbove {
			top += barsLabelAbove
		}
		return top + 2, bottom - 2
	}
	zoneH := rowH
	if labelAbove {
		zoneH -= barsLabelAbove
	}
	half := math.Min(11, zoneH*0.3)

	for i := range secs {
		if i%2 == 1 {
			p.rect(colStripe, b.x0, rows.y0+float64(i)*rowH, b.x1, rows.y0+float64(i+1)*rowH)
		}
	}
	// Grid every 25%, within each row's bar zone so it never crosses a title.
	for _, v := range []float64{0, 0.25, 0.5, 0.75, 1} {
		clr := colGrid
		if v == 0 || v == 1 {
			clr = colGridDark
		}
		if labelAbove {
			for i := range secs {
				top, bottom := zone(i)
				p.stroke(clr, 1, nil, false, [2]float64{x(v), top}, [2]float64{x(v), bottom})
			}
		} else {
			p.stroke(clr, 1, nil, false, [2]float64{x(v), rows.y0}, [2]float64{x(v), rows.y1})
		}
		p.text(stSmall, x(v), rows.y1+20, 0.5, percent(v))
	}

	for i, s := range secs {
		top, bottom := zone(i)
		cy := (top + bottom) / 2
		title := s.Title
		lst := stLabel
		if s.Withheld || s.Score == nil {
			lst.color = colMuted
		}
		if labelAbove {
			rowTop := rows.y0 + float64(i)*rowH
			p.text(lst, trackL, rowTop+6+lst.size*0.9, 0, lst.fit(title, labelW))
		} else {
			p.text(lst, trackL-24, cy+lst.capCenter(), 1, lst.fit(title, labelW))
		}
		switch {
		case s.Withheld:
			p.text(stStatus, trackL+8, cy+stStatus.capCenter(), 0, present.Chart.WithheldRow)
			continue
		case s.Score == nil:
			p.text(stStatus, trackL+8, cy+stStatus.capCenter(), 0, present.Chart.NoData)
			continue
		}
		if !s.SpreadWithheld {
			whisker(p, x(s.Min), x(s.Max), cy, half*0.7)
			spreadBox(p, x(s.Q1), x(s.Q3), cy, half)
			medianTick(p, x(s.Median), cy, half+3)
		}
		if s.Previous != nil {
			p.ring(colPrevious, x(*s.Previous), cy, 8, 2.5)
		}
		p.dot(colNow, x(*s.Score), cy, 6.5)

		vx := trackR + 22
		p.text(stValue, vx, cy+stValue.capCenter(), 0, percent(*s.Score))
		if s.Previous != nil {
			d := 100 * (clamp01(*s.Score) - clamp01(*s.Previous))
			if s.Change != nil {
				d = *s.Change // the digest's own figure, so both say the same
			}
			d = math.Round(d)
			p.text(stSmall, vx+stValue.width("100%")+6, cy+stSmall.capCenter(), 0, delta(d))
		}
	}
	drawLegend(p, items, b.x0, rows.y1+barsAxisH+barsLegendGap, b.w())
}

// delta formats a change in percentage points.
func delta(d float64) string {
	switch {
	case d > 0:
		return fmt.Sprintf("+%.0f", d)
	case d < 0:
		return fmt.Sprintf("−%.0f", -d)
	}
	return "±0"
}
