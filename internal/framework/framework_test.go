package framework_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
)

func parseFile(t *testing.T, name string) (*assessment.Framework, error) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return framework.Parse(name, data)
}

func TestParseGood(t *testing.T) {
	f, err := parseFile(t, "testdata/good.yaml")
	if err != nil {
		t.Fatalf("Parse good.yaml:\n%v", err)
	}
	if f.ID != "good" || f.Title != "A good framework" || f.File != "testdata/good.yaml" {
		t.Errorf("id, title, file = %q, %q, %q", f.ID, f.Title, f.File)
	}
	if f.Source == "" || f.Description == "" {
		t.Errorf("source %q, description %q: want both", f.Source, f.Description)
	}
	var ids []string
	for _, ref := range f.Questions() {
		ids = append(ids, ref.Section.ID+"/"+ref.Question.ID+":"+ref.Question.Scale)
	}
	want := []string{"one/q1:yesno", "one/q2:level", "two/q3:weighted", "two/q4:text", "two/q5:ten", "two/q6:nine"}
	if !slices.Equal(ids, want) {
		t.Errorf("questions = %v, want %v", ids, want)
	}
	if got := f.Sections[0].Description; got != "The first section." {
		t.Errorf("section description = %q", got)
	}
	q2, _ := f.Lookup("q2")
	if q2.Question.Help != "Why it matters." || q2.Question.OptionDescriptions["mid"] != "So-so" {
		t.Errorf("q2 help %q, descriptions %v", q2.Question.Help, q2.Question.OptionDescriptions)
	}
	if q1, _ := f.Lookup("q1"); q1.Question.OptionDescriptions["yes"] != "We do." {
		t.Errorf("q1 descriptions %v", q1.Question.OptionDescriptions)
	}
	if o, _ := f.Scales["level"].Option("mid"); o.Description != "Somewhere in between" {
		t.Errorf("option description = %q", o.Description)
	}
	for name, notSure := range map[string]bool{"yesno": true, "level": true, "weighted": false, "ten": false, "nine": true} {
		if got := f.Scales[name].NotSure; got != notSure {
			t.Errorf("scale %s NotSure = %v, want %v", name, got, notSure)
		}
	}
	if sc := f.Scales[assessment.ScaleText]; sc == nil || !sc.Text || len(sc.Options) != 0 {
		t.Errorf("text scale = %+v", sc)
	}
	if n := len(f.Scales["ten"].Options); n != 10 {
		t.Errorf("ten has %d options", n)
	}
	if got := []assessment.Band{{Min: 0, Label: "Starting"}, {Min: 1.5, Label: "Going"}, {Min: 4, Label: "There"}}; !slices.Equal(f.Bands, got) {
		t.Errorf("bands = %v, want %v", f.Bands, got)
	}
	checkLimits(t, f)
}

// TestParseDocumentMarkers: markers around the one document are fine.
func TestParseDocumentMarkers(t *testing.T) {
	const doc = "id: x\ntitle: T\nsections:\n  - id: a\n    title: A\n    questions:\n      - {id: q, text: Q, scale: yesno}\n"
	for _, data := range []string{"---\n" + doc, doc + "...\n", doc + "---\n", doc + "---\n# nothing more\n"} {
		if _, err := framework.Parse("x.yaml", []byte(data)); err != nil {
			t.Errorf("Parse(%q): %v", data, err)
		}
	}
}

// TestOptionScores: option i of k scores i/(k-1) unless the file gives a
// score; the built-in yesno scores no 0 and yes 1.
func TestOptionScores(t *testing.T) {
	f, err := parseFile(t, "testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		scale string
		want  []float64
	}{
		{"yesno", []float64{0, 1}},
		{"level", []float64{0, 0.5, 1}},    // 0/2, 1/2, 2/2
		{"weighted", []float64{0, 0.7, 1}}, // explicit score:
		{"ten", []float64{0, 1. / 9, 2. / 9, 3. / 9, 4. / 9, 5. / 9, 6. / 9, 7. / 9, 8. / 9, 1}},
		{"nine", []float64{0, 1. / 8, 2. / 8, 3. / 8, 4. / 8, 5. / 8, 6. / 8, 7. / 8, 1}},
	}
	for _, tt := range tests {
		var got []float64
		for _, o := range f.Scales[tt.scale].Options {
			got = append(got, o.Score)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("scale %s scores = %v, want %v", tt.scale, got, tt.want)
		}
	}
	yes, _ := f.Scales["yesno"].Option("yes")
	no, _ := f.Scales["yesno"].Option("no")
	if yes.Label != "Yes" || no.Label != "No" || !framework.YesNo().NotSure {
		t.Errorf("yesno = %+v %+v", no, yes)
	}

	// Every size of scale from 2 to 10 options, with and without an explicit
	// score on the middle option.
	for k := 2; k <= 10; k++ {
		for _, explicit := range []bool{false, true} {
			var b strings.Builder
			fmt.Fprintf(&b, "id: k\ntitle: K\nscales:\n  s:\n    not_sure: false\n    options:\n")
			for i := range k {
				score := ""
				if explicit && i == k/2 {
					score = ", score: 0.42"
				}
				fmt.Fprintf(&b, "      - {id: o%d, label: \"O%d\"%s}\n", i, i, score)
			}
			b.WriteString("sections:\n  - id: a\n    title: A\n    questions:\n      - {id: q, text: Q, scale: s}\n")
			f, err := framework.Parse("k.yaml", []byte(b.String()))
			if err != nil {
				t.Fatalf("k=%d: %v", k, err)
			}
			for i, o := range f.Scales["s"].Options {
				want := float64(i) / float64(k-1)
				if explicit && i == k/2 {
					want = 0.42
				}
				if o.Score != want {
					t.Errorf("k=%d explicit=%v: option %d score %v, want %v", k, explicit, i, o.Score, want)
				}
			}
		}
	}
}

// problem is one expected line of a framework error.
type problem struct {
	line   int
	phrase string
}

// badFiles maps every testdata/bad-*.yaml to the problems it must report,
// each as "<file>:<line>: ..." containing phrase.
var badFiles = map[string][]problem{
	"bad-unknown-scale.yaml": {{9, `unknown scale "maturity"`}},
	"bad-duplicate-question.yaml": {
		{13, `duplicate question id "q1" (first on line 7)`},
		// A third copy still points at the first, not at the second.
		{19, `duplicate question id "q1" (first on line 7)`},
	},
	"bad-duplicate-section.yaml": {{10, `duplicate section id "one" (first on line 4)`}},
	"bad-empty-section.yaml":     {{12, `section "two" is empty`}},
	"bad-band-order.yaml":        {{13, `bands must be in increasing order of min (0.5 comes after 0.8)`}},
	"bad-first-band.yaml":        {{11, `the first band must start at 0`}},
	"bad-tabs.yaml":              {{9, `YAML does not allow tabs for indentation; use spaces`}},
	// The README's example: one question worth at most 1 point.
	"bad-unreachable-band.yaml": {{30, `band "Making progress" starts at 15 points, but no respondent can reach it: the most is 1 point (the best answer to each of 1 rated question)`}},
	"bad-long-label.yaml":       {{8, `option label is 76 characters; Slack allows 75`}},
	"bad-101-options.yaml":      {{7, `scale many has 101 options; a Slack select menu holds at most 100`}},
	// not_sure is on unless the scale switches it off, and takes a place.
	"bad-100-options-not-sure.yaml": {{6, `scale many has 100 options; a Slack select menu holds at most 99 (99 plus "Not sure"; set not_sure: false for 100)`}},
	"bad-syntax.yaml":               {{8, `YAML syntax: mapping values are not allowed in this context`}},
	"bad-unknown-field.yaml": {
		{6, `unknown field "qestions" in section (allowed: id, title, description, questions)`},
		{4, `section "one" is empty`},
	},
	"bad-missing-title.yaml":      {{1, `framework has no title`}},
	"bad-id.yaml":                 {{7, `question id "Q_1" must use only a-z, 0-9 and '-'`}},
	"bad-option-description.yaml": {{19, `option_descriptions: "great" is not an option of scale level`}},
	"bad-score.yaml":              {{7, `option "high": score must be a number from 0 to 1`}},
	"bad-duplicate-field.yaml":    {{3, `field "title" given twice in framework`}},
	"bad-two-documents.yaml":      {{10, `a second YAML document: put one framework per file`}},
	"bad-empty.yaml":              {{0, `the file is empty`}},
	"bad-many.yaml": {
		{3, `unknown field "colour" in framework`},
		{15, `unknown scale "maturity"`},
		{16, `question id "Bad_Id" must use only a-z, 0-9 and '-'`},
		{22, `duplicate question id "q1" (first on line 13)`},
		{25, `section "three" is empty`},
		{28, `the first band must start at 0 so every total has a band (it starts at 5)`},
		{29, `bands must be in increasing order of min (2 comes after 5)`},
	},
}

// TestParseBad checks that each bad file is refused with every problem it
// holds, each at the right line, and nothing else.
func TestParseBad(t *testing.T) {
	names, err := filepath.Glob("testdata/bad-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if _, ok := badFiles[filepath.Base(name)]; !ok {
			t.Errorf("%s has no expected problems in badFiles", name)
		}
	}
	for base, want := range badFiles {
		t.Run(base, func(t *testing.T) {
			name := "testdata/" + base
			f, err := parseFile(t, name)
			if err == nil {
				t.Fatalf("Parse accepted %s: %+v", name, f)
			}
			if f != nil {
				t.Errorf("Parse returned a framework with its error")
			}
			var fe *framework.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error is %T, want *framework.Error: %v", err, err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(want) || len(fe.Problems) != len(want) {
				t.Errorf("got %d problems, want %d:\n%v", len(fe.Problems), len(want), err)
			}
			for _, w := range want {
				prefix := name + ": "
				if w.line > 0 {
					prefix = fmt.Sprintf("%s:%d: ", name, w.line)
				}
				if !slices.ContainsFunc(lines, func(l string) bool {
					return strings.HasPrefix(l, prefix) && strings.Contains(l, w.phrase)
				}) {
					t.Errorf("no problem %q containing %q in:\n%v", prefix, w.phrase, err)
				}
			}
		})
	}
}

// TestParseMoreBad covers refusals that need no file of their own.
func TestParseMoreBad(t *testing.T) {
	const tail = "sections:\n  - id: a\n    title: A\n    questions:\n      - {id: q, text: Q, scale: yesno}\n"
	tests := []struct {
		name, yaml string
		want       problem
	}{
		{"no id", "title: T\n" + tail, problem{1, "framework has no id"}},
		{"empty title", "id: x\ntitle: \"\"\n" + tail, problem{2, "title must not be empty"}},
		{"long id", "id: " + strings.Repeat("a", 61) + "\ntitle: T\n" + tail, problem{1, "longer than 60 characters"}},
		{"no sections", "id: x\ntitle: T\n", problem{1, "framework has no sections"}},
		{"sections not a list", "id: x\ntitle: T\nsections: {}\n", problem{3, "sections must be a non-empty list"}},
		{"not a mapping", "- a\n- b\n", problem{1, "framework must be a mapping"}},
		{"built-in scale name", "id: x\ntitle: T\nscales:\n  yesno:\n    options: [{id: a, label: A}, {id: b, label: B}]\n" + tail, problem{4, `scale name "yesno" is built in`}},
		{"unused scale", "id: x\ntitle: T\nscales:\n  lvl:\n    options: [{id: a, label: A}, {id: b, label: B}]\n" + tail, problem{4, `scale "lvl" is defined but no question uses it`}},
		{"one option", "id: x\ntitle: T\nscales:\n  lvl:\n    options: [{id: a, label: A}]\n" + strings.Replace(tail, "yesno", "lvl", 1), problem{5, "at least 2 options"}},
		{"reserved option id", "id: x\ntitle: T\nscales:\n  lvl:\n    options: [{id: a, label: A}, {id: not-sure, label: B}]\n" + strings.Replace(tail, "yesno", "lvl", 1), problem{5, `option id "not-sure" is reserved`}},
		{"duplicate option", "id: x\ntitle: T\nscales:\n  lvl:\n    options:\n      - {id: a, label: A}\n      - {id: a, label: B}\n" + strings.Replace(tail, "yesno", "lvl", 1), problem{7, `duplicate option id "a" in scale lvl (first on line 6)`}},
		{"option without label", "id: x\ntitle: T\nscales:\n  lvl:\n    options:\n      - {id: a, label: A}\n      - {id: b}\n" + strings.Replace(tail, "yesno", "lvl", 1), problem{7, `option "b" has no label`}},
		{"not_sure not a bool", "id: x\ntitle: T\nscales:\n  lvl:\n    not_sure: maybe\n    options: [{id: a, label: A}, {id: b, label: B}]\n" + strings.Replace(tail, "yesno", "lvl", 1), problem{5, "not_sure must be true or false"}},
		{"question without scale", "id: x\ntitle: T\n" + strings.Replace(tail, ", scale: yesno", "", 1), problem{7, `question "q" has no scale`}},
		{"question without text", "id: x\ntitle: T\n" + strings.Replace(tail, "text: Q, ", "", 1), problem{7, `question "q" has no text`}},
		{"text question with descriptions", "id: x\ntitle: T\n" + strings.Replace(tail, "scale: yesno", "scale: text, option_descriptions: {yes: Y}", 1), problem{7, "a text question has no options to describe"}},
		{"band min not a number", "id: x\ntitle: T\n" + tail + "bands:\n  - {min: zero, label: Z}\n", problem{9, "band min must be a number"}},
		{"band without label", "id: x\ntitle: T\n" + tail + "bands:\n  - {min: 0}\n", problem{9, "band has no label"}},
		{"empty file", "", problem{0, "the file is empty"}},
		{"only a document marker", "---\n", problem{0, "the file is empty"}},
		{"null document", "~\n", problem{0, "the file is empty"}},
		{"syntax error in a second document", "id: x\ntitle: T\n" + tail + "---\nid: [\n", problem{9, "YAML syntax: "}},
		{"empty bands", "id: x\ntitle: T\n" + tail + "bands: []\n", problem{8, "bands must be a non-empty list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := framework.Parse("x.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("accepted: %+v", f)
			}
			prefix := "x.yaml: "
			if tt.want.line > 0 {
				prefix = fmt.Sprintf("x.yaml:%d: ", tt.want.line)
			}
			if !slices.ContainsFunc(strings.Split(err.Error(), "\n"), func(l string) bool {
				return strings.HasPrefix(l, prefix) && strings.Contains(l, tt.want.phrase)
			}) {
				t.Errorf("no problem %q containing %q in:\n%v", prefix, tt.want.phrase, err)
			}
		})
	}
}

const (
	fwA    = "id: a\ntitle: A\nsections:\n  - id: s\n    title: S\n    questions:\n      - {id: q, text: Q, scale: yesno}\n"
	fwB    = "id: b\ntitle: B\nsections:\n  - id: s\n    title: S\n    questions:\n      - {id: q, text: Q, scale: yesno}\n"
	fwANew = "id: a\ntitle: A, edited\nsections:\n  - id: s\n    title: S\n    questions:\n      - {id: q, text: Q, scale: yesno}\n      - {id: r, text: R, scale: yesno}\n"
	fwBad  = "id: c\ntitle: C\nsections:\n  - id: s\n    title: S\n    questions:\n      - {id: q, text: Q, scale: nope}\n"
)

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

func TestLoad(t *testing.T) {
	embedded := mapFS(map[string]string{"a.yaml": fwA, "b.yml": fwB, "README.md": "not a framework", "sub/c.yaml": fwBad})
	t.Run("override by id", func(t *testing.T) {
		dir := mapFS(map[string]string{"mine.yaml": fwANew})
		cat, err := framework.Load(framework.Source{FS: embedded, Label: "frameworks"}, framework.Source{FS: dir, Label: "/etc/fw"})
		if err != nil {
			t.Fatal(err)
		}
		if got := cat.IDs(); !slices.Equal(got, []string{"a", "b"}) {
			t.Errorf("IDs = %v", got)
		}
		a, _ := cat.Get("a")
		if a.Title != "A, edited" || a.File != "/etc/fw/mine.yaml" || len(a.Sections[0].Questions) != 2 {
			t.Errorf("a = %q from %q, want the second source's", a.Title, a.File)
		}
		b, _ := cat.Get("b")
		if b.File != "frameworks/b.yml" {
			t.Errorf("b from %q", b.File)
		}
		if _, ok := cat.Get("c"); ok {
			t.Errorf("a file in a subdirectory was loaded")
		}
		if all := cat.All(); len(all) != 2 || all[0] != a || all[1] != b {
			t.Errorf("All() = %v", all)
		}
	})
	t.Run("the order of sources decides", func(t *testing.T) {
		dir := mapFS(map[string]string{"mine.yaml": fwANew})
		cat, err := framework.Load(framework.Source{FS: dir, Label: "/etc/fw"}, framework.Source{FS: embedded, Label: "frameworks"})
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := cat.Get("a"); a.File != "frameworks/a.yaml" {
			t.Errorf("a from %q, want frameworks/a.yaml", a.File)
		}
	})
	t.Run("same id twice in one source", func(t *testing.T) {
		dir := mapFS(map[string]string{"one.yaml": fwA, "two.yaml": fwA})
		cat, err := framework.Load(framework.Source{FS: dir, Label: "dir"})
		if err == nil || cat != nil {
			t.Fatalf("Load = %v, %v; want an error and no catalog", cat, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "dir/two.yaml:1: ") || !strings.Contains(msg, `framework id "a" is also used by dir/one.yaml`) {
			t.Errorf("error does not name both files:\n%v", msg)
		}
	})
	t.Run("one bad file fails the whole load", func(t *testing.T) {
		dir := mapFS(map[string]string{"a.yaml": fwA, "b.yaml": fwB, "c.yaml": fwBad})
		cat, err := framework.Load(framework.Source{FS: dir, Label: "dir"})
		if err == nil || cat != nil {
			t.Fatalf("Load = %v, %v; want an error and no catalog", cat, err)
		}
		if !strings.Contains(err.Error(), `dir/c.yaml:7: unknown scale "nope"`) {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("problems from every source", func(t *testing.T) {
		one := mapFS(map[string]string{"a.yaml": fwA, "c.yaml": fwBad})
		two := mapFS(map[string]string{"bad.yaml": "id: [\n"})
		_, err := framework.Load(framework.Source{FS: one, Label: "one"}, framework.Source{FS: two, Label: "two"})
		var fe *framework.Error
		if !errors.As(err, &fe) || len(fe.Problems) != 2 {
			t.Fatalf("Load error = %v, want 2 problems", err)
		}
		if fe.Problems[0].File != "one/c.yaml" || fe.Problems[1].File != "two/bad.yaml" {
			t.Errorf("problems = %+v", fe.Problems)
		}
	})
	t.Run("unreadable directory", func(t *testing.T) {
		_, err := framework.Load(framework.Source{FS: os.DirFS(filepath.Join(t.TempDir(), "missing")), Label: "missing"})
		if err == nil || !strings.Contains(err.Error(), "missing: cannot read directory") {
			t.Errorf("Load = %v", err)
		}
	})
	t.Run("testdata as a directory", func(t *testing.T) {
		// The bad fixtures sit next to good.yaml; loading the directory must
		// refuse all of it, as a FRAMEWORKS_DIR with one broken file would.
		cat, err := framework.Load(framework.Source{FS: os.DirFS("testdata"), Label: "testdata"})
		if err == nil || cat != nil {
			t.Fatalf("Load(testdata) = %v, %v", cat, err)
		}
		if strings.Contains(err.Error(), "testdata/good.yaml") {
			t.Errorf("good.yaml reported:\n%v", err)
		}
	})
}

// genFramework writes a framework of sections × perSection yes/no
// questions, with extra YAML at the top level.
func genFramework(sections, perSection int, extra string) string {
	var b strings.Builder
	b.WriteString("id: big\ntitle: Big\n" + extra + "sections:\n")
	for s := range sections {
		fmt.Fprintf(&b, "  - id: s%d\n    title: \"Section %d\"\n    questions:\n", s, s)
		for q := range perSection {
			fmt.Fprintf(&b, "      - {id: s%d-q%d, text: \"Question?\", scale: yesno}\n", s, q)
		}
	}
	return b.String()
}

// TestParseLimits: a framework far larger than a review can hold is refused
// with the limit it passes, at its line.
func TestParseLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	one := "  - id: one\n    title: One\n    questions:\n      - {id: q1, text: \"Q?\", scale: yesno"
	tests := []struct {
		name, yaml string
		want       string // file:line: message, "" = accepted
	}{
		{"100 questions in a section", genFramework(1, 100, ""), ""},
		{"101 questions in a section", genFramework(1, 101, ""), `test.yaml:7: section "s0" has 101 questions; a section has at most 100`},
		{"500 questions", genFramework(5, 100, ""), ""},
		{"504 questions", genFramework(6, 84, ""), `test.yaml:4: 504 questions; a framework has at most 500`},
		{"40 sections", genFramework(40, 1, ""), ""},
		{"41 sections", genFramework(41, 1, ""), `test.yaml:4: 41 sections; a framework has at most 40`},
		{"description of 3000", genFramework(1, 1, "description: "+long(3000)+"\n"), ""},
		{"description of 3001", genFramework(1, 1, "description: "+long(3001)+"\n"), `test.yaml:3: framework description is 3001 characters; at most 3000`},
		{"a 9 MB description", genFramework(1, 1, "description: "+long(9<<20)+"\n"), `test.yaml: the file is %d bytes; a framework file is at most 8388608 (8 MiB)`},
		{"source", genFramework(1, 1, "source: "+long(3001)+"\n"), `test.yaml:3: framework source is 3001 characters; at most 3000`},
		{"title", strings.Replace(genFramework(1, 1, ""), "title: Big", "title: "+long(151), 1), `test.yaml:2: title is 151 characters; Slack shows at most 150`},
		{"section description", "id: x\ntitle: X\nsections:\n  - id: one\n    title: One\n    description: " + long(3001) + "\n    questions:\n      - {id: q1, text: \"Q?\", scale: yesno}\n",
			`test.yaml:6: section description is 3001 characters; at most 3000`},
		{"help", "id: x\ntitle: X\nsections:\n" + one + ", help: " + long(3001) + "}\n", `test.yaml:7: question help is 3001 characters; at most 3000`},
		{"option description", "id: x\ntitle: X\nsections:\n" + one + ", option_descriptions: {yes: " + long(3001) + "}}\n",
			`test.yaml:7: option_descriptions: yes is 3001 characters; at most 3000`},
		{"question text", "id: x\ntitle: X\nsections:\n  - id: one\n    title: One\n    questions:\n      - {id: q1, text: " + long(3001) + ", scale: yesno}\n",
			`test.yaml:7: question text is 3001 characters; keep it under 3000`},
		{"band label", "id: x\ntitle: X\nsections:\n" + one + "}\nbands:\n  - {min: 0, label: " + long(151) + "}\n",
			`test.yaml:9: band label is 151 characters; at most 150`},
		{"21 bands", genFramework(1, 30, "") + "bands:\n" + func() string {
			var b strings.Builder
			for i := range 21 {
				fmt.Fprintf(&b, "  - {min: %d, label: B%d}\n", i, i)
			}
			return b.String()
		}(), `test.yaml:38: 21 bands; at most 20`},
		{"a band past the maximum", "id: x\ntitle: X\nsections:\n" + one + "}\n      - {id: q2, text: \"Q?\", scale: yesno}\nbands:\n  - {min: 0, label: Low}\n  - {min: 2.5, label: All}\n",
			`test.yaml:11: band "All" starts at 2.5 points, but no respondent can reach it: the most is 2 points (the best answer to each of 2 rated questions)`},
		{"a band at the maximum is reachable", "id: x\ntitle: X\nsections:\n" + one + "}\nbands:\n  - {min: 0, label: Low}\n  - {min: 1, label: All}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := framework.Parse("test.yaml", []byte(tt.yaml))
			if strings.Contains(tt.want, "%d") {
				tt.want = fmt.Sprintf(tt.want, len(tt.yaml))
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Parse: %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("Parse = %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestProblemsInLineOrder: whatever order the checks run in, a file's
// problems come in the order of its lines.
func TestProblemsInLineOrder(t *testing.T) {
	names, _ := filepath.Glob("testdata/bad-*.yaml")
	for _, name := range names {
		_, err := parseFile(t, name)
		var fe *framework.Error
		if !errors.As(err, &fe) {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.IsSortedFunc(fe.Problems, func(a, b framework.Problem) int { return a.Line - b.Line }) {
			t.Errorf("%s: problems out of line order:\n%v", name, err)
		}
	}
	// Bands are checked after the sections, yet a band problem above a
	// section's comes first.
	_, err := framework.Parse("test.yaml", []byte("id: x\ntitle: X\nbands:\n  - {min: 1, label: Low}\nsections:\n  - id: one\n    title: One\n    questions:\n      - {id: q1, text: \"Q?\", scale: nope}\n"))
	if want := "test.yaml:4: the first band must start at 0 so every total has a band (it starts at 1)\ntest.yaml:9: unknown scale \"nope\" (define it under scales:, or use yesno or text)"; err == nil || err.Error() != want {
		t.Errorf("Parse = %v\nwant %s", err, want)
	}
}
