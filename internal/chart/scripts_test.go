package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"
)

// TestScriptsTheFontLacks: a framework written in a script the chart's
// font cannot draw (顧客成功評価) no longer draws a blank title: its
// letters show as tofu, a section with no drawable letter is "Section n",
// emoji are dropped, and Undrawable names exactly what was not drawn, for
// the alt text.
func TestScriptsTheFontLacks(t *testing.T) {
	for in, want := range map[string]string{
		"顧客成功評価":                   "顧客成功評価",
		"Onboarding 🚀":             "🚀",
		"Renewals 顧客 team 顧客":      "顧客",
		"Ünïcødé Ελληνικά Русский": "",
		"Team 👩‍💻 ❤️":              "👩💻❤",
		"":                         "",
	} {
		if got := Undrawable(in); got != want {
			t.Errorf("Undrawable(%q) = %q, want %q", in, got, want)
		}
	}
	tf := string(tofu())
	if tf != "□" {
		t.Errorf("tofu is %q; the font has □", tf)
	}
	got := displayed([]Section{{Title: "顧客"}, {Title: "Renewals 顧客 team"}, {Title: "Onboarding 🚀"}, {Title: "Ünïcødé"}})
	for i, want := range []string{"Section 1", "Renewals " + tf + tf + " team", "Onboarding", "Ünïcødé"} {
		if got[i].Title != want {
			t.Errorf("section %d drawn as %q, want %q", i+1, got[i].Title, want)
		}
	}

	// The title's band of the picture: blank before, tofu now.
	in := Input{Title: "顧客成功評価", Sections: many(4).Sections}
	img := render1(t, in)
	title := image.Rect(int(margin), int(margin), Width/2, int(margin+sizeTitle*1.2))
	inked := 0
	for y := title.Min.Y; y < title.Max.Y; y++ {
		for x := title.Min.X; x < title.Max.X; x++ {
			if c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA); c.R < 0x80 {
				inked++
			}
		}
	}
	if inked < 100 {
		t.Errorf("the title 顧客成功評価 draws %d dark pixels: blank", inked)
	}
}

// TestOpaqueCard: Slack shows the chart as it is in its light and its dark
// theme, so the picture is an opaque light card: no pixel lets the theme
// through, and its edge is framed.
func TestOpaqueCard(t *testing.T) {
	var buf bytes.Buffer
	if err := PNG(&buf, example()); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0xFFFF {
				t.Fatalf("pixel (%d,%d) is not opaque (alpha %d)", x, y, a>>8)
			}
		}
	}
	if c := color.NRGBAModel.Convert(img.At(0, b.Dy()/2)).(color.NRGBA); c == colBackground {
		t.Errorf("no frame at the card's edge")
	}
	if c := color.NRGBAModel.Convert(img.At(8, b.Dy()/2)).(color.NRGBA); c != colBackground {
		t.Errorf("background %v inside the frame, want %v", c, colBackground)
	}
}

// TestColoursOnTheCard: what carries meaning stands out from the card
// (WCAG contrast: 7:1 for text, 3:1 for graphics).
func TestColoursOnTheCard(t *testing.T) {
	for _, c := range []struct {
		name string
		col  color.NRGBA
		min  float64
	}{
		{"text", colText, 7}, {"muted text", colMuted, 7}, {"this review", colNow, 3},
		{"previous review", colPrevious, 3}, {"whiskers", colWhisker, 3}, {"frame", colFrame, 1.5},
	} {
		if r := contrast(c.col, colBackground); r < c.min {
			t.Errorf("%s: contrast %.2f:1 on the card, want at least %g:1", c.name, r, c.min)
		}
	}
}

func contrast(a, b color.NRGBA) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(c color.NRGBA) float64 {
	ch := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.R) + 0.7152*ch(c.G) + 0.0722*ch(c.B)
}
