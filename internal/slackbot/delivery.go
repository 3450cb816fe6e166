package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/schedule"
	"github.com/assessbot/assessbot/internal/store"
)

// Job kinds.
const (
	jobIntro  = "intro"
	jobRemind = "remind"
)

const (
	// jobBatch is how many due jobs one sweep claims; the rest wait for the
	// next sweep, so a 5,000-person fan-out never holds a huge claim.
	jobBatch = 200
)

// goPlan plans a review's deliveries in the background; Run waits for it.
func (b *Bot) goPlan(ctx context.Context, reviewID string) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.plan(ctx, reviewID)
		b.runJobs(ctx)
	}()
}

// plan queues, for every respondent, the intro DM (in their morning, or
// now) and the reminders (in their working hours). Queued jobs keep their
// time, so planning twice after a crash changes nothing.
func (b *Bot) plan(ctx context.Context, reviewID string) {
	lease := "plan:" + reviewID
	if ok, err := b.st.Claim(ctx, lease, b.cfg.Owner, b.cfg.Lease); err != nil || !ok {
		return
	}
	defer b.st.Release(context.WithoutCancel(ctx), lease, b.cfg.Owner)
	r, _, err := b.st.Review(ctx, reviewID)
	if err != nil {
		b.log.Warn("plan: cannot load review", "review", reviewID, "err", err)
		return
	}
	if r.Status != assessment.StatusOpen {
		_ = b.st.FanoutDone(ctx, reviewID)
		return
	}
	zones := map[string]string{}
	if !r.DeliverNow || len(reviewReminders(r)) > 0 {
		zones = b.timeZones(ctx, r.Respondents)
	}
	reminders := reviewReminders(r)
	jobs := make([]store.Job, 0, len(r.Respondents)*(1+len(reminders)))
	for _, u := range r.Respondents {
		loc := loadLocation(zones[u])
		at := r.CreatedAt
		if !r.DeliverNow {
			at = schedule.Morning(r.CreatedAt, loc)
		}
		jobs = append(jobs, store.Job{Kind: jobIntro, Review: r.ID, User: u, At: at})
		for i, t := range schedule.ReminderTimes(at, r.Deadline, loc, reminders) {
			jobs = append(jobs, store.Job{Kind: jobRemind, Review: r.ID, User: u, N: i, At: t})
		}
	}
	if err := b.st.AddJobs(ctx, jobs); err != nil {
		b.log.Warn("plan: cannot queue deliveries", "review", reviewID, "err", err)
		return
	}
	_ = b.st.FanoutDone(ctx, reviewID)
	b.log.Info("deliveries planned", "review", reviewID, "respondents", len(r.Respondents), "jobs", len(jobs))
}

// loadLocation returns a zone by name, UTC when unknown. Zones are cached:
// time.LoadLocation reads and parses the zone file on every call, and a
// 10,000-person plan would keep 10,000 copies alive.
func loadLocation(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	if loc, ok := zoneCache.Load(tz); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	zoneCache.Store(tz, loc)
	return loc
}

var zoneCache sync.Map

// timeZones returns users' time zones: cached in Redis, else looked up.
func (b *Bot) timeZones(ctx context.Context, users []string) map[string]string {
	zones, err := b.st.TimeZones(ctx, users)
	if err != nil {
		zones = map[string]string{}
	}
	var missing []string
	for _, u := range users {
		if _, ok := zones[u]; !ok {
			missing = append(missing, u)
		}
	}
	for id, u := range b.lookupUsers(ctx, missing) {
		if u.TZ != "" {
			zones[id] = u.TZ
		}
	}
	return zones
}

// lookupUsers fetches users' profiles: users.info one by one for a few,
// else one pass over users.list (one call per 500 people, where a call per
// person would take Tier 4's 100-a-minute for ever). Their time zones are
// cached in Redis on the way. Users it could not look up are missing.
func (b *Bot) lookupUsers(ctx context.Context, users []string) map[string]slack.User {
	out := map[string]slack.User{}
	if len(users) == 0 {
		return out
	}
	if len(users) <= 10 {
		for _, u := range users {
			var info *slack.User
			err := b.send.do(ctx, "users.info", func(ctx context.Context) (err error) {
				info, err = b.api.GetUserInfoContext(ctx, u)
				return err
			})
			if err == nil {
				out[u] = *info
			}
		}
	} else {
		want := map[string]bool{}
		for _, u := range users {
			want[u] = true
		}
		p := b.api.GetUsersPaginated(slack.GetUsersOptionLimit(500))
		for {
			err := b.send.do(ctx, "users.list", func(ctx context.Context) (err error) {
				p, err = p.Next(ctx)
				return err
			})
			if p.Done(err) || err != nil {
				break
			}
			for _, u := range p.Users {
				if want[u.ID] {
					out[u.ID] = u
				}
			}
		}
	}
	zones := map[string]string{}
	for id, u := range out {
		if u.TZ != "" {
			zones[id] = u.TZ
		}
	}
	_ = b.st.SetTimeZones(ctx, zones)
	return out
}

// runJobs runs every due intro and reminder, a few at a time.
func (b *Bot) runJobs(ctx context.Context) {
	for ctx.Err() == nil {
		jobs, err := b.st.ClaimJobs(ctx, b.cfg.Now(), b.cfg.Lease, jobBatch)
		if err != nil || len(jobs) == 0 {
			return
		}
		sem := make(chan struct{}, 4)
		var wg sync.WaitGroup
		for i, j := range jobs {
			if ctx.Err() != nil {
				// Shutting down: hand the unstarted jobs back at once, so the
				// next process need not wait for their lease to end.
				for _, u := range jobs[i:] {
					_ = b.st.RescheduleJob(context.WithoutCancel(ctx), u, u.At)
				}
				break
			}
			sem <- struct{}{}
			wg.Add(1)
			go func(j store.Job) {
				defer func() { <-sem; wg.Done() }()
				// A job under way finishes even during shutdown, so a
				// graceful restart sends nothing twice.
				jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				// The claim's lease is on the bot's clock; this lock's is on
				// Redis's, so a job is never run twice at once even if
				// clocks jump or differ between replicas.
				lock := "job:" + j.Key()
				if ok, err := b.st.Claim(jctx, lock, b.cfg.Owner, b.cfg.Lease); err != nil || !ok {
					return
				}
				defer b.st.Release(jctx, lock, b.cfg.Owner)
				done := false
				switch j.Kind {
				case jobIntro:
					done = b.runIntro(jctx, j)
				case jobRemind:
					done = b.runReminder(jctx, j)
				default:
					done = true
				}
				if done {
					_ = b.st.JobDone(jctx, j)
				}
			}(j)
		}
		wg.Wait()
		if len(jobs) < jobBatch {
			return
		}
	}
}

// runIntro sends one intro DM; it returns false to retry later.
func (b *Bot) runIntro(ctx context.Context, j store.Job) bool {
	r, f, err := b.st.Review(ctx, j.Review)
	if err != nil {
		return assessment.ErrorCode(err) == assessment.ENOTFOUND
	}
	if r.Status != assessment.StatusOpen {
		return true
	}
	state, err := b.st.DeliveryState(ctx, r.ID, j.User)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(state, "sending:"):
		// A process died while posting this DM: Slack may have it.
		if ref := b.findIntro(ctx, r.ID, j.User, state); ref != "" {
			b.log.Info("intro DM found after a crash; not sending it again", "review", r.ID, "user", j.User)
			_ = b.st.MarkDelivered(ctx, r.ID, j.User, ref)
			_ = b.st.SetMessage(ctx, r.ID, j.User, "intro", ref)
			return true
		}
	case state != "":
		return true
	}
	// Say we are sending before we send, so that a crash inside the call
	// leaves a trace the next attempt checks.
	if err := b.st.MarkDelivered(ctx, r.ID, j.User, "sending:"+strconv.FormatInt(time.Now().Unix(), 10)); err != nil {
		return false
	}
	ref, err := b.post(ctx, j.User, "You're invited to "+f.Title, introBlocks(r, f, nil))
	if err != nil {
		if !permanent(err) {
			b.m.dms.WithLabelValues("retry_later").Inc()
			b.log.Warn("intro DM not delivered; will retry", "review", r.ID, "user", j.User, "err", err)
			return false
		}
		b.m.dms.WithLabelValues("failed").Inc()
		b.log.Warn("intro DM refused by Slack", "review", r.ID, "user", j.User, "err", slackErr(err))
		_ = b.st.MarkDelivered(ctx, r.ID, j.User, "failed:"+slackErr(err))
		return true
	}
	b.m.dms.WithLabelValues("sent").Inc()
	if err := b.st.MarkDelivered(ctx, r.ID, j.User, ref); err != nil {
		b.log.Error("intro DM sent but not recorded", "review", r.ID, "user", j.User, "err", err)
	}
	_ = b.st.SetMessage(ctx, r.ID, j.User, "intro", ref)
	return true
}

// findIntro looks in a respondent's DM for the intro of a review posted
// since a "sending:<unix>" mark; it returns the message as "channel/ts", or "".
func (b *Bot) findIntro(ctx context.Context, reviewID, user, state string) string {
	dm := b.dmChannel(ctx, user)
	if dm == "" {
		return ""
	}
	start, want := `"action_id":"`+actStart+`"`, `"value":"`+value(reviewID)+`"`
	ts := b.findPosted(ctx, dm, state, func(blocks string) bool {
		return strings.Contains(blocks, start) && strings.Contains(blocks, want)
	})
	if ts == "" {
		return ""
	}
	return dm + "/" + ts
}

// findPosted looks in a conversation's history, from a little before the
// time in a "sending:<unix>" or "posting:<unix>" mark, for a message of the
// bot whose blocks match; it returns its ts, or "". It needs the history
// scope of that kind of conversation (im:, channels:, groups:history);
// without it, it finds nothing and the caller posts.
func (b *Bot) findPosted(ctx context.Context, channel, mark string, match func(blocks string) bool) string {
	_, at, _ := strings.Cut(mark, ":")
	since, _ := strconv.ParseInt(at, 10, 64)
	var hist *slack.GetConversationHistoryResponse
	err := b.send.do(ctx, "conversations.history", func(ctx context.Context) (err error) {
		hist, err = b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Oldest: strconv.FormatInt(since-60, 10), Limit: 100})
		return err
	})
	if err != nil {
		b.log.Warn("cannot read a conversation to check for a post made before a crash", "channel", channel, "err", slackErr(err))
		return ""
	}
	for _, m := range hist.Messages {
		raw, _ := json.Marshal(m.Blocks)
		if match(string(raw)) {
			return m.Timestamp
		}
	}
	return ""
}

// runReminder reminds one respondent who has not submitted, unless they
// opted out, snoozed, or were reminded in the last 20 hours.
func (b *Bot) runReminder(ctx context.Context, j store.Job) bool {
	r, f, err := b.st.Review(ctx, j.Review)
	if err != nil {
		return assessment.ErrorCode(err) == assessment.ENOTFOUND
	}
	now := b.cfg.Now()
	if r.Status != assessment.StatusOpen || !now.Before(r.Deadline) {
		return true
	}
	st, err := b.st.ReminderState(ctx, r.ID, j.User)
	if err != nil {
		return false
	}
	switch {
	case st.Submitted, st.OptedOut:
		return true
	case st.SnoozedUntil.After(now):
		if st.SnoozedUntil.Before(r.Deadline) {
			_ = b.st.RescheduleJob(ctx, j, st.SnoozedUntil)
			return false
		}
		return true
	case !st.LastReminded.IsZero() && now.Sub(st.LastReminded) < 20*time.Hour:
		return true
	}
	if ok, err := b.st.IsDelivered(ctx, r.ID, j.User); err != nil || !ok {
		return err == nil // no intro yet (or it failed): nothing to remind of
	}
	sh, err := b.st.Sheet(ctx, r.ID, j.User)
	if err != nil {
		return false
	}
	answered, total := review.Progress(f, sh.Answers)
	if _, err := b.post(ctx, j.User, "Reminder: "+f.Title, reminderBlocks(r, f, answered, total)); err != nil {
		return permanent(err)
	}
	_ = b.st.Reminded(ctx, r.ID, j.User, now)
	b.m.dms.WithLabelValues("reminder").Inc()
	b.log.Info("reminder sent", "review", r.ID, "user", j.User, "n", j.N)
	return true
}

// Reminder actions.
const (
	actSnooze = "snooze"
	actOptOut = "optout"
)

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
			button(actStart, value(r.ID), label).WithStyle(slack.StylePrimary),
			button(actSnooze, value(r.ID), "Remind me tomorrow"),
			button(actOptOut, value(r.ID), "No more reminders"),
		),
	}
}

// snoozeOrOptOut handles the reminder's buttons.
func (b *Bot) snoozeOrOptOut(ctx context.Context, cb slack.InteractionCallback, reviewID string, optOut bool) {
	user := cb.User.ID
	r, _, err := b.respondentReview(ctx, reviewID, user)
	if err != nil {
		b.refuse(ctx, cb, err, "op", "snooze", "review", reviewID)
		return
	}
	var note string
	if optOut {
		err = b.st.OptOut(ctx, r.ID, user)
		note = "🔕 OK, no more reminders for this review. You can still answer until " + slackDate(r.Deadline) + "."
	} else {
		until := schedule.WorkingHours(b.cfg.Now().Add(24*time.Hour), loadLocation(b.timeZones(ctx, []string{user})[user]))
		err = b.st.Snooze(ctx, r.ID, user, until)
		note = "😴 OK, I'll remind you again " + slackDate(until) + " at the earliest."
	}
	if err != nil {
		b.refuse(ctx, cb, err, "op", "snooze", "review", reviewID)
		return
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(note), nil, nil),
		slack.NewActionBlock("remind-actions", button(actStart, value(r.ID), "Continue"))}
	if cb.ResponseURL != "" {
		_ = b.replaceClicked(ctx, cb.ResponseURL, note, blocks)
	}
}

// reminders returns the review's reminder rules.
func reviewReminders(r *assessment.Review) []schedule.Reminder {
	if r.Reminders == nil {
		return schedule.DefaultReminders
	}
	var out []schedule.Reminder
	for _, s := range r.Reminders {
		if rs, err := schedule.ParseReminders(s); err == nil {
			out = append(out, rs...)
		}
	}
	return out
}
