package present

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// ReminderFallback is the notification text of a reminder.
func ReminderFallback(f *assessment.Framework) string { return "Reminder: " + f.Title }

// Reminder is a reminder DM: how far the person is, Continue, and the
// snooze and opt-out buttons.
func Reminder(r *assessment.Review, f *assessment.Framework, answered, total int) []slack.Block {
	text := fmt.Sprintf("⏰ *%s* closes %s.", escape(f.Title), slackDate(r.Deadline))
	if answered > 0 {
		text += fmt.Sprintf(" You have answered %d of %d; it takes a few minutes to finish.", answered, total)
	} else {
		text += fmt.Sprintf(" It is %d questions, about %d minutes. Every click is saved, so you can stop any time.", total, (total*15+59)/60)
	}
	label := "Start"
	if answered > 0 {
		label = "Continue"
	}
	return []slack.Block{
		section(text),
		slack.NewActionBlock("remind-actions",
			button(codec.ActStart, codec.StartValue(r.ID), label).WithStyle(slack.StylePrimary),
			button(codec.ActSnooze, codec.StartValue(r.ID), "Remind me tomorrow"),
			button(codec.ActOptOut, codec.StartValue(r.ID), "No more reminders"),
		),
	}
}

// Snoozed replaces a reminder once the person asked to be reminded
// tomorrow; until is the earliest next reminder.
func Snoozed(r *assessment.Review, until time.Time) (fallback string, blocks []slack.Block) {
	return remindAnswer(r, "😴 OK, I'll remind you again "+slackDate(until)+" at the earliest.")
}

// OptedOut replaces a reminder once the person asked for no more.
func OptedOut(r *assessment.Review) (fallback string, blocks []slack.Block) {
	return remindAnswer(r, "🔕 OK, no more reminders for this review. You can still answer until "+slackDate(r.Deadline)+".")
}

func remindAnswer(r *assessment.Review, note string) (string, []slack.Block) {
	return note, []slack.Block{section(note),
		slack.NewActionBlock("remind-actions", button(codec.ActStart, codec.StartValue(r.ID), "Continue"))}
}
