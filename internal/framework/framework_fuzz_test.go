package framework

// An internal test, so the limits checked are the loader's own constants.

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/assessbot/assessbot/internal/assessment"
)

// fuzzSeedFiles are the shipped frameworks and the test files, good and bad.
func fuzzSeedFiles(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{"../../frameworks/*.yaml", "testdata/*.yaml"} {
		names, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				tb.Fatal(err)
			}
			out[name] = data
		}
	}
	if len(out) < 5 {
		tb.Fatalf("only %d seed files found", len(out))
	}
	return out
}

const fuzzMini = "id: x\ntitle: T\nsections:\n  - id: a\n    title: A\n    questions:\n      - {id: q, text: Q, scale: yesno}\n"

func FuzzParse(f *testing.F) {
	for _, data := range fuzzSeedFiles(f) {
		f.Add(data)
	}
	for _, s := range []string{
		fuzzMini,
		"---\n" + fuzzMini + "...\n",
		fuzzMini + "---\n" + fuzzMini,
		fuzzMini + "bands:\n  - {min: .nan, label: A}\n",
		fuzzMini + "bands:\n  - {min: -.inf, label: A}\n  - {min: .inf, label: B}\n",
		fuzzMini + "bands:\n  - {min: 0, label: A}\n  - {min: .nan, label: B}\n",
		"id: x\ntitle: T\nscales:\n  s:\n    options:\n      - {id: a, label: A, score: .nan}\n      - {id: b, label: B}\nsections:\n  - id: a\n    title: A\n    questions:\n      - {id: q, text: Q, scale: s}\n",
		"id: x\ntitle: T\nscales:\n  s:\n    not_sure: yes\n    options:\n      - {id: a, label: A, score: 1e400}\n      - {id: b, label: B, score: -0}\nsections:\n  - id: a\n    title: A\n    questions:\n      - {id: q, text: Q, scale: s, option_descriptions: {a: x, zz: y}}\n",
		"id: &a x\ntitle: *a\nsections:\n  - id: *a\n    title: A\n    questions:\n      - {id: q, text: Q, scale: text, option_descriptions: {a: b}}\n",
		"<<: {id: x}\ntitle: T\nsections: []\n",
		"id: x\ntitle: T\nsections:\n  - id: a\n    title: A\n    questions:\n      - {id: q, text: Q, scale: yesno}\n      - {id: q, text: Q, scale: text}\n",
		"id: X\ntitle: \"\"\nsections: {}\n",
		"[1, 2",
		"id: x\n\ttitle: T\n",
		"\ufeffid: x\n",
		"!!binary aGVsbG8=",
		"id: x\ntitle: T\nscales:\n  yesno: {options: [{id: a, label: A}, {id: b, label: B}]}\n  text: {}\n  s: {options: 1}\nsections:\n  - id: a\n    title: A\n    questions:\n      - {id: q, text: Q, scale: s}\n",
		"---\n---\n",
		"~",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		fw, err := Parse(name, data)
		if (fw == nil) == (err == nil) {
			t.Fatalf("Parse gave framework %v and error %v: want exactly one", fw != nil, err)
		}
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *Error: %v", err, err)
			}
			if len(fe.Problems) == 0 {
				t.Fatal("an *Error with no problems")
			}
			for _, p := range fe.Problems {
				if strings.TrimSpace(p.Msg) == "" || p.Line < 0 || p.File != name {
					t.Fatalf("bad problem %+v", p)
				}
			}
			if err.Error() == "" {
				t.Fatal("empty error text")
			}
			return
		}
		checkFramework(t, fw)
		if fw.File != name {
			t.Errorf("File = %q", fw.File)
		}
		// A review stores its framework as JSON; what loads must store and
		// come back the same.
		raw, err := json.Marshal(fw)
		if err != nil {
			t.Fatalf("the framework loads but cannot be stored: %v", err)
		}
		var back assessment.Framework
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatalf("the stored framework does not load: %v", err)
		}
		if !reflect.DeepEqual(&back, fw) {
			t.Fatalf("the framework changed through JSON:\n%+v\n%+v", fw, &back)
		}
		// Parsing is deterministic.
		again, err := Parse(name, data)
		if err != nil || !reflect.DeepEqual(again, fw) {
			t.Fatalf("a second Parse differs: %v", err)
		}
	})
}

// checkFramework fails t unless f keeps every limit Parse promises.
func checkFramework(t *testing.T, f *assessment.Framework) {
	t.Helper()
	validID := func(what, id string) {
		if !assessment.IDPattern.MatchString(id) || len(id) > 60 {
			t.Fatalf("%s id %q", what, id)
		}
	}
	runes := func(what, s string, lo, hi int) {
		if n := utf8.RuneCountInString(s); n < lo || n > hi || s != strings.TrimSpace(s) {
			t.Fatalf("%s %q: %d characters, want %d..%d, trimmed", what, s, n, lo, hi)
		}
	}
	validID("framework", f.ID)
	runes("title", f.Title, 1, maxTitle)
	if len(f.Sections) == 0 {
		t.Fatal("no sections")
	}
	sections, questions, used := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range f.Sections {
		validID("section", s.ID)
		if sections[s.ID] {
			t.Fatalf("section %q twice", s.ID)
		}
		sections[s.ID] = true
		runes("section title", s.Title, 1, maxTitle)
		if len(s.Questions) == 0 {
			t.Fatalf("section %q has no questions", s.ID)
		}
		for _, q := range s.Questions {
			validID("question", q.ID)
			if questions[q.ID] {
				t.Fatalf("question %q twice", q.ID)
			}
			questions[q.ID] = true
			runes("question text", q.Text, 1, maxQuestionText)
			sc := f.Scales[q.Scale]
			if sc == nil {
				t.Fatalf("question %q: scale %q is not in f.Scales", q.ID, q.Scale)
			}
			used[q.Scale] = true
			if sc.ID != q.Scale || sc.Text != (q.Scale == assessment.ScaleText) {
				t.Fatalf("question %q: scale %q is %+v", q.ID, q.Scale, sc)
			}
			for id := range q.OptionDescriptions {
				if _, ok := sc.Option(id); !ok {
					t.Fatalf("question %q describes option %q, not in scale %q", q.ID, id, q.Scale)
				}
			}
			if ref, ok := f.Lookup(q.ID); !ok || ref.Question.ID != q.ID || ref.Scale != sc {
				t.Fatalf("Lookup(%q) = %+v, %v", q.ID, ref, ok)
			}
		}
	}
	for name, sc := range f.Scales {
		if !used[name] {
			t.Fatalf("scale %q is not used", name)
		}
		if sc.Text {
			if len(sc.Options) != 0 {
				t.Fatalf("text scale %q has options", name)
			}
			continue
		}
		max := maxOptions
		if sc.NotSure {
			max-- // "Not sure" takes a place
		}
		if n := len(sc.Options); n < 2 || n > max {
			t.Fatalf("scale %q has %d options (not sure %v)", name, n, sc.NotSure)
		}
		ids := map[string]bool{}
		for _, o := range sc.Options {
			validID("option", o.ID)
			if o.ID == assessment.NotSure || o.ID == "not-sure" || ids[o.ID] {
				t.Fatalf("scale %q: option id %q reserved or twice", name, o.ID)
			}
			ids[o.ID] = true
			runes("option label", o.Label, 1, maxOptionLabel)
			if !(o.Score >= 0 && o.Score <= 1) {
				t.Fatalf("scale %q: option %q score %v outside [0,1]", name, o.ID, o.Score)
			}
		}
	}
	for i, b := range f.Bands {
		if math.IsNaN(b.Min) || math.IsInf(b.Min, 0) {
			t.Fatalf("band %d: min %v", i, b.Min)
		}
		if strings.TrimSpace(b.Label) == "" {
			t.Fatalf("band %d has no label", i)
		}
		if i == 0 && b.Min > 0 {
			t.Fatalf("first band starts at %v", b.Min)
		}
		if i > 0 && !(b.Min > f.Bands[i-1].Min) {
			t.Fatalf("bands not strictly increasing: %v", f.Bands)
		}
	}
}
