package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/assessbot/assessbot/internal/answersheet"
	"github.com/assessbot/assessbot/internal/app"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/safecsv"
	"github.com/assessbot/assessbot/internal/scoring"
)

// exitError carries an exit code out of a subcommand.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// errHelpShown: a command printed its usage on request; run exits 0.
var errHelpShown = errors.New("help shown")

// usageErr is a mistake in the command line: exit 2.
func usageErr(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// A command is a subcommand as its usage shows it.
type command struct {
	name    string // "frameworks list"
	args    string // what follows the name in the synopsis
	summary string
	// flags defines the command's flags on a FlagSet; nil if it has none.
	flags func(*flag.FlagSet)
	env   bool // the usage lists the environment
}

var (
	cmdRun  = command{name: "run", summary: "Run the bot (Socket Mode), configured from the environment. `assessbot` alone does the same.", env: true}
	cmdDemo = command{name: "demo", args: "[flags]",
		summary: "Play a whole review on this machine: the real bot, a Slack double and an embedded Redis. `assessbot demo -h` lists its flags."}
	cmdList = command{name: "frameworks list", args: "[--format text|json]",
		summary: "List the frameworks: the shipped ones and FRAMEWORKS_DIR's.",
		flags:   func(fs *flag.FlagSet) { formatFlag(fs) }}
	cmdValidate = command{name: "frameworks validate", args: "[FILE|DIR...]",
		summary: "Check framework files (every *.yaml and *.yml in a DIR) and report each problem as file:line. Without arguments: the shipped frameworks and FRAMEWORKS_DIR."}
	cmdShow     = command{name: "frameworks show", args: "ID|FILE", summary: "Print a framework as a person reads it."}
	cmdTemplate = command{name: "frameworks template", args: "ID|FILE",
		summary: "Write an answer sheet to fill in for `assessbot score`: the CSV header, with # comments saying what each column takes."}
	cmdScoreC = command{name: "score", args: "--framework ID|FILE --answers FILE.csv [flags]",
		summary: "Compute the digest of answers collected elsewhere (a CSV: respondent,<question id>,...; `frameworks template` writes one).",
		flags:   func(fs *flag.FlagSet) { scoreFlags(fs) }}
	cmdForgetC = command{name: "forget", args: "USER-ID",
		summary: "Remove a person (a Slack user id such as U0123ABCD) from every review, queue and index of the Redis at REDIS_URL, and say what was removed.", env: true}
	cmdVersionC = command{name: "version", summary: "Print the module version and the VCS revision it was built from."}
	cmdHelpC    = command{name: "help", args: "[COMMAND]", summary: "Print this help, or one command's."}

	commands = []command{cmdRun, cmdDemo, cmdList, cmdValidate, cmdShow, cmdTemplate, cmdScoreC, cmdForgetC, cmdVersionC, cmdHelpC}
)

// newFlagSet makes the FlagSet of c, which prints nothing itself:
// parseFlags prints usage and errors once.
func newFlagSet(c command) *flag.FlagSet {
	fs := quietFlagSet(c.name)
	if c.flags != nil {
		c.flags(fs)
	}
	return fs
}

// quietFlagSet is a FlagSet named after a command, printing nothing.
func quietFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args for the command fs was made for by newFlagSet. -h
// or --help prints the command's usage to stdout (errHelpShown); a bad flag
// or an argument the command does not take is a usage error that shows the
// usage.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	c := commandNamed(fs.Name())
	if helpRequested(args) {
		io.WriteString(stdout, commandUsage(c))
		return errHelpShown
	}
	if err := fs.Parse(args); err != nil {
		return usageErr("%s\n\n%s", err.Error(), commandUsage(c))
	}
	if fs.NArg() > 0 {
		return usageErr("assessbot %s takes no arguments; extra: %s\n\n%s", c.name, quoteArgs(fs.Args()), commandUsage(c))
	}
	return nil
}

// parseArgs is parseFlags for a command that takes positional arguments:
// between min and max of them (max -1: any number).
func parseArgs(fs *flag.FlagSet, args []string, stdout io.Writer, min, max int) ([]string, error) {
	c := commandNamed(fs.Name())
	if helpRequested(args) {
		io.WriteString(stdout, commandUsage(c))
		return nil, errHelpShown
	}
	if err := fs.Parse(args); err != nil {
		return nil, usageErr("%s\n\n%s", err.Error(), commandUsage(c))
	}
	rest := fs.Args()
	switch {
	case len(rest) < min:
		return nil, usageErr("usage: assessbot %s %s", c.name, c.args)
	case max >= 0 && len(rest) > max:
		return nil, usageErr("assessbot %s takes %s; extra: %s\n\nusage: assessbot %s %s", c.name,
			plural(max, "argument", "arguments"), quoteArgs(rest[max:]), c.name, c.args)
	}
	return rest, nil
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = answersheet.Quote(a)
	}
	return strings.Join(q, " ")
}

// helpRequested reports whether args ask for help (-h, -help or --help
// before a "--").
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

func commandNamed(name string) command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return command{name: name}
}

// commandUsage is one command's usage: synopsis, summary, flags and, for
// run, the environment.
func commandUsage(c command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s\n\n%s\n", strings.TrimSpace("assessbot "+c.name+" "+c.args), wrap(c.summary, 78, ""))
	if f := flagDefaults(c, ""); f != "" {
		fmt.Fprintf(&b, "\nFlags:\n%s", f)
	}
	if c.env {
		fmt.Fprintf(&b, "\n%s", environmentUsage())
	}
	return b.String()
}

// flagDefaults lists c's flags as the flag package does, indented.
func flagDefaults(c command, indent string) string {
	if c.flags == nil {
		return ""
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	if indent == "" {
		return b.String()
	}
	return indent + strings.ReplaceAll(strings.TrimRight(b.String(), "\n"), "\n", "\n"+indent) + "\n"
}

// usage is `assessbot help`: every command with its flags, and the
// environment.
func usage() string {
	var b strings.Builder
	b.WriteString("assessbot runs customer-success maturity reviews in Slack.\n\nUsage:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %s\n", strings.TrimSpace("assessbot "+c.name+" "+c.args))
		fmt.Fprintf(&b, "      %s\n", wrap(c.summary, 72, "      "))
		if f := flagDefaults(c, "    "); f != "" {
			b.WriteString(f)
		}
	}
	b.WriteString("\n" + environmentUsage())
	b.WriteString("\n`assessbot COMMAND -h` prints one command's usage.\n")
	return b.String()
}

// envVar is one environment variable that configures the bot.
type envVar struct{ name, def, help string }

// environment lists the environment variables app.LoadConfig reads, with
// their defaults and what they are for (backticks mark code): app.Variables,
// the one source of this list and of the README's configuration table
// (TestREADMEConfiguration).
func environment() []envVar {
	var out []envVar
	for _, v := range app.Variables() {
		out = append(out, envVar{v.Name, v.Default, v.Help})
	}
	return out
}

func environmentUsage() string {
	var b strings.Builder
	b.WriteString("Environment (assessbot run):\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  VARIABLE\tDEFAULT\t")
	for _, v := range environment() {
		def := v.def
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.name, def, strings.ReplaceAll(v.help, "`", ""))
	}
	tw.Flush()
	return b.String()
}

func cmdHelp(args []string, stdout io.Writer) error {
	if len(args) == 0 || (len(args) == 1 && helpRequested(args)) {
		_, err := io.WriteString(stdout, usage())
		return err
	}
	name := strings.Join(args, " ")
	if name == "frameworks" {
		_, err := io.WriteString(stdout, frameworksUsage())
		return err
	}
	for _, c := range commands {
		if c.name == name {
			_, err := io.WriteString(stdout, commandUsage(c))
			return err
		}
	}
	return usageErr("assessbot help: no command %q; the commands are %s.\n`assessbot help` lists them with their flags.", name, commandNames())
}

// commandNames lists the commands (and frameworks' subcommands) by name.
func commandNames() string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func cmdVersion(args []string, stdout io.Writer) error {
	if err := parseFlags(newFlagSet(cmdVersionC), args, stdout); err != nil {
		return err
	}
	_, err := io.WriteString(stdout, versionText())
	return err
}

// versionText describes the binary from its build information: the module
// version (a tag with `go install …@v1.2.3`, "(devel)" from a checkout) and
// the VCS revision, time and whether the tree had uncommitted changes.
func versionText() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "assessbot: no build information in this binary\n"
	}
	path, version := bi.Main.Path, bi.Main.Version
	if path == "" {
		path = "github.com/assessbot/assessbot"
	}
	if version == "" {
		version = "(devel)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "assessbot %s\nmodule:   %s\n", version, path)
	vcs := map[string]string{}
	for _, s := range bi.Settings {
		vcs[s.Key] = s.Value
	}
	if rev := vcs["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, "revision: %s\n", rev)
		if t := vcs["vcs.time"]; t != "" {
			fmt.Fprintf(&b, "time:     %s\n", t)
		}
		fmt.Fprintf(&b, "modified: %s\n", cmp.Or(vcs["vcs.modified"], "unknown"))
	} else {
		b.WriteString("revision: unknown (built without VCS information, e.g. -buildvcs=false or outside a checkout)\n")
	}
	fmt.Fprintf(&b, "go:       %s\n", bi.GoVersion)
	return b.String()
}

// plural says "1 section" or "2 sections".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// loadCatalog loads the embedded frameworks plus FRAMEWORKS_DIR, if set.
func loadCatalog(dir string) (*framework.Catalog, error) { return app.LoadCatalog(dir) }

// frameworksUsage is `assessbot frameworks -h`.
func frameworksUsage() string {
	var b strings.Builder
	b.WriteString("Usage:\n")
	for _, c := range []command{cmdList, cmdValidate, cmdShow, cmdTemplate} {
		fmt.Fprintf(&b, "  %s\n      %s\n", strings.TrimSpace("assessbot "+c.name+" "+c.args), wrap(c.summary, 72, "      "))
		b.WriteString(flagDefaults(c, "    "))
	}
	return b.String()
}

func cmdFrameworks(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageErr("usage: assessbot frameworks list|validate|show|template ...")
	}
	switch args[0] {
	case "list":
		return cmdFrameworksList(args[1:], stdout)
	case "validate":
		return cmdFrameworksValidate(args[1:], stdout)
	case "show":
		return cmdFrameworksShow(args[1:], stdout)
	case "template":
		return cmdFrameworksTemplate(args[1:], stdout)
	case "-h", "-help", "--help":
		_, err := io.WriteString(stdout, frameworksUsage())
		if err == nil {
			err = errHelpShown
		}
		return err
	case "help":
		// `frameworks help show` is `help frameworks show`.
		return cmdHelp(append([]string{"frameworks"}, args[1:]...), stdout)
	}
	return usageErr("unknown command %q; use: assessbot frameworks list|validate|show|template", args[0])
}

// formatFlag is the --format flag of list and score.
func formatFlag(fs *flag.FlagSet) *string {
	return fs.String("format", "text", "output format: text or json")
}

func cmdFrameworksList(args []string, stdout io.Writer) error {
	fs := newFlagSet(cmdList)
	format := fs.Lookup("format").Value
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
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
	switch format.String() {
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
	return usageErr("unknown --format %q; use text or json", format.String())
}

func cmdFrameworksValidate(args []string, stdout io.Writer) error {
	paths, err := parseArgs(newFlagSet(cmdValidate), args, stdout, 0, -1)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
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
	for _, path := range paths {
		files := []string{path}
		// A directory: every framework file in it, as FRAMEWORKS_DIR loads
		// them, and one id per directory.
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			files = nil
			for _, ext := range []string{"*.yaml", "*.yml"} {
				m, _ := filepath.Glob(filepath.Join(path, ext))
				files = append(files, m...)
			}
			sort.Strings(files)
			if len(files) == 0 {
				problems = append(problems, fmt.Sprintf("%s: no *.yaml or *.yml files in this directory", path))
			}
		}
		ids := map[string]string{}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			f, err := framework.Parse(file, data)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			if other, dup := ids[f.ID]; dup && len(files) > 1 {
				problems = append(problems, fmt.Sprintf("%s:1: framework id %q is also used by %s", file, f.ID, other))
				continue
			}
			ids[f.ID] = file
			fmt.Fprintf(stdout, "ok  %s (%s)\n", file, f.ID)
		}
	}
	if len(problems) > 0 {
		return &exitError{code: 1, msg: strings.Join(problems, "\n")}
	}
	return nil
}

func cmdFrameworksShow(args []string, stdout io.Writer) error {
	rest, err := parseArgs(newFlagSet(cmdShow), args, stdout, 1, 1)
	if err != nil {
		return err
	}
	f, err := frameworkArg(rest[0])
	if err != nil {
		return err
	}
	scored, text := f.CountQuestions()
	fmt.Fprintf(stdout, "%s  (%s)\n", f.Title, f.ID)
	if f.Source != "" {
		fmt.Fprintf(stdout, "Source: %s\n", f.Source)
	}
	fmt.Fprintf(stdout, "%s, %s to rate, %s\n", plural(len(f.Sections), "section", "sections"),
		plural(scored, "question", "questions"), plural(text, "open question", "open questions"))
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
			fmt.Fprintf(stdout, "      answer: %s\n", strings.Join(answerLabels(sc), " / "))
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

func answerLabels(sc *assessment.Scale) []string {
	var opts []string
	for _, o := range sc.Options {
		opts = append(opts, o.Label)
	}
	if sc.NotSure {
		opts = append(opts, "Not sure")
	}
	return opts
}

// cmdFrameworksTemplate writes the answer sheet to fill in: comments on
// what each column takes, the header, and a commented example row.
func cmdFrameworksTemplate(args []string, stdout io.Writer) error {
	rest, err := parseArgs(newFlagSet(cmdTemplate), args, stdout, 1, 1)
	if err != nil {
		return err
	}
	f, err := frameworkArg(rest[0])
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(stdout)
	fmt.Fprintf(bw, "# Answer sheet for %q (%s): one row per respondent, one column per question.\n", oneLine(f.Title), f.ID)
	fmt.Fprintf(bw, "# Score it with: assessbot score --framework %s --answers FILE.csv\n", rest[0])
	bw.WriteString("# A cell holds an option id or label (any case), \"not sure\" where offered, free text\n" +
		"# for an open question (in double quotes if it holds a comma), or nothing.\n" +
		"# Respondents are any name or number, each once. Lines starting with # are ignored.\n#\n")
	var header, example []string
	header = append(header, answersheet.RespondentColumn)
	example = append(example, "example")
	for _, ref := range f.Questions() {
		q, sc := ref.Question, ref.Scale
		header = append(header, q.ID)
		if sc == nil || sc.Text {
			fmt.Fprintln(bw, safecsv.Comment(fmt.Sprintf("%s: %s: open text", q.ID, oneLine(q.Text))))
			example = append(example, `"Free text, in quotes"`)
			continue
		}
		var ids []string
		for _, o := range sc.Options {
			ids = append(ids, o.ID)
		}
		if sc.NotSure {
			ids = append(ids, "not sure")
		}
		fmt.Fprintln(bw, safecsv.Comment(fmt.Sprintf("%s: %s: %s", q.ID, oneLine(q.Text), strings.Join(ids, " | "))))
		example = append(example, sc.Options[len(sc.Options)/2].ID)
	}
	cw := safecsv.NewWriter(bw)
	_ = cw.Write(header)
	cw.Flush()
	fmt.Fprintln(bw, safecsv.Comment(strings.Join(example, ",")))
	return bw.Flush()
}

// oneLine folds text onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

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

// scoreOptions are the flags of `assessbot score`.
type scoreOptions struct {
	framework, answers, format, seed *string
	threshold, detail                *int
}

func scoreFlags(fs *flag.FlagSet) scoreOptions {
	return scoreOptions{
		framework: fs.String("framework", "", "framework id or .yaml file (required)"),
		answers:   fs.String("answers", "", "CSV file: respondent,<question id>,... (- for stdin) (required)"),
		format:    formatFlag(fs),
		threshold: fs.Int("threshold", assessment.DefaultThreshold, fmt.Sprintf("anonymity threshold: section figures need this many respondents (at least %d)", assessment.MinThreshold)),
		detail:    fs.Int("detail", assessment.MinDetailThreshold, fmt.Sprintf("detail threshold: question figures, counts and open answers need this many (at least %d)", assessment.MinDetailThreshold)),
		seed:      fs.String("seed", "", "seed for the order of open-text answers"),
	}
}

func cmdScore(args []string, stdout io.Writer) error {
	fs := quietFlagSet(cmdScoreC.name)
	o := scoreFlags(fs)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *o.framework == "" || *o.answers == "" {
		return usageErr("usage: assessbot score --framework ID|FILE --answers FILE.csv [--format text|json] [--threshold N] [--detail N]")
	}
	if *o.format != "text" && *o.format != "json" {
		return usageErr("unknown --format %q; use text or json", *o.format)
	}
	// The same disclosure model as the bot's digest: the floors hold here
	// too, or a sheet exported from a small review would give away what
	// its digest withheld.
	if *o.threshold < assessment.MinThreshold {
		return usageErr("--threshold cannot be below %d: no figure may show the answers of one or two people", assessment.MinThreshold)
	}
	if *o.detail < assessment.MinDetailThreshold {
		return usageErr("--detail cannot be below %d: below five answers a question's figures name the count of each answer", assessment.MinDetailThreshold)
	}
	f, err := frameworkArg(*o.framework)
	if err != nil {
		return err
	}
	var in io.Reader = os.Stdin
	if *o.answers != "-" {
		file, err := os.Open(*o.answers)
		if err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
		defer file.Close()
		in = file
	}
	// The sheet is aggregated as it is read: memory is bounded by the
	// framework, not the file.
	tally := scoring.NewTally(f, scoring.Options{Threshold: *o.threshold, Seed: *o.seed})
	rows, err := answersheet.Scan(in, f, tally.Add)
	if err != nil {
		var se *answersheet.Error
		if errors.As(err, &se) {
			var lines []string
			for _, p := range se.Problems {
				lines = append(lines, *o.answers+": "+p.String())
			}
			if se.Omitted > 0 {
				lines = append(lines, fmt.Sprintf("%s: … and %s", *o.answers, plural(se.Omitted, "more problem", "more problems")))
			}
			return &exitError{code: 1, msg: strings.Join(lines, "\n") + "\nnothing was scored"}
		}
		return &exitError{code: 1, msg: fmt.Sprintf("%s: %v", *o.answers, err)}
	}
	res := tally.Result()
	switch {
	case rows == 0:
		return &exitError{code: 1, msg: *o.answers + ": the file has no answers, only the header row: add a row per respondent\nnothing was scored"}
	case res.Respondents == 0:
		return &exitError{code: 1, msg: fmt.Sprintf("%s: the file has no answers: %s but every cell after the respondent is empty\nnothing was scored",
			*o.answers, plural(rows, "row", "rows"))}
	}
	th := review.Thresholds{Mean: *o.threshold, Detail: *o.detail}.Floor()
	shown, withheld := review.Disclose(f, res, th)
	if *o.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(scoreJSON(shown, withheld))
	}
	_, err = io.WriteString(stdout, present.DigestTerminal(digest.Build(f, shown, digest.Meta{Detail: th.Detail, Withheld: withheld})))
	return err
}

// scoreJSON is the stable JSON shape of `assessbot score --format json`:
// the figures the disclosure model allows (withheld ones are null or 0,
// with withheld true) and what it withheld. divergence stays for the
// tools that read it; agreement and agreement_band are what people read.
func scoreJSON(r scoring.Result, withheld []digest.Withheld) any {
	// figs are the figures a section and a question share, in this order.
	type figs struct {
		Score         *float64 `json:"score"`
		Divergence    *float64 `json:"divergence"`
		Agreement     *float64 `json:"agreement"`
		AgreementBand string   `json:"agreement_band"`
		Split         bool     `json:"split"`
		Answered      int      `json:"answered"`
		NotSure       int      `json:"not_sure"`
		Withheld      bool     `json:"withheld"`
	}
	of := func(s scoring.Stats) figs {
		return figs{s.Score, s.Divergence, s.Agreement, string(s.AgreementBand), s.Split, s.Answered, s.NotSure, s.Withheld}
	}
	type sec struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		figs
	}
	type q struct {
		ID      string `json:"id"`
		Section string `json:"section"`
		figs
		Options map[string]int `json:"options,omitempty"`
		Texts   []string       `json:"texts,omitempty"`
	}
	out := struct {
		Framework   string              `json:"framework"`
		Title       string              `json:"title"`
		Respondents int                 `json:"respondents"`
		Threshold   int                 `json:"threshold"`
		Detail      int                 `json:"detail"`
		Band        *string             `json:"band"`
		Bands       *scoring.BandResult `json:"bands,omitempty"`
		Alignment   *float64            `json:"alignment"`
		Sections    []sec               `json:"sections"`
		Questions   []q                 `json:"questions"`
		Withheld    []digest.Withheld   `json:"withheld"`
	}{Framework: r.Framework, Title: r.Title, Respondents: r.Respondents, Threshold: r.Threshold, Detail: r.Detail, Bands: r.Band,
		Alignment: r.Alignment, Withheld: withheld}
	if r.Band != nil {
		out.Band = &r.Band.Label
	}
	if out.Withheld == nil {
		out.Withheld = []digest.Withheld{}
	}
	out.Sections = []sec{}
	for _, s := range r.Sections {
		out.Sections = append(out.Sections, sec{s.ID, s.Title, of(s.Stats)})
	}
	out.Questions = []q{}
	for _, x := range r.Questions {
		out.Questions = append(out.Questions, q{x.ID, x.Section, of(x.Stats), x.Options, x.Texts})
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

func cmdForget(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	rest, err := parseArgs(newFlagSet(cmdForgetC), args, stdout, 1, 1)
	if err != nil {
		return err
	}
	user := rest[0]
	if !app.IsUserID(user) {
		return usageErr("%q is not a Slack user id; they look like U0123ABCD (a profile's ⋮ menu → Copy member ID)", user)
	}
	reviews, jobs, err := app.Forget(ctx, user, stderr)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	fmt.Fprintf(stdout, "Forgot %s: taken out of %s%s, with their answers to any still open; %s dropped.\n",
		user, plural(len(reviews), "review", "reviews"), idList(reviews), plural(jobs, "queued DM or reminder", "queued DMs and reminders"))
	fmt.Fprintln(stdout, "Closed reviews keep only answers that nothing ties to anyone; they stay in those reviews' figures.")
	return nil
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return " (" + strings.Join(ids, ", ") + ")"
}
