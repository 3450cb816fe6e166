package chart

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/assessbot/assessbot/internal/present"
)

// Heatmap is the picture of a review's sections by segment (team): one
// row per section, one column per segment, each cell coloured by its
// score, marked when its agreement is split, with its n. Withheld cells
// are drawn as withheld: grey, hatched, no figure.
type Heatmap struct {
	Title    string
	Subtitle string
	Sections []string // row titles
	Segments []HeatColumn
}

// HeatColumn is one segment: its name and one cell per section.
type HeatColumn struct {
	Name  string
	Cells []HeatCell
}

// HeatCell is one section of one segment.
type HeatCell struct {
	// Score in [0,1]; nil with Withheld false: nobody scored it.
	Score    *float64
	Split    bool
	N        int
	Withheld bool
}

// MaxHeatColumns is the most segments a heatmap holds.
const MaxHeatColumns = 9

// Heatmap layout, in pixels.
const (
	heatLabelW  = 300.0
	heatHeadH   = 44.0
	heatRowH    = 54.0
	heatLegendH = 2 * legendLineH
)

// The heatmap's sequential palette, lowest scores first: yellow-green to
// dark blue (ColorBrewer's YlGnBu, its palest step left out so that no
// cell vanishes on the white card), one step per fifth of the scale.
// Cells' figures are written in heatInk's colour for the step; every
// pairing reaches 4.5:1 (TestHeatmapColours).
var heatSteps = []color.NRGBA{
	{0xC7, 0xE9, 0xB4, 0xFF},
	{0x7F, 0xCD, 0xBB, 0xFF},
	{0x41, 0xB6, 0xC4, 0xFF},
	{0x1D, 0x6F, 0xA8, 0xFF},
	{0x25, 0x34, 0x94, 0xFF},
}

var (
	colWithheldCell = color.NRGBA{0xEC, 0xEC, 0xEC, 0xFF}
	colHatch        = color.NRGBA{0xA6, 0xA6, 0xA6, 0xFF}
)

// heatStep is the palette step of a score.
func heatStep(score float64) int { return min(int(clamp01(score)*5), 4) }

// heatInk is the colour of the figures written on a step.
func heatInk(step int) color.NRGBA {
	if step >= 3 {
		return colWhite
	}
	return colText
}

// HeatmapPNG draws the heatmap and writes it to w as a PNG image, Width
// pixels wide and as tall as its rows need.
func HeatmapPNG(w io.Writer, h Heatmap) error {
	if err := validateHeat(h); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(bw, renderHeat(h)); err != nil {
		return fmt.Errorf("chart: encode png: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("chart: write png: %w", err)
	}
	return nil
}

// ErrNoSegments is returned for a heatmap without segments.
var ErrNoSegments = errors.New("chart: no segments to draw")

func validateHeat(h Heatmap) error {
	switch {
	case len(h.Sections) == 0:
		return ErrNoSections
	case len(h.Sections) > MaxSections:
		return fmt.Errorf("chart: %d sections; a heatmap holds at most %d", len(h.Sections), MaxSections)
	case len(h.Segments) == 0:
		return ErrNoSegments
	case len(h.Segments) > MaxHeatColumns:
		return fmt.Errorf("chart: %d segments; a heatmap holds at most %d", len(h.Segments), MaxHeatColumns)
	}
	for j, s := range h.Segments {
		if len(s.Cells) != len(h.Sections) {
			return fmt.Errorf("chart: segment %d (%q) has %d cells for %d sections", j+1, s.Name, len(s.Cells), len(h.Sections))
		}
		for i, c := range s.Cells {
			if !c.Withheld && c.Score != nil && !unit(*c.Score) {
				return fmt.Errorf("chart: segment %d (%q), section %d: score %v is not in [0,1]", j+1, s.Name, i+1, *c.Score)
			}
		}
	}
	return nil
}

// heatLayout is where the heatmap's grid goes.
type heatLayout struct {
	w, h         float64
	gridX, gridY float64 // top left of the first cell
	cellW        float64
	legendY      float64
}

func planHeat(h Heatmap) heatLayout {
	header := headerHeight(Input{Title: h.Title, Subtitle: h.Subtitle})
	l := heatLayout{w: Width, gridX: margin + heatLabelW, gridY: header + heatHeadH}
	l.cellW = math.Floor((Width - margin - l.gridX) / float64(len(h.Segments)))
	l.legendY = l.gridY + float64(len(h.Sections))*heatRowH + 16
	l.h = math.Ceil(l.legendY + heatLegendH + margin)
	return l
}

// cell is the rectangle of section i's cell of segment j.
func (l heatLayout) cell(i, j int) box {
	x0, y0 := l.gridX+float64(j)*l.cellW, l.gridY+float64(i)*heatRowH
	return box{x0, y0, x0 + l.cellW, y0 + heatRowH}
}

func renderHeat(h Heatmap) image.Image {
	l := planHeat(h)
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(l.w), vg.Length(l.h)), vgimg.UseDPI(72), vgimg.UseBackgroundColor(colBackground))
	p := pen{c: c, h: l.h}
	p.stroke(colFrame, 2, nil, true, [2]float64{1, 1}, [2]float64{l.w - 1, 1}, [2]float64{l.w - 1, l.h - 1}, [2]float64{1, l.h - 1})
	drawHeader(p, Input{Title: h.Title, Subtitle: h.Subtitle})
	hd := stLabel
	hd.bold = true
	if l.cellW < 110 {
		hd.size = sizeSmall
	}
	for j, s := range h.Segments {
		b := l.cell(0, j)
		p.text(hd, (b.x0+b.x1)/2, l.gridY-14, 0.5, hd.fit(oneLine(drawable(s.Name)), l.cellW-8))
	}
	rows := make([]Section, len(h.Sections))
	for i, t := range h.Sections {
		rows[i] = Section{Title: t}
	}
	for i, s := range displayed(rows) {
		b := l.cell(i, 0)
		p.text(stLabel, l.gridX-14, (b.y0+b.y1)/2+stLabel.capCenter(), 1, stLabel.fit(s.Title, heatLabelW-20))
		for j := range h.Segments {
			drawHeatCell(p, l.cell(i, j), h.Segments[j].Cells[i])
		}
	}
	drawLegend(p, heatLegend(), margin, l.legendY, Width-2*margin)
	return c.Image()
}

// drawHeatCell draws one cell, with a white gap around it.
func drawHeatCell(p pen, b box, c HeatCell) {
	in := box{b.x0 + 2, b.y0 + 2, b.x1 - 2, b.y1 - 2}
	cx, cy := (in.x0+in.x1)/2, (in.y0+in.y1)/2
	switch {
	case c.Withheld:
		hatch(p, in)
		p.text(stStatus, cx, cy+stStatus.capCenter(), 0.5, stStatus.fit(present.Heatmap.Withheld, in.w()-6))
	case c.Score == nil:
		p.stroke(colGrid, 1.5, nil, true, [2]float64{in.x0, in.y0}, [2]float64{in.x1, in.y0}, [2]float64{in.x1, in.y1}, [2]float64{in.x0, in.y1})
		p.text(stStatus, cx, cy+stStatus.capCenter(), 0.5, stStatus.fit(present.Heatmap.NoData, in.w()-6))
	default:
		step := heatStep(*c.Score)
		p.rect(heatSteps[step], in.x0, in.y0, in.x1, in.y1)
		v := stValue
		v.color = heatInk(step)
		n := stSmall
		n.color = heatInk(step)
		p.text(v, cx, cy-2, 0.5, percent(*c.Score))
		p.text(n, cx, cy+stSmall.size+1, 0.5, fmt.Sprintf("%s %d", present.Heatmap.N, c.N))
		if c.Split {
			splitMark(p, in.x1, in.y0)
		}
	}
}

// hatch fills a box as withheld: pale grey crossed by diagonal lines.
func hatch(p pen, b box) {
	p.rect(colWithheldCell, b.x0, b.y0, b.x1, b.y1)
	// Lines at 45° from the bottom edge, (x+t, y1−t) for t in [0, h],
	// cut where they leave the box.
	for x := b.x0 - b.h(); x < b.x1; x += 12 {
		t0, t1 := math.Max(0, b.x0-x), math.Min(b.h(), b.x1-x)
		if t1 > t0 {
			p.stroke(colHatch, 1.5, nil, false, [2]float64{x + t0, b.y1 - t0}, [2]float64{x + t1, b.y1 - t1})
		}
	}
}

// splitMark is the mark of a split cell: a dark triangle in its top right
// corner, edged in white so that it shows on every step.
func splitMark(p pen, x1, y0 float64) {
	const s = 16.0
	p.fill(colWhite, [2]float64{x1 - s - 3, y0}, [2]float64{x1, y0}, [2]float64{x1, y0 + s + 3})
	p.fill(colText, [2]float64{x1 - s, y0}, [2]float64{x1, y0}, [2]float64{x1, y0 + s})
}

// heatLegend is the palette's steps, the split mark and the withheld cell.
func heatLegend() []legendItem {
	var items []legendItem
	for i, clr := range heatSteps {
		items = append(items, legendItem{
			glyph: func(p pen, x, cy float64) { p.rect(clr, x+4, cy-9, x+legendGlyphW-4, cy+9) },
			label: fmt.Sprintf("%d–%d%%", i*20, i*20+20),
		})
	}
	items = append(items,
		legendItem{glyph: func(p pen, x, cy float64) {
			p.rect(heatSteps[2], x+4, cy-9, x+legendGlyphW-4, cy+9)
			splitMark(p, x+legendGlyphW-4, cy-9)
		}, label: present.Heatmap.Split},
		legendItem{glyph: func(p pen, x, cy float64) { hatch(p, box{x + 4, cy - 9, x + legendGlyphW - 4, cy + 9}) }, label: present.Heatmap.WithheldLegend},
	)
	return items
}
