package app_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const mod = "github.com/assessbot/assessbot/"

// TestLayout keeps the dependencies pointing inwards: the use cases know
// neither Slack nor Redis nor the store, the Slack adapter does not reach
// around them to the store, and the domain imports nothing of ours. On the
// Slack side, presentation is pure (no Socket Mode, no Web API client, no
// HTTP, no Redis) and the handlers do not reach into the transport.
func TestLayout(t *testing.T) {
	rules := []struct {
		pkg string
		// forbidden are packages that pkg must not depend on, with those
		// under them; exactly, packages it must not depend on, not counting
		// those under them; direct, packages its own files must not import
		// (for what it may reach through a package it needs, such as
		// net/http through slack-go's Block Kit types).
		forbidden, exactly, direct []string
	}{
		{pkg: "internal/review", forbidden: []string{"github.com/slack-go/slack", "github.com/redis/go-redis/v9", mod + "internal/store", mod + "internal/slackbot", mod + "internal/app"}},
		{pkg: "internal/slackbot", forbidden: []string{mod + "internal/store", "github.com/redis/go-redis/v9", mod + "internal/app"}},
		{pkg: "internal/store", forbidden: []string{"github.com/slack-go/slack", mod + "internal/review", mod + "internal/slackbot", mod + "internal/app"}},
		{pkg: "internal/assessment", forbidden: []string{mod}},
		{
			pkg:       "internal/present",
			forbidden: []string{"github.com/slack-go/slack/socketmode", "github.com/redis/go-redis/v9", mod + "internal/store", mod + "internal/slackbot/handlers", mod + "internal/app"},
			exactly:   []string{mod + "internal/slackbot"},
			direct:    []string{"net/http", "net", "net/url", "github.com/slack-go/slack/slackevents"},
		},
		{
			pkg:       "internal/slackbot/handlers",
			forbidden: []string{"github.com/slack-go/slack/socketmode", "github.com/redis/go-redis/v9", mod + "internal/store", mod + "internal/app"},
			exactly:   []string{mod + "internal/slackbot"},
		},
		{
			pkg:       "internal/slackbot/codec",
			forbidden: []string{"github.com/slack-go/slack/socketmode", mod},
		},
	}
	for _, r := range rules {
		for _, dep := range goList(t, "{{join .Deps \"\\n\"}}", r.pkg) {
			for _, f := range r.forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) {
					t.Errorf("%s depends on %s", r.pkg, dep)
				}
			}
			for _, f := range r.exactly {
				if dep == f {
					t.Errorf("%s depends on %s", r.pkg, dep)
				}
			}
		}
		for _, imp := range goList(t, "{{join .Imports \"\\n\"}}", r.pkg) {
			for _, f := range r.direct {
				if imp == f {
					t.Errorf("%s imports %s", r.pkg, imp)
				}
			}
		}
	}
	for _, bad := range slackClientUses(t, "internal/present") {
		t.Errorf("internal/present uses slack-go's Web API client: %s", bad)
	}
}

// goList runs go list -f format on a package of the module and returns its
// lines.
func goList(t *testing.T, format, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", format, mod+pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// slackClientUses lists where a package's files use slack-go's Web API
// client rather than its Block Kit types: the client and its constructor,
// its options, message options (arguments of its calls) and webhooks.
func slackClientUses(t *testing.T, pkg string) []string {
	t.Helper()
	var out []string
	eachFile(t, pkg, func(fset *token.FileSet, f *ast.File) {
		name := ""
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == "github.com/slack-go/slack" {
				name = "slack"
				if imp.Name != nil {
					name = imp.Name.Name
				}
			}
		}
		if name == "" {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == name && slackClientName(sel.Sel.Name) {
				out = append(out, fmt.Sprintf("%s: %s.%s", fset.Position(sel.Pos()), name, sel.Sel.Name))
			}
			return true
		})
	})
	return out
}

func slackClientName(s string) bool {
	switch {
	case s == "New", s == "Client", s == "Option":
		return true
	case strings.HasPrefix(s, "Option"): // but Block Kit's OptionBlockObject…
		return !strings.Contains(s, "Block")
	}
	return strings.HasPrefix(s, "MsgOption") || strings.HasPrefix(s, "PostWebhook") || strings.HasPrefix(s, "UnsafeApplyMsgOptions")
}

// eachFile parses the non-test Go files of a package of the module.
func eachFile(t *testing.T, pkg string, fn func(*token.FileSet, *ast.File)) {
	t.Helper()
	dir := goList(t, "{{.Dir}}", pkg)[0]
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		fn(fset, f)
	}
}

// maxFuncLines is the most lines a function may have in a package that
// imports slack-go.
const maxFuncLines = 80

// TestSmallFunctions keeps every function of a package that imports
// slack-go (the transport, the handlers, the codec, presentation, and the
// wiring) within maxFuncLines lines, from its func keyword to its closing
// brace.
func TestSmallFunctions(t *testing.T) {
	pkgs := 0
	for _, line := range goList(t, "{{.ImportPath}}:{{join .Imports \",\"}}", "...") {
		path, imports, _ := strings.Cut(line, ":")
		if !strings.Contains(","+imports+",", ",github.com/slack-go/slack,") {
			continue
		}
		pkgs++
		pkg := strings.TrimPrefix(path, mod)
		eachFile(t, pkg, func(fset *token.FileSet, f *ast.File) {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
				if n > maxFuncLines {
					t.Errorf("%s: %s has %d lines (at most %d)", fset.Position(fd.Pos()), funcName(fd), n, maxFuncLines)
				}
			}
		})
	}
	if pkgs == 0 {
		t.Fatal("no package imports slack-go")
	}
}

// funcName is a function's name, with its receiver's type for a method:
// "(Bot).dispatch".
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	typ := fd.Recv.List[0].Type
	if s, ok := typ.(*ast.StarExpr); ok {
		typ = s.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return "(" + id.Name + ")." + fd.Name.Name
	}
	return fd.Name.Name
}
