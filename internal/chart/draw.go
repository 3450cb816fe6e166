package chart

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"sync"
	"unicode"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansitalic"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	stdfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// Colours: the Okabe–Ito palette, distinguishable with every common colour
// vision deficiency, on an opaque white card. Slack shows an image as it
// is in both its light and its dark theme: a transparent background would
// put the dark text and grid on Slack's dark grey, where they vanish. So
// the chart is its own light card (colBackground, every pixel opaque, a
// thin frame so its edge shows on Slack's white too), and every colour that
// carries meaning is chosen against that card, never against the theme:
// text at least 7:1, the series at least 3:1 (WCAG's figures for text and
// for graphics; TestColoursOnTheCard checks them).
var (
	colBackground = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colFrame      = color.NRGBA{0xC8, 0xCD, 0xD3, 0xFF}
	colNow        = color.NRGBA{0x00, 0x72, 0xB2, 0xFF} // blue: this review
	colNowFill    = color.NRGBA{0x00, 0x72, 0xB2, 0x38}
	colPrevious   = color.NRGBA{0xD5, 0x5E, 0x00, 0xFF} // vermillion: the previous review
	colBox        = color.NRGBA{0x56, 0xB4, 0xE9, 0xFF} // sky blue: middle half of respondents
	colWhisker    = color.NRGBA{0x33, 0x33, 0x33, 0xFF}
	colText       = color.NRGBA{0x1A, 0x1A, 0x1A, 0xFF}
	colMuted      = color.NRGBA{0x59, 0x59, 0x59, 0xFF} // 7:1 on white
	colGrid       = color.NRGBA{0xD9, 0xD9, 0xD9, 0xFF}
	colGridDark   = color.NRGBA{0x9E, 0x9E, 0x9E, 0xFF}
	colStripe     = color.NRGBA{0xF4, 0xF6, 0xF8, 0xFF}
	colWhite      = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colCard       = color.NRGBA{0xFF, 0xFF, 0xFF, 0xC0}
)

// Font sizes in pixels (the canvas is drawn at 72 dpi: 1 pt = 1 px).
const (
	sizeTitle    = 30
	sizeSubtitle = 18
	sizeHeading  = 20
	sizeLabel    = 17
	sizeSmall    = 15 // axis ticks, legends, "withheld"
)

var fonts = sync.OnceValue(func() *font.Cache {
	coll := font.Collection{}
	for _, f := range []struct {
		fnt font.Font
		ttf []byte
	}{
		{font.Font{}, liberationsansregular.TTF},
		{font.Font{Weight: stdfont.WeightBold}, liberationsansbold.TTF},
		{font.Font{Style: stdfont.StyleItalic}, liberationsansitalic.TTF},
	} {
		face, err := opentype.Parse(f.ttf)
		if err != nil {
			panic(fmt.Sprintf("chart: parse embedded font: %v", err))
		}
		f.fnt.Typeface = "Liberation"
		f.fnt.Variant = "Sans"
		coll = append(coll, font.Face{Font: f.fnt, Face: face})
	}
	return font.NewCache(coll)
})

// tofu stands, in a drawn title, for a letter or digit the font has no
// glyph for, so that a title in a script the chart cannot draw shows that
// something is there rather than nothing (the alt text names it).
var tofu = sync.OnceValue(func() rune {
	if hasGlyph('□') {
		return '□'
	}
	return '?'
})

// hasGlyph reports whether the chart's font draws r.
func hasGlyph(r rune) bool {
	f := style{size: sizeLabel}.face()
	var buf sfnt.Buffer
	i, err := f.Face.GlyphIndex(&buf, r)
	return err == nil && i != 0
}

// drawable returns s as the chart draws it. Runes the font has no glyph
// for would show as nothing at all: a letter or digit becomes tofu; an
// emoji, a symbol, a joiner or a variation selector is dropped (they
// decorate a title; the alt text still names them). White space stays.
func drawable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r) || hasGlyph(r):
			return r
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return tofu()
		}
		return -1
	}, s)
}

// Undrawable returns the runes of s that the chart cannot draw, in their
// order, each once, without white space: "" when it draws all of s.
func Undrawable(s string) string {
	var b strings.Builder
	seen := map[rune]bool{}
	for _, r := range s {
		if unicode.IsSpace(r) || seen[r] || hasGlyph(r) {
			continue
		}
		if unicode.Is(unicode.Variation_Selector, r) || r == '\u200d' {
			continue // parts of an emoji, not characters of their own
		}
		seen[r] = true
		b.WriteRune(r)
	}
	return b.String()
}

// legible reports whether a drawn title shows any letter or digit.
func legible(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r != tofu() && (unicode.IsLetter(r) || unicode.IsDigit(r))
	}) >= 0
}

// style is how a piece of text looks.
type style struct {
	size   float64
	bold   bool
	italic bool
	color  color.Color
}

func (s style) face() font.Face {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if s.bold {
		f.Weight = stdfont.WeightBold
	}
	if s.italic {
		f.Style = stdfont.StyleItalic
	}
	return fonts().Lookup(f, vg.Length(s.size))
}

// width of s in pixels.
func (s style) width(txt string) float64 {
	f := s.face()
	return float64(f.Width(txt))
}

// lineHeight is the distance between baselines of wrapped lines.
func (s style) lineHeight() float64 { return math.Round(s.size * 1.22) }

// capCenter is how far below the vertical centre of a line of text its
// baseline sits.
func (s style) capCenter() float64 { return s.size * 0.35 }

// fit cuts txt to at most maxW pixels, ending it in "…" when cut.
func (s style) fit(txt string, maxW float64) string {
	if s.width(txt) <= maxW {
		return txt
	}
	r := []rune(txt)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t := strings.TrimRight(string(r), " ") + "…"
		if s.width(t) <= maxW {
			return t
		}
	}
	return "…"
}

// wrap breaks txt into lines of at most maxW pixels at spaces; a word
// longer than a line is cut with "…", and then ok is false.
func (s style) wrap(txt string, maxW float64) (lines []string, ok bool) {
	ok = true
	for _, w := range strings.Fields(txt) {
		if s.width(w) > maxW {
			ok = false
		}
	}
	cur := ""
	for _, w := range strings.Fields(txt) {
		switch {
		case cur == "":
			cur = w
		case s.width(cur+" "+w) <= maxW:
			cur += " " + w
		default:
			lines = append(lines, s.fit(cur, maxW))
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, s.fit(cur, maxW))
	}
	return lines, ok
}

// pen draws on a vg canvas in pixel coordinates with the origin at the top
// left and y growing downwards, as one thinks of an image.
type pen struct {
	c vg.Canvas
	h float64 // canvas height in pixels
}

func (p pen) pt(x, y float64) vg.Point { return vg.Point{X: vg.Length(x), Y: vg.Length(p.h - y)} }

// text draws one line with its baseline at y; align is 0 for left, 0.5 for
// centred and 1 for right aligned at x.
func (p pen) text(st style, x, y, align float64, txt string) {
	if txt == "" {
		return
	}
	if align != 0 {
		x -= align * st.width(txt)
	}
	p.c.SetColor(st.color)
	p.c.FillString(st.face(), p.pt(x, y), txt)
}

// blockHeight is the height of a block of n lines, one lineHeight apart.
func (s style) blockHeight(n int) float64 {
	if n == 0 {
		return 0
	}
	return s.size*1.1 + float64(n-1)*s.lineHeight()
}

func (p pen) path(pts [][2]float64, closed bool) vg.Path {
	var path vg.Path
	for i, q := range pts {
		if i == 0 {
			path.Move(p.pt(q[0], q[1]))
		} else {
			path.Line(p.pt(q[0], q[1]))
		}
	}
	if closed {
		path.Close()
	}
	return path
}

// stroke draws a polyline; dash is on/off lengths or nil for solid.
func (p pen) stroke(clr color.Color, width float64, dash []float64, closed bool, pts ...[2]float64) {
	if len(pts) < 2 {
		return
	}
	p.c.SetColor(clr)
	p.c.SetLineWidth(vg.Length(width))
	var ds []vg.Length
	for _, d := range dash {
		ds = append(ds, vg.Length(d))
	}
	p.c.SetLineDash(ds, 0)
	p.c.Stroke(p.path(pts, closed))
	p.c.SetLineDash(nil, 0)
}

func (p pen) fill(clr color.Color, pts ...[2]float64) {
	if len(pts) < 3 {
		return
	}
	p.c.SetColor(clr)
	p.c.Fill(p.path(pts, true))
}

func (p pen) rect(clr color.Color, x0, y0, x1, y1 float64) {
	p.fill(clr, [2]float64{x0, y0}, [2]float64{x1, y0}, [2]float64{x1, y1}, [2]float64{x0, y1})
}

func (p pen) circlePath(x, y, r float64) vg.Path {
	var path vg.Path
	c := p.pt(x, y)
	path.Move(vg.Point{X: c.X + vg.Length(r), Y: c.Y})
	path.Arc(c, vg.Length(r), 0, 2*math.Pi)
	path.Close()
	return path
}

// dot draws a filled circle with a white rim, so it stands out on lines.
func (p pen) dot(clr color.Color, x, y, r float64) {
	p.c.SetColor(colWhite)
	p.c.Fill(p.circlePath(x, y, r+1.5))
	p.c.SetColor(clr)
	p.c.Fill(p.circlePath(x, y, r))
}

// ring draws a hollow circle.
func (p pen) ring(clr color.Color, x, y, r, width float64) {
	p.c.SetColor(colWhite)
	p.c.Fill(p.circlePath(x, y, r))
	p.c.SetColor(clr)
	p.c.SetLineWidth(vg.Length(width))
	p.c.SetLineDash(nil, 0)
	p.c.Stroke(p.circlePath(x, y, r))
}
