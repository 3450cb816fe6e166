// Package framework loads and validates framework files (YAML) into
// assessment.Framework values. Every problem is reported with file:line, and
// a file with any problem is not loaded at all.
package framework

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Slack limits that a framework must fit in (see SLACK-WIRE.md).
const (
	maxOptionLabel  = 75   // option text
	maxOptions      = 100  // a static_select; more than 10 are shown as a menu instead of buttons
	maxTitle        = 150  // header block
	maxQuestionText = 3000 // a section block's text
	maxDescription  = 3000 // a description or help text: one section block too
)

// Limits on a framework's size: a review is answered by people in a DM, one
// question at a time, and a digest lists every section; far beyond these a
// file is a mistake (a generated or pasted one), not a framework.
const (
	maxFileSize            = 8 << 20 // the largest framework the limits allow is about 5 MB
	maxSections            = 40
	maxQuestionsPerSection = 100
	maxQuestions           = 500
	maxBands               = 20
)

// Problem is one validation error at a place in a file.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Error lists every problem found while loading one or more files.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

type checker struct {
	file     string
	problems []Problem
}

func (c *checker) addf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	c.problems = append(c.problems, Problem{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// mapping returns the key and value nodes of a mapping node, reporting
// unknown keys.
func (c *checker) mapping(n *yaml.Node, what string, allowed ...string) map[string][2]*yaml.Node {
	out := map[string][2]*yaml.Node{}
	if n == nil {
		return out
	}
	if n.Kind != yaml.MappingNode {
		c.addf(n, "%s must be a mapping (key: value lines)", what)
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !contains(allowed, k.Value) {
			c.addf(k, "unknown field %q in %s (allowed: %s)", k.Value, what, strings.Join(allowed, ", "))
			continue
		}
		if _, dup := out[k.Value]; dup {
			c.addf(k, "field %q given twice in %s", k.Value, what)
			continue
		}
		out[k.Value] = [2]*yaml.Node{k, v}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (c *checker) str(m map[string][2]*yaml.Node, key, what string, required bool) (string, *yaml.Node) {
	kv, ok := m[key]
	if !ok {
		return "", nil
	}
	v := kv[1]
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		c.addf(v, "%s: %s must be text", what, key)
		return "", v
	}
	s := strings.TrimSpace(v.Value)
	if required && s == "" {
		c.addf(v, "%s: %s must not be empty", what, key)
	}
	return s, v
}

// text is an optional text field of at most limit characters.
func (c *checker) text(m map[string][2]*yaml.Node, key, what string, limit int) string {
	s, n := c.str(m, key, what, false)
	if l := len([]rune(s)); n != nil && l > limit {
		c.addf(n, "%s %s is %d characters; at most %d", what, key, l, limit)
	}
	return s
}

func (c *checker) id(m map[string][2]*yaml.Node, parent *yaml.Node, what string) string {
	s, n := c.str(m, "id", what, true)
	if n == nil {
		c.addf(parent, "%s has no id", what)
		return ""
	}
	if s != "" && !assessment.IDPattern.MatchString(s) {
		c.addf(n, "%s id %q must use only a-z, 0-9 and '-' (start with a letter or digit)", what, s)
	}
	if len(s) > 60 {
		c.addf(n, "%s id %q is longer than 60 characters", what, s)
	}
	return s
}

// yamlLine picks the line out of yaml.v3 syntax errors ("yaml: line 3: ...").
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxProblem(name string, data []byte, err error) Problem {
	line, msg := 0, strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	// YAML forbids tabs in indentation, and the parser's own words
	// ("found character that cannot start any token") do not say so.
	if tab := tabIndented(data, line); tab > 0 {
		return Problem{File: name, Line: tab, Msg: "YAML does not allow tabs for indentation; use spaces"}
	}
	return Problem{File: name, Line: line, Msg: "YAML syntax: " + msg}
}

// tabIndented returns the first line, up to line (any, if line is 0), whose
// indentation holds a tab; 0 if none does.
func tabIndented(data []byte, upTo int) int {
	for i, l := range bytes.Split(data, []byte("\n")) {
		if upTo > 0 && i+1 > upTo {
			break
		}
		indent := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]
		if bytes.IndexByte(indent, '\t') >= 0 {
			return i + 1
		}
	}
	return 0
}

// Parse parses and validates one framework file. name is used in problems.
func Parse(name string, data []byte) (*assessment.Framework, error) {
	c := &checker{file: name}
	if len(data) > maxFileSize {
		return nil, &Error{[]Problem{{File: name, Msg: fmt.Sprintf("the file is %d bytes; a framework file is at most %d (8 MiB)", len(data), maxFileSize)}}}
	}
	// A decoder rather than yaml.Unmarshal, which would silently drop every
	// document after the first.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, &Error{[]Problem{syntaxProblem(name, data, err)}}
	}
	if err != nil || len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		return nil, &Error{[]Problem{{File: name, Msg: "the file is empty"}}}
	}
	f := c.framework(doc.Content[0])
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		c.problems = append(c.problems, syntaxProblem(name, data, err))
	case len(next.Content) > 0 && next.Content[0].Tag != "!!null": // a trailing "---" is harmless
		c.addf(&next, "a second YAML document: put one framework per file")
	}
	if len(c.problems) > 0 {
		// In the order of the file, whatever order the checks ran in.
		sort.SliceStable(c.problems, func(i, j int) bool { return c.problems[i].Line < c.problems[j].Line })
		return nil, &Error{c.problems}
	}
	f.File = name
	return f, nil
}

func (c *checker) framework(root *yaml.Node) *assessment.Framework {
	m := c.mapping(root, "framework", "id", "title", "source", "description", "scales", "sections", "bands")
	f := &assessment.Framework{Scales: map[string]*assessment.Scale{}}
	f.ID = c.id(m, root, "framework")
	var tn *yaml.Node
	f.Title, tn = c.str(m, "title", "framework", true)
	if tn == nil {
		c.addf(root, "framework has no title")
	} else if len([]rune(f.Title)) > maxTitle {
		c.addf(tn, "title is %d characters; Slack shows at most %d", len([]rune(f.Title)), maxTitle)
	}
	f.Source = c.text(m, "source", "framework", maxDescription)
	f.Description = c.text(m, "description", "framework", maxDescription)

	scaleNodes := map[string]*yaml.Node{}
	if kv, ok := m["scales"]; ok {
		sm := kv[1]
		if sm.Kind != yaml.MappingNode {
			c.addf(sm, "scales must be a mapping of scale name to scale")
		} else {
			for i := 0; i+1 < len(sm.Content); i += 2 {
				k, v := sm.Content[i], sm.Content[i+1]
				name := k.Value
				switch {
				case name == assessment.ScaleYesNo || name == assessment.ScaleText:
					c.addf(k, "scale name %q is built in; choose another name", name)
					continue
				case !assessment.IDPattern.MatchString(name):
					c.addf(k, "scale name %q must use only a-z, 0-9 and '-'", name)
					continue
				case scaleNodes[name] != nil:
					c.addf(k, "duplicate scale %q (first defined on line %d)", name, scaleNodes[name].Line)
					continue
				}
				scaleNodes[name] = k
				f.Scales[name] = c.scale(name, v)
			}
		}
	}

	sections, ok := m["sections"]
	if !ok {
		c.addf(root, "framework has no sections")
	} else if sections[1].Kind != yaml.SequenceNode || len(sections[1].Content) == 0 {
		c.addf(sections[1], "sections must be a non-empty list")
	} else {
		sectionIDs := map[string]int{}
		questionIDs := map[string]int{}
		usedScales := map[string]bool{}
		if n := len(sections[1].Content); n > maxSections {
			c.addf(sections[1], "%d sections; a framework has at most %d", n, maxSections)
		}
		total := 0
		for _, sn := range sections[1].Content {
			s := c.section(sn, f, sectionIDs, questionIDs, usedScales)
			f.Sections = append(f.Sections, s)
			total += len(s.Questions)
		}
		if total > maxQuestions {
			c.addf(sections[1], "%d questions; a framework has at most %d", total, maxQuestions)
		}
		for name, k := range scaleNodes {
			if !usedScales[name] {
				c.addf(k, "scale %q is defined but no question uses it", name)
			}
		}
		for name := range usedScales {
			if _, ok := f.Scales[name]; !ok {
				switch name {
				case assessment.ScaleYesNo:
					f.Scales[name] = YesNo()
				case assessment.ScaleText:
					f.Scales[name] = &assessment.Scale{ID: assessment.ScaleText, Text: true}
				}
			}
		}
	}

	if kv, ok := m["bands"]; ok {
		f.Bands = c.bands(kv[1], f)
	}
	return f
}

// YesNo is the built-in yes/no scale.
func YesNo() *assessment.Scale {
	return &assessment.Scale{ID: assessment.ScaleYesNo, NotSure: true, Options: []assessment.Option{
		{ID: "no", Label: "No", Score: 0},
		{ID: "yes", Label: "Yes", Score: 1},
	}}
}

func (c *checker) scale(name string, n *yaml.Node) *assessment.Scale {
	m := c.mapping(n, "scale "+name, "options", "not_sure")
	s := &assessment.Scale{ID: name, NotSure: true}
	if kv, ok := m["not_sure"]; ok {
		var b bool
		if err := kv[1].Decode(&b); err != nil {
			c.addf(kv[1], "scale %s: not_sure must be true or false", name)
		}
		s.NotSure = b
	}
	kv, ok := m["options"]
	if !ok {
		c.addf(n, "scale %s has no options", name)
		return s
	}
	on := kv[1]
	if on.Kind != yaml.SequenceNode || len(on.Content) < 2 {
		c.addf(on, "scale %s needs a list of at least 2 options, worst first", name)
		return s
	}
	limit := maxOptions
	if s.NotSure {
		limit-- // "Not sure" takes one of the menu's places
	}
	if len(on.Content) > limit {
		extra := ""
		if s.NotSure {
			extra = fmt.Sprintf(" (%d plus \"Not sure\"; set not_sure: false for %d)", limit, maxOptions)
		}
		c.addf(on, "scale %s has %d options; a Slack select menu holds at most %d%s", name, len(on.Content), limit, extra)
	}
	ids := map[string]int{}
	k := len(on.Content)
	for i, o := range on.Content {
		om := c.mapping(o, "option", "id", "label", "description", "score")
		opt := assessment.Option{}
		opt.ID = c.id(om, o, "option")
		if opt.ID == assessment.NotSure || opt.ID == "not-sure" {
			c.addf(o, "option id %q is reserved; use not_sure: true on the scale", opt.ID)
		}
		if line, dup := ids[opt.ID]; dup && opt.ID != "" {
			c.addf(o, "duplicate option id %q in scale %s (first on line %d)", opt.ID, name, line)
		} else {
			ids[opt.ID] = o.Line
		}
		var ln *yaml.Node
		opt.Label, ln = c.str(om, "label", "option", true)
		if ln == nil {
			c.addf(o, "option %q has no label", opt.ID)
		} else if n := len([]rune(opt.Label)); n > maxOptionLabel {
			c.addf(ln, "option label is %d characters; Slack allows %d (move the rest to description)", n, maxOptionLabel)
		}
		opt.Description = c.text(om, "description", "option", maxDescription)
		opt.Score = float64(i) / float64(k-1)
		if kv, ok := om["score"]; ok {
			var sc float64
			if err := kv[1].Decode(&sc); err != nil || !(sc >= 0 && sc <= 1) { // NaN too
				c.addf(kv[1], "option %q: score must be a number from 0 to 1", opt.ID)
			}
			opt.Score = sc
		}
		s.Options = append(s.Options, opt)
	}
	return s
}

func (c *checker) section(n *yaml.Node, f *assessment.Framework, sectionIDs, questionIDs map[string]int, usedScales map[string]bool) assessment.Section {
	m := c.mapping(n, "section", "id", "title", "description", "questions")
	s := assessment.Section{}
	s.ID = c.id(m, n, "section")
	if line, dup := sectionIDs[s.ID]; dup && s.ID != "" {
		c.addf(n, "duplicate section id %q (first on line %d)", s.ID, line)
	} else {
		sectionIDs[s.ID] = n.Line
	}
	var tn *yaml.Node
	s.Title, tn = c.str(m, "title", "section", true)
	if tn == nil {
		c.addf(n, "section %q has no title", s.ID)
	} else if len([]rune(s.Title)) > maxTitle {
		c.addf(tn, "section title is %d characters; Slack shows at most %d", len([]rune(s.Title)), maxTitle)
	}
	s.Description = c.text(m, "description", "section", maxDescription)
	kv, ok := m["questions"]
	if !ok || kv[1].Kind != yaml.SequenceNode || len(kv[1].Content) == 0 {
		at := n
		if ok {
			at = kv[1]
		}
		c.addf(at, "section %q is empty: it needs a list of questions", s.ID)
		return s
	}
	if n := len(kv[1].Content); n > maxQuestionsPerSection {
		c.addf(kv[1], "section %q has %d questions; a section has at most %d", s.ID, n, maxQuestionsPerSection)
	}
	for _, qn := range kv[1].Content {
		qm := c.mapping(qn, "question", "id", "text", "scale", "help", "option_descriptions")
		q := assessment.Question{}
		q.ID = c.id(qm, qn, "question")
		if line, dup := questionIDs[q.ID]; dup && q.ID != "" {
			c.addf(qn, "duplicate question id %q (first on line %d); question ids are unique across the framework", q.ID, line)
		} else {
			questionIDs[q.ID] = qn.Line
		}
		var txt *yaml.Node
		q.Text, txt = c.str(qm, "text", "question", true)
		if txt == nil {
			c.addf(qn, "question %q has no text", q.ID)
		} else if len([]rune(q.Text)) > maxQuestionText {
			c.addf(txt, "question text is %d characters; keep it under %d", len([]rune(q.Text)), maxQuestionText)
		}
		q.Help = c.text(qm, "help", "question", maxDescription)
		var sn *yaml.Node
		q.Scale, sn = c.str(qm, "scale", "question", true)
		var scale *assessment.Scale
		switch {
		case sn == nil:
			c.addf(qn, "question %q has no scale (a named scale, yesno or text)", q.ID)
		case q.Scale == assessment.ScaleYesNo:
			scale = YesNo()
		case q.Scale == assessment.ScaleText:
		default:
			if scale = f.Scales[q.Scale]; scale == nil {
				c.addf(sn, "unknown scale %q (define it under scales:, or use yesno or text)", q.Scale)
			}
		}
		if q.Scale != "" {
			usedScales[q.Scale] = true
		}
		if kv, ok := qm["option_descriptions"]; ok {
			q.OptionDescriptions = map[string]string{}
			dm := kv[1]
			if dm.Kind != yaml.MappingNode {
				c.addf(dm, "option_descriptions must map option ids to text")
			} else {
				for i := 0; i+1 < len(dm.Content); i += 2 {
					k, v := dm.Content[i], dm.Content[i+1]
					if q.Scale == assessment.ScaleText {
						c.addf(k, "a text question has no options to describe")
						break
					}
					if scale != nil {
						if _, ok := scale.Option(k.Value); !ok {
							c.addf(k, "option_descriptions: %q is not an option of scale %s", k.Value, q.Scale)
						}
					}
					d := strings.TrimSpace(v.Value)
					if l := len([]rune(d)); l > maxDescription {
						c.addf(v, "option_descriptions: %s is %d characters; at most %d", k.Value, l, maxDescription)
					}
					q.OptionDescriptions[k.Value] = d
				}
			}
		}
		s.Questions = append(s.Questions, q)
	}
	return s
}

func (c *checker) bands(n *yaml.Node, f *assessment.Framework) []assessment.Band {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		c.addf(n, "bands must be a non-empty list of {min, label}")
		return nil
	}
	if len(n.Content) > maxBands {
		c.addf(n, "%d bands; at most %d", len(n.Content), maxBands)
	}
	// The most points a respondent can score: the best option of every
	// rated question. A band starting above it is never reached.
	most, rated, known := 0.0, 0, true
	for _, s := range f.Sections {
		for _, q := range s.Questions {
			sc := f.Scales[q.Scale]
			switch q.Scale {
			case assessment.ScaleYesNo:
				sc = YesNo()
			case assessment.ScaleText:
				continue
			}
			if sc == nil || len(sc.Options) == 0 {
				known = false // reported already; the most is not known
				continue
			}
			best := 0.0
			for _, o := range sc.Options {
				best = math.Max(best, o.Score)
			}
			most += best
			rated++
		}
	}
	var out []assessment.Band
	for i, bn := range n.Content {
		bm := c.mapping(bn, "band", "min", "label")
		b := assessment.Band{}
		if kv, ok := bm["min"]; !ok {
			c.addf(bn, "band has no min")
		} else if err := kv[1].Decode(&b.Min); err != nil || math.IsNaN(b.Min) || math.IsInf(b.Min, 0) {
			c.addf(kv[1], "band min must be a number")
		}
		var ln *yaml.Node
		b.Label, ln = c.str(bm, "label", "band", true)
		if ln == nil {
			c.addf(bn, "band has no label")
		} else if l := len([]rune(b.Label)); l > maxTitle {
			c.addf(ln, "band label is %d characters; at most %d", l, maxTitle)
		}
		if known && b.Min > most+1e-9 {
			c.addf(bn, "band %q starts at %s, but no respondent can reach it: the most is %s (the best answer to each of %s)",
				b.Label, points(b.Min), points(most), plural(rated, "rated question", "rated questions"))
		}
		if i == 0 && b.Min > 0 {
			c.addf(bn, "the first band must start at 0 so every total has a band (it starts at %g)", b.Min)
		}
		if i > 0 && b.Min <= out[i-1].Min {
			c.addf(bn, "bands must be in increasing order of min (%g comes after %g)", b.Min, out[i-1].Min)
		}
		out = append(out, b)
	}
	return out
}

func points(x float64) string {
	if x == 1 {
		return "1 point"
	}
	return strconv.FormatFloat(x, 'g', -1, 64) + " points"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Catalog is the set of loaded frameworks, by id.
type Catalog struct {
	byID map[string]*assessment.Framework
}

// Get returns a framework by id.
func (c *Catalog) Get(id string) (*assessment.Framework, bool) {
	f, ok := c.byID[id]
	return f, ok
}

// All returns the frameworks sorted by id.
func (c *Catalog) All() []*assessment.Framework {
	out := make([]*assessment.Framework, 0, len(c.byID))
	for _, f := range c.byID {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// IDs returns the sorted framework ids.
func (c *Catalog) IDs() []string {
	var ids []string
	for _, f := range c.All() {
		ids = append(ids, f.ID)
	}
	return ids
}

// Source is a set of framework files: a file system and a label for problems.
type Source struct {
	FS    fs.FS
	Label string // prefix shown in problems, e.g. "frameworks" or a directory
}

// Load reads every *.yaml / *.yml file at the root of each source. Later
// sources override earlier ones by framework id (FRAMEWORKS_DIR over the
// embedded files); two files with the same id in one source are an error.
// Any problem in any file fails the whole load, listing every problem.
func Load(sources ...Source) (*Catalog, error) {
	cat := &Catalog{byID: map[string]*assessment.Framework{}}
	var problems []Problem
	for _, src := range sources {
		entries, err := fs.ReadDir(src.FS, ".")
		if err != nil {
			problems = append(problems, Problem{File: src.Label, Msg: fmt.Sprintf("cannot read directory: %v", err)})
			continue
		}
		seen := map[string]string{}
		for _, e := range entries {
			if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
				continue
			}
			name := path.Join(src.Label, e.Name())
			data, err := fs.ReadFile(src.FS, e.Name())
			if err != nil {
				problems = append(problems, Problem{File: name, Msg: err.Error()})
				continue
			}
			f, err := Parse(name, data)
			if err != nil {
				var fe *Error
				if errors.As(err, &fe) {
					problems = append(problems, fe.Problems...)
				} else {
					problems = append(problems, Problem{File: name, Msg: err.Error()})
				}
				continue
			}
			if other, dup := seen[f.ID]; dup {
				problems = append(problems, Problem{File: name, Line: 1, Msg: fmt.Sprintf("framework id %q is also used by %s", f.ID, other)})
				continue
			}
			seen[f.ID] = name
			cat.byID[f.ID] = f
		}
	}
	if len(problems) > 0 {
		return nil, &Error{problems}
	}
	return cat, nil
}
