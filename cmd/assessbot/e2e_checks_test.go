package main

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// secrets returns what must never reach a log line: the tokens and
// response_urls fakeslack handed out, and the Redis password.
func (h *harness) secrets() []string {
	return append(h.slack.Secrets(), redisPassword(h.redisURL)...)
}

func redisPassword(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return nil
	}
	if p, ok := u.User.Password(); ok && p != "" {
		return []string{p}
	}
	return nil
}

// reSlackSecret matches what looks like a Slack secret wherever it came from.
var reSlackSecret = regexp.MustCompile(`hooks\.slack\.com/(actions|commands|services)/[A-Za-z0-9]|xox[abposr]-[A-Za-z0-9]|xapp-[0-9A-Za-z]`)

// checkNoSecrets fails the test when a line of logs holds a secret; the
// line is shown with the secret cut out.
func checkNoSecrets(t *testing.T, what, logs string, secrets []string) {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		leaked := ""
		if reSlackSecret.MatchString(line) {
			leaked = "something shaped like a Slack token or response_url"
		}
		for _, s := range secrets {
			if len(s) >= 6 && strings.Contains(line, s) {
				leaked = "a token, response_url or password handed to the bot"
				line = strings.ReplaceAll(line, s, "<SECRET>")
			}
		}
		if leaked != "" {
			t.Errorf("%s: %s reached a log line: %.400s", what, leaked, reSlackSecret.ReplaceAllString(line, "<SECRET>"))
		}
	}
}

// checkLogFilesNoSecrets is checkNoSecrets over a crash harness's log files.
func checkLogFilesNoSecrets(t *testing.T, dir string, secrets []string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "bot-*.log"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			checkNoSecrets(t, filepath.Base(f), string(b), secrets)
		}
	}
}

// metric sums a counter (or a gauge) of the current Main over all labels
// matching the given name=value pairs.
func (h *harness) metric(name string, labels ...string) float64 {
	h.t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		h.t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := true
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, l := range m.GetLabel() {
					found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
				}
				match = match && found
			}
			if !match {
				continue
			}
			switch {
			case m.Counter != nil:
				total += m.Counter.GetValue()
			case m.Gauge != nil:
				total += m.Gauge.GetValue()
			}
		}
	}
	return total
}
