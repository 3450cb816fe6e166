package present

import (
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

func fp(x float64) *float64 { return &x }

// worstSegments gives a digest two shown segments whose long names differ
// on every scored section, and a withheld one.
func worstSegments(d digest.Digest) []digest.Segment {
	a := digest.Segment{ID: "S1", Name: "customer-success-emea-and-partners", N: 6}
	b := digest.Segment{ID: "S2", Name: "customer-success-americas-enterprise", N: 7}
	c := digest.Segment{ID: "S3", Name: "cs-apac", Why: digest.SegTooFew}
	for i, s := range d.Result.Sections {
		ca, cb := digest.Cell{Section: s.ID, Why: digest.SegSection}, digest.Cell{Section: s.ID, Why: digest.SegSection}
		if s.Score != nil {
			ca = digest.Cell{Section: s.ID, Score: fp(0.2 + 0.01*float64(i)), N: 6}
			cb = digest.Cell{Section: s.ID, Score: fp(0.9), N: 7, Split: true}
		}
		a.Cells, b.Cells = append(a.Cells, ca), append(b.Cells, cb)
		c.Cells = append(c.Cells, digest.Cell{Section: s.ID, Why: digest.SegTooFew})
	}
	return []digest.Segment{a, b, c}
}

func TestGapLine(t *testing.T) {
	d := digest.Digest{Result: scoring.Result{Sections: []scoring.SectionResult{{ID: "p", Title: "Planning"}, {ID: "q", Title: "People"}}},
		Segments: []digest.Segment{
			{ID: "S1", Name: "cs-emea", N: 6, Cells: []digest.Cell{{Section: "p", Score: fp(0.42), N: 6}, {Section: "q", Score: fp(0.5), N: 6}}},
			{ID: "S2", Name: "@cs-amer", N: 5, Cells: []digest.Cell{{Section: "p", Score: fp(0.78), N: 5}, {Section: "q", Score: fp(0.6), N: 5}}},
			// Withheld: its figures, were they there, would make the gap.
			{ID: "S3", Name: "cs-apac", Why: digest.SegTooFew, Cells: []digest.Cell{{Section: "p", Score: fp(0)}, {Section: "q", Score: fp(1)}}},
		}}
	plain := Style{Code: same, Bold: same, Aside: same, Escape: same}
	if got, want := GapLine(d, plain), "Largest gap between teams Planning: cs-emea 42% vs cs-amer 78%"; got != want {
		t.Errorf("GapLine = %q, want %q", got, want)
	}
	d.Segments = d.Segments[1:]
	if got := GapLine(d, plain); got != "" {
		t.Errorf("one shown segment: GapLine = %q, want none", got)
	}
	if !strings.Contains(SegmentWhyWords(digest.SegRestTooFew, 5), "fewer than 5") {
		t.Error("the rest's reason does not say the threshold")
	}
}

func teamsDigest() digest.Digest {
	return digest.Digest{Meta: digest.Meta{Detail: 5},
		Result: scoring.Result{Sections: []scoring.SectionResult{{ID: "p", Title: "Planning"}, {ID: "q", Title: "People"}}},
		Segments: []digest.Segment{
			{ID: "S1", Name: "cs-emea", N: 6, Cells: []digest.Cell{{Section: "p", Score: fp(0.42), N: 6, Split: true}, {Section: "q", Why: digest.SegTooFew}}},
			{ID: "S2", Name: "cs-amer", Why: digest.SegRestTooFew, Cells: []digest.Cell{{Section: "p", Why: digest.SegRestTooFew}, {Section: "q", Why: digest.SegRestTooFew}}},
			{ID: digest.EveryoneElse, N: 7, Cells: []digest.Cell{{Section: "p", Score: fp(0.78), N: 7}, {Section: "q", Score: fp(0.5), N: 5}}},
		}}
}

// TestSegmentsReply: the thread's table has a row per section and a column
// per team, each shown cell with its score, split mark and n, "—" where
// withheld; a withheld team's line says why in words, with the threshold.
func TestSegmentsReply(t *testing.T) {
	bs := SegmentsReply(teamsDigest())
	text := messageText(t, bs)
	lines := strings.Split(text, "\n")
	var table []string
	for _, l := range lines {
		if strings.Contains(l, "Planning") || strings.Contains(l, "People") || strings.Contains(l, "everyone else") {
			table = append(table, strings.Trim(l, "`"))
		}
	}
	if len(table) != 3 {
		t.Fatalf("want a header and two rows, got %q in:\n%s", table, text)
	}
	for _, want := range []string{"cs-emea", "cs-amer", "everyone else"} {
		if !strings.Contains(table[0], want) {
			t.Errorf("header %q lacks %q", table[0], want)
		}
	}
	if f := strings.Fields(table[1]); strings.Join(f, " ") != "Planning 42%⚡ n6 — 78% n7" {
		t.Errorf("Planning row %q", table[1])
	}
	if f := strings.Fields(table[2]); strings.Join(f, " ") != "People — — 50% n5" {
		t.Errorf("People row %q", table[2])
	}
	if !strings.Contains(text, "*cs-amer* withheld: fewer than 5 answered outside it") {
		t.Errorf("no reason for cs-amer:\n%s", text)
	}
	if !strings.Contains(text, "— on a shown team") {
		t.Errorf("no line on withheld cells:\n%s", text)
	}
	if SegmentsReply(digest.Digest{}) != nil {
		t.Error("a reply for a review without teams")
	}
}

// TestSegmentsMetadata: the metadata carries the shown cells only.
func TestSegmentsMetadata(t *testing.T) {
	segs := metaSegments(teamsDigest())
	if len(segs) != 3 {
		t.Fatalf("segments %v", segs)
	}
	emea := segs[0]["cells"].([]map[string]any)
	if len(emea) != 1 || emea[0]["section"] != "p" || emea[0]["score"] != 0.42 || emea[0]["split"] != true || emea[0]["n"] != 6 {
		t.Errorf("cs-emea's cells %v, want Planning only", emea)
	}
	if segs[1]["withheld"] != "rest_too_few" || segs[1]["cells"] != nil || segs[1]["n"] != nil {
		t.Errorf("cs-amer %v, want withheld with no figures", segs[1])
	}
	if segs[2]["name"] != "everyone else" || len(segs[2]["cells"].([]map[string]any)) != 2 {
		t.Errorf("everyone else %v", segs[2])
	}
}
