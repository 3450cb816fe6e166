// Package assessment holds the domain of assessbot: frameworks, reviews,
// responses, schedules, deliveries and the application errors every other
// package speaks in (a code and a reason, never the words a person reads:
// those belong to the Slack adapter). It imports nothing of ours and no
// third-party package, only the standard library.
package assessment

import "regexp"

// NotSure is the option id a respondent picks to say they do not know.
const NotSure = "not_sure"

// Built-in scale names.
const (
	ScaleYesNo = "yesno"
	ScaleText  = "text"
)

// IDPattern is what framework, section, question and option ids look like.
var IDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Framework is a questionnaire as data.
type Framework struct {
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	Source      string            `json:"source,omitempty"`
	Description string            `json:"description,omitempty"`
	Scales      map[string]*Scale `json:"scales"`
	Sections    []Section         `json:"sections"`
	Bands       []Band            `json:"bands,omitempty"`
	// File is where the framework was loaded from (not part of its identity).
	File string `json:"file,omitempty"`
}

// Scale is a named set of answer options, or an open text answer.
type Scale struct {
	ID      string   `json:"id"`
	Text    bool     `json:"text,omitempty"` // open answer, no options, no score
	Options []Option `json:"options,omitempty"`
	NotSure bool     `json:"not_sure"`
}

// Option is one answer on a scale, ordered worst to best, with a score in [0,1].
type Option struct {
	ID          string  `json:"id"`
	Label       string  `json:"label"`
	Description string  `json:"description,omitempty"`
	Score       float64 `json:"score"`
}

// Section groups questions.
type Section struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Questions   []Question `json:"questions"`
}

// Question is one item of a framework.
type Question struct {
	ID                 string            `json:"id"`
	Text               string            `json:"text"`
	Scale              string            `json:"scale"`
	Help               string            `json:"help,omitempty"`
	OptionDescriptions map[string]string `json:"option_descriptions,omitempty"`
}

// Band labels a respondent's points total from Min upwards.
type Band struct {
	Min   float64 `json:"min"`
	Label string  `json:"label"`
}

// QuestionRef locates a question in its framework.
type QuestionRef struct {
	Section  *Section
	Question *Question
	Scale    *Scale
	// Index is the question's position in the whole framework, from 0.
	Index int
}

// Lookup finds a question by id.
func (f *Framework) Lookup(questionID string) (QuestionRef, bool) {
	i := 0
	for si := range f.Sections {
		s := &f.Sections[si]
		for qi := range s.Questions {
			q := &s.Questions[qi]
			if q.ID == questionID {
				return QuestionRef{Section: s, Question: q, Scale: f.Scales[q.Scale], Index: i}, true
			}
			i++
		}
	}
	return QuestionRef{}, false
}

// Position returns the index of a question's section and its index within
// that section, or -1, -1.
func (f *Framework) Position(questionID string) (section, question int) {
	for si := range f.Sections {
		for qi := range f.Sections[si].Questions {
			if f.Sections[si].Questions[qi].ID == questionID {
				return si, qi
			}
		}
	}
	return -1, -1
}

// Section finds a section by id.
func (f *Framework) Section(id string) (*Section, int, bool) {
	for i := range f.Sections {
		if f.Sections[i].ID == id {
			return &f.Sections[i], i, true
		}
	}
	return nil, -1, false
}

// Questions returns every question in order with its section.
func (f *Framework) Questions() []QuestionRef {
	var out []QuestionRef
	for si := range f.Sections {
		s := &f.Sections[si]
		for qi := range s.Questions {
			q := &s.Questions[qi]
			out = append(out, QuestionRef{Section: s, Question: q, Scale: f.Scales[q.Scale], Index: len(out)})
		}
	}
	return out
}

// CountQuestions returns the number of scored (choice) and text questions.
func (f *Framework) CountQuestions() (scored, text int) {
	for _, s := range f.Sections {
		for _, q := range s.Questions {
			if sc := f.Scales[q.Scale]; sc != nil && sc.Text {
				text++
			} else {
				scored++
			}
		}
	}
	return scored, text
}

// Option finds an option of a scale by id.
func (s *Scale) Option(id string) (Option, bool) {
	for _, o := range s.Options {
		if o.ID == id {
			return o, true
		}
	}
	return Option{}, false
}

// BandFor returns the band that points fall into, if the framework has bands.
func (f *Framework) BandFor(points float64) (Band, int, bool) {
	idx := -1
	for i, b := range f.Bands {
		if points+1e-9 >= b.Min {
			idx = i
		}
	}
	if idx < 0 {
		return Band{}, -1, false
	}
	return f.Bands[idx], idx, true
}

// Answer is one respondent's answer to one question. Option is an option id
// or NotSure for choice questions; Text holds the open answer of a text
// question. Comment is an optional remark on any question.
type Answer struct {
	Option  string `json:"o,omitempty"`
	Text    string `json:"t,omitempty"`
	Comment string `json:"c,omitempty"`
}

// Empty reports whether the answer holds nothing.
func (a Answer) Empty() bool { return a.Option == "" && a.Text == "" && a.Comment == "" }

// Response is one respondent's answers in one review.
type Response struct {
	Respondent string            `json:"respondent"`
	Answers    map[string]Answer `json:"answers"`
	Submitted  bool              `json:"submitted"`
}

// HasAnswers reports whether the response holds at least one answer (an
// option or a written answer; a comment alone does not count).
func (r Response) HasAnswers() bool {
	for _, a := range r.Answers {
		if a.Option != "" || a.Text != "" {
			return true
		}
	}
	return false
}

// CheckAnswer validates an answer against the framework, returning a domain
// error (EINVALID) whose reason says what is wrong.
func (f *Framework) CheckAnswer(questionID string, a Answer) error {
	ref, ok := f.Lookup(questionID)
	if !ok {
		return NewError(EINVALID, UnknownQuestion{})
	}
	if ref.Scale == nil {
		return NewError(EINVALID, NoScale{})
	}
	if len(a.Text) > MaxTextAnswer || len(a.Comment) > MaxTextAnswer {
		return NewError(EINVALID, AnswerTooLong{Max: MaxTextAnswer})
	}
	if ref.Scale.Text {
		if a.Option != "" {
			return NewError(EINVALID, WantsText{})
		}
		return nil
	}
	if a.Text != "" {
		return NewError(EINVALID, WantsOption{})
	}
	switch {
	case a.Option == "":
		return nil
	case a.Option == NotSure:
		if !ref.Scale.NotSure {
			return NewError(EINVALID, NoNotSure{})
		}
		return nil
	}
	if _, ok := ref.Scale.Option(a.Option); !ok {
		return NewError(EINVALID, UnknownOption{})
	}
	return nil
}

// MaxTextAnswer bounds open answers and comments (Slack's plain_text_input
// allows up to 3,000 characters; we keep a little more for safety).
const MaxTextAnswer = 4000

// Score returns the score of an answer and whether it carries one.
func (f *Framework) Score(questionID string, a Answer) (float64, bool) {
	if a.Option == "" || a.Option == NotSure {
		return 0, false
	}
	ref, ok := f.Lookup(questionID)
	if !ok || ref.Scale == nil || ref.Scale.Text {
		return 0, false
	}
	o, ok := ref.Scale.Option(a.Option)
	if !ok {
		return 0, false
	}
	return o.Score, true
}
