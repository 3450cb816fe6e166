package slackbot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/schedule"
)

func (b *Bot) handleSchedule(ctx context.Context, sc slack.SlashCommand, cmd Command) {
	reply := func(text string) { b.sl.ephemeral(ctx, sc.ChannelID, sc.UserID, text) }
	if !b.svc.IsAdmin(ctx, sc.UserID) {
		b.log.Warn("non-admin tried to manage schedules", "user", sc.UserID, "sub", cmd.Sub)
		reply(b.notAdmin())
		return
	}
	switch cmd.Sub {
	case "":
		b.openScheduleModal(ctx, sc)
	case "add":
		reply(b.addSchedule(ctx, sc, cmd))
	case "list":
		reply(b.listSchedules(ctx, sc.UserID))
	case "pause", "resume", "remove", "next":
		reply(b.changeSchedule(ctx, sc.UserID, cmd.Sub, cmd.ScheduleID))
	}
}

const scheduleHelp = "• `/review schedule add \"<cron>\" <framework> to @people @group #channel digest #channel [window 7d] [tz Europe/Berlin] [remind 50%,24h] [threshold 3] [grace 1h] [now]`\n" +
	"• `/review schedule list` · `/review schedule next <id>` · `/review schedule pause|resume|remove <id>`\n" +
	"Cron: minute hour day-of-month month day-of-week, e.g. `0 9 * * 1` (Mondays 9:00), `0 9 1 */3 *` (quarterly), or `@monthly`. " +
	"Each person gets the DMs in their own morning unless you add `now`; reminders go to those who have not submitted, in their working hours."

func (b *Bot) addSchedule(ctx context.Context, sc slack.SlashCommand, cmd Command) string {
	tz := cmd.TZ
	if tz == "" {
		tz = b.svc.Location(ctx, sc.UserID).String()
	}
	digestCh := cmd.Digest
	if digestCh == "" {
		if !strings.HasPrefix(sc.ChannelID, "C") && !strings.HasPrefix(sc.ChannelID, "G") {
			return "Where should the digests go? Add `digest #channel`, e.g. " + scheduleExample + "."
		}
		digestCh = sc.ChannelID
	}
	s, err := b.svc.AddSchedule(ctx, review.ScheduleRequest{
		Spec: cmd.Spec, TZ: tz, FrameworkID: cmd.Framework,
		Audience:     review.Audience{Users: cmd.Users, Groups: cmd.Usergroups, Channels: cmd.Channels},
		AudienceText: audienceText(cmd.Users, cmd.Usergroups, cmd.Channels), DigestChannel: digestCh,
		Window: cmd.Window, Threshold: cmd.Threshold, Reminders: cmd.Reminders, DeliverNow: cmd.Now, CreatedBy: sc.UserID,
		Grace: cmd.Grace, ID: derivedID(ctx, assessment.ScheduleIDFor),
	})
	if err != nil {
		return b.tell(opSchedule, err)
	}
	f, _ := b.cat.Get(s.FrameworkID)
	_, runs, _ := b.svc.NextRuns(ctx, sc.UserID, s.ID, 3)
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

func (b *Bot) listSchedules(ctx context.Context, asker string) string {
	all, err := b.svc.Schedules(ctx, asker)
	if err != nil {
		return b.tell(opSchedule, err)
	}
	if len(all) == 0 {
		return "No schedules yet. " + scheduleExample
	}
	var l []string
	for _, s := range all {
		state := "next " + slackDate(s.Next)
		if s.Paused {
			state = "⏸ paused"
		}
		l = append(l, fmt.Sprintf("• `%s` `%s` (%s) · *%s* for %s → <#%s> · %s", s.ID, s.Spec, s.TZ, s.FrameworkID, s.Audience, s.DigestChannel, state))
	}
	return "*Schedules*\n" + strings.Join(l, "\n")
}

func (b *Bot) changeSchedule(ctx context.Context, asker, op, id string) string {
	if op == "next" {
		s, runs, err := b.svc.NextRuns(ctx, asker, id, 5)
		if err != nil {
			return b.tell(opSchedule, err)
		}
		return fmt.Sprintf("Next runs of `%s` (%s):\n%s", s.ID, s.TZ, strings.Join(strings.Split(runList(runs), " · "), "\n"))
	}
	s, err := b.svc.ChangeSchedule(ctx, asker, op, id)
	if err != nil {
		return b.tell(opSchedule, err)
	}
	switch op {
	case review.ScheduleRemove:
		return fmt.Sprintf("Removed schedule `%s`. Reviews it started are not affected.", id)
	case review.SchedulePause:
		return fmt.Sprintf("Paused `%s`. `/review schedule resume %s` starts it again from its next run.", id, id)
	}
	return fmt.Sprintf("Resumed `%s`; next run %s.", id, slackDate(s.Next))
}

// openScheduleModal shows the form behind a bare /review schedule.
func (b *Bot) openScheduleModal(ctx context.Context, sc slack.SlashCommand) {
	spec := slack.NewPlainTextInputBlockElement(plain("0 9 1 */3 *", 150), "v")
	spec.InitialValue = "0 9 1 */3 *"
	tz := slack.NewPlainTextInputBlockElement(plain("Europe/Berlin", 150), "v")
	tz.InitialValue = b.svc.Location(ctx, sc.UserID).String()
	window := slack.NewNumberInputBlockElement(nil, "v", false)
	window.InitialValue, window.MinValue, window.MaxValue = "7", "1", strconv.Itoa(maxWindowDays)
	rem := slack.NewPlainTextInputBlockElement(plain("50%,24h", 150), "v")
	rem.InitialValue = "50%,24h"
	blocks := append(b.audienceBlocks(ctx),
		slack.NewInputBlock("spec", plain("When (cron)", 2000), plain("minute hour day-of-month month day-of-week: `0 9 1 */3 *` is 9:00 on the 1st of every third month, `0 9 * * 1` every Monday at 9:00; or @monthly.", 2000), spec),
		slack.NewInputBlock("tz", plain("Time zone", 2000), plain("An IANA name such as Europe/Berlin or America/New_York.", 2000), tz),
		slack.NewInputBlock("window", plain("Days each review stays open", 2000), nil, window),
		slack.NewInputBlock("reminders", plain("Reminders", 2000), plain("To those who have not submitted: a share of the window (50%) or a time before the deadline (24h); `none` for none.", 2000), rem),
	)
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbSchedule, Title: plain("Schedule reviews", 24),
		Submit: plain("Schedule", 24), Close: plain("Cancel", 24), Blocks: slack.Blocks{BlockSet: blocks},
		PrivateMetadata: sc.ChannelID,
	}
	if err := b.sl.openView(ctx, sc.TriggerID, view); err != nil {
		b.sl.ephemeral(ctx, sc.ChannelID, sc.UserID, "I could not open the form (Slack said: "+slackErr(err)+"). Schedule inline instead: "+scheduleExample+".\n"+scheduleHelp)
	}
}

// maxWindowDays is review.MaxWindow in the form's whole days.
const maxWindowDays = int(review.MaxWindow / (24 * time.Hour))

// validateScheduleForm checks the schedule form without Slack or Redis.
func validateScheduleForm(state *slack.ViewState) map[string]string {
	errs := validateAudienceForm(state)
	if state == nil {
		return errs
	}
	v := state.Values
	if _, err := schedule.Parse(v["spec"]["v"].Value, strings.TrimSpace(v["tz"]["v"].Value)); err != nil {
		if strings.Contains(err.Error(), "time zone") {
			errs["tz"] = digest.Truncate(err.Error(), 2800)
		} else {
			errs["spec"] = digest.Truncate(err.Error(), 2800)
		}
	}
	if n, err := strconv.Atoi(v["window"]["v"].Value); err != nil || n < 1 || n > maxWindowDays {
		errs["window"] = fmt.Sprintf("Give a whole number of days from 1 to %d.", maxWindowDays)
	}
	if _, err := schedule.ParseReminders(strings.TrimSpace(v["reminders"]["v"].Value)); err != nil {
		errs["reminders"] = err.Error()
	}
	return errs
}

func (b *Bot) scheduleFromModal(ctx context.Context, cb slack.InteractionCallback) {
	v := cb.View.State.Values
	days, _ := strconv.Atoi(v["window"]["v"].Value)
	rs, _ := schedule.ParseReminders(strings.TrimSpace(v["reminders"]["v"].Value))
	reminders := []string{}
	for _, r := range rs {
		reminders = append(reminders, r.String())
	}
	aud := audienceFromForm(v)
	cmd := Command{Verb: "schedule", Sub: "add", Framework: v["framework"]["v"].SelectedOption.Value,
		Users: aud.users, Usergroups: aud.groups, Channels: aud.channels, Digest: v["digest"]["v"].SelectedConversation,
		Spec: strings.TrimSpace(v["spec"]["v"].Value), TZ: strings.TrimSpace(v["tz"]["v"].Value),
		Window: time.Duration(days) * 24 * time.Hour, Threshold: aud.threshold, Reminders: reminders, Now: aud.now, Grace: aud.grace}
	sc := slack.SlashCommand{UserID: cb.User.ID, ChannelID: cb.View.PrivateMetadata}
	b.handleSchedule(ctx, sc, cmd)
}
