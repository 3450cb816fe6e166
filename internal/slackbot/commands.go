package slackbot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/schedule"
)

func (b *Bot) handleCommand(ctx context.Context, sc slack.SlashCommand, cmd Command) {
	reply := func(text string) { b.sl.ephemeral(ctx, sc.ChannelID, sc.UserID, text) }
	switch cmd.Verb {
	case "frameworks":
		reply(b.frameworksText())
	case "":
		if !b.svc.IsAdmin(ctx, sc.UserID) {
			reply(b.notAdmin())
			return
		}
		b.openStartModal(ctx, sc.TriggerID, sc.ChannelID, sc.UserID)
	case "start":
		if !b.svc.IsAdmin(ctx, sc.UserID) {
			b.log.Warn("non-admin tried to start a review", "user", sc.UserID)
			reply(b.notAdmin())
			return
		}
		f, ok := b.cat.Get(cmd.Framework)
		if !ok {
			reply(words(opStart, assessment.NewError(assessment.EINVALID, assessment.RUnknownFramework, cmd.Framework, b.cat.IDs())))
			return
		}
		digestCh := cmd.Digest
		if digestCh == "" {
			if !strings.HasPrefix(sc.ChannelID, "C") && !strings.HasPrefix(sc.ChannelID, "G") {
				reply("Where should the digest go? Add `digest #channel`, e.g. " + startExample + ".")
				return
			}
			digestCh = sc.ChannelID
		}
		b.start(ctx, startInput{
			framework: f, users: cmd.Users, groups: cmd.Usergroups, channels: cmd.Channels,
			digest: digestCh, due: cmd.Due, threshold: cmd.Threshold, detail: cmd.Detail, by: sc.UserID, replyChannel: sc.ChannelID,
			now: cmd.Now, reminders: cmd.Reminders, grace: cmd.Grace, anyway: cmd.Anyway,
			audience: audienceText(cmd.Users, cmd.Usergroups, cmd.Channels),
		})
	case "schedule":
		b.handleSchedule(ctx, sc, cmd)
	case "status":
		if !b.svc.IsAdmin(ctx, sc.UserID) {
			reply(b.notAdmin())
			return
		}
		reply(b.statusText(ctx, cmd.ReviewID, sc.UserID))
	case "results", "export":
		if !b.svc.IsAdmin(ctx, sc.UserID) {
			b.log.Warn("non-admin asked for results", "user", sc.UserID, "verb", cmd.Verb, "review", cmd.ReviewID)
			reply(b.notAdmin())
			return
		}
		if cmd.Verb == "results" {
			b.resultsCommand(ctx, sc, cmd.ReviewID)
		} else {
			b.exportCommand(ctx, sc, cmd.ReviewID)
		}
	case "forget":
		if !b.svc.IsAdmin(ctx, sc.UserID) {
			b.log.Warn("non-admin tried to forget someone", "user", sc.UserID)
			reply(b.notAdmin())
			return
		}
		u := cmd.Users[0]
		got, err := b.svc.Forget(ctx, u)
		if err != nil {
			reply(b.tell(opForget, err))
			return
		}
		reply(fmt.Sprintf("Forgot <@%s>: taken out of %s%s, with their answers to any still open; %s dropped. Closed reviews keep only answers that nothing ties to anyone, which stay in their figures.",
			u, plural(len(got.Reviews), "review", "reviews"), reviewList(got.Reviews), plural(got.Jobs, "queued DM or reminder", "queued DMs and reminders")))
	case "close":
		if !b.svc.IsAdmin(ctx, sc.UserID) {
			b.log.Warn("non-admin tried to close a review", "user", sc.UserID, "review", cmd.ReviewID)
			reply(b.notAdmin())
			return
		}
		reply(b.closeNow(ctx, cmd.ReviewID, sc.UserID))
	}
}

func audienceText(users, groups, channels []string) string {
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

func (b *Bot) frameworksText() string {
	var l []string
	for _, f := range b.cat.All() {
		s, t := f.CountQuestions()
		extra := ""
		if t > 0 {
			extra = fmt.Sprintf(" + %d open", t)
		}
		l = append(l, fmt.Sprintf("• `%s` — *%s* (%s, %s%s)", f.ID, escape(f.Title), plural(len(f.Sections), "section", "sections"), plural(s, "question", "questions"), extra))
	}
	return "*Frameworks you can run*\n" + strings.Join(l, "\n") + "\nStart one with `/review start <id> to @people digest #channel`, or just `/review`."
}

type startInput struct {
	framework        *assessment.Framework
	users, groups    []string
	channels         []string
	digest           string
	due              Due
	deadline         time.Time // set by the modal; otherwise from due
	threshold        int
	detail           int
	by, replyChannel string
	audience         string
	now              bool
	reminders        []string
	grace            time.Duration
	// anyway starts below the anonymity threshold; fromModal says how the
	// admin can ask for it.
	anyway, fromModal bool
}

// start stores the review; the use case resolves the audience and begins
// the fan-out.
func (b *Bot) start(ctx context.Context, in startInput) {
	reply := func(text string) { b.sl.ephemeral(ctx, in.replyChannel, in.by, text) }
	deadline := in.deadline
	if deadline.IsZero() {
		deadline = in.due.Resolve(b.svc.Now(), b.svc.Location(ctx, in.by))
	}
	r, err := b.svc.Start(ctx, review.StartRequest{
		Framework: in.framework, Audience: review.Audience{Users: in.users, Groups: in.groups, Channels: in.channels},
		AudienceText: in.audience, DigestChannel: in.digest,
		Deadline: deadline, Threshold: in.threshold, Detail: in.detail, CreatedBy: in.by, DeliverNow: in.now, Reminders: in.reminders,
		Grace: in.grace, Anyway: in.anyway, ID: derivedID(ctx, assessment.ReviewIDFor),
	})
	if err != nil {
		text := b.tell(opStart, err, "user", in.by)
		if reason, _ := assessment.ErrorReason(err); reason == assessment.RAudienceBelowThreshold {
			text += " " + anywayHint(in.fromModal)
		}
		reply(text)
		return
	}
	when := "Each person gets a DM in their own morning (weekdays 9:00–12:00 their time); add `now` to send at once."
	if in.now {
		when = "I'm sending them a DM now."
	}
	reply(fmt.Sprintf("Started review `%s` of *%s* for %s. %s The digest goes to <#%s> on %s, or %s after everyone has submitted (answers can change until then). Follow it with `/review status %s`; close it early with `/review close %s`.",
		r.ID, escape(in.framework.Title), plural(len(r.Respondents), "person", "people"), when, r.DigestChannel, slackDate(r.Deadline), durationText(r.GracePeriod()), r.ID, r.ID))
}

// anywayHint says how to start a review below its anonymity threshold.
func anywayHint(fromModal bool) string {
	if fromModal {
		return "Add more people, or run `/review` again and tick *Start anyway*."
	}
	return "Add more people, or add `anyway` to the command to start regardless."
}

// statusText says where a review stands: how many were invited, started
// and submitted, what is still to go out, and the upcoming scheduled runs.
// It names nobody (reminders reach those who have not submitted).
func (b *Bot) statusText(ctx context.Context, id, asker string) string {
	st, err := b.svc.Status(ctx, id, asker)
	if err != nil {
		if assessment.ErrorCode(err) == assessment.ENOTFOUND && id == "" {
			if up := b.upcomingText(ctx); up != "" {
				return words(opStatus, err) + "\n" + up
			}
		}
		return b.tell(opStatus, err)
	}
	var sb strings.Builder
	sb.WriteString(countsText(st))
	if st.PendingIntros+st.PendingReminders > 0 {
		fmt.Fprintf(&sb, "\nWaiting to go out: %s (each in the person's morning), %s.", plural(st.PendingIntros, "intro DM", "intro DMs"), plural(st.PendingReminders, "reminder", "reminders"))
	}
	if st.Review.Status == assessment.StatusOpen {
		sb.WriteString("\n_Who has answered is never shown; reminders go to those who have not submitted._")
	}
	if id == "" {
		if up := b.upcomingText(ctx); up != "" {
			sb.WriteString("\n" + up)
		}
	}
	return sb.String()
}

// countsText is a review's title line and its response counts.
func countsText(st review.Status) string {
	r := st.Review
	state := openState(r, st.ClosesEarly)
	n := st.Invited
	return fmt.Sprintf("*%s* · review `%s` · %s · digest to <#%s>\n*%d of %d submitted (%d%%)* · %d in progress · %d not started",
		escape(r.Title), r.ID, state, r.DigestChannel, st.Submitted, n, st.Submitted*100/max(n, 1), st.Started, n-st.Submitted-st.Started)
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

// upcomingText lists the next run of each active schedule, soonest first.
func (b *Bot) upcomingText(ctx context.Context) string { return upcomingLines(b.svc.Upcoming(ctx, 10)) }

func upcomingLines(all []*assessment.Schedule) string {
	var l []string
	for _, s := range all {
		l = append(l, fmt.Sprintf("• %s · `%s` *%s* for %s → <#%s>", slackDate(s.Next), s.ID, s.FrameworkID, s.Audience, s.DigestChannel))
	}
	if len(l) == 0 {
		return ""
	}
	return "*Upcoming runs*\n" + strings.Join(l, "\n")
}

func (b *Bot) closeNow(ctx context.Context, id, by string) string {
	c, err := b.svc.CloseNow(ctx, id, by)
	if err != nil {
		return b.tell(opClose, err, "review", id)
	}
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

// audienceBlocks are the form fields the start and schedule forms share:
// framework, who answers, digest channel, threshold and delivery.
func (b *Bot) audienceBlocks(ctx context.Context) []slack.Block {
	var opts []*slack.OptionBlockObject
	for _, f := range b.cat.All() {
		opts = append(opts, slack.NewOptionBlockObject(f.ID, plain(f.Title, 75), nil))
		if len(opts) == 100 {
			break
		}
	}
	fw := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a framework", 150), "v", opts...)
	people := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("People", 150), "v")
	chans := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeConversations, plain("Everyone in these channels", 150), "v")
	chans.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}, ExcludeBotUsers: true}
	dig := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, plain("Channel for the digest", 150), "v")
	dig.DefaultToCurrentConversation = true
	dig.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}}
	th := slack.NewNumberInputBlockElement(nil, "v", false)
	th.InitialValue = strconv.Itoa(assessment.DefaultThreshold)
	th.MinValue, th.MaxValue = strconv.Itoa(review.MinThreshold), strconv.Itoa(review.MaxThreshold)
	grace := slack.NewPlainTextInputBlockElement(plain("1h", 150), "v")
	grace.InitialValue = durationWord(assessment.DefaultGrace)

	blocks := []slack.Block{
		slack.NewInputBlock("framework", plain("Framework", 2000), nil, fw),
		optional(slack.NewInputBlock("people", plain("Who answers: people", 2000), nil, people)),
	}
	if groups := b.usergroupOptions(ctx); len(groups) > 0 {
		g := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain("User groups", 150), "v", groups...)
		blocks = append(blocks, optional(slack.NewInputBlock("groups", plain("Who answers: user groups", 2000), nil, g)))
	}
	return append(blocks,
		optional(slack.NewInputBlock("channels", plain("Who answers: members of channels", 2000), plain("Bots are left out. Pick at least one person, group or channel.", 2000), chans)),
		slack.NewInputBlock("digest", plain("Post the digest to", 2000), plain("Invite me to a private channel first.", 2000), dig),
		slack.NewInputBlock("threshold", plain("Anonymity threshold", 2000), plain("Scores are shown only when at least this many people answered.", 2000), th),
		optional(slack.NewInputBlock("delivery", plain("Delivery", 2000), nil, slack.NewCheckboxGroupsBlockElement("v",
			slack.NewOptionBlockObject("now", plain("Send the DMs now", 75), plain("Otherwise each person gets them in their own weekday morning", 75))))),
		optional(slack.NewInputBlock("grace", plain("Grace period once everyone has submitted", 2000),
			plain("Answers can still change for this long after the last person submits; then the review closes (never after its deadline). For example 30m, 2h or 1d.", 2000), grace)),
	)
}

// formAudience is what audienceBlocks collected.
type formAudience struct {
	users, groups, channels []string
	threshold               int
	now                     bool
	grace                   time.Duration
}

func audienceFromForm(v map[string]map[string]slack.BlockAction) formAudience {
	a := formAudience{users: v["people"]["v"].SelectedUsers, channels: v["channels"]["v"].SelectedConversations}
	for _, o := range v["groups"]["v"].SelectedOptions {
		a.groups = append(a.groups, o.Value)
	}
	for _, o := range v["delivery"]["v"].SelectedOptions {
		a.now = a.now || o.Value == "now"
	}
	a.threshold, _ = strconv.Atoi(v["threshold"]["v"].Value)
	a.grace, _ = formGrace(v)
	return a
}

// formGrace reads the grace field: empty means the default.
func formGrace(v map[string]map[string]slack.BlockAction) (time.Duration, error) {
	text := strings.TrimSpace(v["grace"]["v"].Value)
	if text == "" {
		return 0, nil
	}
	d, err := schedule.ParseDuration(text)
	if err != nil || d < review.MinGrace || d > review.MaxGrace {
		return 0, fmt.Errorf("give a duration from 1m to 7d, e.g. 30m, 2h or 1d")
	}
	return d, nil
}

// startAnyway reads the start form's "Start anyway" box.
func startAnyway(v map[string]map[string]slack.BlockAction) bool {
	for _, o := range v["anyway"]["v"].SelectedOptions {
		if o.Value == "anyway" {
			return true
		}
	}
	return false
}

// openStartModal shows the form behind a bare /review.
func (b *Bot) openStartModal(ctx context.Context, triggerID, channel, user string) {
	date := slack.NewDatePickerBlockElement("v")
	date.InitialDate = b.svc.Now().Add(72 * time.Hour).Format("2006-01-02")
	blocks := append(b.audienceBlocks(ctx), slack.NewInputBlock("deadline", plain("Deadline (end of day)", 2000), nil, date),
		optional(slack.NewInputBlock("anyway", plain("Small audiences", 2000),
			plain("With fewer people than the anonymity threshold, the digest shows no scores at all, so I refuse to start unless this is ticked.", 2000),
			slack.NewCheckboxGroupsBlockElement("v", slack.NewOptionBlockObject("anyway", plain("Start anyway", 75),
				plain("Even if fewer people than the threshold answer", 75))))))
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbStart, Title: plain("Start a review", 24),
		Submit: plain("Start", 24), Close: plain("Cancel", 24), Blocks: slack.Blocks{BlockSet: blocks},
		PrivateMetadata: channel,
	}
	if err := b.sl.openView(ctx, triggerID, view); err != nil {
		b.log.Warn("cannot open the start form", "err", err)
		b.sl.ephemeral(ctx, channel, user, "I could not open the form (Slack said: "+slackErr(err)+"). Try again, or start inline: "+startExample+".")
	}
}

func optional(ib *slack.InputBlock) *slack.InputBlock {
	ib.Optional = true
	return ib
}

func (b *Bot) usergroupOptions(ctx context.Context) []*slack.OptionBlockObject {
	groups, err := b.sl.usergroups(ctx)
	if err != nil {
		b.log.Debug("usergroups.list unavailable; the form offers people and channels", "err", err)
		return nil
	}
	var out []*slack.OptionBlockObject
	for _, g := range groups {
		if g.DateDelete != 0 {
			continue
		}
		out = append(out, slack.NewOptionBlockObject(g.ID, plain("@"+g.Handle, 75), nil))
		if len(out) == 100 {
			break
		}
	}
	return out
}

// validateAudienceForm checks the fields audienceBlocks made, without I/O.
func validateAudienceForm(state *slack.ViewState) map[string]string {
	errs := map[string]string{}
	if state == nil {
		errs["framework"] = "Choose a framework."
		return errs
	}
	v := state.Values
	if v["framework"]["v"].SelectedOption.Value == "" {
		errs["framework"] = "Choose a framework."
	}
	if len(v["people"]["v"].SelectedUsers)+len(v["channels"]["v"].SelectedConversations)+len(v["groups"]["v"].SelectedOptions) == 0 {
		errs["people"] = "Pick at least one person, user group or channel."
	}
	if v["digest"]["v"].SelectedConversation == "" {
		errs["digest"] = "Choose where the digest goes."
	}
	if n, err := strconv.Atoi(v["threshold"]["v"].Value); err != nil || n < review.MinThreshold || n > review.MaxThreshold {
		errs["threshold"] = fmt.Sprintf("Give a whole number from %d to %d.", review.MinThreshold, review.MaxThreshold)
	}
	if _, err := formGrace(v); err != nil {
		errs["grace"] = "Give a duration from 1m to 7d, e.g. 30m, 2h or 1d."
	}
	return errs
}

// validateStartForm checks the form without I/O, so the ack can carry the
// errors back into the modal.
func validateStartForm(state *slack.ViewState, now time.Time) map[string]string {
	errs := validateAudienceForm(state)
	if state == nil {
		return errs
	}
	if d, err := time.Parse("2006-01-02", state.Values["deadline"]["v"].SelectedDate); err != nil {
		errs["deadline"] = "Choose a deadline."
	} else if d.Add(24 * time.Hour).Before(now) {
		errs["deadline"] = "The deadline is in the past."
	}
	// With people only, the form knows an upper bound of the audience;
	// user groups and channels are resolved after the ack, and Start
	// refuses then, by ephemeral.
	v := state.Values
	people := v["people"]["v"].SelectedUsers
	th, err := strconv.Atoi(v["threshold"]["v"].Value)
	if err == nil && len(people) > 0 && len(people) < th && len(v["groups"]["v"].SelectedOptions)+len(v["channels"]["v"].SelectedConversations) == 0 && !startAnyway(v) {
		errs["people"] = words(opStart, assessment.NewError(assessment.EINVALID, assessment.RAudienceBelowThreshold, len(people), th)) +
			" Add more people, or tick Start anyway below."
	}
	return errs
}

func (b *Bot) startFromModal(ctx context.Context, cb slack.InteractionCallback) {
	v := cb.View.State.Values
	id := v["framework"]["v"].SelectedOption.Value
	replyCh := cb.View.PrivateMetadata
	if !b.svc.IsAdmin(ctx, cb.User.ID) {
		b.log.Warn("non-admin submitted the start form", "user", cb.User.ID)
		b.sl.ephemeral(ctx, replyCh, cb.User.ID, b.notAdmin())
		return
	}
	f, ok := b.cat.Get(id)
	if !ok {
		b.sl.ephemeral(ctx, replyCh, cb.User.ID, fmt.Sprintf("The framework `%s` is no longer available; run `/review` again.", id))
		return
	}
	d, _ := time.Parse("2006-01-02", v["deadline"]["v"].SelectedDate)
	a := audienceFromForm(v)
	b.start(ctx, startInput{
		framework: f, users: a.users, groups: a.groups, channels: a.channels, now: a.now,
		digest: v["digest"]["v"].SelectedConversation, due: Due{Date: d}, threshold: a.threshold,
		by: cb.User.ID, replyChannel: replyCh, audience: audienceText(a.users, a.groups, a.channels),
		grace: a.grace, anyway: startAnyway(v), fromModal: true,
	})
}

func reviewList(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return " (" + strings.Join(codeList(ids), ", ") + ")"
}
