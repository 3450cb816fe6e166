package answersheet_test

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/answersheet"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
)

// fuzzYAML: a yes/no question, a three-level scale without "not sure" and
// an open text question.
const fuzzYAML = `
id: fuzz
title: Fuzz
scales:
  level:
    not_sure: false
    options:
      - {id: low, label: Low}
      - {id: mid, label: Middle}
      - {id: high, label: High}
sections:
  - id: one
    title: One
    questions:
      - {id: yn, text: "Yes or no?", scale: yesno}
      - {id: level, text: "How well?", scale: level}
  - id: two
    title: Two
    questions:
      - {id: notes, text: "Anything else?", scale: text}
`

func FuzzRead(f *testing.F) {
	fw, err := framework.Parse("fuzz.yaml", []byte(fuzzYAML))
	if err != nil {
		f.Fatal(err)
	}
	long := strings.Repeat("x", assessment.MaxTextAnswer)
	for _, s := range []string{
		"respondent,yn,level,notes\nana,yes,high,Plain text\nben,NO,Middle,\n",
		"\ufeffRespondent, yn ,level,notes\n\nana,yes,High,\"Commas, \"\"quotes\"\"\nand a newline\"\n   \ncai,?,low,not sure\n",
		"respondent,yn,level,notes\ndee,not sure,low," + long + "\n",
		"respondent,yn,level,notes\ndee,not_sure,low," + long + "x\n",
		"respondent,level\nana,not sure\n",
		"respondent,level\nana,?\nben,great\n",
		"respondent,notes\nana,\"a\rb\"\nben,\"\r\n\"\n",
		"respondent,notes\nana,\"  padded  \"\n",
		"respondent,yn\r\nana,yes\r\nANA,no\r\n",
		"respondent,yn\nana,yes\nben,no\nana,no\n",
		"respondent,yn\nana,yes,extra\n",
		"respondent,yn\n  ,yes\n",
		"respondent,yn,yn\n",
		"who,nope\n",
		"respondent\nana\nben\n",
		"respondent,notes\nana,ok\nben,\"never closed\ncai,yes\n",
		"respondent,yn\nana,ye\"s\n",
		"respondent,notes\nana,\"é\"\"\"\n",
		"respondent,notes\nana,\xff\xfe\n",
		"respondent,notes\nana,\u00a0x\u0085\n",
		"respondent,notes\nana,\\.\n",
		"respondent,yn,level,notes\n1,,,\n2,,,\n",
		"respondent",
		"\n\n\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sheet string) {
		rs, err := answersheet.Read(strings.NewReader(sheet), fw)
		if err != nil {
			var se *answersheet.Error
			if !errors.As(err, &se) {
				t.Fatalf("Read: error %T %v is not an *answersheet.Error", err, err)
			}
			if rs != nil {
				t.Fatalf("Read returned %d responses and an error", len(rs))
			}
			if n := len(se.Problems); n < 1 || n > 50 {
				t.Fatalf("Read: %d problems", n)
			}
			for _, p := range se.Problems {
				if p.Row < 1 || strings.TrimSpace(p.Msg) == "" {
					t.Fatalf("Read: bad problem %+v", p)
				}
			}
			return
		}
		checkResponses(t, fw, rs)

		// Write what was read, read it back: the same answers, in order.
		var buf bytes.Buffer
		if err := answersheet.Write(&buf, fw, rs); err != nil {
			t.Fatalf("Write: %v", err)
		}
		written := buf.String()
		back, err := answersheet.Read(&buf, fw)
		if err != nil {
			t.Fatalf("Read(Write(Read(%q))): %v\nwritten: %q", sheet, err, written)
		}
		if len(back) != len(rs) {
			t.Fatalf("read %d responses back, wrote %d\nwritten: %q", len(back), len(rs), written)
		}
		for i := range rs {
			if want := strconv.Itoa(i + 1); back[i].Respondent != want {
				t.Fatalf("respondent %d written as %q", i, back[i].Respondent)
			}
			if !reflect.DeepEqual(back[i].Answers, rs[i].Answers) {
				t.Fatalf("respondent %d: answers %q came back as %q\nwritten: %q", i+1, rs[i].Answers, back[i].Answers, written)
			}
		}
		var again bytes.Buffer
		if err := answersheet.Write(&again, fw, back); err != nil || again.String() != written {
			t.Fatalf("Write is not stable: %q then %q (%v)", written, again.String(), err)
		}
	})
}

// checkResponses fails t unless every answer is one the bot could have
// saved, and each respondent appears once.
func checkResponses(t *testing.T, fw *assessment.Framework, rs []assessment.Response) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Respondent == "" || r.Respondent != strings.TrimSpace(r.Respondent) {
			t.Fatalf("respondent %q", r.Respondent)
		}
		if seen[r.Respondent] {
			t.Fatalf("respondent %q twice", r.Respondent)
		}
		seen[r.Respondent] = true
		for qid, a := range r.Answers {
			ref, ok := fw.Lookup(qid)
			if !ok {
				t.Fatalf("answer to unknown question %q", qid)
			}
			if a.Empty() || a.Comment != "" {
				t.Fatalf("question %q: answer %+v", qid, a)
			}
			if err := fw.CheckAnswer(qid, a); err != nil {
				t.Fatalf("question %q: answer %+v refused by CheckAnswer: %v", qid, a, err)
			}
			if ref.Scale.Text {
				if a.Option != "" || a.Text == "" || len(a.Text) > assessment.MaxTextAnswer || a.Text != strings.TrimSpace(a.Text) {
					t.Fatalf("text question %q: answer %+v", qid, a)
				}
				continue
			}
			if a.Text != "" {
				t.Fatalf("choice question %q: text %q", qid, a.Text)
			}
			if a.Option == assessment.NotSure {
				if !ref.Scale.NotSure {
					t.Fatalf("question %q: not sure on a scale without it", qid)
				}
				continue
			}
			if _, ok := ref.Scale.Option(a.Option); !ok {
				t.Fatalf("question %q: option %q not in scale %s", qid, a.Option, ref.Scale.ID)
			}
		}
	}
}
