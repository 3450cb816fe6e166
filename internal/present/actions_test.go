package present

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

var fixedNow = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// fixedAction is an action of fixedReview in status st, due on day.
func fixedAction(t *testing.T, id string, st assessment.ActionStatus, owner string, day int) review.ActionView {
	f := shipped(t, "cs-exec-maturity")
	a := &assessment.Action{ID: id, Review: closed().ID, Framework: f.ID, Section: f.Sections[0].ID,
		What: "Write the <renewal> playbook & share it", Owner: owner, Proposer: "UPROP",
		Due: time.Date(2026, 12, day, 0, 0, 0, 0, time.UTC), Status: st, Rev: 1}
	return review.ActionView{Action: a, Review: closed(), Framework: f}
}

// TestActionsGolden: the App Home with actions (an owner's, and an
// admin's with everyone's open actions), the plan and update modals, the
// thread message, the owner's and proposer's DMs, the reminder and the
// `/review actions` list.
func TestActionsGolden(t *testing.T) {
	f := shipped(t, "cs-exec-maturity")
	proposed := fixedAction(t, "aprop1", assessment.ActionProposed, "UOWN", 20)
	accepted := fixedAction(t, "aacc1", assessment.ActionAccepted, "UOWN", 10)
	overdue := fixedAction(t, "alate1", assessment.ActionAccepted, "UOTHER", 1)
	done := fixedAction(t, "adone1", assessment.ActionDone, "UOWN", 1)
	owner := review.Home{Actions: []review.ActionView{overdue, accepted, proposed}, Now: fixedNow}
	admin := fixedHome(f)
	admin.Actions, admin.OpenActions, admin.Now = []review.ActionView{accepted}, []review.ActionView{overdue, proposed}, fixedNow
	blocks := map[string][]slack.Block{
		"home-actions":       Home(owner),
		"home-admin-actions": Home(admin),
		"action-thread":      ActionThread(proposed, fixedNow),
		"action-thread-done": ActionThread(done, fixedNow),
		"action-proposal":    second(ActionProposal(proposed, fixedNow)),
		"action-accepted":    second(ActionChanged(accepted, fixedNow)),
		"action-declined":    second(ActionDeclined(fixedAction(t, "adecl1", assessment.ActionDeclined, "UOWN", 20), fixedNow)),
		"action-reminder":    second(ActionReminder(accepted, false, fixedNow)),
		"action-list":        second(ActionList(review.ActionList{Mine: []review.ActionView{accepted}, Others: []review.ActionView{overdue}}, "UOWN", fixedNow)),
	}
	for name, bs := range blocks {
		t.Run(name, func(t *testing.T) { golden(t, filepath.Join("actions", name), bs) })
	}
	pf := review.PlanForm{Review: closed(), Framework: f, Section: f.Sections[0].ID, Suggestions: []string{"Name an owner for renewals", "A <b>playbook</b>"}}
	forms := map[string]slack.ModalViewRequest{
		"plan":         PlanForm(pf, "CLEADS", fixedNow),
		"plan-message": PlanForm(review.PlanForm{Review: closed(), Framework: f}, "CLEADS", fixedNow),
		"update":       UpdateForm(accepted, "D1"),
	}
	for name, v := range forms {
		t.Run("form-"+name, func(t *testing.T) { goldenJSON(t, filepath.Join("actions", "form-"+name+".golden.json"), v) })
	}
}

// Every action button carries what the codec reads back to the action.
func TestActionButtonsDecode(t *testing.T) {
	v := fixedAction(t, "aprop1", assessment.ActionProposed, "UOWN", 20)
	_, bs := ActionProposal(v, fixedNow)
	for _, kind := range []string{codec.ActAccept, codec.ActDecline} {
		if !HasButton(bs, kind, codec.ActionValue(v.Action.Review, "aprop1")) {
			t.Errorf("the proposal has no %s button", kind)
		}
		a, ok := codec.Decode(kind, codec.ActionValue(v.Action.Review, "aprop1"))
		if !ok || a.ActionID != "aprop1" || a.Review != v.Action.Review {
			t.Errorf("%s decodes as %+v, %v", kind, a, ok)
		}
	}
}

// The follow-through reads "2 of 3 actions done · ▲ +12" beside a
// section's change, and the header line counts done, open and dropped.
func TestFollowThroughWords(t *testing.T) {
	d := digest.Digest{Trend: &digest.Trend{Sections: map[string]float64{"s1": 12}}}
	d.Actions = digest.Follow([]digest.ActionOutcome{
		{Section: "s1", Done: true}, {Section: "s1", Done: true}, {Section: "s1", Open: true},
		{Section: "s2", Dropped: true}, {Section: "s2"}, // declined: left out
	})
	if got, want := SectionChange(d, "s1"), "2 of 3 actions done · ▲ +12"; got != want {
		t.Errorf("SectionChange = %q, want %q", got, want)
	}
	if got, want := SectionChange(d, "s2"), "0 of 1 action done"; got != want {
		t.Errorf("SectionChange = %q, want %q", got, want)
	}
	if got, want := FollowThroughLine(d), "Actions since last review: 2 done, 1 open, 1 dropped"; got != want {
		t.Errorf("FollowThroughLine = %q, want %q", got, want)
	}
	if SectionChange(digest.Digest{}, "s1") != "" || FollowThroughLine(digest.Digest{}) != "" {
		t.Error("follow-through without actions")
	}
}

// The modal offers the team's suggestions without names and escaped; a
// form without suggestions has no such block.
func TestPlanFormSuggestions(t *testing.T) {
	f := shipped(t, "cs-exec-maturity")
	with := PlanForm(review.PlanForm{Review: closed(), Framework: f, Section: f.Sections[0].ID, Suggestions: []string{"A <b>"}}, "C1", fixedNow)
	if !hasText(with.Blocks.BlockSet, `A \u0026lt;b\u0026gt;`) {
		t.Error("the suggestion is not shown, escaped")
	}
	without := PlanForm(review.PlanForm{Review: closed(), Framework: f, Section: f.Sections[0].ID}, "C1", fixedNow)
	if hasText(without.Blocks.BlockSet, "What the team suggested") {
		t.Error("a suggestions block with no suggestion")
	}
	if strings.Contains(with.PrivateMetadata, "U") {
		t.Errorf("metadata %q names someone", with.PrivateMetadata)
	}
}

// Each section's last thread reply ends with its "Plan an action", on a
// page of its own never: a section whose questions fill pages keeps the
// button on its last one, within Block Kit's limit.
func TestThreadPlanButtons(t *testing.T) {
	for _, id := range shippedIDs {
		d, _ := seededDigest(t, id, 8, false)
		d.ReviewID = "rseeded1"
		buttons := 0
		for _, msg := range DigestThread(d) {
			if len(msg) > MaxBlocks {
				t.Fatalf("%s: a reply of %d blocks", id, len(msg))
			}
			if _, ok := msg[0].(*slack.ActionBlock); ok {
				t.Fatalf("%s: a reply that is only a button", id)
			}
			if _, ok := msg[len(msg)-1].(*slack.ActionBlock); ok {
				buttons++
			}
		}
		if buttons != len(d.Framework.Sections) {
			t.Errorf("%s: %d Plan an action buttons for %d sections", id, buttons, len(d.Framework.Sections))
		}
	}
}
