package present

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
)

// TooFast is what a person whose queue is full is told.
const TooFast = "You are clicking faster than I can save; slow down a moment — your last clicks are being saved."

// LateNote starts every reply to a command taken from the inbox after the
// process that acked it died: the reply comes minutes after the command.
const LateNote = "_(Answering late: I restarted before I could.)_ "

// ScheduleOrphaned tells a schedule's digest channel and its admins that
// a run did not start because the schedule's creator is no longer an
// admin, and how to take it over.
func ScheduleOrphaned(sc *assessment.Schedule, run time.Time) (fallback string, blocks []slack.Block) {
	return "A schedule needs a new owner", []slack.Block{section(fmt.Sprintf(
		"⚠️ Schedule `%s` (*%s* for %s) did not start its review of %s: <@%s>, who set it up, is no longer an assessbot admin, "+
			"and a schedule only starts reviews in an admin's name. Its runs are skipped until an admin takes it over with "+
			"`/review schedule take %s` (or removes it with `/review schedule remove %s`).",
		sc.ID, sc.FrameworkID, sc.Audience, slackDate(run), sc.CreatedBy, sc.ID, sc.ID))}
}

// ScheduleNotStarted tells a schedule's creator why a run did not start.
func ScheduleNotStarted(sc *assessment.Schedule, run time.Time, err error) (fallback string, blocks []slack.Block) {
	return "Scheduled review not started", []slack.Block{section(
		fmt.Sprintf("⚠️ Schedule `%s` did not start its review of %s: %s", sc.ID, slackDate(run), scheduleWords(sc, err)))}
}
