package chart

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/scoring"
)

// heatExample: four sections by three teams and everyone else; EMEA is
// split on Planning, AMER is withheld, nobody in APAC scored Metrics.
func heatExample() Heatmap {
	cell := func(s float64, n int, split bool) HeatCell { return HeatCell{Score: f(s), N: n, Split: split} }
	w := HeatCell{Withheld: true}
	return Heatmap{
		Title:    "Checklist for Customer Success Excellence",
		Subtitle: "Review rbp9cc6a · sections by team",
		Sections: []string{"Sensory System", "Planning and Review System", "People System", "Metrics System"},
		Segments: []HeatColumn{
			{Name: "cs-emea", Cells: []HeatCell{cell(0.10, 6, false), cell(0.42, 6, true), cell(0.55, 6, false), cell(0.61, 6, false)}},
			{Name: "cs-amer", Cells: []HeatCell{w, w, w, w}},
			{Name: "cs-apac", Cells: []HeatCell{cell(0.95, 7, false), cell(0.78, 7, false), cell(0.30, 5, false), {}}},
			{Name: "everyone else", Cells: []HeatCell{cell(0.5, 5, false), cell(0.65, 5, false), cell(0.7, 5, false), cell(0.2, 5, false)}},
		},
	}
}

func renderHeat1(t testing.TB, h Heatmap) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := HeatmapPNG(&buf, h); err != nil {
		t.Fatalf("HeatmapPNG: %v", err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func rect(b box) image.Rectangle {
	return image.Rect(int(b.x0)+3, int(b.y0)+3, int(b.x1)-3, int(b.y1)-3)
}

func TestHeatmapStructure(t *testing.T) {
	h := heatExample()
	img := renderHeat1(t, h)
	l := planHeat(h)
	if b := img.Bounds(); b.Dx() != Width || float64(b.Dy()) != l.h {
		t.Fatalf("size %dx%d, want %dx%v", b.Dx(), b.Dy(), Width, l.h)
	}
	if want := float64(len(h.Sections))*heatRowH + heatHeadH; l.h < want {
		t.Errorf("height %v cannot hold %d rows", l.h, len(h.Sections))
	}
	if c := color.NRGBAModel.Convert(img.At(2, 2)).(color.NRGBA); c != colWhite {
		t.Errorf("background %v, want opaque white", c)
	}
	for i := range h.Sections {
		for j, seg := range h.Segments {
			r := rect(l.cell(i, j))
			area := r.Dx() * r.Dy()
			c := seg.Cells[i]
			steps := 0
			for _, s := range heatSteps {
				steps += count(img, r, s, 2)
			}
			switch {
			case c.Withheld:
				// Grey, hatched, no colour of the palette.
				if g, hl := count(img, r, colWithheldCell, 2), count(img, r, colHatch, 8); g < area/3 || hl < area/20 || steps > 0 {
					t.Errorf("%s/%s withheld: %d grey, %d hatch, %d palette pixels of %d", seg.Name, h.Sections[i], g, hl, steps, area)
				}
			case c.Score == nil:
				if count(img, r, colWhite, 2) < area*3/4 || steps > 0 {
					t.Errorf("%s/%s no data: drawn as a scored cell", seg.Name, h.Sections[i])
				}
			default:
				// The cell's step fills most of it.
				want := heatSteps[heatStep(*c.Score)]
				if n := count(img, r, want, 2); n < area/2 {
					t.Errorf("%s/%s (%v): %d of %d pixels of its step %v", seg.Name, h.Sections[i], *c.Score, n, area, want)
				}
				// The split mark darkens its top right corner.
				b := l.cell(i, j)
				corner := image.Rect(int(b.x1)-12, int(b.y0)+2, int(b.x1)-3, int(b.y0)+8)
				if dark := count(img, corner, colText, 4); (dark > 0) != c.Split {
					t.Errorf("%s/%s: split %v, but %d dark pixels in the corner", seg.Name, h.Sections[i], c.Split, dark)
				}
			}
		}
	}
	// The legend shows every step and the withheld hatch.
	legend := image.Rect(0, int(l.legendY), Width, int(l.h))
	for i, s := range heatSteps {
		if count(img, legend, s, 2) == 0 {
			t.Errorf("the legend lacks step %d (%v)", i, s)
		}
	}
	if count(img, legend, colWithheldCell, 2) == 0 {
		t.Error("the legend lacks the withheld cell")
	}
	path := filepath.Join("testdata", "heatmap.png")
	if *update {
		var buf bytes.Buffer
		if err := HeatmapPNG(&buf, h); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHeatmapColours: the palette is sequential (each step darker than the
// last), no step is the withheld grey, and a cell's figures are legible on
// its step.
func TestHeatmapColours(t *testing.T) {
	for i, s := range heatSteps {
		if i > 0 && luminance(s) >= luminance(heatSteps[i-1]) {
			t.Errorf("step %d (%v) is not darker than step %d", i, s, i-1)
		}
		if r := contrast(heatInk(i), s); r < 4.5 {
			t.Errorf("step %d: figures at %.2f:1, want at least 4.5:1", i, r)
		}
		if r := contrast(s, colWithheldCell); r < 1.1 {
			t.Errorf("step %d is too close to the withheld grey (%.2f:1)", i, r)
		}
	}
	if r := contrast(colMuted, colWithheldCell); r < 4.5 {
		t.Errorf("\"withheld\" on its grey at %.2f:1", r)
	}
	for _, c := range []struct {
		score float64
		step  int
	}{{0, 0}, {0.199, 0}, {0.2, 1}, {0.5, 2}, {0.79, 3}, {0.8, 4}, {1, 4}} {
		if got := heatStep(c.score); got != c.step {
			t.Errorf("heatStep(%v) = %d, want %d", c.score, got, c.step)
		}
	}
}

func TestHeatmapInvalid(t *testing.T) {
	ok := heatExample()
	bad := func(edit func(h *Heatmap)) Heatmap {
		h := heatExample()
		h.Segments = append([]HeatColumn(nil), h.Segments...)
		edit(&h)
		return h
	}
	for name, h := range map[string]Heatmap{
		"no sections":   bad(func(h *Heatmap) { h.Sections = nil }),
		"no segments":   bad(func(h *Heatmap) { h.Segments = nil }),
		"missing cells": bad(func(h *Heatmap) { h.Segments[0].Cells = h.Segments[0].Cells[:2] }),
		"out of range": bad(func(h *Heatmap) {
			h.Segments[0] = HeatColumn{Name: "x", Cells: []HeatCell{{Score: f(1.5)}, {}, {}, {}}}
		}),
		"too many": bad(func(h *Heatmap) { h.Segments = make([]HeatColumn, MaxHeatColumns+1) }),
	} {
		if err := HeatmapPNG(&bytes.Buffer{}, h); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := HeatmapPNG(&bytes.Buffer{}, Heatmap{Sections: ok.Sections}); !errors.Is(err, ErrNoSegments) {
		t.Errorf("no segments: %v, want ErrNoSegments", err)
	}
}

// TestHeatmapForDigest: every segment is a column, the withheld ones and
// withheld cells drawn as withheld, shown cells with their figures.
func TestHeatmapForDigest(t *testing.T) {
	d := digest.Digest{Framework: &assessment.Framework{Title: "T"},
		Result: scoring.Result{Sections: []scoring.SectionResult{{ID: "a", Title: "A"}, {ID: "b", Title: "B"}}},
		Segments: []digest.Segment{
			{ID: "S1", Name: "cs-emea", N: 6, Cells: []digest.Cell{{Section: "a", Score: f(0.4), N: 6, Split: true}, {Section: "b", Why: digest.SegTooFew}}},
			{ID: "S2", Name: "cs-amer", Why: digest.SegTooFew, Cells: []digest.Cell{{Section: "a", Why: digest.SegTooFew}, {Section: "b", Why: digest.SegTooFew}}},
			{ID: digest.EveryoneElse, N: 5, Cells: []digest.Cell{{Section: "a", Score: f(0.9), N: 5}, {Section: "b", Score: f(0.1), N: 5}}},
		}}
	h, ok := HeatmapForDigest(d, "r1")
	if !ok || len(h.Segments) != 3 || len(h.Sections) != 2 {
		t.Fatalf("heatmap %+v", h)
	}
	if h.Segments[0].Name != "cs-emea" || h.Segments[2].Name != present.Heatmap.EveryoneElse {
		t.Errorf("columns %q, %q", h.Segments[0].Name, h.Segments[2].Name)
	}
	if c := h.Segments[0].Cells[0]; c.Withheld || *c.Score != 0.4 || !c.Split || c.N != 6 {
		t.Errorf("EMEA on A: %+v", c)
	}
	if c := h.Segments[0].Cells[1]; !c.Withheld || c.Score != nil {
		t.Errorf("EMEA on B: %+v, want withheld", c)
	}
	for _, c := range h.Segments[1].Cells {
		if !c.Withheld || c.Score != nil || c.N != 0 {
			t.Errorf("AMER: %+v, want withheld", c)
		}
	}
	renderHeat1(t, h)
	if _, ok := HeatmapForDigest(digest.Digest{}, "r1"); ok {
		t.Error("a digest without segments has a heatmap")
	}
}
