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
	"github.com/assessbot/assessbot/internal/store"
)

// DefaultWindow is how long a scheduled review stays open.
const DefaultWindow = 7 * 24 * time.Hour

// fireSchedules queues every due run of every schedule (exactly once across
// replicas) and turns queued runs into reviews. A run missed while no bot
// was up still happens if its window is not over; older missed runs are
// skipped, never replayed in a burst.
func (b *Bot) fireSchedules(ctx context.Context) {
	now := b.cfg.Now()
	due, err := b.st.DueSchedules(ctx, now)
	if err != nil {
		b.log.Warn("cannot read schedules", "err", err)
		return
	}
	for id, at := range due {
		sc, err := b.st.Schedule(ctx, id)
		if err != nil {
			continue
		}
		spec, err := schedule.Parse(sc.Spec, sc.TZ)
		if err != nil {
			b.log.Error("stored schedule no longer parses; pausing it", "schedule", id, "err", err)
			sc.Paused, sc.Next = true, time.Time{}
			_ = b.st.SaveSchedule(ctx, sc)
			continue
		}
		from := at
		if now.After(from) {
			from = now
		}
		if _, err := b.st.Advance(ctx, id, at, spec.Next(from)); err != nil {
			b.log.Warn("cannot advance schedule", "schedule", id, "err", err)
		}
	}
	occs, err := b.st.PendingOccurrences(ctx)
	if err != nil {
		return
	}
	for _, o := range occs {
		b.startOccurrence(ctx, o)
	}
}

// startOccurrence creates the review of one scheduled run. Its id derives
// from the run, so a retry after a crash finds the review instead of
// making a second one.
func (b *Bot) startOccurrence(ctx context.Context, o store.Occurrence) {
	lease := fmt.Sprintf("occ:%s:%d", o.Schedule, o.At.Unix())
	if ok, err := b.st.Claim(ctx, lease, b.cfg.Owner, b.cfg.Lease); err != nil || !ok {
		return
	}
	defer b.st.Release(context.WithoutCancel(ctx), lease, b.cfg.Owner)
	// Another replica may have finished it between our listing and our claim.
	if pending, err := b.st.OccurrencePending(ctx, o); err != nil || !pending {
		return
	}
	done := func() { _ = b.st.OccurrenceDone(ctx, o) }
	sc, err := b.st.Schedule(ctx, o.Schedule)
	if err != nil {
		if assessment.ErrorCode(err) == assessment.ENOTFOUND {
			done()
		}
		return
	}
	tell := func(msg string) {
		b.log.Warn("scheduled review not started", "schedule", sc.ID, "run", o.At, "reason", msg)
		_, _ = b.post(ctx, sc.CreatedBy, "Scheduled review not started", []slack.Block{slack.NewSectionBlock(mrkdwn(
			fmt.Sprintf("⚠️ Schedule `%s` did not start its review of %s: %s", sc.ID, slackDate(o.At), msg)), nil, nil)})
		done()
	}
	f, ok := b.cat.Get(sc.FrameworkID)
	if !ok {
		tell(fmt.Sprintf("the framework `%s` is no longer loaded. Fix FRAMEWORKS_DIR, or remove the schedule with `/review schedule remove %s`.", sc.FrameworkID, sc.ID))
		return
	}
	deadline := o.At.Add(sc.Window)
	if !deadline.After(b.cfg.Now()) {
		b.log.Warn("scheduled run skipped: its window passed while no bot was running", "schedule", sc.ID, "run", o.At)
		done()
		return
	}
	people, err := b.resolveAudience(ctx, sc.Users, sc.Usergroups, sc.Channels)
	if err != nil {
		tell(err.Error())
		return
	}
	r, err := b.svc.Start(ctx, review.StartRequest{
		ID: o.ReviewID(), Framework: f, Respondents: people, Audience: sc.Audience, DigestChannel: sc.DigestChannel,
		Deadline: deadline, Threshold: sc.Threshold, CreatedBy: sc.CreatedBy, ScheduleID: sc.ID,
		Reminders: sc.Reminders, DeliverNow: sc.DeliverNow,
	})
	if err != nil {
		if assessment.ErrorCode(err) == assessment.EUNAVAILABLE {
			return // try again next tick
		}
		tell(assessment.ErrorMessage(err))
		return
	}
	done()
	b.log.Info("scheduled review started", "schedule", sc.ID, "review", r.ID, "respondents", len(r.Respondents), "replica", b.cfg.Owner)
	b.goPlan(ctx, r.ID)
}

func (b *Bot) handleSchedule(ctx context.Context, sc slack.SlashCommand, cmd Command) {
	reply := func(text string) { b.ephemeral(ctx, sc.ChannelID, sc.UserID, text) }
	if !b.isAdmin(ctx, sc.UserID) {
		b.log.Warn("non-admin tried to manage schedules", "user", sc.UserID, "sub", cmd.Sub)
		reply(notAdmin)
		return
	}
	switch cmd.Sub {
	case "":
		b.openScheduleModal(ctx, sc)
	case "add":
		reply(b.addSchedule(ctx, sc, cmd))
	case "list":
		reply(b.listSchedules(ctx))
	case "pause", "resume", "remove", "next":
		reply(b.changeSchedule(ctx, cmd.Sub, cmd.ScheduleID))
	}
}

const scheduleHelp = "• `/review schedule add \"<cron>\" <framework> to @people @group #channel digest #channel [window 7d] [tz Europe/Berlin] [remind 50%,24h] [threshold 3] [now]`\n" +
	"• `/review schedule list` · `/review schedule next <id>` · `/review schedule pause|resume|remove <id>`\n" +
	"Cron: minute hour day-of-month month day-of-week, e.g. `0 9 * * 1` (Mondays 9:00), `0 9 1 */3 *` (quarterly), or `@monthly`. " +
	"Each person gets the DMs in their own morning unless you add `now`; reminders go to those who have not submitted, in their working hours."

func (b *Bot) addSchedule(ctx context.Context, sc slack.SlashCommand, cmd Command) string {
	tz := cmd.TZ
	if tz == "" {
		tz = b.userLocation(ctx, sc.UserID).String()
	}
	spec, err := schedule.Parse(cmd.Spec, tz)
	if err != nil {
		return "That schedule does not work: " + err.Error()
	}
	f, ok := b.cat.Get(cmd.Framework)
	if !ok {
		return fmt.Sprintf("There is no framework `%s`. Choose one of: %s.", cmd.Framework, strings.Join(codeList(b.cat.IDs()), ", "))
	}
	digestCh := cmd.Digest
	if digestCh == "" {
		if !strings.HasPrefix(sc.ChannelID, "C") && !strings.HasPrefix(sc.ChannelID, "G") {
			return "Where should the digests go? Add `digest #channel`, e.g. " + scheduleExample + "."
		}
		digestCh = sc.ChannelID
	}
	window := cmd.Window
	if window == 0 {
		window = DefaultWindow
	}
	now := b.cfg.Now()
	runs := spec.NextN(now, 2)
	if len(runs) == 2 && runs[1].Sub(runs[0]) < window {
		return fmt.Sprintf("Each review would still be open when the next one starts (runs %s apart, window %s). Use a shorter `window` or a sparser schedule.",
			runs[1].Sub(runs[0]), window)
	}
	s := &assessment.Schedule{
		ID: "s" + review.NewID()[1:], Spec: cmd.Spec, TZ: spec.Location.String(), FrameworkID: f.ID,
		Users: cmd.Users, Usergroups: cmd.Usergroups, Channels: cmd.Channels,
		Audience: audienceText(cmd.Users, cmd.Usergroups, cmd.Channels), DigestChannel: digestCh,
		Window: window, Threshold: cmd.Threshold, Reminders: cmd.Reminders, DeliverNow: cmd.Now,
		CreatedBy: sc.UserID, CreatedAt: now, Next: spec.Next(now),
	}
	if s.Threshold == 0 {
		s.Threshold = assessment.DefaultThreshold
	}
	if err := b.st.SaveSchedule(ctx, s); err != nil {
		return b.userMessage(err, "op", "schedule add")
	}
	b.log.Info("schedule added", "schedule", s.ID, "spec", s.Spec, "tz", s.TZ, "framework", s.FrameworkID, "by", sc.UserID)
	return fmt.Sprintf("Scheduled `%s`: *%s* for %s, digest to <#%s>, open %s each time.\nNext runs (%s): %s\nPause with `/review schedule pause %s`.",
		s.ID, escape(f.Title), s.Audience, s.DigestChannel, humanDuration(window), s.TZ, runList(spec.NextN(now, 3)), s.ID)
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

func (b *Bot) listSchedules(ctx context.Context) string {
	all, err := b.st.Schedules(ctx)
	if err != nil {
		return b.userMessage(err, "op", "schedule list")
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

func (b *Bot) changeSchedule(ctx context.Context, op, id string) string {
	s, err := b.st.Schedule(ctx, id)
	if err != nil {
		return b.userMessage(err, "op", "schedule "+op)
	}
	spec, err := schedule.Parse(s.Spec, s.TZ)
	if err != nil {
		return "This schedule no longer parses: " + err.Error()
	}
	now := b.cfg.Now()
	switch op {
	case "next":
		return fmt.Sprintf("Next runs of `%s` (%s):\n%s", s.ID, s.TZ, strings.Join(strings.Split(runList(spec.NextN(now, 5)), " · "), "\n"))
	case "remove":
		if err := b.st.DeleteSchedule(ctx, id); err != nil {
			return b.userMessage(err, "op", "schedule remove")
		}
		return fmt.Sprintf("Removed schedule `%s`. Reviews it started are not affected.", id)
	case "pause":
		s.Paused, s.Next = true, time.Time{}
	case "resume":
		s.Paused, s.Next = false, spec.Next(now)
	}
	if err := b.st.SaveSchedule(ctx, s); err != nil {
		return b.userMessage(err, "op", "schedule "+op)
	}
	b.log.Info("schedule changed", "schedule", id, "op", op)
	if op == "pause" {
		return fmt.Sprintf("Paused `%s`. `/review schedule resume %s` starts it again from its next run.", id, id)
	}
	return fmt.Sprintf("Resumed `%s`; next run %s.", id, slackDate(s.Next))
}

const cbSchedule = "schedule_review"

// openScheduleModal shows the form behind a bare /review schedule.
func (b *Bot) openScheduleModal(ctx context.Context, sc slack.SlashCommand) {
	spec := slack.NewPlainTextInputBlockElement(plain("0 9 1 */3 *", 150), "v")
	spec.InitialValue = "0 9 1 */3 *"
	tz := slack.NewPlainTextInputBlockElement(plain("Europe/Berlin", 150), "v")
	tz.InitialValue = b.userLocation(ctx, sc.UserID).String()
	window := slack.NewNumberInputBlockElement(nil, "v", false)
	window.InitialValue, window.MinValue, window.MaxValue = "7", "1", "90"
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
	err := b.send.do(ctx, "views.open", func(ctx context.Context) error {
		_, err := b.api.OpenViewContext(ctx, sc.TriggerID, view)
		return err
	})
	if err != nil {
		b.ephemeral(ctx, sc.ChannelID, sc.UserID, "I could not open the form (Slack said: "+slackErr(err)+"). Schedule inline instead: "+scheduleExample+".\n"+scheduleHelp)
	}
}

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
	if n, err := strconv.Atoi(v["window"]["v"].Value); err != nil || n < 1 || n > 90 {
		errs["window"] = "Give a whole number of days from 1 to 90."
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
		Window: time.Duration(days) * 24 * time.Hour, Threshold: aud.threshold, Reminders: reminders, Now: aud.now}
	sc := slack.SlashCommand{UserID: cb.User.ID, ChannelID: cb.View.PrivateMetadata}
	b.handleSchedule(ctx, sc, cmd)
}
