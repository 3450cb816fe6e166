package present

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Every reason has words, and the words use every figure the reason
// carries: each field is filled with a value of its own and must show in
// the text.
func TestEveryReasonHasWordsThatUseItsFields(t *testing.T) {
	for _, r := range append(assessment.Reasons(), badPayload{}) {
		typ := reflect.TypeOf(r)
		v := reflect.New(typ).Elem()
		var want [][]string // per field, the renderings any of which may show
		for i := range v.NumField() {
			f, name := v.Field(i), typ.Field(i).Name
			switch x := f.Interface().(type) {
			case string:
				s := "zq" + name
				f.SetString(s)
				want = append(want, []string{s})
			case int:
				n := 9000 + 11*i
				f.SetInt(int64(n))
				want = append(want, []string{strconv.Itoa(n)})
			case time.Duration:
				d := time.Duration(i+2)*time.Hour + 7*time.Minute
				f.Set(reflect.ValueOf(d))
				want = append(want, []string{DurationText(d), d.String()})
			case time.Time:
				at := time.Date(2031, 1, 2+i, 3, 4, 0, 0, time.UTC)
				f.Set(reflect.ValueOf(at))
				want = append(want, []string{errorTime(at)})
			case []string:
				ids := []string{"zqA" + name, "zqB" + name}
				f.Set(reflect.ValueOf(ids))
				want = append(want, ids[:1], ids[1:])
			default:
				t.Fatalf("%s.%s is a %T: teach this test to fill it", typ.Name(), name, x)
			}
		}
		filled := v.Interface().(assessment.Reason)
		got := Words(OpStart, assessment.NewError(assessment.EINVALID, filled))
		if got == somethingWrong {
			t.Errorf("%s (%s) has no words", typ.Name(), filled.Name())
			continue
		}
		for i, renderings := range want {
			if !containsAny(got, renderings) {
				t.Errorf("the words of %s do not use %s (%v): %s", typ.Name(), typ.Field(i).Name, renderings, got)
			}
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// A reason the translator does not know, and a failure with no reason,
// read as something gone wrong on our side.
func TestWordsOfTheUnknown(t *testing.T) {
	if got := Words(OpStart, assessment.NewError(assessment.EINVALID, unknownReason{})); got != somethingWrong {
		t.Errorf("unknown reason: %q", got)
	}
	if got := Words(OpStart, assessment.NewError(assessment.EINVALID, nil)); got != somethingWrong {
		t.Errorf("no reason: %q", got)
	}
}

type unknownReason struct{}

func (unknownReason) Name() string { return "unknown" }
