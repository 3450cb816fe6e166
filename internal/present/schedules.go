package present

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// The replies to `/review schedule`.

// ScheduleExample is shown whenever a schedule command is wrong.
const ScheduleExample = "`/review schedule add \"0 9 1 */3 *\" cs-excellence to @cs-team digest #cs-leadership window 7d tz Europe/Berlin`"

// ScheduleHelp sums up the schedule commands.
const ScheduleHelp = "• `/review schedule add \"<cron>\" <framework> to @people @group #channel digest #channel [window 7d] [tz Europe/Berlin] [remind 50%,24h] [threshold 3] [grace 1h] [now]`\n" +
	"• `/review schedule list` · `/review schedule next <id>` · `/review schedule pause|resume|remove <id>` · `/review schedule take <id>` (its reviews start in your name from then on)\n" +
	"Cron: minute hour day-of-month month day-of-week, e.g. `0 9 * * 1` (Mondays 9:00), `0 9 1 */3 *` (quarterly), or `@monthly`. " +
	"Each person gets the DMs in their own morning unless you add `now`; reminders go to those who have not submitted, in their working hours."

// ScheduleDigestWhere asks where the digests go, for a schedule typed
// outside a channel.
const ScheduleDigestWhere = "Where should the digests go? Add `digest #channel`, e.g. " + ScheduleExample + "."

// ScheduleAdded says a schedule was added and when it runs next.
func ScheduleAdded(s *assessment.Schedule, f *assessment.Framework, runs []time.Time) string {
	return fmt.Sprintf("Scheduled `%s`: *%s* for %s, digest to <#%s>, open %s each time.\nNext runs (%s): %s\nPause with `/review schedule pause %s`.",
		s.ID, escape(f.Title), s.Audience, s.DigestChannel, humanDuration(s.Window), s.TZ, runList(runs), s.ID)
}

func runList(ts []time.Time) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, t.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	return strings.Join(parts, " · ")
}

func humanDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return strconv.Itoa(n) + " days"
	}
	return d.String()
}

// Schedules lists the schedules.
func Schedules(all []*assessment.Schedule) string {
	if len(all) == 0 {
		return "No schedules yet. " + ScheduleExample
	}
	var l []string
	for _, s := range all {
		state := "next " + slackDate(s.Next)
		switch {
		case s.Orphaned:
			state = orphanedState(s)
		case s.Paused:
			state = "⏸ paused"
		}
		l = append(l, fmt.Sprintf("• `%s` `%s` (%s) · *%s* for %s → <#%s> · %s", s.ID, s.Spec, s.TZ, s.FrameworkID, s.Audience, s.DigestChannel, state))
	}
	return "*Schedules*\n" + strings.Join(l, "\n")
}

// orphanedState says a schedule's runs are skipped and how to take it
// over.
func orphanedState(s *assessment.Schedule) string {
	return fmt.Sprintf("⚠️ orphaned: <@%s> is no longer an admin, so its runs are skipped until an admin types `/review schedule take %s`", s.CreatedBy, s.ID)
}

// ScheduleTaken says the asker now owns a schedule.
func ScheduleTaken(s *assessment.Schedule) string {
	next := "It is paused; `/review schedule resume " + s.ID + "` starts it again."
	if !s.Paused {
		next = "Its next run is " + slackDate(s.Next) + "."
	}
	return fmt.Sprintf("Schedule `%s` is yours now: its reviews start in your name. %s", s.ID, next)
}

// NextRuns lists a schedule's next runs.
func NextRuns(s *assessment.Schedule, runs []time.Time) string {
	return fmt.Sprintf("Next runs of `%s` (%s):\n%s", s.ID, s.TZ, strings.Join(strings.Split(runList(runs), " · "), "\n"))
}

// ScheduleRemoved says a schedule was removed.
func ScheduleRemoved(id string) string {
	return fmt.Sprintf("Removed schedule `%s`. Reviews it started are not affected.", id)
}

// SchedulePaused says a schedule was paused.
func SchedulePaused(id string) string {
	return fmt.Sprintf("Paused `%s`. `/review schedule resume %s` starts it again from its next run.", id, id)
}

// ScheduleResumed says a schedule was resumed and when it runs next.
func ScheduleResumed(id string, next time.Time) string {
	return fmt.Sprintf("Resumed `%s`; next run %s.", id, slackDate(next))
}
