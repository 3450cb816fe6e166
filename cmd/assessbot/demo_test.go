package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

// repoRoot is the repository, seen from this package's directory.
const repoRoot = "../.."

// demoRun is one run of `assessbot demo` with its default flags (seed 1, no
// -out), shared by the tests that read it: its output, the repository's git
// status before and after, and the charts it wrote (whose folder is then
// removed).
var demoRun struct {
	once          sync.Once
	out, errOut   string
	err           error
	before, after string
	gitErr        error
	chartDir      string
	charts        map[string][]byte
}

func seededDemo(t *testing.T) string {
	t.Helper()
	demoRun.once.Do(func() {
		demoRun.before, demoRun.gitErr = gitStatus()
		var out, errOut bytes.Buffer
		demoRun.err = runDemo(context.Background(), nil, &out, &errOut)
		demoRun.out, demoRun.errOut = out.String(), errOut.String()
		if demoRun.gitErr == nil {
			demoRun.after, demoRun.gitErr = gitStatus()
		}
		if m := reChartDir.FindStringSubmatch(demoRun.out); m != nil {
			demoRun.chartDir, demoRun.charts = m[1], map[string][]byte{}
			for _, name := range strings.Split(m[2], ", ") {
				demoRun.charts[name], _ = os.ReadFile(filepath.Join(m[1], name))
			}
			os.RemoveAll(m[1])
		}
	})
	if demoRun.err != nil {
		t.Fatalf("assessbot demo: %v\n%s%s", demoRun.err, demoRun.out, demoRun.errOut)
	}
	return demoRun.out
}

func gitStatus() (string, error) {
	out, err := exec.Command("git", "-C", repoRoot, "status", "--porcelain", "--untracked-files=all", "--ignored").Output()
	return string(out), err
}

var reChartDir = regexp.MustCompile(`charts .* are in (\S+): (\S.*)\n`)

// TestDemoWritesNothingIntoTheRepo: `make demo` used to rewrite the
// tracked docs/chart.png. Without -out the charts go to a new temporary
// folder, outside the repository, which the demo names.
func TestDemoWritesNothingIntoTheRepo(t *testing.T) {
	out := seededDemo(t)
	if demoRun.gitErr != nil {
		t.Skipf("no git status: %v", demoRun.gitErr)
	}
	if demoRun.before != demoRun.after {
		t.Errorf("the demo changed the working tree:\nbefore:\n%s\nafter:\n%s", demoRun.before, demoRun.after)
	}
	dir := demoRun.chartDir
	if dir == "" {
		t.Fatalf("the demo does not say where the charts are:\n%s", out)
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if rel, err := filepath.Rel(root, dir); err == nil && !strings.HasPrefix(rel, "..") {
		t.Errorf("the charts went to %s, inside the repository", dir)
	}
	for name, b := range demoRun.charts {
		if !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("chart %s: not a PNG", name)
		}
	}
	if demoRun.charts["review-2-chart.png"] == nil {
		t.Errorf("no chart of the second review (make readme-chart copies it) in %s", dir)
	}
}

// TestDemoPreview: the demo shows each respondent's progress, a second
// review whose digest compares with the first, and nothing of the bot's
// complaints.
func TestDemoPreview(t *testing.T) {
	out := seededDemo(t)
	for _, p := range []string{"amy", "ben", "cat", "dev", "eli"} {
		if n := strings.Count(out, "@"+p+" submitted: 55/55 answered"); n != 2 {
			t.Errorf("@%s's progress line shows %d times, want once per review", p, n)
		}
	}
	for _, want := range []string{
		"┌─ DM from assessbot to @amy", "┌─ @amy's DM after answering the first section",
		"┌─ " + demoDigestTitle + "\n", "┌─ " + demoTrendTitle + "\n",
		"since 2 Nov 2026", "▲ +",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out)
		}
	}
}

// TestDemoOwnFramework: the demo previews a framework from FRAMEWORKS_DIR,
// and its respondents write open answers in the bot's form.
func TestDemoOwnFramework(t *testing.T) {
	t.Setenv("FRAMEWORKS_DIR", "testdata/demo-frameworks")
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := runDemo(context.Background(), []string{"-framework", "mine", "-respondents", "3", "-out", dir}, &out, &errOut); err != nil {
		t.Fatalf("demo -framework mine: %v\n%s%s", err, out.String(), errOut.String())
	}
	s := out.String()
	for _, want := range []string{
		"Our own health check — results",
		"┌─ the form @amy writes an open answer in",
		"open answer",
		// Three respondents show no section score: nothing to compare,
		// but the second review runs and posts its digest.
		"┌─ " + demoTrendTitle + "\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if !containsQuoted(s) {
		t.Errorf("no open answer shows in a DM or the thread:\n%s", s)
	}
	for _, name := range []string{"review-1-chart.png", "review-2-chart.png"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("-out: %v", err)
		}
	}
}

// containsQuoted reports whether an open answer of the demo's shows quoted,
// as the DM and the digest's thread show them.
func containsQuoted(s string) bool {
	for _, t := range demoTexts {
		if strings.Contains(s, "> "+t) {
			return true
		}
	}
	return false
}

func TestDemoUsage(t *testing.T) {
	for _, args := range [][]string{{"-respondents", "0"}, {"extra"}, {"-framework", "nope"}} {
		err := runDemo(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{})
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("demo %q: %v, want a usage error", args, err)
		}
	}
}

var reReviewID = regexp.MustCompile("Review `[a-z0-9-]+`")

// TestREADMEDigestIsTheDemos: the digests README.md shows are what the demo
// prints with its default seed (the review ids, drawn at random, aside).
// go test ./cmd/assessbot/ -run TestREADME -update rewrites them.
func TestREADMEDigestIsTheDemos(t *testing.T) {
	out := seededDemo(t)
	path := filepath.Join(repoRoot, "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	for marker, title := range map[string]string{"demo-digest": demoDigestTitle, "demo-trend": demoTrendTitle} {
		want := demoBox(t, out, title)
		start, end := "<!-- "+marker+":start -->\n", "<!-- "+marker+":end -->"
		i, j := strings.Index(text, start), strings.Index(text, end)
		if i < 0 || j < i {
			t.Fatalf("README.md has no %s…%s block", start, end)
		}
		got := text[i+len(start) : j]
		block := "```\n" + want + "```\n"
		if *update {
			text = text[:i+len(start)] + block + text[j:]
			continue
		}
		norm := func(s string) string { return reReviewID.ReplaceAllString(s, "Review `…`") }
		if norm(got) != norm(block) {
			t.Errorf("README.md's %s block is not what `assessbot demo` prints (go test ./cmd/assessbot/ -run TestREADME -update rewrites it)\nREADME:\n%s\ndemo:\n%s", marker, got, block)
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// demoBox returns the body of the demo's box with title, unframed.
func demoBox(t *testing.T, out, title string) string {
	t.Helper()
	_, rest, ok := strings.Cut(out, "┌─ "+title+"\n")
	if !ok {
		t.Fatalf("the demo printed no %q:\n%s", title, out)
	}
	body, _, ok := strings.Cut(rest, "└─\n")
	if !ok {
		t.Fatalf("box %q does not end", title)
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(body, "\n") {
		if l != "" {
			b.WriteString(strings.TrimPrefix(l, "│ "))
		}
	}
	return b.String()
}

// TestREADMEGoVersion: the README asks for the Go release go.mod needs.
func TestREADMEGoVersion(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "Go "+string(m[1])+" ") {
		t.Errorf("README.md does not say Go %s, which go.mod needs", m[1])
	}
}

// deployDocs parses every YAML file under deploy/ and returns their
// documents by path (relative to deploy/).
func deployDocs(t *testing.T) map[string][]map[string]any {
	t.Helper()
	docs := map[string][]map[string]any{}
	root := filepath.Join(repoRoot, "deploy")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (!strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".yml")) {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(root, path)
		dec := yaml.NewDecoder(f)
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Errorf("%s: %v", rel, err)
				break
			}
			if doc != nil {
				docs[filepath.ToSlash(rel)] = append(docs[filepath.ToSlash(rel)], doc)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// TestDeployFiles parses every YAML file under deploy/ and checks what a
// new user relies on: the manifest's read-only Messages tab and complete
// usage hint, /metrics on the host only, and a Kubernetes Redis with a
// password, a memory cap and a NetworkPolicy that admits only the bot.
func TestDeployFiles(t *testing.T) {
	docs := deployDocs(t)
	for _, want := range []string{"slack-app-manifest.yaml", "docker-compose.yml", "kubernetes/redis.yaml", "kubernetes/configmap.yaml", "kubernetes/deployment.yaml", "kubernetes/secret.example.yaml"} {
		if len(docs[want]) == 0 {
			t.Errorf("deploy/%s: no YAML document", want)
		}
	}
	get := func(v any, path ...string) any {
		for _, k := range path {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		return v
	}

	manifest := docs["slack-app-manifest.yaml"][0]
	if get(manifest, "features", "app_home", "messages_tab_read_only_enabled") != true {
		t.Error("manifest: the Messages tab must be read-only (the bot does not subscribe to message.im)")
	}
	cmds, _ := get(manifest, "features", "slash_commands").([]any)
	if len(cmds) != 1 {
		t.Fatalf("manifest: %d slash commands, want /review", len(cmds))
	}
	hint, _ := get(cmds[0], "usage_hint").(string)
	for _, sub := range []string{"start", "schedule", "status", "close", "results", "export", "forget", "frameworks", "help"} {
		if !strings.Contains(hint, sub) {
			t.Errorf("manifest: usage_hint %q leaves out %s", hint, sub)
		}
	}

	ports, _ := get(docs["docker-compose.yml"][0], "services", "assessbot", "ports").([]any)
	for _, p := range ports {
		if s, _ := p.(string); !strings.HasPrefix(s, "127.0.0.1:") {
			t.Errorf("docker-compose.yml publishes %q beyond this host", s)
		}
	}

	var sts, policy map[string]any
	for _, d := range docs["kubernetes/redis.yaml"] {
		switch get(d, "kind") {
		case "StatefulSet":
			sts = d
		case "NetworkPolicy":
			policy = d
		}
	}
	if sts == nil {
		t.Fatal("kubernetes/redis.yaml: no StatefulSet")
	}
	containers, _ := get(sts, "spec", "template", "spec", "containers").([]any)
	if len(containers) != 1 {
		t.Fatalf("redis StatefulSet: %d containers", len(containers))
	}
	// Redis's settings and password come from files (redis.conf and the
	// Secret redis-auth): deploy/deploy_test.go checks them with a real
	// redis-server. Here: the bot's REDIS_URL carries that password.
	var args []string
	for _, a := range get(containers[0], "args").([]any) {
		args = append(args, fmt.Sprint(a))
	}
	if flags := strings.Join(args, " "); strings.Contains(flags, "requirepass") || strings.Contains(flags, "PASSWORD") {
		t.Errorf("redis args %q carry the password", flags)
	}
	var url, pw string
	for _, secret := range docs["kubernetes/secret.example.yaml"] {
		switch get(secret, "metadata", "name") {
		case "assessbot":
			url, _ = get(secret, "stringData", "REDIS_URL").(string)
		case "redis-auth":
			conf, _ := get(secret, "stringData", "redis-auth.conf").(string)
			pw, _ = strings.CutPrefix(strings.TrimSpace(conf), "requirepass ")
		}
	}
	if pw == "" || !strings.Contains(url, ":"+pw+"@") {
		t.Errorf("secret.example.yaml: REDIS_URL %q does not carry redis-auth's password %q", url, pw)
	}

	if policy == nil {
		t.Fatal("kubernetes/redis.yaml: no NetworkPolicy")
	}
	deployment := docs["kubernetes/deployment.yaml"][0]
	botLabels, _ := get(deployment, "spec", "template", "metadata", "labels").(map[string]any)
	redisLabels, _ := get(sts, "spec", "template", "metadata", "labels").(map[string]any)
	if !labelsMatch(get(policy, "spec", "podSelector", "matchLabels"), redisLabels) {
		t.Error("the NetworkPolicy does not select the Redis pods")
	}
	ingress, _ := get(policy, "spec", "ingress").([]any)
	if len(ingress) != 1 {
		t.Fatalf("NetworkPolicy: %d ingress rules, want 1", len(ingress))
	}
	from, _ := get(ingress[0], "from").([]any)
	if len(from) != 1 || get(from[0], "namespaceSelector") != nil || !labelsMatch(get(from[0], "podSelector", "matchLabels"), botLabels) ||
		labelsMatch(get(from[0], "podSelector", "matchLabels"), redisLabels) {
		t.Errorf("NetworkPolicy: ingress must come from the bot's pods only: %v", from)
	}
	rulePorts, _ := get(ingress[0], "ports").([]any)
	if len(rulePorts) != 1 || fmt.Sprint(get(rulePorts[0], "port")) != "6379" {
		t.Errorf("NetworkPolicy: ports %v, want 6379", rulePorts)
	}

	admins, _ := get(docs["kubernetes/configmap.yaml"][0], "data", "ADMIN_USERS").(string)
	if admins == "" {
		t.Error("configmap.yaml: ADMIN_USERS must be set (admin commands are refused without admins)")
	}
	env, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "assessbot.env.example"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^ADMIN_USERS=U[A-Z0-9]+$`).Match(env) || !strings.Contains(string(env), "ADMIN_USERS=*") {
		t.Error("assessbot.env.example: ADMIN_USERS must be set to a placeholder id, and say that * means everyone")
	}
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"GOPROXY", "GOFLAGS"} {
		if !regexp.MustCompile(`(?m)^ARG ` + arg + `\b`).Match(dockerfile) {
			t.Errorf("Dockerfile: no ARG %s", arg)
		}
	}
}

// labelsMatch reports whether every label of selector is in labels.
func labelsMatch(selector any, labels map[string]any) bool {
	sel, _ := selector.(map[string]any)
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}
