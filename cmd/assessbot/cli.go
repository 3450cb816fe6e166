package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/assessbot/assessbot/internal/answersheet"
	"github.com/assessbot/assessbot/internal/app"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/scoring"
)

// exitError carries an exit code out of a subcommand.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErr(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// loadCatalog loads the embedded frameworks plus FRAMEWORKS_DIR, if set.
func loadCatalog(dir string) (*framework.Catalog, error) { return app.LoadCatalog(dir) }

func cmdFrameworks(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageErr("usage: assessbot frameworks list|validate|show ...")
	}
	switch args[0] {
	case "list":
		return cmdFrameworksList(args[1:], stdout)
	case "validate":
		return cmdFrameworksValidate(args[1:], stdout)
	case "show":
		return cmdFrameworksShow(args[1:], stdout)
	}
	return usageErr("unknown command %q; use: assessbot frameworks list|validate|show", args[0])
}

func cmdFrameworksList(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("frameworks list", flag.ContinueOnError)
	format := fs.String("format", "text", "output format: text or json")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	cat, err := loadCatalog(os.Getenv("FRAMEWORKS_DIR"))
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	type row struct {
		ID        string `json:"id"`
		Title     string `json:"title"`
		Sections  int    `json:"sections"`
		Questions int    `json:"questions"`
		Scored    int    `json:"scored"`
		Open      int    `json:"open"`
	}
	var rows []row
	for _, f := range cat.All() {
		s, t := f.CountQuestions()
		rows = append(rows, row{f.ID, f.Title, len(f.Sections), s + t, s, t})
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSECTIONS\tQUESTIONS\tRATED\tOPEN\tTITLE")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.Sections, r.Questions, r.Scored, r.Open, r.Title)
		}
		return tw.Flush()
	}
	return usageErr("unknown --format %q; use text or json", *format)
}

func cmdFrameworksValidate(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		cat, err := loadCatalog(os.Getenv("FRAMEWORKS_DIR"))
		if err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
		for _, f := range cat.All() {
			fmt.Fprintf(stdout, "ok  %s (%s)\n", f.File, f.ID)
		}
		return nil
	}
	var problems []string
	for _, path := range args {
		data, err := os.ReadFile(path)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		f, err := framework.Parse(path, data)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		fmt.Fprintf(stdout, "ok  %s (%s)\n", path, f.ID)
	}
	if len(problems) > 0 {
		return &exitError{code: 1, msg: strings.Join(problems, "\n")}
	}
	return nil
}

func cmdFrameworksShow(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return usageErr("usage: assessbot frameworks show ID")
	}
	f, err := frameworkArg(args[0])
	if err != nil {
		return err
	}
	scored, text := f.CountQuestions()
	fmt.Fprintf(stdout, "%s  (%s)\n", f.Title, f.ID)
	if f.Source != "" {
		fmt.Fprintf(stdout, "Source: %s\n", f.Source)
	}
	fmt.Fprintf(stdout, "%d sections, %d questions to rate, %d open questions\n", len(f.Sections), scored, text)
	if f.Description != "" {
		fmt.Fprintf(stdout, "\n%s\n", wrap(f.Description, 78, ""))
	}
	n := 0
	for si, s := range f.Sections {
		fmt.Fprintf(stdout, "\n%d. %s  [%s]\n", si+1, s.Title, s.ID)
		if s.Description != "" {
			fmt.Fprintf(stdout, "   %s\n", s.Description)
		}
		for _, q := range s.Questions {
			n++
			sc := f.Scales[q.Scale]
			fmt.Fprintf(stdout, "\n  %2d. %s\n", n, wrap(q.Text, 72, "      "))
			fmt.Fprintf(stdout, "      id: %s\n", q.ID)
			if q.Help != "" {
				fmt.Fprintf(stdout, "      why: %s\n", wrap(q.Help, 66, "           "))
			}
			if sc.Text {
				fmt.Fprintf(stdout, "      answer: open text\n")
				continue
			}
			var opts []string
			for _, o := range sc.Options {
				opts = append(opts, o.Label)
			}
			if sc.NotSure {
				opts = append(opts, "Not sure")
			}
			fmt.Fprintf(stdout, "      answer: %s\n", strings.Join(opts, " / "))
			for _, o := range sc.Options {
				if d := q.OptionDescriptions[o.ID]; d != "" {
					fmt.Fprintf(stdout, "        %s: %s\n", o.Label, wrap(d, 60, "          "))
				}
			}
		}
	}
	if len(f.Bands) > 0 {
		fmt.Fprintf(stdout, "\nBands (on a respondent's total points):\n")
		for i, b := range f.Bands {
			upper := "and up"
			if i+1 < len(f.Bands) {
				upper = fmt.Sprintf("to %g", f.Bands[i+1].Min)
			}
			fmt.Fprintf(stdout, "  %g %s: %s\n", b.Min, upper, b.Label)
		}
	}
	return nil
}

// frameworkArg resolves a framework id from the catalog, or a file path.
func frameworkArg(arg string) (*assessment.Framework, error) {
	if strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") || strings.ContainsRune(arg, filepath.Separator) {
		data, err := os.ReadFile(arg)
		if err != nil {
			return nil, &exitError{code: 1, msg: err.Error()}
		}
		f, err := framework.Parse(arg, data)
		if err != nil {
			return nil, &exitError{code: 1, msg: err.Error()}
		}
		return f, nil
	}
	cat, err := loadCatalog(os.Getenv("FRAMEWORKS_DIR"))
	if err != nil {
		return nil, &exitError{code: 1, msg: err.Error()}
	}
	f, ok := cat.Get(arg)
	if !ok {
		return nil, &exitError{code: 1, msg: fmt.Sprintf("no framework %q; known: %s (or give a .yaml file)", arg, strings.Join(cat.IDs(), ", "))}
	}
	return f, nil
}

func cmdScore(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fw := fs.String("framework", "", "framework id or .yaml file")
	answers := fs.String("answers", "", "CSV file: respondent,<question id>,... (- for stdin)")
	format := fs.String("format", "text", "output format: text or json")
	threshold := fs.Int("threshold", assessment.DefaultThreshold, "anonymity threshold: figures are withheld when fewer respondents answered")
	seed := fs.String("seed", "", "seed for the order of open-text answers")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if *fw == "" || *answers == "" {
		return usageErr("usage: assessbot score --framework ID|FILE --answers FILE.csv [--format text|json] [--threshold N]")
	}
	if *format != "text" && *format != "json" {
		return usageErr("unknown --format %q; use text or json", *format)
	}
	if *threshold < 1 {
		return usageErr("--threshold must be 1 or more")
	}
	f, err := frameworkArg(*fw)
	if err != nil {
		return err
	}
	var in io.Reader = os.Stdin
	if *answers != "-" {
		file, err := os.Open(*answers)
		if err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
		defer file.Close()
		in = file
	}
	responses, err := answersheet.Read(in, f)
	if err != nil {
		var se *answersheet.Error
		if errors.As(err, &se) {
			var lines []string
			for _, p := range se.Problems {
				lines = append(lines, *answers+": "+p.String())
			}
			return &exitError{code: 1, msg: strings.Join(lines, "\n") + "\nnothing was scored"}
		}
		return &exitError{code: 1, msg: err.Error()}
	}
	res := scoring.Aggregate(f, responses, scoring.Options{Threshold: *threshold, Seed: *seed})
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(scoreJSON(res))
	}
	_, err = io.WriteString(stdout, digest.Text(digest.Build(f, res, digest.Meta{})))
	return err
}

// scoreJSON is the stable JSON shape of `assessbot score --format json`.
func scoreJSON(r scoring.Result) any {
	type sec struct {
		ID         string   `json:"id"`
		Title      string   `json:"title"`
		Score      *float64 `json:"score"`
		Divergence *float64 `json:"divergence"`
		Split      bool     `json:"split"`
		Answered   int      `json:"answered"`
		NotSure    int      `json:"not_sure"`
		Withheld   bool     `json:"withheld"`
	}
	type q struct {
		ID         string         `json:"id"`
		Section    string         `json:"section"`
		Score      *float64       `json:"score"`
		Divergence *float64       `json:"divergence"`
		Split      bool           `json:"split"`
		Answered   int            `json:"answered"`
		NotSure    int            `json:"not_sure"`
		Withheld   bool           `json:"withheld"`
		Options    map[string]int `json:"options,omitempty"`
		Texts      []string       `json:"texts,omitempty"`
	}
	out := struct {
		Framework   string              `json:"framework"`
		Title       string              `json:"title"`
		Respondents int                 `json:"respondents"`
		Threshold   int                 `json:"threshold"`
		Band        *string             `json:"band"`
		Bands       *scoring.BandResult `json:"bands,omitempty"`
		Sections    []sec               `json:"sections"`
		Questions   []q                 `json:"questions"`
	}{Framework: r.Framework, Title: r.Title, Respondents: r.Respondents, Threshold: r.Threshold, Bands: r.Band}
	if r.Band != nil {
		out.Band = &r.Band.Label
	}
	out.Sections = []sec{}
	for _, s := range r.Sections {
		out.Sections = append(out.Sections, sec{s.ID, s.Title, s.Score, s.Divergence, s.Split, s.Answered, s.NotSure, s.Withheld})
	}
	out.Questions = []q{}
	for _, x := range r.Questions {
		out.Questions = append(out.Questions, q{x.ID, x.Section, x.Score, x.Divergence, x.Split, x.Answered, x.NotSure, x.Withheld, x.Options, x.Texts})
	}
	return out
}

// wrap folds text at width, indenting continuation lines.
func wrap(s string, width int, indent string) string {
	words := strings.Fields(s)
	var b strings.Builder
	line := 0
	for i, w := range words {
		if i > 0 {
			if line+1+len(w) > width {
				b.WriteString("\n" + indent)
				line = 0
			} else {
				b.WriteByte(' ')
				line++
			}
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}
