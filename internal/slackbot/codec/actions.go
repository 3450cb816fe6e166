package codec

import "strings"

// Improvement actions' elements. "Plan an action" carries
// "<review>|<section>" (the section empty on the digest's message); the
// buttons of an action carry "<review>|<action>". The plan and update
// modals' private_metadata is "<review>|<section or action>|<channel>".
const (
	ActPlan        = "plan"
	ActAccept      = "accept"
	ActDecline     = "decline"
	ActDone        = "done"
	ActDrop        = "drop"
	ActUpdate      = "update"
	ActActSnooze   = "actsnooze"
	ActActNoRemind = "actstop"
)

// The plan and update modals.
const (
	CbPlan   = "plan_action"
	CbUpdate = "update_action"
)

// The fields of the plan and update modals.
const (
	FieldSection   = "section"
	FieldWhat      = "what"
	FieldOwner     = "owner"
	FieldDue       = "due"
	FieldQuestions = "questions"
)

// PlanValue is the value of "Plan an action" (section "" for none).
func PlanValue(reviewID, section string) string { return encodeValue(reviewID, section) }

// ActionValue is the value of an action's buttons.
func ActionValue(reviewID, actionID string) string { return encodeValue(reviewID, actionID) }

// actionKind reports whether kind is one of an action's buttons.
func actionKind(kind string) bool {
	switch kind {
	case ActAccept, ActDecline, ActDone, ActDrop, ActUpdate, ActActSnooze, ActActNoRemind:
		return true
	}
	return false
}

// decodeActionParts reads the second part of an action element's value.
func decodeActionParts(a *Action, parts []string) bool {
	if len(parts) != 2 {
		return false
	}
	switch {
	case a.Kind == ActPlan:
		a.SectionID = parts[1]
	case actionKind(a.Kind) && parts[1] != "":
		a.ActionID = parts[1]
	default:
		return false
	}
	return true
}

// ActionMeta is what the plan and update modals carry to their
// submission: the review, the section pre-filled (plan) or the action
// (update), and where to reply.
type ActionMeta struct {
	Review, Target, Channel string
}

// EncodeActionMeta writes a plan or update modal's private_metadata.
func EncodeActionMeta(m ActionMeta) string { return m.Review + "|" + m.Target + "|" + m.Channel }

// DecodeActionMeta reads a plan or update modal's private_metadata.
func DecodeActionMeta(s string) (ActionMeta, bool) {
	p := strings.Split(s, "|")
	if len(p) != 3 || p[0] == "" || len(s) > MaxValue {
		return ActionMeta{}, false
	}
	return ActionMeta{Review: p[0], Target: p[1], Channel: p[2]}, true
}
