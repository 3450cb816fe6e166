package chart

import (
	"image/color"
	"math"

	"github.com/assessbot/assessbot/internal/present"
)

const (
	radarLabelMaxW  = 230.0 // spoke labels wrap at most this wide…
	radarLabelLines = 3     // …in at most this many lines
	radarLabelGap   = 14.0  // between the 100% ring and a label
	radarMinR       = 80.0
	// Spokes with |cos| above radarSide have their label beside the tip,
	// the others centred above or below it.
	radarSide = 0.2
)

var radarDash = []float64{9, 6}

func radarLegend(prev bool) []legendItem {
	items := []legendItem{{
		glyph: func(p pen, x, cy float64) {
			p.stroke(colNow, 3, nil, false, [2]float64{x, cy}, [2]float64{x + legendGlyphW, cy})
			p.dot(colNow, x+legendGlyphW/2, cy, 5)
		},
		label: present.Chart.Now,
	}}
	if prev {
		items = append(items, legendItem{
			glyph: func(p pen, x, cy float64) {
				p.stroke(colPrevious, 2.5, radarDash, false, [2]float64{x, cy}, [2]float64{x + legendGlyphW, cy})
			},
			label: present.Chart.Previous,
		})
	}
	return items
}

// spokeLabel is the text at the end of a spoke: the title, wrapped, and
// "withheld" or "no data" when there is no score.
type spokeLabel struct {
	title  []string
	status string
	w, h   float64
	align  float64 // of the lines within the block: 0 left, 0.5 centre, 1 right
}

// newSpokeLabel wraps the section's title at maxW pixels; ok is false when
// that takes more than radarLabelLines lines or cuts a word.
func newSpokeLabel(s Section, maxW, cos float64) (l spokeLabel, ok bool) {
	l.title, ok = stLabel.wrap(s.Title, maxW)
	ok = ok && len(l.title) <= radarLabelLines
	switch {
	case s.Withheld:
		l.status = present.Chart.Withheld
	case s.Score == nil:
		l.status = present.Chart.NoData
	}
	for _, t := range l.title {
		l.w = math.Max(l.w, stLabel.width(t))
	}
	n := len(l.title)
	if l.status != "" {
		l.w = math.Max(l.w, stStatus.width(l.status))
		n++
	}
	l.h = stLabel.blockHeight(n)
	// Labels (and their lines) lean away from the radar on its sides.
	switch {
	case cos > radarSide:
		l.align = 0
	case cos < -radarSide:
		l.align = 1
	default:
		l.align = 0.5
	}
	return l, ok
}

// place returns the top-left corner of a label at the end of a spoke of
// angle a (screen coordinates, y down) whose tip is at (x, y): the label
// starts just outside the tip, to the right of spokes pointing right, to
// the left of those pointing left, centred on the others, and slides from
// above the tip (top spoke) to below it (bottom spoke).
func (l spokeLabel) place(x, y, a float64) (float64, float64) {
	cos, sin := math.Cos(a), math.Sin(a)
	x += radarLabelGap * cos
	y += radarLabelGap * sin
	return x - l.w*l.align, y - l.h*(1-sin)/2
}

func (l spokeLabel) draw(p pen, left, top float64, muted bool) {
	st := stLabel
	if muted {
		st.color = colMuted
	}
	for i, t := range l.title {
		y := top + st.size*0.9 + float64(i)*st.lineHeight()
		p.text(st, left+(l.w-st.width(t))*l.align, y, 0, t)
	}
	if l.status != "" {
		y := top + st.size*0.9 + float64(len(l.title))*st.lineHeight()
		p.text(stStatus, left+(l.w-stStatus.width(l.status))*l.align, y, 0, l.status)
	}
}

// balance rewraps a label of several lines at the narrowest width that
// keeps its number of lines, so the last line is not a lone word.
func balance(s Section, l spokeLabel, cos float64) spokeLabel {
	n := len(l.title)
	if n < 2 {
		return l
	}
	lo, hi := 0.0, l.w
	best := l
	for hi-lo > 2 {
		mid := (lo + hi) / 2
		if c, ok := newSpokeLabel(s, mid, cos); ok && len(c.title) == n {
			hi, best = mid, c
		} else {
			lo = mid
		}
	}
	return best
}

// radarGeometry is the radar's centre and radius and its spoke labels.
type radarGeometry struct {
	cx, cy, r float64
	labels    []spokeLabel
}

func angle(i, n int) float64 { return -math.Pi/2 + 2*math.Pi*float64(i)/float64(n) }

// fitRadar finds the largest radar whose spoke labels all fit in the area,
// each wrapped to the width left beside its spoke. Labels on one side may
// be wider than on the other, so the centre may move sideways a little.
func fitRadar(secs []Section, area box) radarGeometry {
	best := fitRadarAt(secs, area, 0)
	for _, dx := range []float64{-20, 20, -40, 40, -60, 60} {
		if g := fitRadarAt(secs, area, dx); g.r > best.r+2 {
			best = g
		}
	}
	return best
}

// fitRadarAt is fitRadar with the centre dx right of the area's centre.
func fitRadarAt(secs []Section, area box, dx float64) radarGeometry {
	n := len(secs)
	g := radarGeometry{cx: (area.x0+area.x1)/2 + dx, cy: (area.y0 + area.y1) / 2}
	try := func(r float64) ([]spokeLabel, bool) {
		labels := make([]spokeLabel, n)
		rects := make([]box, n)
		fits := true
		for i, s := range secs {
			a := angle(i, n)
			cos, sin := math.Cos(a), math.Sin(a)
			tx, ty := g.cx+r*cos, g.cy+r*sin
			ax := tx + radarLabelGap*cos
			// Widest label the area leaves room for, placed as place does;
			// one centred above or below stays between its neighbours' tips.
			maxW := radarLabelMaxW
			switch {
			case cos > radarSide:
				maxW = math.Min(maxW, area.x1-ax)
			case cos < -radarSide:
				maxW = math.Min(maxW, ax-area.x0)
			default:
				half := math.Min(ax-area.x0, area.x1-ax)
				if n > 2 {
					half = math.Min(half, r*math.Abs(math.Sin(2*math.Pi/float64(n)))-radarLabelGap)
				}
				maxW = math.Min(maxW, 2*half)
			}
			l, ok := newSpokeLabel(s, math.Max(maxW, 40), cos)
			labels[i] = l
			left, top := l.place(tx, ty, a)
			rects[i] = box{left, top, left + l.w, top + l.h}
			if !ok || left < area.x0-0.5 || left+l.w > area.x1+0.5 || top < area.y0 || top+l.h > area.y1 {
				fits = false
			}
		}
		for i := range rects {
			for j := i + 1; j < len(rects) && fits; j++ {
				if rects[i].overlaps(rects[j], 4) {
					fits = false
				}
			}
		}
		return labels, fits
	}
	// Scan down from the largest radius for one at which everything fits
	// (a smaller radius leaves wider room for labels but brings neighbours
	// closer, so fitting is not monotonic), then refine upwards.
	const step = 8.0
	hi := math.Min(math.Min(g.cx-area.x0, area.x1-g.cx), area.h()/2) - radarLabelGap
	for r := hi; r >= radarMinR; r -= step {
		labels, ok := try(r)
		if !ok {
			continue
		}
		lo, up := r, math.Min(r+step, hi)
		for up-lo > 1 {
			mid := (lo + up) / 2
			if l, ok := try(mid); ok {
				lo, labels = mid, l
			} else {
				up = mid
			}
		}
		g.r, g.labels = math.Floor(lo), labels
		for i, s := range secs {
			g.labels[i] = balance(s, g.labels[i], math.Cos(angle(i, n)))
		}
		return g
	}
	// Nothing fits: a middling radar, labels cut to the room they have.
	g.r = math.Max(radarMinR, hi*0.6)
	g.labels, _ = try(g.r)
	return g
}

// drawRadar draws the spider chart of team scores in b.
func drawRadar(p pen, secs []Section, b box, prev bool) {
	p.text(stHeading, b.x0, b.y0+stHeading.size*0.9, 0, present.Chart.RadarHeading)
	items := radarLegend(prev)
	lh := legendHeight(items, b.w())
	g := fitRadar(secs, box{b.x0, b.y0 + barsHeadingH, b.x1, b.y1 - lh - 18})
	n := len(secs)
	cx, cy, r := g.cx, g.cy, g.r
	at := func(i int, v float64) [2]float64 {
		a := angle(i, n)
		return [2]float64{cx + r*v*math.Cos(a), cy + r*v*math.Sin(a)}
	}

	// Web: rings every 25%, spokes.
	for _, v := range []float64{0.25, 0.5, 0.75, 1} {
		pts := make([][2]float64, n)
		for i := range n {
			pts[i] = at(i, v)
		}
		clr, wd := colGrid, 1.0
		if v == 1 {
			clr, wd = colGridDark, 1.5
		}
		p.stroke(clr, wd, nil, true, pts...)
	}
	for i := range n {
		p.stroke(colGrid, 1, nil, false, [2]float64{cx, cy}, at(i, 1))
	}

	// Series: the previous review under this one.
	if prev {
		series(p, n, func(i int) *float64 { return secs[i].Previous }, at, [2]float64{cx, cy}, colPrevious, nil, 3, radarDash, 4.5)
	}
	series(p, n, func(i int) *float64 {
		if secs[i].Withheld {
			return nil
		}
		return secs[i].Score
	}, at, [2]float64{cx, cy}, colNow, colNowFill, 3.5, nil, 6)

	// Ring values on the bisector of the first and last spokes, on a
	// translucent card so they stay legible over the series.
	a := -math.Pi/2 - math.Pi/float64(n)
	for _, v := range []float64{0.25, 0.5, 0.75, 1} {
		d := r * v * math.Cos(math.Pi/float64(n))
		x, y := cx+d*math.Cos(a), cy+d*math.Sin(a)
		t := percent(v)
		w := stSmall.width(t)
		p.rect(colCard, x-w/2-3, y-stSmall.size*0.55, x+w/2+3, y+stSmall.size*0.55)
		p.text(stSmall, x, y+stSmall.capCenter(), 0.5, t)
	}

	for i, l := range g.labels {
		tip := at(i, 1)
		left, top := l.place(tip[0], tip[1], angle(i, n))
		l.draw(p, left, top, secs[i].Withheld || secs[i].Score == nil)
	}
	drawLegend(p, items, b.x0+math.Max(0, (b.w()-legendWidth(items))/2), b.y1-lh, b.w())
}

// series draws one review's polygon. A section without a value breaks the
// outline (and the fill) instead of pulling it to the centre: no data is
// not a score of 0.
func series(p pen, n int, value func(int) *float64, at func(int, float64) [2]float64,
	center [2]float64, line, fill color.Color, width float64, dash []float64, dotR float64) {
	all := true
	for i := range n {
		if value(i) == nil {
			all = false
		}
	}
	pt := func(i int) [2]float64 { return at(i, clamp01(*value(i))) }
	if all {
		pts := make([][2]float64, n)
		for i := range n {
			pts[i] = pt(i)
		}
		if fill != nil {
			p.fill(fill, pts...)
		}
		p.stroke(line, width, dash, true, pts...)
	} else {
		// Runs of consecutive sections with a value, going round once.
		start := 0
		for value(start) != nil {
			start++ // some section has no value, so this ends
		}
		var run [][2]float64
		flush := func() {
			if len(run) >= 2 {
				if fill != nil {
					p.fill(fill, append([][2]float64{center}, run...)...)
				}
				p.stroke(line, width, dash, false, run...)
			}
			run = run[:0]
		}
		for k := 1; k <= n; k++ {
			i := (start + k) % n
			if value(i) == nil {
				flush()
				continue
			}
			run = append(run, pt(i))
		}
		flush()
	}
	for i := range n {
		if value(i) != nil {
			q := pt(i)
			p.dot(line, q[0], q[1], dotR)
		}
	}
}

func legendWidth(items []legendItem) float64 {
	w := 0.0
	for i, it := range items {
		if i > 0 {
			w += legendGap
		}
		w += it.width()
	}
	return w
}
