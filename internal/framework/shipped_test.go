package framework_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
)

// shape is what a shipped framework must look like, counted from its seed
// document in ../shared/seeds.
type shape struct {
	file string
	// sectionSizes is the number of questions in each section, in order.
	sectionSizes []int
	scored, text int
	// scoredScale is the one scale every scored question uses.
	scoredScale string
	// options are the option ids of scoredScale, worst first.
	options   []string
	bandMins  []float64
	bandLabel []string
	// check holds what is particular to one framework.
	check func(t *testing.T, f *assessment.Framework)
}

var shipped = map[string]shape{
	"cs-excellence": {
		file:         "frameworks/cs-excellence.yaml",
		sectionSizes: []int{7, 8, 8, 7, 8, 7, 10}, // 55
		scored:       55,
		scoredScale:  assessment.ScaleYesNo,
		options:      []string{"no", "yes"},
		bandMins:     []float64{0, 15, 30, 45},
		bandLabel:    []string{"There's work to be done!", "Making progress", "High performance", "World Class!"},
	},
	"cs-checklist": {
		file:         "frameworks/cs-checklist.yaml",
		sectionSizes: []int{7, 6, 4, 5, 5, 5}, // 32
		scored:       32,
		scoredScale:  assessment.ScaleYesNo,
		options:      []string{"no", "yes"},
	},
	"cs-foundations": {
		file:         "frameworks/cs-foundations.yaml",
		sectionSizes: []int{2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2},
		scored:       12,
		text:         12,
		scoredScale:  "knowledge",
		options:      []string{"unknown", "rough", "known", "documented"},
		check: func(t *testing.T, f *assessment.Framework) {
			// Each area: how well we know it (scored), then what we know (text).
			for _, s := range f.Sections {
				if got := s.Questions[0].Scale; got != "knowledge" {
					t.Errorf("section %s: first question on scale %q, want knowledge", s.ID, got)
				}
				if got := s.Questions[1].Scale; got != assessment.ScaleText {
					t.Errorf("section %s: second question on scale %q, want text", s.ID, got)
				}
			}
		},
	},
	"saas-cs-assessment": {
		file: "frameworks/saas-cs-assessment.yaml",
		// Each category's requirements plus one "key improvement actions" text.
		sectionSizes: []int{2 + 1, 3 + 1, 3 + 1, 7 + 1, 4 + 1, 4 + 1, 4 + 1, 4 + 1},
		scored:       31,
		text:         8,
		scoredScale:  "maturity",
		options:      []string{"not-in-place", "ad-hoc", "defined", "managed", "optimised"},
		check: func(t *testing.T, f *assessment.Framework) {
			for _, s := range f.Sections {
				last := s.Questions[len(s.Questions)-1]
				if last.Scale != assessment.ScaleText {
					t.Errorf("section %s: last question %s on scale %q, want the text question last", s.ID, last.ID, last.Scale)
				}
			}
		},
	},
	"cs-exec-maturity": {
		file:         "frameworks/cs-exec-maturity.yaml",
		sectionSizes: []int{10},
		scored:       10,
		scoredScale:  "level",
		options:      []string{"poor", "average", "excellent"},
		check: func(t *testing.T, f *assessment.Framework) {
			for _, ref := range f.Questions() {
				q := ref.Question
				if len(q.OptionDescriptions) != 3 {
					t.Errorf("question %s: %d option descriptions, want 3", q.ID, len(q.OptionDescriptions))
				}
				for _, o := range []string{"poor", "average", "excellent"} {
					if strings.TrimSpace(q.OptionDescriptions[o]) == "" {
						t.Errorf("question %s: no description for %s", q.ID, o)
					}
				}
			}
		},
	},
}

// TestShippedFrameworks loads every shipped framework the way the bot does
// and checks its exact shape, so a slip in a transcription fails the build.
func TestShippedFrameworks(t *testing.T) {
	cat, err := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	if err != nil {
		t.Fatalf("Load shipped frameworks:\n%v", err)
	}
	if got, want := cat.IDs(), slices.Sorted(maps.Keys(shipped)); !slices.Equal(got, want) {
		t.Fatalf("shipped ids = %v, want %v", got, want)
	}
	for id, sh := range shipped {
		t.Run(id, func(t *testing.T) {
			f, ok := cat.Get(id)
			if !ok {
				t.Fatalf("framework %s not loaded", id)
			}
			if f.File != sh.file {
				t.Errorf("File = %q, want %q", f.File, sh.file)
			}
			if f.Title == "" || f.Source == "" {
				t.Errorf("title %q / source %q: both are required for a shipped framework", f.Title, f.Source)
			}
			var sizes []int
			for _, s := range f.Sections {
				sizes = append(sizes, len(s.Questions))
			}
			if !slices.Equal(sizes, sh.sectionSizes) {
				t.Errorf("section sizes = %v, want %v", sizes, sh.sectionSizes)
			}
			scored, text := f.CountQuestions()
			if scored != sh.scored || text != sh.text {
				t.Errorf("CountQuestions() = %d scored, %d text; want %d, %d", scored, text, sh.scored, sh.text)
			}
			for _, ref := range f.Questions() {
				if ref.Scale == nil {
					t.Errorf("question %s: no scale", ref.Question.ID)
					continue
				}
				if !ref.Scale.Text && ref.Question.Scale != sh.scoredScale {
					t.Errorf("question %s: scale %q, want %q", ref.Question.ID, ref.Question.Scale, sh.scoredScale)
				}
			}
			sc := f.Scales[sh.scoredScale]
			if sc == nil {
				t.Fatalf("no scale %q", sh.scoredScale)
			}
			var opts []string
			for _, o := range sc.Options {
				opts = append(opts, o.ID)
			}
			if !slices.Equal(opts, sh.options) {
				t.Errorf("scale %s options = %v, want %v", sh.scoredScale, opts, sh.options)
			}
			if !sc.NotSure {
				t.Errorf("scale %s has no \"not sure\"", sh.scoredScale)
			}
			var mins []float64
			var labels []string
			for _, b := range f.Bands {
				mins = append(mins, b.Min)
				labels = append(labels, b.Label)
			}
			if !slices.Equal(mins, sh.bandMins) || !slices.Equal(labels, sh.bandLabel) {
				t.Errorf("bands = %v %q, want %v %q", mins, labels, sh.bandMins, sh.bandLabel)
			}
			checkLimits(t, f)
			if sh.check != nil {
				sh.check(t, f)
			}
		})
	}
}

// checkLimits asserts the limits every framework must meet: ids as in
// assessment.IDPattern, option labels that Slack accepts, scores in [0,1].
func checkLimits(t *testing.T, f *assessment.Framework) {
	t.Helper()
	if !assessment.IDPattern.MatchString(f.ID) {
		t.Errorf("framework id %q does not match %s", f.ID, assessment.IDPattern)
	}
	for _, s := range f.Sections {
		if !assessment.IDPattern.MatchString(s.ID) {
			t.Errorf("section id %q does not match %s", s.ID, assessment.IDPattern)
		}
		for _, q := range s.Questions {
			if !assessment.IDPattern.MatchString(q.ID) {
				t.Errorf("question id %q does not match %s", q.ID, assessment.IDPattern)
			}
			if strings.TrimSpace(q.Text) == "" {
				t.Errorf("question %s has no text", q.ID)
			}
		}
	}
	for name, sc := range f.Scales {
		for _, o := range sc.Options {
			if !assessment.IDPattern.MatchString(o.ID) {
				t.Errorf("scale %s: option id %q does not match %s", name, o.ID, assessment.IDPattern)
			}
			if n := utf8.RuneCountInString(o.Label); n == 0 || n > 75 {
				t.Errorf("scale %s: option %s label is %d characters, want 1..75", name, o.ID, n)
			}
			if o.Score < 0 || o.Score > 1 {
				t.Errorf("scale %s: option %s score %g outside [0,1]", name, o.ID, o.Score)
			}
		}
	}
}
