package assessment

import (
	"slices"
	"strconv"
	"time"
)

// ActionStatus is where an improvement action stands.
type ActionStatus string

// Action statuses: proposed (waiting for its owner), accepted, declined
// (by its owner; back to its proposer), done and dropped.
const (
	ActionProposed ActionStatus = "proposed"
	ActionAccepted ActionStatus = "accepted"
	ActionDeclined ActionStatus = "declined"
	ActionDone     ActionStatus = "done"
	ActionDropped  ActionStatus = "dropped"
)

// MaxActionText bounds what an action says will be done.
const MaxActionText = 1000

// MaxActionMonths is how far ahead an action may be due.
const MaxActionMonths = 12

// Action is an improvement action planned from a review's digest for one
// of its sections: what will be done, by whom (its owner, who accepts or
// declines it), by when. It names its proposer and owner, who chose to be
// named, and never a respondent's answers.
type Action struct {
	ID        string
	Review    string
	Framework string
	Schedule  string // the review's schedule, "" for none
	Section   string // a section id of the review's framework
	What      string
	Owner     string
	Proposer  string
	Due       time.Time // a calendar date: midnight UTC of the day
	Questions []string  // the question ids it addresses, if any
	Status    ActionStatus
	Created   time.Time
	Changed   time.Time
	// Thread is the action's one message in its digest's thread, once
	// posted; ThreadSince marks a post under way (a crash inside it may
	// have left one in Slack); Shown is the Rev that message shows.
	Thread      MessageRef
	ThreadSince time.Time
	Shown       int
	// Told lists the DMs sent about the action, by ActionDM key, so that a
	// retry does not send one twice.
	Told []string
	// Reminded lists the owner reminders marked, by ReminderKey;
	// RemindedAt is when the last was.
	Reminded     []string
	RemindedAt   time.Time
	SnoozedUntil time.Time
	// Snoozes counts "Remind me tomorrow": each queues a reminder of its
	// own (n from 2).
	Snoozes     int
	NoReminders bool
	// Rev counts the changes people made (proposal, accept, update…);
	// the thread message shows one Rev (Shown).
	Rev int
	// Version counts the writes the store accepted; a write is saved only
	// over the version it read.
	Version int
}

// Open reports whether the action still waits to be done.
func (a *Action) Open() bool { return a.Status == ActionProposed || a.Status == ActionAccepted }

// Overdue reports whether an open action's due day is over at now (in
// UTC, the zone of its date).
func (a *Action) Overdue(now time.Time) bool {
	return a.Open() && !now.Before(a.Due.AddDate(0, 0, 1))
}

// WasTold and Tell read and write the DMs sent about the action.
func (a *Action) WasTold(key string) bool { return slices.Contains(a.Told, key) }

// Tell records a DM as sent.
func (a *Action) Tell(key string) {
	if !a.WasTold(key) {
		a.Told = append(a.Told, key)
	}
}

// ProposalDM is the key of the DM that asks owner to accept the action;
// DeclinedDM that of the DM that gives a declined action back to its
// proposer.
func ProposalDM(owner string) string { return "propose|" + owner }

// DeclinedDM is the key of the DM to the proposer of a declined action.
const DeclinedDM = "declined"

// ReminderKey names an owner reminder: which one (0: three days before,
// 1: on the day, 2 and up: after a snooze), for which due date, so a new
// due date has reminders of its own.
func ReminderKey(n int, due time.Time) string {
	return strconv.Itoa(n) + "|" + due.Format("2006-01-02")
}

// ActionChange is something a person does to an action.
type ActionChange string

// The changes.
const (
	ChangeAccept  ActionChange = "accept"
	ChangeDecline ActionChange = "decline"
	ChangeDone    ActionChange = "done"
	ChangeUpdate  ActionChange = "update"
	ChangeDrop    ActionChange = "drop"
)

// MayChange is the rule of who may change an action how: its owner
// accepts or declines a proposed action, and marks an open one done; its
// owner or an admin updates or drops an open one. It returns the refusal,
// nil when allowed.
func (a *Action) MayChange(c ActionChange, by string, admin bool) error {
	owner := by == a.Owner
	switch c {
	case ChangeAccept, ChangeDecline:
		if !owner {
			return NewError(EFORBIDDEN, NotActionOwner{Owner: a.Owner})
		}
		if a.Status != ActionProposed {
			return NewError(EINVALID, ActionState{Status: string(a.Status)})
		}
		return nil
	case ChangeDone:
		if !owner {
			return NewError(EFORBIDDEN, NotActionOwner{Owner: a.Owner})
		}
	case ChangeUpdate, ChangeDrop:
		if !owner && !admin {
			return NewError(EFORBIDDEN, NotActionOwner{Owner: a.Owner})
		}
	default:
		return NewError(EINVALID, UnknownChange{})
	}
	if !a.Open() {
		return NewError(EINVALID, ActionState{Status: string(a.Status)})
	}
	return nil
}

// CheckAction checks what an action says, for proposals and updates:
// something to do, within MaxActionText, an owner, a due date from today
// (at now) to MaxActionMonths ahead.
func CheckAction(what, owner string, due, now time.Time) error {
	if what == "" || len([]rune(what)) > MaxActionText {
		return NewError(EINVALID, ActionText{Max: MaxActionText})
	}
	if owner == "" {
		return NewError(EINVALID, ActionOwner{Owner: owner})
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if due.Before(today.AddDate(0, 0, -1)) || due.After(today.AddDate(0, MaxActionMonths, 0)) {
		return NewError(EINVALID, ActionDue{Months: MaxActionMonths})
	}
	return nil
}

// ActionIDFor derives the id of the action a request (a Slack envelope's
// id) creates: handled twice, it creates one action.
func ActionIDFor(key string) string { return derivedID('a', "req|"+key) }

// NewActionID returns a short random action id such as "a4k9x2mq".
func NewActionID() string { return "a" + randomID(7) }

// Actions.
type (
	// ActionNotFound: no action ID.
	ActionNotFound struct{ ID string }
	// MayNotPropose: someone neither an admin nor a respondent of the
	// review proposes an action.
	MayNotPropose struct{}
	// NotActionOwner: a change only the Owner (or an admin) may make.
	NotActionOwner struct{ Owner string }
	// ActionState: the change does not apply to an action in Status.
	ActionState struct{ Status string }
	// UnknownChange: a change that does not exist.
	UnknownChange struct{}
	// ActionText: nothing to do, or over Max characters.
	ActionText struct{ Max int }
	// ActionOwner: Owner ("" for none) cannot own an action (a bot, a
	// guest, a deactivated member).
	ActionOwner struct{ Owner string }
	// ActionDue: the due date is in the past or more than Months ahead.
	ActionDue struct{ Months int }
	// NoSuchSection: the review's framework has no section ID.
	NoSuchSection struct{ ID string }
	// NoDigestYet: Review's digest is not out, so it has no thread for
	// actions.
	NoDigestYet struct{ Review string }
)

// Name of each action reason.
func (ActionNotFound) Name() string { return "action_not_found" }
func (MayNotPropose) Name() string  { return "may_not_propose" }
func (NotActionOwner) Name() string { return "not_action_owner" }
func (ActionState) Name() string    { return "action_state" }
func (UnknownChange) Name() string  { return "unknown_change" }
func (ActionText) Name() string     { return "action_text" }
func (ActionOwner) Name() string    { return "action_owner" }
func (ActionDue) Name() string      { return "action_due" }
func (NoSuchSection) Name() string  { return "no_such_section" }
func (NoDigestYet) Name() string    { return "no_digest_yet" }

func actionReasons() []Reason {
	return []Reason{ActionNotFound{}, MayNotPropose{}, NotActionOwner{}, ActionState{}, UnknownChange{},
		ActionText{}, ActionOwner{}, ActionDue{}, NoSuchSection{}, NoDigestYet{}}
}
