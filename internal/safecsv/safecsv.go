// Package safecsv writes the CSV files assessbot hands to people (exports,
// answer sheets, templates) so that a spreadsheet opens every cell as data.
// A cell that begins with =, +, -, @, a tab or a carriage return is a
// formula to Excel, LibreOffice and Google Sheets (=HYPERLINK(...) sends
// the sheet's contents anywhere with one click); such a cell is written
// with a single quote before it, the OWASP rule for CSV injection.
//
// Every cell is text unless the writer was told its column is a number the
// product formatted itself (a score, a count): there a cell that is a
// plain decimal number stays as it is, -3 included, since a number cannot
// be a formula; anything else in such a column is neutralised like text.
// Text a person typed is always neutralised, even when it reads "-3".
//
// It imports only the standard library.
package safecsv

import (
	"encoding/csv"
	"io"
	"regexp"
	"strings"
)

// Cell returns s as a spreadsheet reads it as text: with a single quote
// before it when it begins with a character that starts a formula. A cell
// that already begins with quotes and then such a character gets one more,
// so that Plain gives back exactly what was written.
func Cell(s string) string {
	if formula(strings.TrimLeft(s, "'")) {
		return "'" + s
	}
	return s
}

// Plain undoes Cell, for a reader of the files this package writes.
func Plain(s string) string {
	if rest := strings.TrimLeft(s, "'"); len(rest) < len(s) && formula(rest) {
		return s[1:]
	}
	return s
}

// formula reports whether s begins with a character that makes a
// spreadsheet read the cell as a formula.
func formula(s string) bool {
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// Comment returns "# " and text, a comment line for a reader that skips
// lines starting with #. A spreadsheet knows no comments: it splits the
// line at its commas (or semicolons, in many locales) and opens each piece
// as a cell, so every piece after the first is neutralised as Cell does,
// inside its double quotes when it is quoted.
func Comment(text string) string {
	var b strings.Builder
	b.WriteString("# ")
	start := 0
	for i := 0; i <= len(text); i++ {
		if i < len(text) && text[i] != ',' && text[i] != ';' {
			continue
		}
		piece := text[start:i]
		if start > 0 {
			if rest, quoted := strings.CutPrefix(piece, `"`); quoted {
				piece = `"` + Cell(rest)
			} else {
				piece = Cell(piece)
			}
		}
		b.WriteString(piece)
		if i < len(text) {
			b.WriteByte(text[i])
		}
		start = i + 1
	}
	return b.String()
}

// plainNumber is a decimal number as strconv formats one: no formula,
// however it begins.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// Writer is a csv.Writer whose cells are neutralised (see the package doc).
type Writer struct {
	w       *csv.Writer
	numeric map[int]bool
	row     []string
}

// NewWriter returns a Writer on w; numeric lists the columns (from 0) that
// hold numbers the caller formatted itself.
func NewWriter(w io.Writer, numeric ...int) *Writer {
	sw := &Writer{w: csv.NewWriter(w), numeric: map[int]bool{}}
	for _, c := range numeric {
		sw.numeric[c] = true
	}
	return sw
}

// Write writes one record, each cell neutralised.
func (w *Writer) Write(record []string) error {
	w.row = w.row[:0]
	for i, c := range record {
		if !(w.numeric[i] && plainNumber.MatchString(c)) {
			c = Cell(c)
		}
		w.row = append(w.row, c)
	}
	return w.w.Write(w.row)
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports any error from a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
