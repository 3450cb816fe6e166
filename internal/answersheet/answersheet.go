// Package answersheet reads and writes responses as CSV: a header
// `respondent,<question id>,...` and one row per respondent. It is the format
// `assessbot score` reads and the bot's export writes, so the two round-trip.
package answersheet

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/assessbot/assessbot/internal/assessment"
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
		return fmt.Sprintf("row %d, column %q: %s", p.Row, p.Column, p.Msg)
	}
	return fmt.Sprintf("row %d: %s", p.Row, p.Msg)
}

// Error lists every problem in a sheet; nothing is read from a bad sheet.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// maxProblems caps the list so a wrong framework does not print 10,000 lines.
const maxProblems = 50

// Read parses a sheet of answers to framework f. A cell holds an option id
// or label (any case), "not sure", "not_sure" or "?", free text for text
// questions, or nothing (unanswered).
func Read(r io.Reader, f *assessment.Framework) ([]assessment.Response, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &Error{[]Problem{{Row: 1, Msg: "the file is empty; the first row must be: respondent,<question id>,..."}}}
	}
	if err != nil {
		return nil, csvError(err)
	}
	var problems []Problem
	add := func(p Problem) {
		if len(problems) < maxProblems {
			problems = append(problems, p)
		}
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // spreadsheet BOM
	}
	if len(header) == 0 || !strings.EqualFold(strings.TrimSpace(header[0]), RespondentColumn) {
		add(Problem{Row: 1, Msg: fmt.Sprintf("the first column must be %q", RespondentColumn)})
	}
	refs := make([]assessment.QuestionRef, len(header))
	seen := map[string]bool{}
	for i := 1; i < len(header); i++ {
		col := strings.TrimSpace(header[i])
		ref, ok := f.Lookup(col)
		if !ok {
			add(Problem{Row: 1, Column: col, Msg: fmt.Sprintf("no question %q in framework %s", col, f.ID)})
			continue
		}
		if seen[col] {
			add(Problem{Row: 1, Column: col, Msg: "column given twice"})
		}
		seen[col] = true
		refs[i] = ref
	}
	if len(problems) > 0 {
		return nil, &Error{problems}
	}

	var out []assessment.Response
	respondents := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		// The line the record starts on, not a count of records: the
		// reader skips blank lines and a quoted cell can span lines.
		row, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) > len(header) {
			add(Problem{Row: row, Msg: fmt.Sprintf("%d cells but the header has %d columns", len(rec), len(header))})
			continue
		}
		who := strings.TrimSpace(rec[0])
		if who == "" {
			add(Problem{Row: row, Column: RespondentColumn, Msg: "empty respondent"})
		} else if first, dup := respondents[who]; dup {
			add(Problem{Row: row, Column: RespondentColumn, Msg: fmt.Sprintf("respondent %q is also on row %d", who, first)})
		}
		respondents[who] = row
		resp := assessment.Response{Respondent: who, Answers: map[string]assessment.Answer{}, Submitted: true}
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
		out = append(out, resp)
	}
	if len(problems) > 0 {
		return nil, &Error{problems}
	}
	return out, nil
}

func parseCell(ref assessment.QuestionRef, cell string) (assessment.Answer, string) {
	if ref.Scale.Text {
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
	return assessment.Answer{}, fmt.Sprintf("unknown option %q (use one of: %s, not sure, or leave empty)", cell, strings.Join(names, ", "))
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// StartLine: an unclosed quote is reported at the end of the file,
		// but the row to fix is the one where the quoted cell starts.
		return &Error{[]Problem{{Row: pe.StartLine, Msg: "CSV syntax: " + pe.Err.Error()}}}
	}
	return err
}

// Write writes responses as a sheet, one row per response, with respondents
// numbered 1, 2, 3… in the given order (never their ids). Text answers are
// written as given; option answers as option ids.
func Write(w io.Writer, f *assessment.Framework, responses []assessment.Response) error {
	cw := csv.NewWriter(w)
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
