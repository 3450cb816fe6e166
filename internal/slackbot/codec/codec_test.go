package codec

import (
	"strings"
	"testing"
)

// What the renderers write decodes to what they meant, and anything else
// is refused.
func TestDecode(t *testing.T) {
	tests := []struct {
		actionID, value string
		want            Action
		ok              bool
	}{
		{ActionID(ActAnswer, "q1", "yes"), AnswerValue("r1", "q1", "yes"), Action{Kind: ActAnswer, Review: "r1", Question: "q1", Option: "yes"}, true},
		{ActionID(ActAnswer, "q1"), AnswerValue("r1", "q1", "o7"), Action{Kind: ActAnswer, Review: "r1", Question: "q1", Option: "o7"}, true}, // a menu
		{ActionID(ActComment, "q1"), QuestionValue("r1", "q1"), Action{Kind: ActComment, Review: "r1", Question: "q1"}, true},
		{ActNext, SectionValue("r1", 2), Action{Kind: ActNext, Review: "r1", Section: 2}, true},
		{ActSubmit, StartValue("r1"), Action{Kind: ActSubmit, Review: "r1"}, true},
		{ActBack, "r1|-1", Action{Kind: ActBack, Review: "r1"}, false},
		{ActBack, "r1|01", Action{Kind: ActBack, Review: "r1"}, false},
		{ActAnswer, "r1|q1", Action{Kind: ActAnswer, Review: "r1"}, false},
		{ActAnswer, "|q1|yes", Action{Kind: ActAnswer}, false},
		{"forged|x", "r1", Action{Kind: "forged", Review: "r1"}, false},
		{ActStart, "r" + strings.Repeat("x", MaxValue), Action{Kind: ActStart}, false},
		{ActStart, "", Action{Kind: ActStart}, false},
	}
	for _, tc := range tests {
		got, ok := Decode(tc.actionID, tc.value)
		if ok != tc.ok || got != tc.want {
			t.Errorf("Decode(%q, %q) = %+v, %v; want %+v, %v", tc.actionID, tc.value, got, ok, tc.want, tc.ok)
		}
		if ok && Encode(got) != tc.value {
			t.Errorf("Encode(%+v) = %q, want %q", got, Encode(got), tc.value)
		}
	}
}

// The transport routes on the kind of an action id, whatever follows it.
func TestRouting(t *testing.T) {
	for id, want := range map[string][2]bool{ // saves a click, navigates
		ActionID(ActAnswer, "q1", "yes"): {true, false},
		ActSubmit:                        {true, false},
		ActSnooze:                        {true, false},
		ActOptOut:                        {true, false},
		ActStart:                         {false, true},
		ActionID(ActNext, "1"):           {false, true},
		ActBack:                          {false, true},
		ActionID(ActComment, "q1"):       {false, false},
		"answers":                        {false, false},
	} {
		if got := [2]bool{SavesClick(id), Navigates(id)}; got != want {
			t.Errorf("%q: saves, navigates = %v, want %v", id, got, want)
		}
	}
	if m, ok := DecodeTextMeta(EncodeTextMeta(TextMeta{Review: "r1", Question: "q1", Channel: "D1"})); !ok || m != (TextMeta{Review: "r1", Question: "q1", Channel: "D1"}) {
		t.Errorf("text meta round trip: %+v %v", m, ok)
	}
	if _, ok := DecodeTextMeta("r1|q1"); ok {
		t.Error("text meta of two parts decodes")
	}
}
