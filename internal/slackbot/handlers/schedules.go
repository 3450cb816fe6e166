package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/schedule"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// schedules are the subcommands of /review schedule ("" opens the form).
var schedules = map[string]func(h *Handlers, ctx context.Context, rq request){
	"":       (*Handlers).openScheduleForm,
	"add":    (*Handlers).addSchedule,
	"list":   (*Handlers).listSchedules,
	"next":   (*Handlers).nextRuns,
	"pause":  (*Handlers).changeSchedule,
	"resume": (*Handlers).changeSchedule,
	"remove": (*Handlers).changeSchedule,
	"take":   (*Handlers).changeSchedule,
}

func (h *Handlers) schedule(ctx context.Context, rq request) {
	if run, ok := schedules[rq.cmd.Sub]; ok {
		run(h, ctx, rq)
	}
}

func (h *Handlers) addSchedule(ctx context.Context, rq request) {
	cmd := rq.cmd
	tz := cmd.TZ
	if tz == "" {
		tz = h.svc.Location(ctx, rq.sc.UserID).String()
	}
	digestCh := digestChannel(rq)
	if digestCh == "" {
		h.reply(ctx, rq, present.ScheduleDigestWhere)
		return
	}
	s, err := h.svc.AddSchedule(ctx, review.ScheduleRequest{
		Spec: cmd.Spec, TZ: tz, FrameworkID: cmd.Framework,
		Audience:     review.Audience{Users: cmd.Users, Groups: cmd.Usergroups, Channels: cmd.Channels},
		AudienceText: present.Audience(cmd.Users, cmd.Usergroups, cmd.Channels), DigestChannel: digestCh,
		Window: cmd.Window, Threshold: cmd.Threshold, Reminders: cmd.Reminders, DeliverNow: cmd.Now, CreatedBy: rq.sc.UserID,
		Grace: cmd.Grace, Segments: cmd.Segments, ID: derivedID(ctx, assessment.ScheduleIDFor),
	})
	if err != nil {
		h.reply(ctx, rq, h.tell(present.OpSchedule, err))
		return
	}
	f, _ := h.cat.Get(s.FrameworkID)
	_, runs, _ := h.svc.NextRuns(ctx, rq.sc.UserID, s.ID, 3)
	h.reply(ctx, rq, present.ScheduleAdded(s, f, runs))
}

func (h *Handlers) listSchedules(ctx context.Context, rq request) {
	all, err := h.svc.Schedules(ctx, rq.sc.UserID)
	if err != nil {
		h.reply(ctx, rq, h.tell(present.OpSchedule, err))
		return
	}
	h.reply(ctx, rq, present.Schedules(all))
}

func (h *Handlers) nextRuns(ctx context.Context, rq request) {
	s, runs, err := h.svc.NextRuns(ctx, rq.sc.UserID, rq.cmd.ScheduleID, 5)
	if err != nil {
		h.reply(ctx, rq, h.tell(present.OpSchedule, err))
		return
	}
	h.reply(ctx, rq, present.NextRuns(s, runs))
}

// changeSchedule pauses, resumes or removes a schedule.
func (h *Handlers) changeSchedule(ctx context.Context, rq request) {
	op, id := rq.cmd.Sub, rq.cmd.ScheduleID
	s, err := h.svc.ChangeSchedule(ctx, rq.sc.UserID, op, id)
	if err != nil {
		h.reply(ctx, rq, h.tell(present.OpSchedule, err))
		return
	}
	switch op {
	case review.ScheduleRemove:
		h.reply(ctx, rq, present.ScheduleRemoved(id))
	case review.SchedulePause:
		h.reply(ctx, rq, present.SchedulePaused(id))
	case review.ScheduleTake:
		h.reply(ctx, rq, present.ScheduleTaken(s))
	default:
		h.reply(ctx, rq, present.ScheduleResumed(id, s.Next))
	}
}

// openScheduleForm shows the form behind a bare /review schedule.
func (h *Handlers) openScheduleForm(ctx context.Context, rq request) {
	view := present.ScheduleForm(h.cat.All(), h.usergroups(ctx), h.svc.Location(ctx, rq.sc.UserID).String(), rq.sc.ChannelID)
	if err := h.slack.OpenView(ctx, rq.sc.TriggerID, view); err != nil {
		h.reply(ctx, rq, present.ScheduleFormNotOpened(err))
	}
}

// scheduleFromForm adds the schedule of a submitted form, as the command
// would.
func (h *Handlers) scheduleFromForm(ctx context.Context, cb slack.InteractionCallback, _ Acker) {
	v := cb.View.State.Values
	days, _ := strconv.Atoi(codec.Field(v, codec.FieldWindow).Value)
	rs, _ := schedule.ParseReminders(strings.TrimSpace(codec.Field(v, codec.FieldReminders).Value))
	reminders := []string{}
	for _, r := range rs {
		reminders = append(reminders, r.String())
	}
	aud := audienceFromForm(v)
	cmd := Command{Verb: "schedule", Sub: "add", Framework: codec.Field(v, codec.FieldFramework).SelectedOption.Value,
		Users: aud.users, Usergroups: aud.groups, Channels: aud.channels, Digest: codec.Field(v, codec.FieldDigest).SelectedConversation,
		Spec: strings.TrimSpace(codec.Field(v, codec.FieldSpec).Value), TZ: strings.TrimSpace(codec.Field(v, codec.FieldTZ).Value),
		Window: time.Duration(days) * 24 * time.Hour, Threshold: aud.threshold, Reminders: reminders, Now: aud.now, Grace: aud.grace}
	h.runCommand(ctx, request{sc: slack.SlashCommand{UserID: cb.User.ID, ChannelID: cb.View.PrivateMetadata}, cmd: cmd})
}
