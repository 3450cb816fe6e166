package slackbot

import (
	"fmt"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
)

// reminderBlocks is a reminder DM: how far the person is, Continue, and
// the snooze and opt-out buttons.
func reminderBlocks(r *assessment.Review, f *assessment.Framework, answered, total int) []slack.Block {
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
		slack.NewSectionBlock(mrkdwn(text), nil, nil),
		slack.NewActionBlock("remind-actions",
			button(actStart, startValue(r.ID), label).WithStyle(slack.StylePrimary),
			button(actSnooze, startValue(r.ID), "Remind me tomorrow"),
			button(actOptOut, startValue(r.ID), "No more reminders"),
		),
	}
}
