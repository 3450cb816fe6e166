package chart

const (
	legendGlyphW = 34.0
	legendLineH  = 26.0
	legendGap    = 22.0 // between items
)

// legendItem is a small drawing and what it means.
type legendItem struct {
	glyph func(p pen, x, cy float64) // draws within [x, x+legendGlyphW]
	label string
}

func (it legendItem) width() float64 { return legendGlyphW + 8 + stSmall.width(it.label) }

// flow breaks items into lines that fit width.
func flow(items []legendItem, width float64) [][]legendItem {
	var lines [][]legendItem
	var cur []legendItem
	x := 0.0
	for _, it := range items {
		w := it.width()
		if len(cur) > 0 && x+legendGap+w > width {
			lines = append(lines, cur)
			cur, x = nil, 0
		}
		if len(cur) > 0 {
			x += legendGap
		}
		cur = append(cur, it)
		x += w
	}
	if len(cur) > 0 {
		lines = append(lines, cur)
	}
	return lines
}

func legendHeight(items []legendItem, width float64) float64 {
	return float64(len(flow(items, width))) * legendLineH
}

// drawLegend draws items left to right from (x, top), wrapping at width.
func drawLegend(p pen, items []legendItem, x, top, width float64) {
	for i, line := range flow(items, width) {
		cy := top + float64(i)*legendLineH + legendLineH/2
		lx := x
		for _, it := range line {
			it.glyph(p, lx, cy)
			p.text(stSmall, lx+legendGlyphW+8, cy+stSmall.capCenter(), 0, it.label)
			lx += it.width() + legendGap
		}
	}
}
