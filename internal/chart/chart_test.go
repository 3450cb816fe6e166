package chart

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"github.com/assessbot/assessbot/internal/present"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/example.png")

func f(x float64) *float64 { return &x }

// sec builds a section with a score and a spread.
func sec(title string, score, prev *float64, min, q1, med, q3, max float64) Section {
	return Section{Title: title, Score: score, Previous: prev, Min: min, Q1: q1, Median: med, Q3: q3, Max: max}
}

// example is a realistic review of the Excellence checklist: five
// respondents, scores as in the README's digest, a previous review.
func example() Input {
	return Input{
		Title:    "Checklist for Customer Success Excellence",
		Subtitle: "Review rbp9cc6a · 2 Nov → 23 Nov 2026 · 5 of 6 responded · previous review 3 Aug 2026",
		Sections: []Section{
			sec("Sensory System", f(0.56), f(0.48), 0.22, 0.44, 0.56, 0.67, 0.89),
			sec("Planning and Review System", f(0.65), f(0.60), 0.25, 0.50, 0.75, 0.75, 1),
			sec("People System", f(0.55), f(0.62), 0.10, 0.40, 0.60, 0.70, 0.90),
			sec("Work System", f(0.55), f(0.41), 0.38, 0.50, 0.50, 0.63, 0.75),
			sec("Metrics System", f(0.63), f(0.52), 0.25, 0.50, 0.63, 0.88, 0.88),
			sec("Continuous Improvement System", f(0.73), f(0.70), 0.50, 0.67, 0.67, 0.83, 1),
			sec("Leadership System", f(0.46), f(0.50), 0, 0.29, 0.57, 0.57, 0.86),
		},
	}
}

func render1(t testing.TB, in Input) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := PNG(&buf, in); err != nil {
		t.Fatalf("PNG: %v", err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return img
}

// rgba returns img's pixels as RGBA (what png.Decode gives for an opaque
// image), so the helpers below need not go through img.At.
func rgba(img image.Image) *image.RGBA {
	if m, ok := img.(*image.RGBA); ok {
		return m
	}
	m := image.NewRGBA(img.Bounds())
	draw.Draw(m, m.Bounds(), img, img.Bounds().Min, draw.Src)
	return m
}

// count returns the number of pixels in r within tol (per channel) of c.
func count(img image.Image, r image.Rectangle, c color.NRGBA, tol int) int {
	m := rgba(img)
	n := 0
	r = r.Intersect(m.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := m.Pix[m.PixOffset(x, y):]
			if near(p[0], c.R, tol) && near(p[1], c.G, tol) && near(p[2], c.B, tol) {
				n++
			}
		}
	}
	return n
}

func near(a, b uint8, tol int) bool {
	d := int(a) - int(b)
	return d >= -tol && d <= tol
}

// nonWhite counts the pixels that are not (nearly) white.
func nonWhite(img image.Image) int {
	m := rgba(img)
	n := 0
	for i := 0; i+3 < len(m.Pix); i += 4 {
		if m.Pix[i] < 0xF0 || m.Pix[i+1] < 0xF0 || m.Pix[i+2] < 0xF0 {
			n++
		}
	}
	return n
}

func TestExample(t *testing.T) {
	var buf bytes.Buffer
	if err := PNG(&buf, example()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "example.png")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", path, buf.Len())
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != Width || b.Dy() != Height {
		t.Errorf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), Width, Height)
	}
	// Not blank: text, grid and series cover a good part of the image, but
	// the background stays white.
	total := Width * Height
	if nw := nonWhite(img); nw < total/20 || nw > total/2 {
		t.Errorf("%d of %d pixels are not white; want between 5%% and 50%%", nw, total)
	}
	if c := color.NRGBAModel.Convert(img.At(2, 2)).(color.NRGBA); c != (color.NRGBA{255, 255, 255, 255}) {
		t.Errorf("background %v, want white", c)
	}
	// The checked-in example is what the code draws today (same size; the
	// bytes may differ with font rasterisation, so they are not compared).
	if !*update {
		old, err := os.Open(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		defer old.Close()
		cfg, err := png.DecodeConfig(old)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Width != Width || cfg.Height != Height {
			t.Errorf("%s is %dx%d, want %dx%d: run go test -update", path, cfg.Width, cfg.Height, Width, Height)
		}
	}
}

// TestBothSeries draws five sections with and without a previous review:
// the radar shows a second (vermillion) polygon only with one.
func TestBothSeries(t *testing.T) {
	in := Input{Title: "Five", Sections: []Section{
		sec("One", f(0.8), f(0.4), 0.5, 0.7, 0.8, 0.9, 1),
		sec("Two", f(0.6), f(0.5), 0.2, 0.5, 0.6, 0.7, 0.9),
		sec("Three", f(0.4), f(0.7), 0, 0.25, 0.5, 0.5, 0.75),
		sec("Four", f(0.7), f(0.3), 0.5, 0.6, 0.7, 0.8, 0.9),
		sec("Five", f(0.5), f(0.6), 0.1, 0.3, 0.5, 0.7, 0.9),
	}}
	with := render1(t, in)
	for i := range in.Sections {
		in.Sections[i].Previous = nil
	}
	without := render1(t, in)

	radar := image.Rect(0, 0, Width/2, Height) // the radar's half
	nowWith := count(with, radar, colNow, 24)
	nowWithout := count(without, radar, colNow, 24)
	prevWith := count(with, radar, colPrevious, 24)
	prevWithout := count(without, radar, colPrevious, 24)
	t.Logf("radar pixels: now %d / %d, previous %d / %d (with / without previous)", nowWith, nowWithout, prevWith, prevWithout)
	if nowWith < 1500 || nowWithout < 1500 {
		t.Errorf("now series: %d and %d pixels of %v, want ≥ 1500 each", nowWith, nowWithout, colNow)
	}
	// A dashed 3 px outline with dots gives some 500 pixels at full colour
	// (anti-aliased edges and the fill under it shift the rest).
	if prevWith < 250 {
		t.Errorf("previous series: %d pixels of %v, want ≥ 250", prevWith, colPrevious)
	}
	if prevWithout > 20 {
		t.Errorf("no previous review, yet %d pixels of %v", prevWithout, colPrevious)
	}
	// The bars mark previous scores with rings, too.
	bars := image.Rect(Width/2, 0, Width, Height)
	if a, b := count(with, bars, colPrevious, 24), count(without, bars, colPrevious, 24); a < 200 || b > 20 {
		t.Errorf("bars: %d pixels of the previous colour with a previous review, %d without", a, b)
	}
}

// radarFill is the colour of the radar's polygon over white.
func radarFill() color.NRGBA {
	a := float64(colNowFill.A) / 255
	mix := func(c uint8) uint8 { return uint8(float64(c)*a + 255*(1-a) + 0.5) }
	return color.NRGBA{mix(colNowFill.R), mix(colNowFill.G), mix(colNowFill.B), 255}
}

func many(n int) Input {
	in := Input{Title: fmt.Sprintf("%d sections", n)}
	for i := range n {
		v := float64(i%11) / 10
		s := sec(fmt.Sprintf("Section %d with a title long enough to be cut", i+1), f(v), f(1-v),
			v*0.5, v*0.75, v, v+(1-v)*0.25, v+(1-v)*0.5)
		if i%9 == 4 {
			s = Section{Title: "Withheld section", Withheld: true}
		}
		in.Sections = append(in.Sections, s)
	}
	return in
}

func TestManySectionsBarsOnly(t *testing.T) {
	for _, n := range []int{MaxRadarSections, MaxRadarSections + 1, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			in := many(n)
			l := plan(in)
			if got, want := l.radar != nil, n <= MaxRadarSections; got != want {
				t.Errorf("radar = %v, want %v", got, want)
			}
			img := render1(t, in)
			b := img.Bounds()
			if b.Dx() != Width {
				t.Errorf("width %d, want %d", b.Dx(), Width)
			}
			if n > MaxRadarSections {
				// Each row keeps its height: the image grows.
				if min := int(float64(n) * barsOnlyRowHeight); b.Dy() < min {
					t.Errorf("height %d, want ≥ %d", b.Dy(), min)
				}
			} else if b.Dy() != Height {
				t.Errorf("height %d, want %d", b.Dy(), Height)
			}
			// The radar's polygon is filled with a tint found elsewhere only
			// in a few anti-aliased pixels round the bars' dots.
			fill := count(img, b, radarFill(), 3)
			t.Logf("%d pixels of the radar's fill", fill)
			if n <= MaxRadarSections && fill < 10000 {
				t.Errorf("%d pixels of the radar's fill, want a radar", fill)
			}
			if n > MaxRadarSections && fill > 1500 {
				t.Errorf("%d pixels of the radar's fill, want no radar", fill)
			}
			if nw := nonWhite(img); nw < b.Dx()*b.Dy()/20 {
				t.Errorf("only %d pixels are not white", nw)
			}
		})
	}
}

// TestMaxSectionsLayout checks the layout of the largest chart without
// rendering it (slow under -race): bars only, every row its full height.
func TestMaxSectionsLayout(t *testing.T) {
	l := plan(many(MaxSections))
	if l.radar != nil {
		t.Error("radar with MaxSections sections")
	}
	if rowH := (l.bars.y1 - l.bars.y0 - barsChrome(l.bars.w(), true)) / MaxSections; rowH < barsOnlyRowHeight-0.01 {
		t.Errorf("rows %.1f px high, want %.0f", rowH, barsOnlyRowHeight)
	}
	if l.w != Width || l.h > 2600 {
		t.Errorf("size %.0fx%.0f", l.w, l.h)
	}
}

func TestFewSectionsBarsOnly(t *testing.T) {
	for _, n := range []int{1, 2} {
		in := many(n)
		if plan(in).radar != nil {
			t.Errorf("%d sections: radar, want bars only", n)
		}
		img := render1(t, in)
		if b := img.Bounds(); b.Dx() != Width || b.Dy() < 300 || b.Dy() > Height {
			t.Errorf("%d sections: size %dx%d", n, b.Dx(), b.Dy())
		}
	}
}

// TestMissingData: withheld sections, sections without a score, a section
// only the previous review scored, and scores at the extremes draw without
// panicking, whatever the neighbours.
func TestMissingData(t *testing.T) {
	cases := map[string][]Section{
		"all withheld": {
			{Title: "A", Withheld: true}, {Title: "B", Withheld: true}, {Title: "C", Withheld: true},
		},
		"all nil": {{Title: "A"}, {Title: "B"}, {Title: "C"}, {Title: "D"}},
		"alternating": {
			sec("A", f(0.5), nil, 0, 0.5, 0.5, 0.5, 1), {Title: "B", Withheld: true},
			sec("C", f(0.2), f(0.3), 0, 0, 0.2, 0.4, 0.4), {Title: "D"},
			sec("E", f(1), nil, 1, 1, 1, 1, 1), {Title: "F", Previous: f(0.7)},
		},
		"one scored": {
			{Title: "A"}, sec("B", f(0), f(0), 0, 0, 0, 0, 0), {Title: "C", Withheld: true},
		},
		// Withheld wins over a score that should not be there.
		"withheld with score": {
			{Title: "A", Withheld: true, Score: f(0.9), Min: 0.9, Q1: 0.9, Median: 0.9, Q3: 0.9, Max: 0.9},
			sec("B", f(0.5), nil, 0, 0.5, 0.5, 0.5, 1), sec("C", f(0.5), nil, 0, 0.5, 0.5, 0.5, 1),
		},
		// Too few respondents for a spread: the team score alone.
		"spread withheld": {
			{Title: "A", Score: f(0.6), SpreadWithheld: true, Previous: f(0.4)},
			sec("B", f(0.5), nil, 0, 0.5, 0.5, 0.5, 1), {Title: "C", Score: f(0), SpreadWithheld: true},
		},
		"odd titles": {
			sec("", f(0.5), nil, 0, 0.5, 0.5, 0.5, 1),
			sec("Ünïcødé 🚀 and\nnew\tlines and a very long tail that goes on and on", f(0.5), nil, 0, 0.5, 0.5, 0.5, 1),
			sec("Supercalifragilisticexpialidociousnessitudeship", f(0.5), nil, 0, 0.5, 0.5, 0.5, 1),
		},
	}
	for name, secs := range cases {
		t.Run(name, func(t *testing.T) {
			in := Input{Title: name, Sections: secs}
			if err := validate(in); err != nil {
				t.Fatal(err)
			}
			// render is PNG without the encoding (slow under -race).
			img := render(in)
			if img.Bounds().Dx() != Width {
				t.Errorf("width %d", img.Bounds().Dx())
			}
		})
	}
}

func TestInvalidInput(t *testing.T) {
	ok := func() []Section { return example().Sections }
	cases := []struct {
		name string
		in   Input
		want string
	}{
		{"no sections", Input{Title: "Empty"}, "no sections"},
		{"too many", many(MaxSections + 1), "at most"},
		{"score above 1", Input{Sections: append(ok(), sec("X", f(1.5), nil, 0, 0, 0, 0, 1))}, "score 1.5 is not in [0,1]"},
		{"NaN", Input{Sections: append(ok(), sec("X", f(0.5), nil, 0, nan(), 0.5, 0.5, 1))}, "Q1 NaN"},
		{"previous below 0", Input{Sections: append(ok(), Section{Title: "X", Previous: f(-0.2)})}, "previous score"},
		{"out of order", Input{Sections: append(ok(), sec("X", f(0.5), nil, 0, 0.6, 0.5, 0.7, 1))}, "out of order"},
		{"spread missing", Input{Sections: append(ok(), Section{Title: "X", Score: f(0.5)})}, "outside the respondents' range"},
		{"score above 1, spread withheld", Input{Sections: append(ok(), Section{Title: "X", Score: f(1.5), SpreadWithheld: true})}, "score 1.5 is not in [0,1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := PNG(&buf, tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
	if err := PNG(&bytes.Buffer{}, Input{}); !errors.Is(err, ErrNoSections) {
		t.Errorf("empty input: %v, want ErrNoSections", err)
	}
}

func nan() float64 { var z float64; return z / z }

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	if err := PNG(failWriter{}, example()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v, want the writer's error", err)
	}
}

func TestCleanTitle(t *testing.T) {
	cases := map[string]string{
		"Sensory System":                           "Sensory System",
		"  two\n lines\t here ":                    "two lines here",
		"Continuous Improvement System":            "Continuous Improvement System",
		"123456789012345678901234567890":           "123456789012345678901234567890",
		"1234567890123456789012345678901":          "12345678901234567890123456789…",
		"Customer onboarding and adoption program": "Customer onboarding and adopt…",
		"Ünïcødé Ünïcødé Ünïcødé Ünïcødé Ünïcødé":  "Ünïcødé Ünïcødé Ünïcødé Ünïcø…",
		strings.Repeat("a", 28) + " bbbbb":         strings.Repeat("a", 28) + "…",
		"Rocket 🚀 launch":                          "Rocket launch",
		"🚀":                                        "",
	}
	for in, want := range cases {
		if got := cleanTitle(in); got != want {
			t.Errorf("cleanTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDisplayedTitles(t *testing.T) {
	got := displayed([]Section{{Title: "  People\nSystem "}, {Title: ""}, {Title: "🚀 \t"}})
	want := []string{"People System", "Section 2", "Section 3"}
	for i, s := range got {
		if s.Title != want[i] {
			t.Errorf("section %d: title %q, want %q", i+1, s.Title, want[i])
		}
	}
}

// TestConcurrent renders from several goroutines (the font cache is
// shared); run with -race.
func TestConcurrent(t *testing.T) {
	done := make(chan error)
	for i := range 3 {
		go func() {
			var buf bytes.Buffer
			done <- PNG(&buf, many(3+i))
		}()
	}
	for range 3 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkPNG(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   Input
	}{{"radar7", example()}, {"bars40", many(40)}} {
		b.Run(bc.name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := PNG(&buf, bc.in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes/png")
		})
	}
}

// The chart's figures are the digest's: half a point rounds up in both.
func TestPercentAsTheDigest(t *testing.T) {
	for _, x := range []float64{0, 0.125, 0.375, 0.625, 0.875, 1} {
		if got, want := percent(x), present.Percent(x); got != want {
			t.Errorf("percent(%v) = %s, the digest says %s", x, got, want)
		}
	}
}
