package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// The start form refuses, on the people field, fewer people than the
// anonymity threshold unless "Start anyway" is ticked; with groups or
// channels the count is only known later.
func TestStartFormBelowThreshold(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	state := func(th string, users []string, channels []string, anyway bool) *slack.ViewState {
		v := map[string]map[string]slack.BlockAction{
			"framework": {"v": {SelectedOption: slack.OptionBlockObject{Value: "cs-checklist"}}},
			"people":    {"v": {SelectedUsers: users}},
			"channels":  {"v": {SelectedConversations: channels}},
			"digest":    {"v": {SelectedConversation: "CLEADS"}},
			"threshold": {"v": {Value: th}},
			"deadline":  {"v": {SelectedDate: "2026-11-25"}},
			"grace":     {"v": {Value: "2h"}},
		}
		if anyway {
			v["anyway"] = map[string]slack.BlockAction{"v": {SelectedOptions: []slack.OptionBlockObject{{Value: "anyway"}}}}
		}
		return &slack.ViewState{Values: v}
	}
	errs := validateStartForm(state("3", []string{"U1", "U2"}, nil, false), now)
	if msg := errs["people"]; !strings.Contains(msg, "Only 2 people would answer, fewer than the anonymity threshold of 3") || !strings.Contains(msg, "Start anyway") {
		t.Fatalf("errors = %v", errs)
	}
	for name, st := range map[string]*slack.ViewState{
		"anyway":      state("3", []string{"U1", "U2"}, nil, true),
		"enough":      state("3", []string{"U1", "U2", "U3"}, nil, false),
		"channel too": state("3", []string{"U1"}, []string{"C1"}, false),
	} {
		if errs := validateStartForm(st, now); len(errs) != 0 {
			t.Errorf("%s: errors %v", name, errs)
		}
	}
	bad := state("3", []string{"U1", "U2", "U3"}, nil, false)
	bad.Values["grace"]["v"] = slack.BlockAction{Value: "forever"}
	if errs := validateStartForm(bad, now); errs["grace"] == "" {
		t.Fatalf("a bad grace period is accepted: %v", errs)
	}
}
