package assessment_test

import (
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
)

// A job's key reads back as the same job (its time apart), and what is no
// key reads as nothing.
func TestJobKeyRoundTrip(t *testing.T) {
	for _, j := range []assessment.Job{
		{Kind: assessment.JobIntro, Review: "r4k9x2mq", User: "U0123ABCD"},
		{Kind: assessment.JobRemind, Review: "rabcdefghijkl", User: "W42", N: 3},
		{Kind: assessment.JobActionRemind, Review: "r4k9x2mq", User: "U0123ABCD", N: 1, Action: "a4k9x2mq"},
		{Kind: assessment.JobActionNotify, Review: "r4k9x2mq", N: 7, Action: "a4k9x2mq"},
	} {
		got, ok := assessment.ParseJobKey(j.Key())
		if !ok || got != j {
			t.Errorf("ParseJobKey(%q) = %+v, %v; want %+v", j.Key(), got, ok, j)
		}
	}
	for _, bad := range []string{"", "intro|r1|U1", "intro|r1|U1|x", "intro|r1|U1|0|extra", "actremind|r1|U1|0", "actremind|r1|U1|0|"} {
		if j, ok := assessment.ParseJobKey(bad); ok {
			t.Errorf("ParseJobKey(%q) = %+v, want nothing", bad, j)
		}
	}
}

func FuzzJobKey(f *testing.F) {
	f.Add("remind", "r1", "U1", 2)
	f.Fuzz(func(t *testing.T, kind, review, user string, n int) {
		j := assessment.Job{Kind: kind, Review: review, User: user, N: n}
		got, ok := assessment.ParseJobKey(j.Key())
		if ok && got.Key() != j.Key() {
			t.Fatalf("%q reads back as %+v, whose key is %q", j.Key(), got, got.Key())
		}
	})
}
