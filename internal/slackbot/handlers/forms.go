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

// The start and schedule forms: opening them, reading and checking what
// they hold, and starting from them.

// form is the handler of a form's submission.
type form struct {
	admin bool
	warn  string
	run   func(h *Handlers, ctx context.Context, cb slack.InteractionCallback, ack Acker)
}

// forms are the forms, by callback id.
var forms = map[string]form{
	codec.CbStart:    {admin: true, warn: "non-admin submitted the start form", run: (*Handlers).startFromForm},
	codec.CbSchedule: {run: (*Handlers).scheduleFromForm},
	codec.CbText:     {run: (*Handlers).textSubmitted},
	codec.CbComment:  {run: (*Handlers).textSubmitted},
	codec.CbPlan:     {run: (*Handlers).proposeFromForm},
	codec.CbUpdate:   {run: (*Handlers).updateFromForm},
}

func (h *Handlers) submitted(ctx context.Context, cb slack.InteractionCallback, ack Acker) {
	f, ok := forms[cb.View.CallbackID]
	if !ok {
		return
	}
	if f.admin {
		if err := h.svc.MayAdminister(ctx, cb.User.ID, cb.View.CallbackID); err != nil {
			h.log.Warn(f.warn)
			h.slack.Ephemeral(ctx, cb.View.PrivateMetadata, cb.User.ID, present.Words(present.OpStart, err))
			return
		}
	}
	f.run(h, ctx, cb, ack)
}

// usergroups are the workspace's user groups for a form's menu; none when
// Slack does not list them (the form then offers people and channels).
func (h *Handlers) usergroups(ctx context.Context) []slack.UserGroup {
	groups, err := h.slack.Usergroups(ctx)
	if err != nil {
		h.log.Debug("usergroups.list unavailable; the form offers people and channels", "err", err)
		return nil
	}
	return groups
}

// openStartForm shows the form behind a bare /review.
func (h *Handlers) openStartForm(ctx context.Context, rq request) {
	view := present.StartForm(h.cat.All(), h.usergroups(ctx), h.svc.Now().Add(review.DefaultDeadline), rq.sc.ChannelID)
	if err := h.slack.OpenView(ctx, rq.sc.TriggerID, view); err != nil {
		h.log.Warn("cannot open the start form", "err", err)
		h.reply(ctx, rq, present.StartFormNotOpened(err))
	}
}

func (h *Handlers) startFromForm(ctx context.Context, cb slack.InteractionCallback, _ Acker) {
	v := cb.View.State.Values
	id := codec.Field(v, codec.FieldFramework).SelectedOption.Value
	replyCh := cb.View.PrivateMetadata
	f, ok := h.cat.Get(id)
	if !ok {
		h.slack.Ephemeral(ctx, replyCh, cb.User.ID, present.FrameworkGone(id))
		return
	}
	d, _ := time.Parse("2006-01-02", codec.Field(v, codec.FieldDeadline).SelectedDate)
	a := audienceFromForm(v)
	h.startReview(ctx, startInput{
		framework: f, users: a.users, groups: a.groups, channels: a.channels, now: a.now,
		digest: codec.Field(v, codec.FieldDigest).SelectedConversation, due: Due{Date: d}, threshold: a.threshold,
		by: cb.User.ID, replyChannel: replyCh,
		grace: a.grace, anyway: codec.Checked(v, codec.FieldAnyway, codec.OptAnyway), fromModal: true, segments: a.segments,
	})
}

// formAudience is what the fields the start and schedule forms share
// hold.
type formAudience struct {
	users, groups, channels []string
	threshold               int
	now                     bool
	grace                   time.Duration
	segments                []assessment.Segment
}

func audienceFromForm(v map[string]map[string]slack.BlockAction) formAudience {
	a := formAudience{users: codec.Field(v, codec.FieldPeople).SelectedUsers, channels: codec.Field(v, codec.FieldChannels).SelectedConversations}
	for _, o := range codec.Field(v, codec.FieldGroups).SelectedOptions {
		a.groups = append(a.groups, o.Value)
	}
	a.now = codec.Checked(v, codec.FieldDelivery, codec.OptNow)
	a.threshold, _ = strconv.Atoi(codec.Field(v, codec.FieldThreshold).Value)
	a.grace, _ = formGrace(v)
	a.segments = teamsFromForm(v)
	return a
}

// teamsFromForm reads the team fields: the user groups by id with their
// handle (the option's text), then the channels by id; each once.
func teamsFromForm(v map[string]map[string]slack.BlockAction) []assessment.Segment {
	var out []assessment.Segment
	seen := map[string]bool{}
	add := func(s assessment.Segment) {
		if s.ID != "" && !seen[s.ID] {
			seen[s.ID] = true
			out = append(out, s)
		}
	}
	for _, o := range codec.Field(v, codec.FieldTeamGroups).SelectedOptions {
		name := ""
		if o.Text != nil {
			name = strings.TrimPrefix(o.Text.Text, "@")
		}
		add(assessment.Segment{ID: o.Value, Name: name})
	}
	for _, c := range codec.Field(v, codec.FieldTeamChannels).SelectedConversations {
		add(assessment.Segment{ID: c})
	}
	return out
}

// formGrace reads the grace field: empty means the default; ok is false
// for a duration that does not parse or is out of range.
func formGrace(v map[string]map[string]slack.BlockAction) (d time.Duration, ok bool) {
	text := strings.TrimSpace(codec.Field(v, codec.FieldGrace).Value)
	if text == "" {
		return 0, true
	}
	d, err := schedule.ParseDuration(text)
	if err != nil || review.CheckGrace(d) != nil {
		return 0, false
	}
	return d, true
}

// validateAudienceForm checks the fields the start and schedule forms
// share, without I/O.
func validateAudienceForm(state *slack.ViewState) map[string]string {
	errs := map[string]string{}
	if state == nil {
		errs[codec.FieldFramework] = present.FieldNoFramework
		return errs
	}
	v := state.Values
	if codec.Field(v, codec.FieldFramework).SelectedOption.Value == "" {
		errs[codec.FieldFramework] = present.FieldNoFramework
	}
	if len(codec.Field(v, codec.FieldPeople).SelectedUsers)+len(codec.Field(v, codec.FieldChannels).SelectedConversations)+len(codec.Field(v, codec.FieldGroups).SelectedOptions) == 0 {
		errs[codec.FieldPeople] = present.FieldNoAudience
	}
	if codec.Field(v, codec.FieldDigest).SelectedConversation == "" {
		errs[codec.FieldDigest] = present.FieldNoDigest
	}
	if n, err := strconv.Atoi(codec.Field(v, codec.FieldThreshold).Value); err != nil || review.CheckThreshold(n) != nil {
		errs[codec.FieldThreshold] = present.FieldThreshold()
	}
	if _, ok := formGrace(v); !ok {
		errs[codec.FieldGrace] = present.FieldGrace()
	}
	if n := len(teamsFromForm(v)); n > assessment.MaxSegments {
		field := codec.FieldTeamChannels
		if len(codec.Field(v, codec.FieldTeamGroups).SelectedOptions) > 0 {
			field = codec.FieldTeamGroups
		}
		errs[field] = present.FieldTooManyTeams(n)
	}
	return errs
}

// validateStartForm checks the start form without I/O, so the ack can
// carry the errors back into the modal.
func validateStartForm(state *slack.ViewState, now time.Time) map[string]string {
	errs := validateAudienceForm(state)
	if state == nil {
		return errs
	}
	v := state.Values
	if d, err := time.Parse("2006-01-02", codec.Field(v, codec.FieldDeadline).SelectedDate); err != nil {
		errs[codec.FieldDeadline] = present.FieldNoDeadline
	} else if err := review.CheckDeadline(Due{Date: d}.Resolve(now, time.UTC), now); err != nil {
		errs[codec.FieldDeadline] = present.FieldDeadline(err)
	}
	// With people only, the form knows an upper bound of the audience;
	// user groups and channels are resolved after the ack, and Start
	// refuses then, by ephemeral.
	people := codec.Field(v, codec.FieldPeople).SelectedUsers
	others := len(codec.Field(v, codec.FieldGroups).SelectedOptions) + len(codec.Field(v, codec.FieldChannels).SelectedConversations)
	th, err := strconv.Atoi(codec.Field(v, codec.FieldThreshold).Value)
	if err == nil && len(people) > 0 && len(people) < th && others == 0 && !codec.Checked(v, codec.FieldAnyway, codec.OptAnyway) {
		errs[codec.FieldPeople] = present.FieldBelowThreshold(len(people), th)
	}
	return errs
}

// validateScheduleForm checks the schedule form without Slack or Redis.
func validateScheduleForm(state *slack.ViewState) map[string]string {
	errs := validateAudienceForm(state)
	if state == nil {
		return errs
	}
	v := state.Values
	if _, err := schedule.Parse(codec.Field(v, codec.FieldSpec).Value, strings.TrimSpace(codec.Field(v, codec.FieldTZ).Value)); err != nil {
		if strings.Contains(err.Error(), "time zone") {
			errs[codec.FieldTZ] = present.FieldProblem(err)
		} else {
			errs[codec.FieldSpec] = present.FieldProblem(err)
		}
	}
	if n, err := strconv.Atoi(codec.Field(v, codec.FieldWindow).Value); err != nil || n < 1 || n > present.MaxWindowDays {
		errs[codec.FieldWindow] = present.FieldWindow()
	}
	if _, err := schedule.ParseReminders(strings.TrimSpace(codec.Field(v, codec.FieldReminders).Value)); err != nil {
		errs[codec.FieldReminders] = err.Error()
	}
	return errs
}
