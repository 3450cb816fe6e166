package assessment_test

import (
	"testing"

	"github.com/assessbot/assessbot/internal/assessment"
)

// A workspace admits its own team and, on Enterprise Grid, every team of
// its organisation; nothing else, and nothing that names no team.
func TestWorkspaceAdmits(t *testing.T) {
	plain := assessment.Workspace{Team: "T1"}
	grid := assessment.Workspace{Team: "T1", Enterprise: "E1"}
	cases := []struct {
		name             string
		ws               assessment.Workspace
		team, enterprise string
		want             bool
	}{
		{"its own team", plain, "T1", "", true},
		{"another team", plain, "T2", "", false},
		{"its team under an organisation it is not part of", plain, "T1", "E9", false},
		{"no team at all", plain, "", "", false},
		{"grid: its own team", grid, "T1", "E1", true},
		{"grid: its own team, the payload naming no organisation", grid, "T1", "", true},
		{"grid: a sister workspace of the organisation", grid, "T2", "E1", true},
		{"grid: another organisation", grid, "T2", "E2", false},
		{"grid: another team naming no organisation", grid, "T2", "", false},
		{"grid: its team id under another organisation", grid, "T1", "E2", false},
	}
	for _, c := range cases {
		if got := c.ws.Admits(c.team, c.enterprise); got != c.want {
			t.Errorf("%s: %+v admits (%q, %q) = %v, want %v", c.name, c.ws, c.team, c.enterprise, got, c.want)
		}
	}
}
