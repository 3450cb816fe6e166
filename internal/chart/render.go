package chart

import (
	"image"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/assessbot/assessbot/internal/present"
)

const (
	margin = 28.0
	// Bars-only charts give each section this many pixels.
	barsOnlyRowHeight = 34.0
)

// box is a rectangle in pixels, y growing downwards.
type box struct{ x0, y0, x1, y1 float64 }

func (b box) w() float64 { return b.x1 - b.x0 }
func (b box) h() float64 { return b.y1 - b.y0 }

// overlaps reports whether b and c come closer than gap.
func (b box) overlaps(c box, gap float64) bool {
	return b.x0 < c.x1+gap && c.x0 < b.x1+gap && b.y0 < c.y1+gap && c.y0 < b.y1+gap
}

var (
	stTitle    = style{size: sizeTitle, bold: true, color: colText}
	stSubtitle = style{size: sizeSubtitle, color: colMuted}
	stHeading  = style{size: sizeHeading, bold: true, color: colText}
	stLabel    = style{size: sizeLabel, color: colText}
	stValue    = style{size: sizeLabel, bold: true, color: colNow}
	stSmall    = style{size: sizeSmall, color: colMuted}
	stStatus   = style{size: sizeSmall, italic: true, color: colMuted}
)

// layout is where everything goes.
type layout struct {
	w, h   float64
	header float64 // bottom of the title block
	radar  *box    // nil: bars only
	bars   box
}

func plan(in Input) layout {
	l := layout{w: Width, h: Height, header: headerHeight(in)}
	n := len(in.Sections)
	if radar(n) {
		mid := math.Round(Width * 0.54)
		l.radar = &box{margin, l.header, mid - 10, Height - margin}
		l.bars = box{mid + 20, l.header, Width - margin, Height - margin}
		return l
	}
	l.bars = box{margin, l.header, Width - margin, 0}
	// Heading, rows, axis, legend.
	l.bars.y1 = l.bars.y0 + barsChrome(Width-2*margin, hasPrevious(in)) + float64(n)*barsOnlyRowHeight
	l.h = math.Max(math.Ceil(l.bars.y1+margin), 360)
	l.bars.y1 = l.h - margin
	return l
}

func hasPrevious(in Input) bool {
	for _, s := range in.Sections {
		if s.Previous != nil {
			return true
		}
	}
	return false
}

func headerHeight(in Input) float64 {
	y := margin
	if in.Title != "" {
		y += stTitle.size * 1.2
	}
	if in.Subtitle != "" {
		y += stSubtitle.size * 1.45
	}
	if y > margin {
		y += 18
	}
	return y
}

func drawHeader(p pen, in Input) {
	y := margin
	maxW := Width - 2*margin
	if in.Title != "" {
		p.text(stTitle, margin, y+stTitle.size*0.9, 0, stTitle.fit(oneLine(drawable(in.Title)), maxW))
		y += stTitle.size * 1.2
	}
	if in.Subtitle != "" {
		p.text(stSubtitle, margin, y+stSubtitle.size*1.1, 0, stSubtitle.fit(oneLine(drawable(in.Subtitle)), maxW))
	}
}

// displayed returns the sections with their titles as drawn: cleaned by
// cleanTitle, "Section n" when no letter or digit of them can be drawn
// (the thread's replies are numbered the same way).
func displayed(in []Section) []Section {
	secs := make([]Section, len(in))
	for i, s := range in {
		s.Title = cleanTitle(s.Title)
		if !legible(s.Title) {
			s.Title = present.ChartUntitled(i + 1)
		}
		secs[i] = s
	}
	return secs
}

// render draws the validated input.
func render(in Input) image.Image {
	l := plan(in)
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(l.w), vg.Length(l.h)), vgimg.UseDPI(72), vgimg.UseBackgroundColor(colBackground))
	p := pen{c: c, h: l.h}
	p.stroke(colFrame, 2, nil, true, [2]float64{1, 1}, [2]float64{l.w - 1, 1}, [2]float64{l.w - 1, l.h - 1}, [2]float64{1, l.h - 1})
	drawHeader(p, in)
	prev := hasPrevious(in)
	secs := displayed(in.Sections)
	if l.radar != nil {
		drawRadar(p, secs, *l.radar, prev)
	}
	drawBars(p, secs, l.bars, l.radar != nil, prev)
	return c.Image()
}
