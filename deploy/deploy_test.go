// Package deploy_test checks the deployment files: that every YAML file
// parses, that no Redis password is on a command line or in a pod spec,
// that the Redis configuration files really make Redis ask for the
// password (with a real redis-server), and that only Prometheus reaches the
// bot's /metrics on Kubernetes.
package deploy_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.yaml.in/yaml/v3"
)

// docs parses every YAML document of a file.
func docs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	dec := yaml.NewDecoder(f)
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if d != nil {
			out = append(out, d)
		}
	}
}

// at walks a parsed document: keys of maps, indexes of lists.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func list(v any) []any { l, _ := v.([]any); return l }

// strs flattens every string under v.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, strs(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, strs(e)...)
		}
		return out
	}
	return nil
}

// TestYAMLParses: every *.yaml and *.yml file under deploy/ is valid YAML.
func TestYAMLParses(t *testing.T) {
	n := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return err
		}
		n += len(docs(t, path))
		return nil
	})
	if err != nil || n < 10 {
		t.Fatalf("%d documents, %v", n, err)
	}
}

// secretFlags are the Redis settings that carry a password.
var secretFlags = regexp.MustCompile(`(?i)requirepass|masterauth|auth-pass|--pass\b|-a\s`)

// TestComposeRedisPasswordFromAFile: the compose Redis (and the Sentinel
// overlay's replicas and sentinels) take the password from the secret
// file, never from a command line or the environment, and the healthcheck
// reads it from the same file.
func TestComposeRedisPasswordFromAFile(t *testing.T) {
	base := docs(t, "docker-compose.yml")[0]
	overlay := docs(t, "docker-compose.sentinel.yml")[0]
	if f := at(base, "secrets", "redis-auth.conf", "file"); f != "./redis-auth.conf" {
		t.Errorf("the secret redis-auth.conf comes from %v, want ./redis-auth.conf", f)
	}
	services := map[string]any{}
	for _, doc := range []map[string]any{base, overlay} {
		for name, s := range at(doc, "services").(map[string]any) {
			services[name] = s
		}
	}
	redisServices := 0
	for name, s := range services {
		if name == "assessbot" {
			if env := strs(at(s, "environment")); slices.ContainsFunc(env, func(v string) bool { return strings.Contains(v, "redis://") }) {
				t.Errorf("assessbot's REDIS_URL is in the compose file, where a password cannot be: %v", env)
			}
			continue
		}
		redisServices++
		for _, v := range slices.Concat(strs(at(s, "command")), strs(at(s, "entrypoint")), strs(at(s, "environment"))) {
			if strings.Contains(v, "replace-me") || (secretFlags.MatchString(v) && !strings.Contains(v, "/run/secrets/redis-auth.conf")) {
				t.Errorf("%s: a password on the command line or in the environment: %q", name, v)
			}
		}
		// The overlay's services that override only the command inherit
		// the base's secrets.
		if sec := strs(at(s, "secrets")); !slices.Contains(sec, "redis-auth.conf") && at(base, "services", name, "secrets") == nil {
			t.Errorf("%s does not mount the secret redis-auth.conf", name)
		}
	}
	if redisServices != 6 {
		t.Errorf("%d Redis services, want 6 (a master, two replicas, three sentinels)", redisServices)
	}
	hc := strings.Join(strs(at(base, "services", "redis", "healthcheck", "test")), " ")
	if !strings.Contains(hc, "REDISCLI_AUTH") || !strings.Contains(hc, "/run/secrets/redis-auth.conf") {
		t.Errorf("the healthcheck does not authenticate from the secret: %s", hc)
	}
	if inc := include(t, "redis.conf"); inc != "/run/secrets/redis-auth.conf" {
		t.Errorf("redis.conf includes %q, want the secret /run/secrets/redis-auth.conf", inc)
	}
}

// TestKubernetesRedisPasswordFromASecretFile: no container of the
// manifests has a password in its command, arguments or environment; the
// Redis StatefulSet mounts the Secret redis-auth where its redis.conf
// includes it from, and runs with that redis.conf.
func TestKubernetesRedisPasswordFromASecretFile(t *testing.T) {
	var sts map[string]any
	for _, file := range []string{"kubernetes/redis.yaml", "kubernetes/deployment.yaml"} {
		for _, d := range docs(t, file) {
			for _, c := range list(at(d, "spec", "template", "spec", "containers")) {
				for _, v := range slices.Concat(strs(at(c, "command")), strs(at(c, "args"))) {
					if secretFlags.MatchString(v) || strings.Contains(v, "$(") && strings.Contains(strings.ToUpper(v), "PASS") {
						t.Errorf("%s: container %v has a password on its command line: %q", file, at(c, "name"), v)
					}
				}
				for _, e := range list(at(c, "env")) {
					if name, _ := at(e, "name").(string); strings.Contains(strings.ToUpper(name), "PASS") || name == "REDISCLI_AUTH" {
						t.Errorf("%s: container %v has the password in its environment: %s", file, at(c, "name"), name)
					}
				}
			}
			if at(d, "kind") == "StatefulSet" {
				sts = d
			}
		}
	}
	if sts == nil {
		t.Fatal("kubernetes/redis.yaml has no StatefulSet")
	}
	pod := at(sts, "spec", "template", "spec")
	c := at(pod, "containers", 0)
	args := strings.Join(strs(at(c, "args")), " ")
	mounts := map[string]string{} // volume -> mount path
	for _, m := range list(at(c, "volumeMounts")) {
		mounts[at(m, "name").(string)] = at(m, "mountPath").(string)
	}
	volumes := map[string]any{}
	for _, v := range list(at(pod, "volumes")) {
		volumes[at(v, "name").(string)] = v
	}
	var authDir, confDir string
	for name, v := range volumes {
		switch {
		case at(v, "secret", "secretName") == "redis-auth":
			authDir = mounts[name]
		case at(v, "configMap", "name") == "redis-config":
			confDir = mounts[name]
		}
	}
	if authDir == "" || confDir == "" {
		t.Fatalf("the Redis pod mounts the Secret redis-auth at %q and the ConfigMap redis-config at %q", authDir, confDir)
	}
	if args != "redis-server "+confDir+"/redis.conf" {
		t.Errorf("Redis runs %q, want redis-server %s/redis.conf", args, confDir)
	}
	if inc := include(t, "kubernetes/redis.conf"); inc != authDir+"/redis-auth.conf" {
		t.Errorf("kubernetes/redis.conf includes %q, where the Secret is %s/redis-auth.conf", inc, authDir)
	}
	kust := docs(t, "kubernetes/kustomization.yaml")[0]
	if f := strs(at(kust, "configMapGenerator", 0, "files")); at(kust, "configMapGenerator", 0, "name") != "redis-config" || !slices.Equal(f, []string{"redis.conf"}) {
		t.Errorf("kustomization.yaml does not make redis-config from redis.conf: %v", at(kust, "configMapGenerator"))
	}
	var secrets []string
	for _, d := range docs(t, "kubernetes/secret.example.yaml") {
		secrets = append(secrets, at(d, "metadata", "name").(string))
		if at(d, "metadata", "name") == "redis-auth" && !strings.HasPrefix(at(d, "stringData", "redis-auth.conf").(string), "requirepass ") {
			t.Errorf("secret.example.yaml's redis-auth.conf is not a requirepass line")
		}
	}
	if !slices.Equal(secrets, []string{"assessbot", "redis-auth"}) {
		t.Errorf("secret.example.yaml has the Secrets %v, want assessbot and redis-auth", secrets)
	}
}

// TestMetricsBehindNetworkPolicy: on Kubernetes a NetworkPolicy selects
// the bot's pods and admits only a named source (Prometheus), only on the
// port that serves /metrics; kustomize applies it.
func TestMetricsBehindNetworkPolicy(t *testing.T) {
	dep := docs(t, "kubernetes/deployment.yaml")[0]
	labels := at(dep, "spec", "template", "metadata", "labels").(map[string]any)
	port := at(dep, "spec", "template", "spec", "containers", 0, "ports", 0, "containerPort")
	pol := docs(t, "kubernetes/networkpolicy.yaml")[0]
	if at(pol, "kind") != "NetworkPolicy" {
		t.Fatalf("networkpolicy.yaml holds a %v", at(pol, "kind"))
	}
	sel := at(pol, "spec", "podSelector", "matchLabels").(map[string]any)
	for k, v := range sel {
		if labels[k] != v {
			t.Errorf("the policy selects %s=%v, which the bot's pods do not have (%v)", k, v, labels)
		}
	}
	if len(sel) == 0 || !slices.Contains(strs(at(pol, "spec", "policyTypes")), "Ingress") {
		t.Errorf("the policy does not restrict the bot's ingress: %v", at(pol, "spec"))
	}
	rules := list(at(pol, "spec", "ingress"))
	for _, r := range rules {
		if len(list(at(r, "from"))) == 0 {
			t.Errorf("an ingress rule admits every source: %v", r)
		}
		for _, p := range list(at(r, "ports")) {
			if at(p, "port") != port {
				t.Errorf("an ingress rule opens port %v; the bot serves /metrics on %v", at(p, "port"), port)
			}
		}
	}
	if len(rules) != 1 || len(list(at(rules[0], "ports"))) != 1 {
		t.Errorf("want one rule with one port, got %v", rules)
	}
	if !slices.Contains(strs(at(docs(t, "kubernetes/kustomization.yaml")[0], "resources")), "networkpolicy.yaml") {
		t.Error("kustomization.yaml does not apply networkpolicy.yaml")
	}
}

// include returns the file a redis.conf includes.
func include(t *testing.T, conf string) string {
	t.Helper()
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f, ok := strings.CutPrefix(line, "include "); ok {
			return strings.TrimSpace(f)
		}
	}
	return ""
}

// TestRedisConfigAsksForThePassword: each redis.conf, run by a real
// redis-server with its include pointed at a password file like the
// example's, refuses a client without the password, takes one with it,
// and keeps the settings the bot relies on (AOF, noeviction).
func TestRedisConfigAsksForThePassword(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is not installed (apt-get install -y redis-server): %v", err)
	}
	for _, conf := range []string{"redis.conf", "kubernetes/redis.conf"} {
		t.Run(conf, func(t *testing.T) {
			dir := t.TempDir()
			const pw = "deploy-test-password"
			auth := filepath.Join(dir, "redis-auth.conf")
			if err := os.WriteFile(auth, []byte("requirepass "+pw+"\nmasterauth "+pw+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(conf)
			if err != nil {
				t.Fatal(err)
			}
			// The data directory is the volume's, /data, which this machine
			// may not have: the test's own instead.
			if !strings.Contains(string(data), "\ndir /data\n") {
				t.Errorf("%s does not keep its data in /data, where the volume is", conf)
			}
			text := strings.Replace(string(data), "include "+include(t, conf), "include "+auth, 1)
			text = strings.Replace(text, "\ndir /data\n", "\ndir "+dir+"\n", 1)
			if err := os.WriteFile(filepath.Join(dir, "redis.conf"), []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			addr := startRedis(t, filepath.Join(dir, "redis.conf"), dir)
			ctx := context.Background()
			anon := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
			defer anon.Close()
			if err := anon.Ping(ctx).Err(); err == nil || !strings.HasPrefix(err.Error(), "NOAUTH") {
				t.Errorf("PING without the password: %v, want NOAUTH", err)
			}
			rdb := redis.NewClient(&redis.Options{Addr: addr, Password: pw, MaxRetries: -1})
			defer rdb.Close()
			for name, want := range map[string]string{"appendonly": "yes", "maxmemory": "419430400", "maxmemory-policy": "noeviction", "masterauth": pw} {
				got, err := rdb.ConfigGet(ctx, name).Result()
				if err != nil || got[name] != want {
					t.Errorf("CONFIG GET %s = %v, %v; want %s", name, got, err, want)
				}
			}
		})
	}
}

// startRedis runs redis-server with conf on a free port of 127.0.0.1 and
// returns its address once it listens; it is killed when the test ends.
func startRedis(t *testing.T, conf, dir string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("redis-server", conf, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--logfile", filepath.Join(dir, "redis.log"))
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
	t.Fatalf("redis-server %s did not listen within 10s:\n%s%s", conf, stderr.String(), log)
	return ""
}
