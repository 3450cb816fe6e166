package present

import (
	"fmt"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
)

// The replies to /review: help, the frameworks, what a start, a close or
// a forget did, where a review stands, and the refusals that are not an
// error of a use case.

// Help is the answer to `/review help`.
const Help = "*assessbot* runs customer-success maturity reviews in Slack.\n" +
	"• `/review` — open a form to start a review\n" +
	"• `/review start <framework> to @people @group #channel digest #channel due 2026-12-01` — start one inline (`due 3d` works too; add `threshold 5` to raise the anonymity threshold, `grace 2h` for how long answers can still change once everyone has submitted)\n" +
	"• `/review frameworks` — the frameworks you can use\n" +
	"• `/review status [id]` — " + StatusShows + " (admins)\n" +
	"• `/review close [id]` — close now and post the digest (admins)\n" +
	"• `/review results [id]` — " + ResultsShows + " (admins)\n" +
	"• `/review export [id]` — anonymised responses and aggregates as CSV, in a DM (admins)\n" +
	"• `/review schedule` — set up a review that repeats (admins; `/review schedule list` shows them)\n" +
	"• `/review actions [review|schedule]` — the improvement actions planned from digests: yours, or a review's or a schedule's\n" +
	"• `/review forget @person` — take someone out of every review, queue and index (admins)\n" +
	"• `/review help` — this message\n" +
	"Respondents answer in a DM from me; each click is saved at once. The digest never shows who answered what."

// OtherWorkspace answers a command from another workspace or organisation
// (a Slack Connect channel, an org-wide install elsewhere).
const OtherWorkspace = "assessbot only serves the Slack workspace it is installed in, so it cannot do that from here. Ask someone in your own workspace about reviews there."

// What status and results show, said once for the help: a test
// (TestHelpMatchesStatusAndResults) runs both through the bot and holds
// them to these words.
const (
	StatusShows  = "how many have submitted, are answering, have not started or are away, and what is still to go out; never who"
	ResultsShows = "for your eyes only: once the review is closed, its digest, each figure only from as many respondents as the anonymity thresholds ask; while it is open, the counts alone"
)

// StartExample is shown whenever a start command is wrong.
const StartExample = "`/review start cs-excellence to @alice @cs-team #cs-all digest #cs-leadership due 2026-12-01`"

// NotAdmin says why an admin command was refused and what to do;
// configured is whether any admin is configured at all.
func NotAdmin(configured bool) string { return notAdminWords(configured) }

// Frameworks lists the frameworks one can run.
func Frameworks(all []*assessment.Framework) string {
	var l []string
	for _, f := range all {
		s, t := f.CountQuestions()
		extra := ""
		if t > 0 {
			extra = fmt.Sprintf(" + %d open", t)
		}
		l = append(l, fmt.Sprintf("• `%s` — *%s* (%s, %s%s)", f.ID, escape(f.Title), plural(len(f.Sections), "section", "sections"), plural(s, "question", "questions"), extra))
	}
	return "*Frameworks you can run*\n" + strings.Join(l, "\n") + "\nStart one with `/review start <id> to @people digest #channel`, or just `/review`."
}

// Audience is who answers, as mentions: "<@U1> <!subteam^S1> <#C1>".
func Audience(users, groups, channels []string) string {
	var parts []string
	for _, u := range users {
		parts = append(parts, "<@"+u+">")
	}
	for _, g := range groups {
		parts = append(parts, "<!subteam^"+g+">")
	}
	for _, c := range channels {
		parts = append(parts, "<#"+c+">")
	}
	return strings.Join(parts, " ")
}

// DigestWhere asks where the digest goes, for a start typed outside a
// channel.
const DigestWhere = "Where should the digest go? Add `digest #channel`, e.g. " + StartExample + "."

// Started says a review started, how its DMs go out and when its digest
// comes.
func Started(r *assessment.Review, f *assessment.Framework, now bool) string {
	when := "Each person gets a DM in their own morning (weekdays 9:00–12:00 their time); add `now` to send at once."
	if now {
		when = "I'm sending them a DM now."
	}
	return fmt.Sprintf("Started review `%s` of *%s* for %s. %s The digest goes to <#%s> on %s, or %s after everyone has submitted (answers can change until then). Follow it with `/review status %s`; close it early with `/review close %s`.",
		r.ID, escape(f.Title), plural(len(r.Respondents), "person", "people"), when, r.DigestChannel, slackDate(r.Deadline), DurationText(r.GracePeriod()), r.ID, r.ID)
}

// NotStarted says why a start failed; below the anonymity threshold it
// adds how to start regardless, from the form or the command.
func NotStarted(err error, fromModal bool) string {
	text := Words(OpStart, err)
	if _, ok := assessment.ReasonAs[assessment.AudienceBelowThreshold](err); ok {
		text += " " + anywayHint(fromModal)
	}
	return text
}

// anywayHint says how to start a review below its anonymity threshold.
func anywayHint(fromModal bool) string {
	if fromModal {
		return "Add more people, or run `/review` again and tick *Start anyway*."
	}
	return "Add more people, or add `anyway` to the command to start regardless."
}

// FrameworkGone says the framework chosen in a form is no longer loaded.
func FrameworkGone(id string) string {
	return fmt.Sprintf("The framework `%s` is no longer available; run `/review` again.", id)
}

// Status says where a review stands: how many were invited, started and
// submitted, and what is still to go out; with upcoming (for the latest
// review), the upcoming scheduled runs. It names nobody (reminders reach
// those who have not submitted).
func Status(st review.Status, upcoming []*assessment.Schedule) string {
	var sb strings.Builder
	sb.WriteString(Counts(st))
	if st.PendingIntros+st.PendingReminders > 0 {
		fmt.Fprintf(&sb, "\nWaiting to go out: %s (each in the person's morning), %s.", plural(st.PendingIntros, "intro DM", "intro DMs"), plural(st.PendingReminders, "reminder", "reminders"))
	}
	if st.Away > 0 && st.Review.Status == assessment.StatusOpen {
		fmt.Fprintf(&sb, "\nAway (their Slack status says so): %s, sent on their first working morning back if the review is still open.", plural(st.Away, "intro DM waits", "intro DMs wait"))
	}
	if st.Review.Status == assessment.StatusOpen {
		sb.WriteString("\n_Who has answered is never shown; reminders go to those who have not submitted._")
	}
	if up := Upcoming(upcoming); up != "" {
		sb.WriteString("\n" + up)
	}
	return sb.String()
}

// NoStatus says why there is no status, with the upcoming scheduled runs
// when there is no review yet.
func NoStatus(err error, upcoming []*assessment.Schedule) string {
	text := Words(OpStatus, err)
	if up := Upcoming(upcoming); up != "" {
		text += "\n" + up
	}
	return text
}

// Counts is a review's title line and its response counts.
func Counts(st review.Status) string {
	r := st.Review
	state := openState(r, st.ClosesEarly)
	n := st.Invited
	line := fmt.Sprintf("*%s* · review `%s` · %s · digest to <#%s>\n*%d of %d submitted (%d%%)* · %d in progress · %d not started",
		escape(r.Title), r.ID, state, r.DigestChannel, st.Submitted, n, st.Submitted*100/max(n, 1), st.Started, max(n-st.Submitted-st.Started-st.Away, 0))
	if st.Away > 0 {
		line += fmt.Sprintf(" · %d away", st.Away)
	}
	return line
}

// openState says until when a review is open: its deadline, or, once
// everyone has submitted, the end of its grace period.
func openState(r *assessment.Review, closesEarly time.Time) string {
	switch {
	case r.Status != assessment.StatusOpen:
		return "closed"
	case !closesEarly.IsZero():
		return "everyone has submitted · closes " + slackDate(closesEarly)
	}
	return "open until " + slackDate(r.Deadline)
}

// Closed says what closing a review did.
func Closed(c review.Closing) string {
	r := c.Review
	switch {
	case !c.Closed && c.Posted:
		return fmt.Sprintf("Review `%s` was already closed; its digest is in <#%s>.", r.ID, r.DigestChannel)
	case !c.Closed:
		return fmt.Sprintf("Review `%s` is already closed; its digest is on its way to <#%s>.", r.ID, r.DigestChannel)
	case c.Posted:
		return fmt.Sprintf("Closed review `%s` and posted the digest to <#%s>.", r.ID, r.DigestChannel)
	}
	return fmt.Sprintf("Closed review `%s`. The digest could not be posted yet; I will keep trying and tell you if <#%s> needs me invited.", r.ID, r.DigestChannel)
}

// Forgot says whom forget took out of what.
func Forgot(user string, got review.Forgotten) string {
	return fmt.Sprintf("Forgot <@%s>: taken out of %s%s, with their answers to any still open; %s dropped. Closed reviews keep only answers that nothing ties to anyone, which stay in their figures.",
		user, plural(len(got.Reviews), "review", "reviews"), reviewList(got.Reviews), plural(got.Jobs, "queued DM or reminder", "queued DMs and reminders"))
}

func reviewList(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return " (" + strings.Join(codeList(ids), ", ") + ")"
}

// ResultsPending is the answer to `/review results` while the review is
// open: the counts alone.
func ResultsPending(res review.Results) string {
	return Counts(res.Counts) + "\n" + fmt.Sprintf(
		"⏳ Figures are shown once the review closes (%s): while it is open, a figure that moves with one click would say what that person answered.", slackDate(res.Review.Deadline))
}
