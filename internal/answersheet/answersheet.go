// Package answersheet reads and writes responses as CSV: a header
// `respondent,<question id>,...` and one row per respondent. It is the format
// `assessbot score` reads and the bot's export writes, so the two round-trip.
package answersheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/safecsv"
)

// RespondentColumn is the first header cell.
const RespondentColumn = "respondent"

// Problem is one bad cell or row.
type Problem struct {
	Row    int // 1-based line in the file (the header is row 1)
	Column string
	Msg    string
}

func (p Problem) String() string {
	if p.Column != "" {
		return fmt.Sprintf("row %d, column %s: %s", p.Row, Quote(p.Column), p.Msg)
	}
	return fmt.Sprintf("row %d: %s", p.Row, p.Msg)
}

// Error lists the problems in a sheet; nothing is read from a bad sheet.
type Error struct {
	Problems []Problem
	// Omitted counts the problems past the first maxProblems, not listed.
	Omitted int
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n… and %d more %s", e.Omitted, plural(e.Omitted, "problem", "problems"))
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// maxProblems caps the list so a wrong framework does not print 10,000 lines.
const maxProblems = 50

// maxQuoted is how much of a cell a problem quotes: a 50 MB cell pasted by
// mistake must not come back whole on the terminal.
const maxQuoted = 60

// Quote quotes a value from the sheet for a message, cut to 60 characters
// with "…".
func Quote(s string) string {
	if utf8.RuneCountInString(s) > maxQuoted {
		r := []rune(s[:min(len(s), 4*maxQuoted)])
		s = string(r[:maxQuoted]) + "…"
	}
	return strconv.Quote(s)
}

// sniffSize is how much of the start of a file is checked for being text
// and for its delimiter.
const sniffSize = 1 << 10

// Read parses a sheet of answers to framework f. A cell holds an option id
// or label (any case), "not sure", "not_sure" or "?", free text for text
// questions, or nothing (unanswered).
func Read(r io.Reader, f *assessment.Framework) ([]assessment.Response, error) {
	var out []assessment.Response
	if _, err := Scan(r, f, func(resp assessment.Response) {
		resp.Answers = maps.Clone(resp.Answers)
		out = append(out, resp)
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// Scan reads a sheet as Read does, a row at a time, calling fn with each
// row's response as it is read, so that a sheet of any length can be
// aggregated without holding it. It returns the number of respondent rows.
// The response's Answers map is reused for the next row: fn must copy what
// it keeps.
// On an error (an *Error listing the problems, or a read error) the
// responses fn was given must be discarded: nothing is read from a bad
// sheet.
//
// Lines starting with # are comments. A text answer that Write wrote with
// a quote before it, so that a spreadsheet does not run it as a formula,
// is read without that quote. The delimiter is a comma, or a
// semicolon or tab when the header uses those instead (spreadsheets save
// "CSV" that way in many locales).
func Scan(r io.Reader, f *assessment.Framework, fn func(assessment.Response)) (rows int, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	start, _ := br.Peek(64 << 10) // a short read is fine: the start is what there is
	if p, ok := notText(start); !ok {
		return 0, &Error{Problems: []Problem{p}}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.Comment = '#'
	cr.Comma = delimiter(start)
	// Leading space before a quoted cell is allowed; with tabs it would eat
	// the empty cells between two tabs.
	cr.TrimLeadingSpace = cr.Comma != '\t'
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return 0, &Error{Problems: []Problem{{Row: 1, Msg: "the file is empty; the first row must be: respondent,<question id>,..."}}}
	}
	if err != nil {
		return 0, csvError(err)
	}
	header = slices.Clone(header) // the reader reuses its record
	headerRow, _ := cr.FieldPos(0)
	e := &Error{}
	add := func(p Problem) {
		if len(e.Problems) < maxProblems {
			e.Problems = append(e.Problems, p)
		} else {
			e.Omitted++
		}
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // spreadsheet BOM
	}
	if len(header) == 0 || !strings.EqualFold(strings.TrimSpace(header[0]), RespondentColumn) {
		msg := fmt.Sprintf("the first column must be %q", RespondentColumn)
		if len(header) == 1 && strings.ContainsAny(header[0], ",;\t") {
			msg += "; the header has one column: are the cells separated by commas, semicolons or tabs?"
		}
		add(Problem{Row: headerRow, Msg: msg})
	}
	refs := make([]assessment.QuestionRef, len(header))
	names := make([]string, len(header))
	names[0] = RespondentColumn
	seen := map[string]bool{}
	for i := 1; i < len(header); i++ {
		col := strings.TrimSpace(header[i])
		names[i] = col
		ref, ok := f.Lookup(col)
		if !ok {
			add(Problem{Row: headerRow, Column: col, Msg: fmt.Sprintf("no question %s in framework %s", Quote(col), f.ID)})
			continue
		}
		if seen[col] {
			add(Problem{Row: headerRow, Column: col, Msg: "column given twice"})
		}
		seen[col] = true
		refs[i] = ref
	}
	if len(e.Problems) > 0 {
		return 0, e
	}

	// A 64-bit hash of each respondent rather than the name: the one thing
	// that grows with the file stays small.
	respondents := map[uint64]int{}
	answers := make(map[string]assessment.Answer, len(header))
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, csvError(err)
		}
		// The line the record starts on, not a count of records: the
		// reader skips blank lines and a quoted cell can span lines.
		row, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		switch {
		case len(rec) > len(header):
			add(Problem{Row: row, Msg: fmt.Sprintf("%d cells but the header has %d columns", len(rec), len(header))})
			continue
		case len(rec) < len(header):
			add(Problem{Row: row, Column: names[len(rec)], Msg: fmt.Sprintf("the row ends before this column: %d cells but the header has %d columns (an empty answer still needs its %s)",
				len(rec), len(header), delimiterName(cr.Comma))})
		}
		rows++
		who := strings.TrimSpace(rec[0])
		if who == "" {
			add(Problem{Row: row, Column: RespondentColumn, Msg: "empty respondent"})
		} else {
			h := fnv.New64a()
			h.Write([]byte(who))
			if first, dup := respondents[h.Sum64()]; dup {
				add(Problem{Row: row, Column: RespondentColumn, Msg: fmt.Sprintf("respondent %s is also on row %d", Quote(who), first)})
			} else {
				respondents[h.Sum64()] = row
			}
		}
		clear(answers)
		resp := assessment.Response{Respondent: who, Answers: answers, Submitted: true}
		for i := 1; i < len(rec); i++ {
			cell := strings.TrimSpace(rec[i])
			if cell == "" {
				continue
			}
			ref := refs[i]
			a, msg := parseCell(ref, cell)
			if msg != "" {
				add(Problem{Row: row, Column: ref.Question.ID, Msg: msg})
				continue
			}
			resp.Answers[ref.Question.ID] = a
		}
		if len(e.Problems) == 0 {
			fn(resp)
		}
	}
	if len(e.Problems) > 0 {
		return 0, e
	}
	return rows, nil
}

// notText says when the start of a file is not UTF-8 text: a spreadsheet's
// own format, a UTF-16 export, or any other binary file.
func notText(start []byte) (Problem, bool) {
	if bytes.HasPrefix(start, []byte{0xff, 0xfe}) || bytes.HasPrefix(start, []byte{0xfe, 0xff}) {
		return Problem{Row: 1, Msg: "the file is UTF-16 text; save it as CSV UTF-8 (comma-separated)"}, false
	}
	head := start[:min(len(start), sniffSize)]
	if i := bytes.IndexByte(head, 0); i >= 0 {
		return Problem{Row: 1, Msg: fmt.Sprintf("the file is not text (a NUL byte at offset %d): save the sheet as CSV UTF-8 (comma-separated), not as a workbook", i)}, false
	}
	for i := 0; i < len(head); {
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n == 1 {
			if len(head) == sniffSize && len(head)-i < utf8.UTFMax && !utf8.FullRune(head[i:]) {
				break // a character cut by the end of the sample
			}
			return Problem{Row: 1 + bytes.Count(head[:i], []byte("\n")), Msg: fmt.Sprintf("the file is not UTF-8 text (byte 0x%02x at offset %d): save the sheet as CSV UTF-8", head[i], i)}, false
		}
		i += n
	}
	return Problem{}, true
}

// delimiter picks the header's delimiter: a comma, unless the first line
// that is not a comment has more semicolons or tabs than commas outside
// quotes.
func delimiter(start []byte) rune {
	for len(start) > 0 {
		line := start
		if i := bytes.IndexByte(start, '\n'); i >= 0 {
			line, start = start[:i], start[i+1:]
		} else {
			start = nil
		}
		if len(bytes.TrimSpace(line)) == 0 || line[0] == '#' {
			continue
		}
		counts := map[byte]int{}
		quoted := false
		for _, c := range line {
			switch {
			case c == '"':
				quoted = !quoted
			case !quoted && (c == ',' || c == ';' || c == '\t'):
				counts[c]++
			}
		}
		best := byte(',')
		for _, c := range []byte{';', '\t'} {
			if counts[c] > counts[best] {
				best = c
			}
		}
		return rune(best)
	}
	return ','
}

func delimiterName(r rune) string {
	switch r {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return "comma"
}

func parseCell(ref assessment.QuestionRef, cell string) (assessment.Answer, string) {
	if ref.Scale.Text {
		cell = safecsv.Plain(cell) // as Write neutralised it for spreadsheets
		if len(cell) > assessment.MaxTextAnswer {
			return assessment.Answer{}, fmt.Sprintf("text is %d characters; at most %d", len(cell), assessment.MaxTextAnswer)
		}
		return assessment.Answer{Text: cell}, ""
	}
	switch strings.ToLower(cell) {
	case "not sure", "not_sure", "?":
		if !ref.Scale.NotSure {
			return assessment.Answer{}, "this question has no \"not sure\" option"
		}
		return assessment.Answer{Option: assessment.NotSure}, ""
	}
	var names []string
	for _, o := range ref.Scale.Options {
		if strings.EqualFold(cell, o.ID) || strings.EqualFold(cell, o.Label) {
			return assessment.Answer{Option: o.ID}, ""
		}
		names = append(names, o.ID)
	}
	return assessment.Answer{}, fmt.Sprintf("unknown option %s (use one of: %s, not sure, or leave empty)", Quote(cell), strings.Join(names, ", "))
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// StartLine: an unclosed quote is reported at the end of the file,
		// but the row to fix is the one where the quoted cell starts.
		return &Error{Problems: []Problem{{Row: pe.StartLine, Msg: "CSV syntax: " + pe.Err.Error()}}}
	}
	return err
}

// Write writes responses as a sheet, one row per response, with respondents
// numbered 1, 2, 3… in the given order (never their ids). Text answers are
// written as given, except that one a spreadsheet would run as a formula
// gets a quote before it (safecsv); option answers as option ids.
func Write(w io.Writer, f *assessment.Framework, responses []assessment.Response) error {
	cw := safecsv.NewWriter(w, 0) // the respondent's number
	qs := f.Questions()
	header := make([]string, 0, len(qs)+1)
	header = append(header, RespondentColumn)
	for _, q := range qs {
		header = append(header, q.Question.ID)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for i, r := range responses {
		row[0] = strconv.Itoa(i + 1)
		for j, q := range qs {
			a := r.Answers[q.Question.ID]
			if q.Scale != nil && q.Scale.Text {
				row[j+1] = a.Text
			} else {
				row[j+1] = a.Option
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
