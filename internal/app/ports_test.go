package app_test

import (
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPortsSizedByRole keeps the use cases' ports sized by role.
func TestPortsSizedByRole(t *testing.T) { portsSizedByRole(t) }

// maxPortMethods bounds the interfaces of the use cases: a port is sized by
// the role it plays, so that a use case depends on what it uses and a test
// can fake it in a few lines.
const maxPortMethods = 15

// portsSizedByRole fails when an interface declared in internal/review has
// more than maxPortMethods methods, embedded interfaces included.
func portsSizedByRole(t *testing.T) {
	pkg := typeCheck(t, "github.com/assessbot/assessbot/internal/review")
	scope := pkg.Scope()
	found := 0
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok {
			continue
		}
		iface, ok := tn.Type().Underlying().(*types.Interface)
		if !ok {
			continue
		}
		found++
		if n := iface.NumMethods(); n > maxPortMethods {
			t.Errorf("review.%s has %d methods; split it by role (at most %d)", name, n, maxPortMethods)
		}
	}
	if found == 0 {
		t.Fatal("no interface found in internal/review: the check reads the wrong package")
	}
}

// typeCheck type-checks a package of the module (its non-test files), its
// imports read from the export data the go command builds.
func typeCheck(t *testing.T, path string) *types.Package {
	t.Helper()
	out, err := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Dir,GoFiles,Export", path).Output()
	if err != nil {
		t.Fatalf("go list -export %s: %v", path, err)
	}
	type listed struct {
		ImportPath, Dir, Export string
		GoFiles                 []string
	}
	exports := map[string]string{}
	var target listed
	for dec := json.NewDecoder(strings.NewReader(string(out))); ; {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
		if p.ImportPath == path {
			target = p
		}
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range target.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(target.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) { return os.Open(exports[path]) })
	pkg, err := (&types.Config{Importer: imp}).Check(path, fset, files, nil)
	if err != nil {
		t.Fatalf("type-check %s: %v", path, err)
	}
	return pkg
}
