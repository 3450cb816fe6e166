package assessment_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Reasons lists every type of this package that is a reason (has a Name
// method), each once, with a name of its own: the words test reads the
// list, so a reason left out of it would go without words unnoticed.
func TestReasonsListsEveryReason(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Name" || fn.Type.Params.NumFields() != 0 {
				continue
			}
			if id, ok := fn.Recv.List[0].Type.(*ast.Ident); ok {
				declared = append(declared, id.Name)
			}
		}
	}
	var listed []string
	names := map[string]string{}
	for _, r := range assessment.Reasons() {
		typ := reflect.TypeOf(r).Name()
		listed = append(listed, typ)
		if other, dup := names[r.Name()]; dup {
			t.Errorf("%s and %s share the name %q", other, typ, r.Name())
		}
		names[r.Name()] = typ
	}
	slices.Sort(declared)
	slices.Sort(listed)
	if !slices.Equal(declared, listed) {
		t.Fatalf("reason types declared: %v\nlisted by Reasons: %v", declared, listed)
	}
}

// An error reads as its code, its reason's name and its figures in order,
// and matches a sentinel by code and reason, whatever its figures.
func TestErrorTextAndMatch(t *testing.T) {
	err := fmt.Errorf("start: %w", assessment.NewError(assessment.EINVALID, assessment.ThresholdFloor{Asked: 2, Floor: 3}).Because(errors.New("cause")))
	if got, want := err.Error(), "start: invalid: threshold_floor[2 3]: cause"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if r, ok := assessment.ReasonAs[assessment.ThresholdFloor](err); !ok || r.Asked != 2 || r.Floor != 3 {
		t.Fatalf("ReasonAs = %+v, %v", r, ok)
	}
	if _, ok := assessment.ReasonAs[assessment.ThresholdRange](err); ok {
		t.Fatal("a threshold floor reads as a threshold range")
	}
	closed := fmt.Errorf("save: %w", assessment.NewError(assessment.ECLOSED, assessment.ReviewClosed{}))
	if !errors.Is(closed, assessment.ErrClosed) || errors.Is(closed, assessment.ErrNotRespondent) || errors.Is(err, assessment.ErrClosed) {
		t.Fatal("errors.Is does not match by code and reason")
	}
	if got := assessment.NewError(assessment.ENOTFOUND, assessment.ReviewNotFound{ID: "r1"}).Error(); got != "not_found: review_not_found[r1]" {
		t.Fatalf("Error() = %q", got)
	}
	if assessment.ErrorReason(errors.New("plain")) != nil || assessment.ErrorCode(errors.New("plain")) != assessment.EINTERNAL {
		t.Fatal("a plain error has a reason or a code")
	}
}
