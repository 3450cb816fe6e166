package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/answersheet"
)

var update = flag.Bool("update", false, "rewrite golden files")

// runCLI runs the command line as main would, with FRAMEWORKS_DIR as given
// ("" = unset), and returns stdout and the exit code.
func runCLI(t *testing.T, frameworksDir string, args ...string) (stdout string, code int, err error) {
	t.Helper()
	t.Setenv("FRAMEWORKS_DIR", frameworksDir)
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), exitCode(err), err
}

// exitCode is the status main exits with for err.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// cliOK runs a command that must succeed and returns its stdout.
func cliOK(t *testing.T, frameworksDir string, args ...string) string {
	t.Helper()
	out, _, err := runCLI(t, frameworksDir, args...)
	if err != nil {
		t.Fatalf("assessbot %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// cliFails runs a command that must fail with code, and returns its error
// message.
func cliFails(t *testing.T, frameworksDir string, code int, args ...string) string {
	t.Helper()
	_, got, err := runCLI(t, frameworksDir, args...)
	if got != code {
		t.Fatalf("assessbot %s: exit %d (%v), want %d", strings.Join(args, " "), got, err, code)
	}
	return err.Error()
}

func wantContains(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("missing %q in:\n%s", sub, s)
		}
	}
}

// shippedFrameworks is what frameworks/ ships: id, sections, questions.
var shippedFrameworks = []struct {
	id                  string
	sections, questions int
}{
	{"cs-checklist", 6, 32},
	{"cs-excellence", 7, 55},
	{"cs-exec-maturity", 1, 10},
	{"cs-foundations", 12, 24},
	{"saas-cs-assessment", 8, 39},
}

type listRow struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Sections  int    `json:"sections"`
	Questions int    `json:"questions"`
	Scored    int    `json:"scored"`
	Open      int    `json:"open"`
}

func listJSON(t *testing.T, frameworksDir string) []listRow {
	t.Helper()
	var rows []listRow
	if err := json.Unmarshal([]byte(cliOK(t, frameworksDir, "frameworks", "list", "--format", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestFrameworksList(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		rows := listJSON(t, "")
		if len(rows) != len(shippedFrameworks) {
			t.Fatalf("%d frameworks, want exactly %d: %+v", len(rows), len(shippedFrameworks), rows)
		}
		for i, want := range shippedFrameworks {
			r := rows[i]
			if r.ID != want.id || r.Sections != want.sections || r.Questions != want.questions {
				t.Errorf("row %d = %s %d/%d, want %s %d/%d", i, r.ID, r.Sections, r.Questions, want.id, want.sections, want.questions)
			}
			if r.Title == "" || r.Scored+r.Open != r.Questions {
				t.Errorf("%s: title %q, scored %d + open %d != %d questions", r.ID, r.Title, r.Scored, r.Open, r.Questions)
			}
		}
	})
	t.Run("text", func(t *testing.T) {
		out := cliOK(t, "", "frameworks", "list")
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if len(lines) != 1+len(shippedFrameworks) {
			t.Fatalf("%d lines, want a header and %d frameworks:\n%s", len(lines), len(shippedFrameworks), out)
		}
		if got := strings.Fields(lines[0]); !slices.Equal(got, []string{"ID", "SECTIONS", "QUESTIONS", "RATED", "OPEN", "TITLE"}) {
			t.Errorf("header = %v", got)
		}
		for i, want := range shippedFrameworks {
			f := strings.Fields(lines[i+1])
			if len(f) < 6 || f[0] != want.id || f[1] != strconv.Itoa(want.sections) || f[2] != strconv.Itoa(want.questions) {
				t.Errorf("line %q, want %s %d %d ...", lines[i+1], want.id, want.sections, want.questions)
			}
		}
		wantContains(t, out, "Know Where You Are Before CS", "SaaS Customer Success Assessment")
	})
	t.Run("unknown format", func(t *testing.T) {
		wantContains(t, cliFails(t, "", 2, "frameworks", "list", "--format", "xml"), `unknown --format "xml"`)
	})
}

func TestFrameworksValidate(t *testing.T) {
	t.Run("shipped", func(t *testing.T) {
		out := cliOK(t, "", "frameworks", "validate")
		for _, f := range shippedFrameworks {
			wantContains(t, out, "ok  frameworks/"+f.id+".yaml ("+f.id+")\n")
		}
	})
	t.Run("good file", func(t *testing.T) {
		out := cliOK(t, "", "frameworks", "validate", "testdata/tiny.yaml")
		if out != "ok  testdata/tiny.yaml (tiny)\n" {
			t.Errorf("stdout = %q", out)
		}
	})
	t.Run("bad file", func(t *testing.T) {
		msg := cliFails(t, "", 1, "frameworks", "validate", "testdata/tiny.yaml", "testdata/bad-framework.yaml")
		want := `testdata/bad-framework.yaml:8: unknown field "colour" in section (allowed: id, title, description, questions)` + "\n" +
			`testdata/bad-framework.yaml:12: unknown scale "levels" (define it under scales:, or use yesno or text)`
		if msg != want {
			t.Errorf("error =\n%s\nwant\n%s", msg, want)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		wantContains(t, cliFails(t, "", 1, "frameworks", "validate", "testdata/no-such-file.yaml"), "testdata/no-such-file.yaml")
	})
}

func TestFrameworksShow(t *testing.T) {
	t.Run("cs-exec-maturity", func(t *testing.T) {
		out := cliOK(t, "", "frameworks", "show", "cs-exec-maturity")
		wantContains(t, out, "CS Executive Maturity  (cs-exec-maturity)", "Source: NuffSaid",
			"1 section, 10 questions to rate, 0 open questions", "answer: Poor / Average / Excellent / Not sure")
		// Every level of every question shows its description (wrapped).
		flat := strings.Join(strings.Fields(out), " ")
		f, ok := mustCatalog(t).Get("cs-exec-maturity")
		if !ok {
			t.Fatal("no cs-exec-maturity")
		}
		n := 0
		for _, q := range f.Sections[0].Questions {
			for _, o := range f.Scales[q.Scale].Options {
				d := q.OptionDescriptions[o.ID]
				if d == "" {
					t.Errorf("%s has no description for %s", q.ID, o.ID)
					continue
				}
				n++
				wantContains(t, flat, o.Label+": "+strings.Join(strings.Fields(d), " "))
			}
		}
		if n != 30 {
			t.Errorf("%d option descriptions, want 30 (10 questions × 3 levels)", n)
		}
	})
	t.Run("file with bands", func(t *testing.T) {
		out := cliOK(t, "", "frameworks", "show", "testdata/tiny.yaml")
		wantContains(t, out, "Tiny  (tiny)", "2 sections, 3 questions to rate, 1 open question",
			"answer: Low / Middle / High / Not sure", "answer: open text",
			"Bands (on a respondent's total points):\n  0 to 1.5: Starting\n  1.5 to 2.5: Growing\n  2.5 and up: Leading\n")
	})
	t.Run("unknown id", func(t *testing.T) {
		msg := cliFails(t, "", 1, "frameworks", "show", "nope")
		want := `no framework "nope"; known: cs-checklist, cs-excellence, cs-exec-maturity, cs-foundations, saas-cs-assessment (or give a .yaml file)`
		if msg != want {
			t.Errorf("error = %q, want %q", msg, want)
		}
	})
	t.Run("no id", func(t *testing.T) {
		wantContains(t, cliFails(t, "", 2, "frameworks", "show"), "usage: assessbot frameworks show ID")
	})
}

// frameworksDirWith makes a FRAMEWORKS_DIR holding copies of testdata files.
func frameworksDirWith(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFrameworksDir(t *testing.T) {
	t.Run("custom framework joins the shipped ones", func(t *testing.T) {
		dir := frameworksDirWith(t, "tiny.yaml")
		var ids []string
		for _, r := range listJSON(t, dir) {
			ids = append(ids, r.ID)
			if r.ID == "tiny" && (r.Sections != 2 || r.Questions != 4 || r.Scored != 3 || r.Open != 1) {
				t.Errorf("tiny = %+v, want 2 sections, 4 questions (3 rated, 1 open)", r)
			}
		}
		want := []string{"cs-checklist", "cs-excellence", "cs-exec-maturity", "cs-foundations", "saas-cs-assessment", "tiny"}
		if !slices.Equal(ids, want) {
			t.Errorf("ids = %v, want %v", ids, want)
		}
		wantContains(t, cliOK(t, dir, "frameworks", "validate"), "ok  "+filepath.Join(dir, "tiny.yaml")+" (tiny)\n")
		wantContains(t, cliOK(t, dir, "frameworks", "show", "tiny"), "Tiny  (tiny)")
	})
	t.Run("a bad file fails the whole list", func(t *testing.T) {
		dir := frameworksDirWith(t, "tiny.yaml", "bad-framework.yaml")
		path := filepath.Join(dir, "bad-framework.yaml")
		for _, args := range [][]string{
			{"frameworks", "list"},
			{"frameworks", "list", "--format", "json"},
			{"frameworks", "validate"},
			{"frameworks", "show", "tiny"},
		} {
			msg := cliFails(t, dir, 1, args...)
			wantContains(t, msg, path+`:8: unknown field "colour"`, path+`:12: unknown scale "levels"`)
		}
	})
	t.Run("not a directory", func(t *testing.T) {
		wantContains(t, cliFails(t, "testdata/tiny.yaml", 1, "frameworks", "list"), "FRAMEWORKS_DIR=testdata/tiny.yaml: not a directory")
	})
}

// scoreOutput is the JSON of `assessbot score --format json`.
type scoreOutput struct {
	Framework   string   `json:"framework"`
	Title       string   `json:"title"`
	Respondents int      `json:"respondents"`
	Threshold   int      `json:"threshold"`
	Detail      int      `json:"detail"`
	Band        *string  `json:"band"`
	Alignment   *float64 `json:"alignment"`
	Bands       *struct {
		Label      string  `json:"label"`
		MeanPoints float64 `json:"mean_points"`
		MaxPoints  float64 `json:"max_points"`
		Counts     []struct {
			Label string `json:"label"`
			Count int    `json:"count"`
		} `json:"counts"`
	} `json:"bands"`
	Sections  []scoreFigures `json:"sections"`
	Questions []scoreFigures `json:"questions"`
	Withheld  []struct {
		Figure   string   `json:"figure"`
		Why      string   `json:"why"`
		Need     int      `json:"need"`
		Sections []string `json:"sections"`
	} `json:"withheld"`
}

type scoreFigures struct {
	ID            string         `json:"id"`
	Title         string         `json:"title"`
	Section       string         `json:"section"`
	Score         *float64       `json:"score"`
	Divergence    *float64       `json:"divergence"`
	Agreement     *float64       `json:"agreement"`
	AgreementBand string         `json:"agreement_band"`
	Split         bool           `json:"split"`
	Answered      int            `json:"answered"`
	NotSure       int            `json:"not_sure"`
	Withheld      bool           `json:"withheld"`
	Options       map[string]int `json:"options"`
	Texts         []string       `json:"texts"`
}

// figures is what a test expects of one section or question; nullFig (NaN)
// stands for a JSON null.
type figures struct {
	score, divergence, agreement float64
	band                         string
	answered, notSure            int
	withheld                     bool
}

var nullFig = math.NaN() // a JSON null in figures

// hidden is a figure the disclosure model withholds whole.
var hidden = figures{nullFig, nullFig, nullFig, "", 0, 0, true}

func checkFigures(t *testing.T, what string, got scoreFigures, want figures) {
	t.Helper()
	num := func(name string, p *float64, w float64) {
		switch {
		case math.IsNaN(w) && p != nil:
			t.Errorf("%s %s = %v, want null", what, name, *p)
		case !math.IsNaN(w) && p == nil:
			t.Errorf("%s %s = null, want %.6f", what, name, w)
		case p != nil && math.Abs(*p-w) > 1e-6:
			t.Errorf("%s %s = %.9f, want %.6f", what, name, *p, w)
		}
	}
	num("score", got.Score, want.score)
	num("divergence", got.Divergence, want.divergence)
	num("agreement", got.Agreement, want.agreement)
	if got.AgreementBand != want.band || got.Split != (want.band == "split") || got.Answered != want.answered || got.NotSure != want.notSure || got.Withheld != want.withheld {
		t.Errorf("%s band/split/answered/not_sure/withheld = %q/%v/%d/%d/%v, want %q/%v/%d/%d/%v", what,
			got.AgreementBand, got.Split, got.Answered, got.NotSure, got.Withheld, want.band, want.band == "split", want.answered, want.notSure, want.withheld)
	}
}

// TestScoreJSON scores testdata/tiny.csv and tiny6.csv (the same four and
// eve and fay) against testdata/tiny.yaml. By hand:
//
//	           has-playbook  tracks-health  onboarding  | basics  practice  points
//	ana        yes 1         yes 1          high 1      | 1       1         3
//	ben        yes 1         no 0           Middle .5   | .5      .5        1.5
//	cai        no 0          not sure       low 0       | 0       0         0
//	dee        yes 1         (empty)        mid .5      | 1       .5        1.5
//	eve        yes 1         yes 1          high 1      | 1       1         3
//	fay        no 0          no 0           low 0       | 0       0         0
//
// Four respondents (tiny.csv) are below the detail threshold of 5: no
// question figure, no count. Section basics shows its mean, (1 + .5 + 0 +
// 1)/4 = .625, but not its band: at four people and two yes/no questions
// the band could pin both questions' counts. Practice has one scored
// question: shown as a question, so withheld. The team band sums questions
// of two scales: withheld too.
//
// Six (tiny6.csv) show everything:
// has-playbook: 4 yes of 6, mean .666667; divergence 2·√(⅔·⅓) = .942809;
// agreement (2·⅔ − 1)² = 1/9: mixed.
// tracks-health: yes, no, yes, no (+ not sure; dee skipped): 5 answers,
// shown; mean .5, divergence 1, agreement 0: split.
// onboarding: levels 2,1,0,1,2,0, mean 1, s² 4/6 over σ² 2/3: agreement 0;
// scores mean .5, variance 1/6, divergence √(1/6)/.5 = .816497.
// Section basics: 1, .5, 0, 1, 1, 0: mean 3.5/6 = .583333, variance
// 1.208333/6, divergence .897527; r*wg(J): has-playbook s²/σ² = (8/36)/¼ =
// 8/9, tracks-health 1: 1 − 17/18 = 1/18, split; 1 not sure.
// Section practice: as onboarding.
// Band: points 3, 1.5, 0, 1.5, 3, 0: mean 1.5 → Growing; Starting 2,
// Growing 2, Leading 2. Alignment (1/9 + 0 + 0)/3 = 1/27.
func TestScoreJSON(t *testing.T) {
	texts := []string{"Good enough", "Health scores are \"gut feel\"", "Needs work", "Onboarding takes\ntoo long", "We onboard well, mostly"}
	six := struct{ sections, questions []figures }{
		[]figures{{0.583333, 0.897527, 1.0 / 18, "split", 6, 1, false}, {0.5, 0.816497, 0, "split", 6, 0, false}},
		[]figures{{2.0 / 3, 0.942809, 1.0 / 9, "mixed", 6, 0, false}, {0.5, 1, 0, "split", 4, 1, false}, {0.5, 0.816497, 0, "split", 6, 0, false},
			{nullFig, nullFig, nullFig, "", 5, 0, false}},
	}
	tests := []struct {
		name              string
		csv               string
		args              []string
		threshold, detail int
		band              string // "" = withheld
		alignment         float64
		sections          []figures
		questions         []figures
		texts             int
		withheld          []string // figure/why
	}{
		{"four: section means only", "tiny.csv", nil, 3, 5, "", nullFig,
			[]figures{{0.625, nullFig, nullFig, "", 0, 0, false}, hidden},
			[]figures{hidden, hidden, hidden, hidden}, 0,
			[]string{"team_band/small_section", "question/detail", "alignment/detail", "counts/detail", "open_answers/detail", "rows/detail",
				"section_mean/small_section", "section_agreement_band/band_pins"}},
		{"six: everything", "tiny6.csv", nil, 3, 5, "Growing", 1.0 / 27, six.sections, six.questions, 5, nil},
		// tracks-health has five answers but only four scores, fewer than
		// the threshold: its figures stay withheld, and the alignment is
		// (1/9 + 0)/2 over the two others.
		{"six, threshold 5", "tiny6.csv", []string{"--threshold", "5"}, 5, 5, "Growing", 1.0 / 18, six.sections,
			[]figures{six.questions[0], {nullFig, nullFig, nullFig, "", 4, 1, true}, six.questions[2], six.questions[3]}, 5, nil},
		// Detail 7: six is below it. Basics at six people and two yes/no
		// questions: "both 3–3" (split) is the one way to its mean with that
		// band, so the band stays withheld.
		{"six, detail 7: section level", "tiny6.csv", []string{"--detail", "7"}, 3, 7, "", nullFig,
			[]figures{{0.583333, nullFig, nullFig, "", 0, 0, false}, hidden},
			[]figures{hidden, hidden, hidden, hidden}, 0,
			[]string{"team_band/small_section", "question/detail", "alignment/detail", "counts/detail", "open_answers/detail", "rows/detail",
				"section_mean/small_section", "section_agreement_band/band_pins"}},
		{"six, threshold 7: nothing", "tiny6.csv", []string{"--threshold", "7"}, 7, 7, "", nullFig,
			[]figures{hidden, hidden},
			[]figures{hidden, hidden, hidden, hidden}, 0,
			[]string{"section_mean/threshold", "section_agreement_band/threshold", "team_band/threshold", "question/detail", "alignment/detail",
				"counts/detail", "open_answers/detail", "rows/detail"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"score", "--framework", "testdata/tiny.yaml", "--answers", "testdata/" + tt.csv, "--format", "json"}, tt.args...)
			raw := cliOK(t, "", args...)
			var got scoreOutput
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatal(err)
			}
			if got.Framework != "tiny" || got.Title != "Tiny" || got.Threshold != tt.threshold || got.Detail != tt.detail {
				t.Errorf("framework %q, title %q, threshold %d, detail %d", got.Framework, got.Title, got.Threshold, got.Detail)
			}
			switch {
			case tt.band == "" && (got.Band != nil || got.Bands != nil):
				t.Errorf("band = %v, bands %+v; want both null", got.Band, got.Bands)
			case tt.band != "" && (got.Band == nil || *got.Band != tt.band || got.Bands == nil):
				t.Errorf("band = %v, want %q", got.Band, tt.band)
			case tt.band != "":
				b := got.Bands
				var counts []string
				for _, c := range b.Counts {
					counts = append(counts, c.Label+" "+strconv.Itoa(c.Count))
				}
				if b.MeanPoints != 1.5 || b.MaxPoints != 3 || strings.Join(counts, ", ") != "Starting 2, Growing 2, Leading 2" {
					t.Errorf("bands = mean %v of %v, counts %v", b.MeanPoints, b.MaxPoints, counts)
				}
			}
			checkFigures(t, "alignment", scoreFigures{Score: got.Alignment}, figures{tt.alignment, nullFig, nullFig, "", 0, 0, false})
			if len(got.Sections) != 2 || got.Sections[0].ID != "basics" || got.Sections[0].Title != "Basics" ||
				got.Sections[1].ID != "practice" || got.Sections[1].Title != "Practice" {
				t.Fatalf("sections = %+v", got.Sections)
			}
			for i, want := range tt.sections {
				checkFigures(t, "section "+got.Sections[i].ID, got.Sections[i], want)
			}
			var qids []string
			for _, q := range got.Questions {
				qids = append(qids, q.Section+"/"+q.ID)
			}
			if want := []string{"basics/has-playbook", "basics/tracks-health", "practice/onboarding", "practice/comments"}; !slices.Equal(qids, want) {
				t.Fatalf("questions = %v, want %v", qids, want)
			}
			for i, want := range tt.questions {
				checkFigures(t, "question "+got.Questions[i].ID, got.Questions[i], want)
			}
			if o := got.Questions[0].Options; !got.Questions[0].Withheld && (o["yes"] != 4 || o["no"] != 2) {
				t.Errorf("has-playbook options = %v, want yes 4, no 2", o)
			}
			for _, q := range got.Questions {
				if q.Withheld && (q.Options != nil || q.Texts != nil) {
					t.Errorf("withheld question %s shows its options or texts: %v %v", q.ID, q.Options, q.Texts)
				}
			}
			gotTexts := slices.Sorted(slices.Values(got.Questions[3].Texts))
			if tt.texts == 0 && len(gotTexts) != 0 || tt.texts > 0 && !slices.Equal(gotTexts, texts) {
				t.Errorf("texts = %q, want %d of %q", gotTexts, tt.texts, texts)
			}
			var withheld []string
			for _, w := range got.Withheld {
				withheld = append(withheld, w.Figure+"/"+w.Why)
			}
			if !slices.Equal(withheld, tt.withheld) {
				t.Errorf("withheld = %v, want %v", withheld, tt.withheld)
			}

			// Withheld figures are null, not left out.
			var loose struct {
				Band      any              `json:"band"`
				Sections  []map[string]any `json:"sections"`
				Questions []map[string]any `json:"questions"`
			}
			if err := json.Unmarshal([]byte(raw), &loose); err != nil {
				t.Fatal(err)
			}
			for _, m := range append(loose.Sections, loose.Questions...) {
				for _, k := range []string{"id", "score", "divergence", "agreement", "answered", "not_sure"} {
					if _, ok := m[k]; !ok {
						t.Errorf("%v has no %q", m["id"], k)
					}
				}
			}
		})
	}
}

// TestScoreText compares the terminal digest of testdata/tiny.csv with
// golden files. Run go test ./cmd/assessbot -run TestScoreText -update to
// rewrite them after an intended change, and review the diff.
func TestScoreText(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"score-tiny.golden", nil},
		{"score-tiny6.golden", []string{"--answers", "testdata/tiny6.csv"}},
		{"score-tiny-threshold-5.golden", []string{"--threshold", "5"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			args := append([]string{"score", "--framework", "testdata/tiny.yaml", "--answers", "testdata/tiny.csv"}, tt.args...)
			got := cliOK(t, "", args...)
			// --format text is the default.
			if explicit := cliOK(t, "", append(args, "--format", "text")...); explicit != got {
				t.Errorf("--format text differs from the default")
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/assessbot -run TestScoreText -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("stdout differs from %s; run go test ./cmd/assessbot -run TestScoreText -update and review the diff\ngot:\n%s", path, got)
			}
		})
	}
}

func TestScoreByID(t *testing.T) {
	// A framework from FRAMEWORKS_DIR is found by id, like a shipped one.
	out := cliOK(t, frameworksDirWith(t, "tiny.yaml"), "score", "--framework", "tiny", "--answers", "testdata/tiny.csv")
	wantContains(t, out, "Tiny — digest\n4 respondents.")
}

func TestScoreErrors(t *testing.T) {
	const usageLine = "usage: assessbot score --framework ID|FILE --answers FILE.csv"
	tests := []struct {
		name string
		code int
		args []string
		want []string
	}{
		{"no flags", 2, nil, []string{usageLine}},
		{"no answers", 2, []string{"--framework", "tiny"}, []string{usageLine}},
		{"no framework", 2, []string{"--answers", "testdata/tiny.csv"}, []string{usageLine}},
		{"unknown flag", 2, []string{"--framework", "testdata/tiny.yaml", "--answers", "testdata/tiny.csv", "--colour"}, []string{"-colour"}},
		{"unknown format", 2, []string{"--framework", "testdata/tiny.yaml", "--answers", "testdata/tiny.csv", "--format", "xml"}, []string{`unknown --format "xml"`}},
		{"threshold 0", 2, []string{"--framework", "testdata/tiny.yaml", "--answers", "testdata/tiny.csv", "--threshold", "0"}, []string{"--threshold cannot be below 3"}},
		{"threshold 2", 2, []string{"--framework", "testdata/tiny.yaml", "--answers", "testdata/tiny.csv", "--threshold", "2"}, []string{"--threshold cannot be below 3"}},
		{"detail 4", 2, []string{"--framework", "testdata/tiny.yaml", "--answers", "testdata/tiny.csv", "--detail", "4"}, []string{"--detail cannot be below 5"}},
		{"unknown framework", 1, []string{"--framework", "nope", "--answers", "testdata/tiny.csv"}, []string{`no framework "nope"; known: cs-checklist,`}},
		{"bad framework file", 1, []string{"--framework", "testdata/bad-framework.yaml", "--answers", "testdata/tiny.csv"}, []string{"testdata/bad-framework.yaml:12: unknown scale"}},
		{"missing answers file", 1, []string{"--framework", "testdata/tiny.yaml", "--answers", "testdata/nope.csv"}, []string{"testdata/nope.csv"}},
		{"bad CSV", 1, []string{"--framework", "testdata/tiny.yaml", "--answers", "testdata/tiny-bad.csv"}, []string{
			`testdata/tiny-bad.csv: row 3, column "onboarding": unknown option "great" (use one of: low, mid, high, not sure, or leave empty)` +
				"\nnothing was scored"}},
		{"answers for another framework", 1, []string{"--framework", "cs-exec-maturity", "--answers", "testdata/tiny.csv"}, []string{
			`testdata/tiny.csv: row 1, column "has-playbook": no question "has-playbook" in framework cs-exec-maturity`, "nothing was scored"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FRAMEWORKS_DIR", "")
			var out bytes.Buffer
			err := run(context.Background(), append([]string{"score"}, tt.args...), &out, io.Discard)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d", got, err, tt.code)
			}
			wantContains(t, err.Error(), tt.want...)
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out.String())
			}
		})
	}
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown command", []string{"bogus"}, []string{`unknown command "bogus"`, "Usage:", "assessbot score --framework"}},
		{"frameworks alone", []string{"frameworks"}, []string{"usage: assessbot frameworks list|validate|show"}},
		{"unknown frameworks command", []string{"frameworks", "delete"}, []string{`unknown command "delete"`, "list|validate|show"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantContains(t, cliFails(t, "", 2, tt.args...), tt.want...)
		})
	}
	t.Run("help", func(t *testing.T) {
		wantContains(t, cliOK(t, "", "help"), "Usage:", "assessbot frameworks list", "assessbot score")
	})
}

// TestWriteLargeSheet writes the answer sheet that BENCHMARKS.md scores:
// ASSESSBOT_LARGE_SHEET=/tmp/large.csv go test ./cmd/assessbot/ -run TestWriteLargeSheet
// (216,000 respondents to cs-excellence, about 50 MB). It is skipped
// otherwise.
func TestWriteLargeSheet(t *testing.T) {
	path := os.Getenv("ASSESSBOT_LARGE_SHEET")
	if path == "" {
		t.Skip("set ASSESSBOT_LARGE_SHEET=FILE to write the large answer sheet")
	}
	f, ok := mustCatalog(t).Get("cs-excellence")
	if !ok {
		t.Fatal("no cs-excellence")
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(out)
	rng := rand.New(rand.NewPCG(1, 2))
	qs := f.Questions()
	w.WriteString(answersheet.RespondentColumn)
	for _, q := range qs {
		w.WriteString("," + q.Question.ID)
	}
	w.WriteString("\n")
	cells := []string{"yes", "no", "not sure", "", "Yes", "No"}
	for i := 1; i <= 216000; i++ {
		w.WriteString("r" + strconv.Itoa(i))
		for range qs {
			w.WriteString("," + cells[rng.IntN(len(cells))])
		}
		w.WriteString("\n")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMainProcess is main itself, run in a child process by mainProcess.
func TestMainProcess(t *testing.T) {
	args, ok := os.LookupEnv("ASSESSBOT_MAIN_ARGS")
	if !ok {
		t.Skip("main in a child process, for mainProcess")
	}
	os.Args = append([]string{"assessbot"}, strings.Split(args, "\n")...)
	main()
	os.Exit(0)
}

// mainProcess runs main with args in a child process: what a person sees
// on stdout and stderr, and the exit code.
func mainProcess(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
	cmd.Env = append(os.Environ(), "ASSESSBOT_MAIN_ARGS="+strings.Join(args, "\n"), "FRAMEWORKS_DIR=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// wantEnvironment is the environment the bot reads, as the README lists it.
var wantEnvironment = []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_URL", "REDIS_URL", "REDIS_PREFIX", "REDIS_MODE", "REDIS_WAIT_REPLICAS", "FRAMEWORKS_DIR",
	"ADMIN_USERS", "ADMIN_USERGROUP", "ADMIN_CACHE_TTL", "HTTP_ADDR", "LOG_LEVEL", "LOG_FORMAT", "WORKERS", "TICK", "LEASE", "RETENTION", "AWAY_WORDS"}

// TestHelpEnvironment: the environment table comes from app.Config, and
// every variable in it is explained.
func TestHelpEnvironment(t *testing.T) {
	var names []string
	for _, v := range environment() {
		names = append(names, v.name)
		if v.help == "" {
			t.Errorf("%s (a field of app.Config) has no help", v.name)
		}
	}
	if !slices.Equal(names, wantEnvironment) {
		t.Errorf("environment = %v, want %v", names, wantEnvironment)
	}
	table := environmentUsage()
	wantContains(t, table, "SLACK_API_URL        https://slack.com/api/", "HTTP_ADDR            :8080", "WORKERS              16", "TICK                 10s", "LEASE                2m", "REDIS_WAIT_REPLICAS  auto")
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"-help"}} {
		out := cliOK(t, "", args...)
		wantContains(t, out, "Usage:", "assessbot frameworks list", "assessbot frameworks template ID|FILE", "assessbot score", "assessbot version",
			"-threshold int", "-answers string", "-format string", "Environment (assessbot run):", "assessbot demo -h")
		for _, name := range wantEnvironment {
			wantContains(t, out, "  "+name+" ")
		}
	}
	wantContains(t, cliOK(t, "", "help", "score"), "Usage: assessbot score --framework ID|FILE --answers FILE.csv [flags]", "-threshold int")
	wantContains(t, cliOK(t, "", "help", "frameworks", "validate"), "Usage: assessbot frameworks validate [FILE|DIR...]")
	wantContains(t, cliFails(t, "", 2, "help", "nope"), `no command "nope"`)
}

// TestHelpUnknownCommand: help for a command that does not exist fails
// (exit 2) with a short message naming the commands, wherever it is asked.
func TestHelpUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"help", "nonsense"}, {"help", "frameworks", "nonsense"}, {"frameworks", "help", "nonsense"}, {"help", "run", "nonsense"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, code := mainProcess(t, args...)
			if code != 2 || stdout != "" {
				t.Fatalf("exit %d, stdout %q; want 2 and nothing", code, stdout)
			}
			wantContains(t, stderr, `no command "`+strings.Join(slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "help" }), " ")+`"`,
				"run, demo, frameworks list", "`assessbot help` lists them")
			if n := strings.Count(stderr, "\n"); n > 3 {
				t.Errorf("%d lines instead of a short message:\n%s", n, stderr)
			}
		})
	}
}

// TestHelpSaysAdminsFailClosed: with neither ADMIN_USERS nor
// ADMIN_USERGROUP set admin commands are refused (TestAdminsFailClosed),
// and `assessbot run --help` says so.
func TestHelpSaysAdminsFailClosed(t *testing.T) {
	out := cliOK(t, "", "run", "--help")
	wantContains(t, out, "With neither set, admin commands are refused")
	if strings.Contains(out, "everyone is an admin (") || strings.Contains(out, "with neither set, everyone") {
		t.Errorf("run --help says everyone is an admin by default:\n%s", out)
	}
}

// TestREADMEConfiguration: the README's configuration table is
// app.Variables, as `assessbot help` prints it: the same variables, in the
// same order, with the same defaults and the same words. -update rewrites
// the table from app.Variables.
func TestREADMEConfiguration(t *testing.T) {
	const path = "../../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	start := slices.Index(lines, "## Configuration")
	if start < 0 {
		t.Fatal("README.md has no ## Configuration section")
	}
	// The table's rows: from the first "| `" line after the heading to the
	// first line that is not a row.
	first := start + slices.IndexFunc(lines[start:], func(l string) bool { return strings.HasPrefix(l, "| `") })
	end := first
	for end < len(lines) && strings.HasPrefix(lines[end], "| `") {
		end++
	}
	var want []string
	for _, v := range environment() {
		def := "—"
		if v.def != "" {
			def = "`" + v.def + "`"
		}
		want = append(want, fmt.Sprintf("| `%s` | %s | %s |", v.name, def, v.help))
	}
	if *update {
		out := slices.Concat(lines[:first], want, lines[end:])
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got := lines[first:end]
	for i := range max(len(got), len(want)) {
		g, w := "(none)", "(none)"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("README.md row %d:\n got %s\nwant %s", i+1, g, w)
		}
	}
	if t.Failed() {
		t.Log("go test ./cmd/assessbot -run TestREADMEConfiguration -update rewrites the table from app.Variables")
	}
}

// TestHelpFlag: -h and --help on every command print its usage to stdout
// and exit 0; run --help does not start the bot.
func TestHelpFlag(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"run", "--help"}, []string{"Usage: assessbot run", "Environment (assessbot run):", "SLACK_BOT_TOKEN", "LEASE"}},
		{[]string{"run", "-h"}, []string{"Usage: assessbot run", "REDIS_URL"}},
		{[]string{"score", "-h"}, []string{"Usage: assessbot score", "-framework string", "-threshold int", "(default 3)"}},
		{[]string{"score", "--framework", "tiny", "--help"}, []string{"Usage: assessbot score"}},
		{[]string{"frameworks", "--help"}, []string{"assessbot frameworks list", "assessbot frameworks validate", "assessbot frameworks show", "assessbot frameworks template"}},
		{[]string{"frameworks", "list", "-h"}, []string{"Usage: assessbot frameworks list", "-format string"}},
		{[]string{"frameworks", "validate", "--help"}, []string{"Usage: assessbot frameworks validate [FILE|DIR...]"}},
		{[]string{"frameworks", "show", "-h"}, []string{"Usage: assessbot frameworks show ID|FILE"}},
		{[]string{"frameworks", "template", "--help"}, []string{"Usage: assessbot frameworks template ID|FILE"}},
		{[]string{"version", "-h"}, []string{"Usage: assessbot version"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			wantContains(t, cliOK(t, "", tt.args...), tt.want...)
		})
	}
	t.Run("demo -h", func(t *testing.T) {
		// demo's own FlagSet prints its usage; as a process, to stdout.
		stdout, stderr, code := mainProcess(t, "demo", "-h")
		if code != 0 || stderr != "" {
			t.Errorf("exit %d, stderr %q; want 0 and nothing", code, stderr)
		}
		wantContains(t, stdout, "-respondents int", "-framework string")
		if strings.Contains(stdout+stderr, "help requested") {
			t.Errorf("printed %q", "flag: help requested")
		}
	})
}

// TestCLIFlagErrorsOnce: a bad flag is reported once, with the usage, on
// stderr; exit 2.
func TestCLIFlagErrorsOnce(t *testing.T) {
	for _, args := range [][]string{
		{"score", "--bogus"},
		{"frameworks", "list", "--bogus"},
		{"demo", "--bogus"},
		{"run", "--bogus"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, code := mainProcess(t, args...)
			if code != 2 || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, stdout)
			}
			if n := strings.Count(stderr, "flag provided but not defined: -bogus"); n != 1 {
				t.Errorf("the error is on stderr %d times, want once:\n%s", n, stderr)
			}
			if !strings.Contains(stderr, "Usage") {
				t.Errorf("no usage on stderr:\n%s", stderr)
			}
		})
	}
}

// TestCLIExtraArguments: arguments a command does not take are refused,
// naming them.
func TestCLIExtraArguments(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "now"}, `assessbot run takes no arguments; extra: "now"`},
		{[]string{"version", "--", "x"}, `assessbot version takes no arguments; extra: "x"`},
		{[]string{"frameworks", "list", "all"}, `assessbot frameworks list takes no arguments; extra: "all"`},
		{[]string{"frameworks", "list", "--format", "json", "x", "y"}, `extra: "x" "y"`},
		{[]string{"frameworks", "show", "tiny", "more"}, `assessbot frameworks show takes 1 argument; extra: "more"`},
		{[]string{"frameworks", "template", "a", "b"}, `assessbot frameworks template takes 1 argument; extra: "b"`},
		{[]string{"score", "--framework", "testdata/tiny.yaml", "--answers", "testdata/tiny.csv", "testdata/other.csv"}, `assessbot score takes no arguments; extra: "testdata/other.csv"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			wantContains(t, cliFails(t, "", 2, tt.args...), tt.want)
		})
	}
	t.Run("usage without ID", func(t *testing.T) {
		wantContains(t, cliFails(t, "", 2, "frameworks", "template"), "usage: assessbot frameworks template ID|FILE")
	})
}

func TestVersion(t *testing.T) {
	out := cliOK(t, "", "version")
	wantContains(t, out, "assessbot ", "module:   github.com/assessbot/assessbot", "revision: ", "go:       go1.")
	for _, alias := range []string{"--version", "-version"} {
		if got := cliOK(t, "", alias); got != out {
			t.Errorf("%s = %q, want %q", alias, got, out)
		}
	}
}

// TestScoreSheets: what spreadsheets produce besides a plain CSV.
func TestScoreSheets(t *testing.T) {
	dir := t.TempDir()
	sheet := func(name, data string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	score := func(path string) []string {
		return []string{"score", "--framework", "testdata/tiny.yaml", "--answers", path, "--format", "json"}
	}
	want := cliOK(t, "", score("testdata/tiny.csv")...)
	t.Run("semicolons", func(t *testing.T) {
		semi := "respondent;has-playbook;tracks-health;onboarding;comments\n" +
			"ana;yes;yes;high;We onboard well, mostly\nben;Yes;no;Middle;\n" +
			"cai;no;not sure;low;\"Health scores are \"\"gut feel\"\"\"\ndee;yes;;mid;\"Onboarding takes\ntoo long\"\n"
		if got := cliOK(t, "", score(sheet("semi.csv", semi))...); got != want {
			t.Errorf("semicolon sheet scores\n%s\nwant\n%s\nsheet:\n%s", got, want, semi)
		}
	})
	t.Run("tabs", func(t *testing.T) {
		tabs := "respondent\thas-playbook\ttracks-health\tonboarding\tcomments\n" +
			"ana\tyes\tyes\thigh\tWe onboard well, mostly\nben\tYes\tno\tMiddle\t\n" +
			"cai\tno\tnot sure\tlow\t\"Health scores are \"\"gut feel\"\"\"\ndee\tyes\t\tmid\t\"Onboarding takes\ntoo long\"\n"
		if got := cliOK(t, "", score(sheet("tabs.tsv", tabs))...); got != want {
			t.Errorf("tab sheet scores\n%s\nwant\n%s", got, want)
		}
	})
	tests := []struct {
		name, data string
		want       []string
	}{
		{"header only", "respondent,has-playbook,tracks-health,onboarding,comments\n",
			[]string{"header.csv: the file has no answers, only the header row", "nothing was scored"}},
		{"rows without answers", "respondent,has-playbook\nana,\nben,\n",
			[]string{"header.csv: the file has no answers: 2 rows but every cell after the respondent is empty"}},
		{"short row", "respondent,has-playbook,tracks-health\nana,yes\n",
			[]string{`header.csv: row 2, column "tracks-health": the row ends before this column: 2 cells but the header has 3 columns`}},
		{"a workbook", "PK\x03\x04\x14\x00\x00\x00\x08\x00respondent,x",
			[]string{"header.csv: row 1: the file is not text (a NUL byte at offset 5)"}},
		{"binary garbage", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
			[]string{"header.csv: row 1: the file is not text (a NUL byte at offset 8)"}},
		{"Latin-1", "respondent,comments\nana,caf\xe9\n",
			[]string{"header.csv: row 2: the file is not UTF-8 text (byte 0xe9 at offset 27): save the sheet as CSV UTF-8"}},
		{"a huge bad cell", "respondent,has-playbook\nana," + strings.Repeat("y", 1<<20) + "\n",
			[]string{`header.csv: row 2, column "has-playbook": unknown option "` + strings.Repeat("y", 60) + `…"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := cliFails(t, "", 1, score(sheet("header.csv", tt.data))...)
			wantContains(t, msg, tt.want...)
			if len(msg) > 1000 {
				t.Errorf("the error is %d bytes long", len(msg))
			}
		})
	}
}

// TestFrameworksTemplate: the template, filled in, scores.
func TestFrameworksTemplate(t *testing.T) {
	out := cliOK(t, "", "frameworks", "template", "testdata/tiny.yaml")
	wantContains(t, out,
		"# Score it with: assessbot score --framework testdata/tiny.yaml --answers FILE.csv\n",
		"# onboarding: How good is our onboarding?: low | mid | high | not sure\n",
		"# comments: Anything else?: open text\n",
		"\nrespondent,has-playbook,tracks-health,onboarding,comments\n",
		"\n# example,yes,yes,mid,\"Free text, in quotes\"\n")
	// Filling in: the example row, uncommented, once per respondent; five
	// of them, so that question figures and open answers show.
	var example string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "# example,") {
			example = strings.TrimPrefix(l, "# example")
		}
	}
	filled := out
	for _, who := range []string{"ana", "ben", "cai", "dee", "eve"} {
		filled += who + example + "\n"
	}
	path := filepath.Join(t.TempDir(), "filled.csv")
	if err := os.WriteFile(path, []byte(filled), 0o600); err != nil {
		t.Fatal(err)
	}
	var got scoreOutput
	if err := json.Unmarshal([]byte(cliOK(t, "", "score", "--framework", "testdata/tiny.yaml", "--answers", path, "--format", "json")), &got); err != nil {
		t.Fatal(err)
	}
	if got.Respondents != 5 || got.Questions[2].Score == nil || *got.Questions[2].Score != 0.5 || len(got.Questions[3].Texts) != 5 {
		t.Errorf("filled-in template scored %+v", got)
	}
	// Every shipped framework has a template that reads back with no rows.
	for _, f := range shippedFrameworks {
		tmpl := cliOK(t, "", "frameworks", "template", f.id)
		path := filepath.Join(t.TempDir(), f.id+".csv")
		if err := os.WriteFile(path, []byte(tmpl+"1"+strings.Repeat(",", f.questions)+"\n2,"+strings.TrimPrefix(exampleRow(tmpl), "example,")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cliOK(t, "", "score", "--framework", f.id, "--answers", path)
	}
}

func exampleRow(tmpl string) string {
	for _, l := range strings.Split(tmpl, "\n") {
		if strings.HasPrefix(l, "# example,") {
			return strings.TrimPrefix(l, "# ")
		}
	}
	return ""
}

// TestFrameworksValidateMore: directories, tabs and bands no one reaches.
func TestFrameworksValidateMore(t *testing.T) {
	t.Run("a directory", func(t *testing.T) {
		out := cliOK(t, "", "frameworks", "validate", "../../frameworks")
		for _, f := range shippedFrameworks {
			wantContains(t, out, "ok  ../../frameworks/"+f.id+".yaml ("+f.id+")\n")
		}
		dir := frameworksDirWith(t, "tiny.yaml", "bad-framework.yaml")
		msg := cliFails(t, "", 1, "frameworks", "validate", dir)
		wantContains(t, msg, filepath.Join(dir, "bad-framework.yaml")+`:8: unknown field "colour"`)
	})
	t.Run("an empty directory", func(t *testing.T) {
		dir := t.TempDir()
		wantContains(t, cliFails(t, "", 1, "frameworks", "validate", dir), dir+": no *.yaml or *.yml files in this directory")
	})
	t.Run("one id twice in a directory", func(t *testing.T) {
		dir := frameworksDirWith(t, "tiny.yaml")
		data, _ := os.ReadFile("testdata/tiny.yaml")
		if err := os.WriteFile(filepath.Join(dir, "tiny-copy.yml"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		wantContains(t, cliFails(t, "", 1, "frameworks", "validate", dir), `tiny.yaml:1: framework id "tiny" is also used by `+filepath.Join(dir, "tiny-copy.yml"))
	})
	t.Run("tabs", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tabs.yaml")
		data, _ := os.ReadFile("testdata/tiny.yaml")
		data = bytes.Replace(data, []byte("\n    questions:"), []byte("\n\tquestions:"), 1)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		msg := cliFails(t, "", 1, "frameworks", "validate", path)
		if want := path + ":16: YAML does not allow tabs for indentation; use spaces"; msg != want {
			t.Errorf("error = %q, want %q", msg, want)
		}
	})
	t.Run("unreachable band", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bands.yaml")
		data, _ := os.ReadFile("testdata/tiny.yaml")
		data = bytes.Replace(data, []byte("{min: 2.5, label: \"Leading\"}"), []byte("{min: 3.5, label: \"Leading\"}"), 1)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		wantContains(t, cliFails(t, "", 1, "frameworks", "validate", path),
			path+`:27: band "Leading" starts at 3.5 points, but no respondent can reach it: the most is 3 points (the best answer to each of 3 rated questions)`)
	})
}
