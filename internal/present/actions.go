package present

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// Improvement actions: the "Plan an action" button of the digest, the
// plan and update modals, the action's message in the digest's thread,
// the owner's and proposer's DMs, the lists of `/review actions` and the
// App Home, and the follow-through the next digest reports. An action
// names its proposer and owner (they chose to be named) and never who
// answered what: the team's written suggestions come without names.

// actionReasonWords are the words of the actions' reasons.
func actionReasonWords(r assessment.Reason) (string, bool) {
	switch r := r.(type) {
	case assessment.ActionNotFound:
		return fmt.Sprintf("There is no action `%s` any more.", r.ID), true
	case assessment.MayNotPropose:
		return "Only assessbot admins and the people asked in this review can plan actions from its digest.", true
	case assessment.NotActionOwner:
		return fmt.Sprintf("Only the action's owner, <@%s>, can do that (admins can also update or drop it).", r.Owner), true
	case assessment.ActionState:
		return fmt.Sprintf("This action is %s, so that no longer applies.", statusWord(assessment.ActionStatus(r.Status))), true
	case assessment.UnknownChange:
		return "That is not something an action can do.", true
	case assessment.ActionText:
		return fmt.Sprintf("Say what will be done, in at most %d characters.", r.Max), true
	case assessment.ActionOwner:
		if r.Owner == "" {
			return "Choose who owns the action.", true
		}
		return fmt.Sprintf("<@%s> cannot own an action: bots, guests and deactivated members cannot. Choose someone else.", r.Owner), true
	case assessment.ActionDue:
		return fmt.Sprintf("Choose a due date from today to %d months ahead.", r.Months), true
	case assessment.NoSuchSection:
		return fmt.Sprintf("This review has no section `%s`.", r.ID), true
	case assessment.NoDigestYet:
		return fmt.Sprintf("Review `%s` has no digest yet; actions are planned from its digest.", r.Review), true
	}
	return "", false
}

// statusWord names a status in a sentence.
func statusWord(s assessment.ActionStatus) string {
	switch s {
	case assessment.ActionProposed:
		return "waiting for its owner"
	case assessment.ActionAccepted:
		return "accepted"
	case assessment.ActionDeclined:
		return "declined"
	case assessment.ActionDone:
		return "done"
	case assessment.ActionDropped:
		return "dropped"
	}
	return string(s)
}

// PlanLabel is the text of the button that plans an action.
const PlanLabel = "Plan an action"

// PlanButton is the digest's "Plan an action" (a section's, or with
// section "" the message's).
func PlanButton(reviewID, section string) slack.Block {
	b := button(codec.ActionID(codec.ActPlan, section), codec.PlanValue(reviewID, section), "🎯 "+PlanLabel)
	return slack.NewActionBlock("plan|"+section, b)
}

// dueText is a due date as people read it: "Fri 12 Dec 2026".
func dueText(d time.Time) string { return d.Format("Mon 2 Jan 2006") }

// PlanForm is the modal that proposes an action: the section (pre-filled
// when planned from a section's reply), what will be done, its owner, its
// due date, the questions it addresses, and the team's written
// suggestions when the disclosure model shows them (without names).
func PlanForm(pf review.PlanForm, channel string, today time.Time) slack.ModalViewRequest {
	f := pf.Framework
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, s := range f.Sections {
		o := slack.NewOptionBlockObject(s.ID, plain(s.Title, 75), nil)
		opts = append(opts, o)
		if s.ID == pf.Section {
			initial = o
		}
		if len(opts) == 100 {
			break
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a section", 150), codec.Input, opts...)
	sel.InitialOption = initial
	blocks := []slack.Block{
		section(fmt.Sprintf("An improvement action from the digest of *%s* (review `%s`). Its owner is asked to accept it; it shows in the digest's thread.", escape(pf.Review.Title), pf.Review.ID)),
		input(codec.FieldSection, "Section", "", sel),
	}
	blocks = append(blocks, actionFields("", "", today.AddDate(0, 0, 30))...)
	if qs := questionOptions(pf); len(qs) > 0 {
		ms := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain("Questions", 150), codec.Input, qs...)
		blocks = append(blocks, optional(input(codec.FieldQuestions, "Questions it addresses", "", ms)))
	}
	blocks = append(blocks, suggestionBlocks(pf.Suggestions)...)
	meta := codec.EncodeActionMeta(codec.ActionMeta{Review: pf.Review.ID, Target: pf.Section, Channel: channel})
	return modal(codec.CbPlan, "Plan an action", "Propose", meta, blocks)
}

// actionFields are what an action says: what, owner and due date.
func actionFields(what, owner string, due time.Time) []slack.Block {
	in := slack.NewPlainTextInputBlockElement(nil, codec.Input)
	in.Multiline = true
	in.MaxLength = assessment.MaxActionText
	in.InitialValue = what
	who := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Owner", 150), codec.Input)
	who.InitialUser = owner
	dp := slack.NewDatePickerBlockElement(codec.Input)
	dp.InitialDate = due.Format("2006-01-02")
	return []slack.Block{
		input(codec.FieldWhat, "What will be done", "", in),
		input(codec.FieldOwner, "Owner", "They are asked to accept it, and reminded before it is due.", who),
		input(codec.FieldDue, "Due date", "", dp),
	}
}

// questionOptions are the scored questions of the pre-filled section, at
// most 100; none when no section is pre-filled (the one chosen in the
// form is not known until it is submitted).
func questionOptions(pf review.PlanForm) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	for _, s := range pf.Framework.Sections {
		if s.ID != pf.Section {
			continue
		}
		for _, q := range s.Questions {
			if sc := pf.Framework.Scales[q.Scale]; sc == nil || sc.Text {
				continue
			}
			out = append(out, slack.NewOptionBlockObject(q.ID, plain(q.Text, 75), nil))
			if len(out) == 100 {
				return out
			}
		}
	}
	return out
}

// maxSuggestions bounds the suggestions a modal lists.
const maxSuggestions = 10

// suggestionBlocks list the team's written improvement actions, without
// names.
func suggestionBlocks(ss []string) []slack.Block {
	if len(ss) == 0 {
		return nil
	}
	lines := []string{"*What the team suggested* _(anonymous, as in the digest)_"}
	for _, s := range ss[:min(len(ss), maxSuggestions)] {
		lines = append(lines, "• "+escape(Truncate(strings.Join(strings.Fields(s), " "), 280)))
	}
	return []slack.Block{slack.NewDividerBlock(), sectionBlock("suggestions", strings.Join(lines, "\n"))}
}

// UpdateForm is the modal that changes an action's text, owner or due
// date.
func UpdateForm(v review.ActionView, channel string) slack.ModalViewRequest {
	a := v.Action
	blocks := append([]slack.Block{section(fmt.Sprintf("Action for *%s* (review `%s`). A new owner is asked to accept it.", escape(v.SectionTitle()), a.Review))},
		actionFields(a.What, a.Owner, a.Due)...)
	meta := codec.EncodeActionMeta(codec.ActionMeta{Review: a.Review, Target: a.ID, Channel: channel})
	return modal(codec.CbUpdate, "Update the action", "Save", meta, blocks)
}

// What the plan and update forms' fields say when they are wrong.
const (
	FieldNoSection = "Choose a section."
	FieldNoOwner   = "Choose who owns the action."
)

// FieldWhat says what the action text needs.
func FieldWhat() string {
	return fmt.Sprintf("Say what will be done, in at most %d characters.", assessment.MaxActionText)
}

// FieldDue says the due date is out of range.
func FieldDue() string {
	return fmt.Sprintf("Choose a date from today to %d months ahead.", assessment.MaxActionMonths)
}

// ActionLine is an action in one line: section, what, owner, due date and
// where it stands.
func ActionLine(v review.ActionView, now time.Time) string {
	a := v.Action
	return fmt.Sprintf("*%s*: %s · owner %s · due %s · %s", escape(v.SectionTitle()), escape(Truncate(a.What, 300)),
		person(a.Owner), dueText(a.Due), statusBadge(a, now))
}

// statusBadge is where an action stands, with its emoji.
func statusBadge(a *assessment.Action, now time.Time) string {
	switch {
	case a.Overdue(now):
		return "⚠️ overdue"
	case a.Status == assessment.ActionProposed:
		return fmt.Sprintf("⏳ waiting for %s to accept", person(a.Owner))
	case a.Status == assessment.ActionAccepted:
		return "🟢 accepted"
	case a.Status == assessment.ActionDeclined:
		return "↩️ declined"
	case a.Status == assessment.ActionDone:
		return "✅ done"
	case a.Status == assessment.ActionDropped:
		return "🗑️ dropped"
	}
	return string(a.Status)
}

// ActionThreadFallback is the notification text of an action's message.
const ActionThreadFallback = "An improvement action"

// ActionThread is the action's one message in its digest's thread,
// edited as its status changes.
func ActionThread(v review.ActionView, now time.Time) []slack.Block {
	a := v.Action
	return []slack.Block{
		sectionBlock("action|"+a.ID, "🎯 "+ActionLine(v, now)),
		slack.NewContextBlock("", mrkdwn(fmt.Sprintf("Proposed by %s · action `%s`", person(a.Proposer), a.ID))),
	}
}

// IsActionMessage reports whether a message's blocks are an action's
// thread message (its context names the action).
func IsActionMessage(blocks []slack.Block, actionID string) bool {
	return hasText(blocks, "action `"+actionID+"`")
}

// ActionProposal is the DM that asks the owner to accept or decline.
func ActionProposal(v review.ActionView, now time.Time) (string, []slack.Block) {
	a := v.Action
	text := fmt.Sprintf("<@%s> proposes an action for you, from the digest of *%s*:", a.Proposer, escape(v.Review.Title))
	return "An action for you to accept", []slack.Block{
		section(text),
		sectionBlock("action|"+a.ID, "🎯 "+ActionLine(v, now)),
		slack.NewActionBlock("answer|"+a.ID,
			button(codec.ActAccept, codec.ActionValue(a.Review, a.ID), "Accept").WithStyle(slack.StylePrimary),
			button(codec.ActDecline, codec.ActionValue(a.Review, a.ID), "Decline")),
	}
}

// ActionChanged replaces a DM about an action once someone acted on it.
func ActionChanged(v review.ActionView, now time.Time) (string, []slack.Block) {
	a := v.Action
	bs := []slack.Block{sectionBlock("action|"+a.ID, "🎯 "+ActionLine(v, now))}
	if a.Open() && a.Status == assessment.ActionAccepted {
		bs = append(bs, slack.NewContextBlock("", mrkdwn("Thank you. I will remind you three days before it is due and on the day. It is in your App Home.")))
	}
	return "Action " + statusWord(a.Status), bs
}

// ActionDeclined is the DM that gives a declined action back to its
// proposer.
func ActionDeclined(v review.ActionView, now time.Time) (string, []slack.Block) {
	a := v.Action
	return "Your action was declined", []slack.Block{
		section(fmt.Sprintf("<@%s> declined the action you proposed from the digest of *%s*. You may plan it again with another owner.", a.Owner, escape(v.Review.Title))),
		sectionBlock("action|"+a.ID, "🎯 "+ActionLine(v, now)),
	}
}

// ActionReminder reminds the owner of an accepted action.
func ActionReminder(v review.ActionView, onTheDay bool, now time.Time) (string, []slack.Block) {
	a := v.Action
	when := "is due on " + dueText(a.Due)
	if onTheDay {
		when = "is due today"
	}
	return "⏰ An action " + when, []slack.Block{
		section(fmt.Sprintf("⏰ Your action %s.", when)),
		sectionBlock("action|"+a.ID, "🎯 "+ActionLine(v, now)),
		slack.NewActionBlock("remind|"+a.ID,
			button(codec.ActDone, codec.ActionValue(a.Review, a.ID), "Done").WithStyle(slack.StylePrimary),
			button(codec.ActActSnooze, codec.ActionValue(a.Review, a.ID), "Remind me tomorrow"),
			button(codec.ActActNoRemind, codec.ActionValue(a.Review, a.ID), "No more reminders")),
	}
}

// ActionSnoozed and ActionRemindersOff replace a reminder once snoozed or
// stopped.
func ActionSnoozed(v review.ActionView) string {
	return fmt.Sprintf("OK, I will remind you of this action tomorrow (due %s).", dueText(v.Action.Due))
}

// ActionRemindersOff says the action's reminders stopped.
func ActionRemindersOff(v review.ActionView) string {
	return fmt.Sprintf("OK, no more reminders for this action (due %s). It stays in your App Home.", dueText(v.Action.Due))
}

// ActionProposed tells the proposer their action is planned.
func ActionProposed(v review.ActionView) string {
	return fmt.Sprintf("Planned: I asked <@%s> to accept the action, and it shows in the digest's thread.", v.Action.Owner)
}

// ActionDone tells whoever changed an action what it now is.
func ActionDone(v review.ActionView, now time.Time) string {
	return "Saved. " + ActionLine(v, now)
}

// actionButtons are the buttons of an open action in a list: Done,
// Update and Drop for its owner, Update and Drop for an admin, Accept and
// Decline for its owner while proposed.
func actionButtons(a *assessment.Action, mine bool) []slack.BlockElement {
	val := codec.ActionValue(a.Review, a.ID)
	var bs []slack.BlockElement
	if mine && a.Status == assessment.ActionProposed {
		bs = append(bs, button(codec.ActionID(codec.ActAccept, a.ID), val, "Accept").WithStyle(slack.StylePrimary),
			button(codec.ActionID(codec.ActDecline, a.ID), val, "Decline"))
	} else if mine {
		bs = append(bs, button(codec.ActionID(codec.ActDone, a.ID), val, "Done").WithStyle(slack.StylePrimary))
	}
	return append(bs, button(codec.ActionID(codec.ActUpdate, a.ID), val, "Update"),
		button(codec.ActionID(codec.ActDrop, a.ID), val, "Drop").WithStyle(slack.StyleDanger))
}

// actionBlocks are one action in a list, with its buttons while open.
func actionBlocks(v review.ActionView, mine bool, now time.Time) []slack.Block {
	a := v.Action
	bs := []slack.Block{sectionBlock("action|"+a.ID, ActionLine(v, now))}
	if a.Open() {
		bs = append(bs, slack.NewActionBlock("buttons|"+a.ID, actionButtons(a, mine)...))
	}
	return bs
}

// maxListed bounds the actions of one list (two blocks each).
const maxListed = 20

// homeActions is the App Home's part of actions.
func homeActions(h review.Home, now time.Time) []slack.Block {
	if len(h.Actions) == 0 && len(h.OpenActions) == 0 {
		return nil
	}
	bs := []slack.Block{slack.NewDividerBlock(), slack.NewHeaderBlock(plain("Your actions", MaxHeader))}
	if len(h.Actions) == 0 {
		bs = append(bs, section("No action of yours is open."))
	}
	for _, v := range h.Actions[:min(len(h.Actions), maxListed)] {
		bs = append(bs, actionBlocks(v, true, now)...)
	}
	if len(h.OpenActions) > 0 {
		bs = append(bs, slack.NewHeaderBlock(plain("Open actions of every review (admin)", MaxHeader)))
		for _, v := range h.OpenActions[:min(len(h.OpenActions), maxListed)] {
			bs = append(bs, actionBlocks(v, false, now)...)
		}
	}
	return bs
}

// ActionList renders `/review actions`: the asker's open actions and the
// others asked for.
func ActionList(l review.ActionList, asker string, now time.Time) (string, []slack.Block) {
	var bs []slack.Block
	title := "Your actions"
	if l.Of != "" {
		title = fmt.Sprintf("Actions of `%s`", l.Of)
	}
	if l.Of == "" {
		bs = append(bs, section("*"+title+"*"))
		if len(l.Mine) == 0 {
			bs = append(bs, section("No action of yours is open."))
		}
		for _, v := range l.Mine[:min(len(l.Mine), maxListed)] {
			bs = append(bs, actionBlocks(v, true, now)...)
		}
		if len(l.Others) == 0 {
			return title, bs
		}
		bs = append(bs, section("*Open actions of every review (admin)*"))
	} else {
		bs = append(bs, section("*"+title+"*"))
		if len(l.Others) == 0 {
			bs = append(bs, section("No action was planned there yet. Plan one with *"+PlanLabel+"* under a digest."))
		}
	}
	for _, v := range l.Others[:min(len(l.Others), maxListed)] {
		bs = append(bs, actionBlocks(v, v.Action.Owner == asker, now)...)
	}
	if len(bs) > MaxBlocks {
		bs = bs[:MaxBlocks]
	}
	return title, bs
}

// FollowThroughLine is the digest's header line on the actions planned
// from the previous review: "Actions since last review: 5 done, 2 open,
// 1 dropped"; "" when there were none.
func FollowThroughLine(d digest.Digest) string {
	ft := d.Actions
	if ft == nil {
		return ""
	}
	return fmt.Sprintf("Actions since last review: %d done, %d open, %d dropped", ft.Done, ft.Open, ft.Dropped)
}

// SectionFollowThrough is a section's follow-through: "2 of 3 actions
// done"; "" when it had no action.
func SectionFollowThrough(d digest.Digest, sectionID string) string {
	if d.Actions == nil {
		return ""
	}
	sf, ok := d.Actions.Sections[sectionID]
	if !ok || sf.Total == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %s done", sf.Done, plural(sf.Total, "action", "actions"))
}

// SectionChange is a section's change since the previous review with the
// follow-through of its actions before it: "2 of 3 actions done · ▲ +12";
// either alone when the other is missing; "" when both are.
func SectionChange(d digest.Digest, sectionID string) string {
	f, c := SectionFollowThrough(d, sectionID), Change(d, sectionID)
	switch {
	case f == "":
		return c
	case c == "":
		return f
	}
	return f + " · " + c
}

// ActionsOne refuses `/review actions` with more than a review or a
// schedule.
func (ParseWords) ActionsOne() string {
	return "Type `/review actions` for yours, or `/review actions <review id>` or `/review actions <schedule id>`."
}

// ActionsFile is the export's improvement actions.
func ActionsFile(r *assessment.Review) ExportFile {
	return ExportFile{Name: r.ID + "-actions.csv", Title: "Actions from " + r.ID, Comment: fmt.Sprintf(
		"Improvement actions planned from the digest of `%s`: their section, owner, proposer, due date and status.", r.ID)}
}

// person names an action's owner or proposer: a mention, or that they
// were forgotten (`/review forget`).
func person(user string) string {
	if user == "" {
		return "_someone forgotten_"
	}
	return "<@" + user + ">"
}
