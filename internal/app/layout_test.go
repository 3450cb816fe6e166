package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayout keeps the dependencies pointing inwards: the use cases know
// neither Slack nor Redis nor the store, the Slack adapter does not reach
// around them to the store, and the domain imports nothing of ours.
func TestLayout(t *testing.T) {
	const mod = "github.com/assessbot/assessbot/"
	rules := []struct {
		pkg       string
		forbidden []string
	}{
		{"internal/review", []string{"github.com/slack-go/slack", "github.com/redis/go-redis/v9", mod + "internal/store", mod + "internal/slackbot", mod + "internal/app"}},
		{"internal/slackbot", []string{mod + "internal/store", "github.com/redis/go-redis/v9", mod + "internal/app"}},
		{"internal/store", []string{"github.com/slack-go/slack", mod + "internal/review", mod + "internal/slackbot", mod + "internal/app"}},
		{"internal/assessment", []string{mod}},
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", mod+r.pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", r.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range r.forbidden {
				if dep == mod+r.pkg {
					continue
				}
				if dep == f || strings.HasPrefix(dep, f+"/") || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) {
					t.Errorf("%s depends on %s", r.pkg, dep)
				}
			}
		}
	}
}
