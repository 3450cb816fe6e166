package review

import (
	"context"
	"sync"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/schedule"
)

// jobBatch is how many due jobs one sweep claims; the rest wait for the
// next sweep, so a 5,000-person fan-out never holds a huge claim.
const jobBatch = 200

// Plan queues, for every respondent, the intro DM (in their morning, or
// now) and the reminders (in their working hours). Queued jobs keep their
// time, so planning twice after a crash changes nothing.
func (s *Service) Plan(ctx context.Context, reviewID string) {
	s.withLease(ctx, "plan:"+reviewID, func() { s.plan(ctx, reviewID) })
}

func (s *Service) plan(ctx context.Context, reviewID string) {
	r, _, err := s.reviews.Review(ctx, reviewID)
	if err != nil {
		s.log.Warn("plan: cannot load review", "review", reviewID, "err", err)
		return
	}
	if r.Status != assessment.StatusOpen {
		_ = s.deliveries.FanoutDone(ctx, reviewID)
		return
	}
	reminders := Reminders(r)
	zones := map[string]string{}
	if !r.DeliverNow || len(reminders) > 0 {
		zones = s.timeZones(ctx, r.Respondents)
	}
	jobs := make([]assessment.Job, 0, len(r.Respondents)*(1+len(reminders)))
	for _, u := range r.Respondents {
		loc := loadLocation(zones[u])
		at := r.CreatedAt
		if !r.DeliverNow {
			at = schedule.Morning(r.CreatedAt, loc)
		}
		jobs = append(jobs, assessment.Job{Kind: assessment.JobIntro, Review: r.ID, User: u, At: at})
		for i, t := range schedule.ReminderTimes(at, r.Deadline, loc, reminders) {
			jobs = append(jobs, assessment.Job{Kind: assessment.JobRemind, Review: r.ID, User: u, N: i, At: t})
		}
	}
	if err := s.queue.AddJobs(ctx, jobs); err != nil {
		s.log.Warn("plan: cannot queue deliveries", "review", reviewID, "err", err)
		return
	}
	_ = s.deliveries.FanoutDone(ctx, reviewID)
	s.log.Info("deliveries planned", "review", reviewID, "respondents", len(r.Respondents), "jobs", len(jobs))
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

// timeZones returns users' time zones: cached in the store, else looked up.
func (s *Service) timeZones(ctx context.Context, users []string) map[string]string {
	zones, err := s.zones.TimeZones(ctx, users)
	if err != nil {
		zones = map[string]string{}
	}
	var missing []string
	for _, u := range users {
		if _, ok := zones[u]; !ok {
			missing = append(missing, u)
		}
	}
	for id, p := range s.people(ctx, missing) {
		if p.TZ != "" {
			zones[id] = p.TZ
		}
	}
	return zones
}

// RunJobs runs every due intro and reminder, a few at a time.
func (s *Service) RunJobs(ctx context.Context) {
	for ctx.Err() == nil {
		jobs, err := s.queue.ClaimJobs(ctx, s.now(), s.lease, jobBatch)
		if err != nil || len(jobs) == 0 {
			return
		}
		people := s.profiles(ctx, jobs)
		sem := make(chan struct{}, 4)
		var wg sync.WaitGroup
		for i, j := range jobs {
			if ctx.Err() != nil {
				// Shutting down: hand the unstarted jobs back at once, so the
				// next process need not wait for their lease to end.
				for _, u := range jobs[i:] {
					_ = s.queue.RescheduleJob(context.WithoutCancel(ctx), u, u.At)
				}
				break
			}
			sem <- struct{}{}
			wg.Add(1)
			go func(j assessment.Job) {
				defer func() { <-sem; wg.Done() }()
				// A job under way finishes even during shutdown, so a
				// graceful restart sends nothing twice.
				jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				// The claim's lease is on the bot's clock; this lock's is on
				// the store's, so a job is never run twice at once even if
				// clocks jump or differ between replicas.
				s.withLease(jctx, "job:"+j.Key(), func() {
					done := true
					switch j.Kind {
					case assessment.JobIntro:
						done = s.runIntro(jctx, j, people[j.User])
					case assessment.JobRemind:
						done = s.runReminder(jctx, j, people[j.User])
					case assessment.JobActionNotify, assessment.JobActionRemind:
						done = s.runActionJob(jctx, j)
					}
					if done {
						_ = s.queue.JobDone(jctx, j)
					}
				})
			}(j)
		}
		wg.Wait()
		if len(jobs) < jobBatch {
			return
		}
	}
}

// profiles reads the people a batch's intros and reminders are for, with
// their Slack status, when the jobs run: a status is set and cleared at
// any time, and
// an intro queued days ago must see today's. One Directory call per batch
// (users.info for a few people, one users.list pass for more) keeps within
// users.info's Tier 4. Someone the directory cannot tell about counts as
// not away: the DM goes out rather than waiting on a lookup.
func (s *Service) profiles(ctx context.Context, jobs []assessment.Job) map[string]assessment.Person {
	if s.dir == nil {
		return map[string]assessment.Person{}
	}
	seen := make(map[string]bool, len(jobs))
	users := make([]string, 0, len(jobs))
	for _, j := range jobs {
		// Only intros and reminders wait for those away; an action's
		// jobs need no lookup.
		if j.Kind != assessment.JobIntro && j.Kind != assessment.JobRemind {
			continue
		}
		if !seen[j.User] {
			seen[j.User] = true
			users = append(users, j.User)
		}
	}
	return s.people(ctx, users)
}

// awayIntro holds the intro of someone whose status says they are away:
// the job moves to their first working morning after the status ends
// (without an end, to their next working morning, to look again), staying
// in the durable queue. When that morning is not before the deadline, the
// intro never goes out and they count as away for the whole window. held
// is false when they are not away; done says the job is finished.
func (s *Service) awayIntro(ctx context.Context, r *assessment.Review, j assessment.Job, p assessment.Person) (held, done bool) {
	now := s.now()
	if s.absences == nil {
		return false, false
	}
	away, until := s.away.Away(p.Status, now)
	if !away {
		// Back (if they were away): the intro goes out and they count as
		// any other respondent.
		if err := s.absences.SetAway(ctx, r.ID, j.User, false); err != nil {
			return true, false
		}
		return false, false
	}
	loc := loadLocation(p.TZ)
	back := schedule.NextMorning(now, loc)
	if !until.IsZero() {
		back = schedule.Morning(until, loc)
	}
	if err := s.absences.SetAway(ctx, r.ID, j.User, true); err != nil {
		return true, false // tried again after the claim's lease
	}
	if !back.Before(r.Deadline) {
		s.log.Info("intro DM not sent: the respondent is away until the review closes", "review", r.ID, "who", s.Who(ctx, r.ID, j.User))
		return true, true
	}
	if err := s.queue.RescheduleJob(ctx, j, back); err != nil {
		return true, false
	}
	s.log.Info("intro DM waits: the respondent is away", "review", r.ID, "who", s.Who(ctx, r.ID, j.User), "until", back)
	return true, false
}

// runIntro sends one intro DM, unless p is away (awayIntro); it returns
// false to retry later.
func (s *Service) runIntro(ctx context.Context, j assessment.Job, p assessment.Person) bool {
	r, f, err := s.reviews.Review(ctx, j.Review)
	if err != nil {
		return assessment.ErrorCode(err) == assessment.ENOTFOUND
	}
	if r.Status != assessment.StatusOpen || !r.IsRespondent(j.User) { // closed, or the person was forgotten
		return true
	}
	state, err := s.deliveries.Delivery(ctx, r.ID, j.User)
	if err != nil {
		return false
	}
	switch state.Kind {
	case assessment.Sending:
		// A process died while posting this DM: Slack may have it.
		if ref, ok := s.msg.FindIntro(ctx, r, j.User, state.Since); ok {
			s.log.Info("intro DM found after a crash; not sending it again", "review", r.ID, "who", s.Who(ctx, r.ID, j.User))
			_ = s.deliveries.SetDelivery(ctx, r.ID, j.User, assessment.DeliveryState{Kind: assessment.Sent, Ref: ref})
			_ = s.deliveries.SetMessage(ctx, r.ID, j.User, "intro", ref)
			return true
		}
		if s.postingNow(state) {
			return false
		}
	case assessment.Sent, assessment.Refused:
		return true
	}
	if held, done := s.awayIntro(ctx, r, j, p); held {
		return done
	}
	// Say we are sending before we send, so that a crash inside the call
	// leaves a trace the next attempt checks.
	if err := s.deliveries.SetDelivery(ctx, r.ID, j.User, assessment.DeliveryState{Kind: assessment.Sending, Since: time.Now()}); err != nil {
		return false
	}
	ref, err := s.msg.SendIntro(ctx, r, f, j.User)
	if err != nil {
		reason, refused := refusal(err)
		if !refused {
			s.log.Warn("intro DM not delivered; will retry", "review", r.ID, "who", s.Who(ctx, r.ID, j.User), "err", err)
			return false
		}
		s.log.Warn("intro DM refused by Slack", "review", r.ID, "who", s.Who(ctx, r.ID, j.User), "err", reason)
		_ = s.deliveries.SetDelivery(ctx, r.ID, j.User, assessment.DeliveryState{Kind: assessment.Refused, Reason: reason})
		return true
	}
	if err := s.deliveries.SetDelivery(ctx, r.ID, j.User, assessment.DeliveryState{Kind: assessment.Sent, Ref: ref}); err != nil {
		s.log.Error("intro DM sent but not recorded", "review", r.ID, "who", s.Who(ctx, r.ID, j.User), "err", err)
	}
	_ = s.deliveries.SetMessage(ctx, r.ID, j.User, "intro", ref)
	return true
}

// runReminder reminds one respondent who has not submitted, unless they
// opted out, snoozed, were reminded in the last 20 hours, or their status
// says they are away (p): that reminder is skipped.
func (s *Service) runReminder(ctx context.Context, j assessment.Job, p assessment.Person) bool {
	r, f, err := s.reviews.Review(ctx, j.Review)
	if err != nil {
		return assessment.ErrorCode(err) == assessment.ENOTFOUND
	}
	now := s.now()
	if r.Status != assessment.StatusOpen || !now.Before(r.Deadline) || !r.IsRespondent(j.User) {
		return true
	}
	st, err := s.deliveries.ReminderState(ctx, r.ID, j.User)
	if err != nil {
		return false
	}
	switch {
	case st.Submitted, st.OptedOut:
		return true
	case st.SnoozedUntil.After(now):
		if st.SnoozedUntil.Before(r.Deadline) {
			_ = s.queue.RescheduleJob(ctx, j, st.SnoozedUntil)
			return false
		}
		return true
	case !st.LastReminded.IsZero() && now.Sub(st.LastReminded) < 20*time.Hour:
		return true
	}
	if d, err := s.deliveries.Delivery(ctx, r.ID, j.User); err != nil || !d.Done() {
		return err == nil // no intro yet (or it failed): nothing to remind of
	}
	if away, _ := s.away.Away(p.Status, now); away {
		s.log.Info("reminder skipped: the respondent is away", "review", r.ID, "who", s.Who(ctx, r.ID, j.User), "n", j.N)
		return true
	}
	resp, err := s.answers.Response(ctx, r.ID, j.User)
	if err != nil {
		return false
	}
	answered, total := f.Progress(resp.Answers)
	// Marked before it is sent: a process killed inside the send, or a
	// failover that loses the job's claim, costs this reminder rather than
	// sending it twice. A send that fails takes the mark back.
	marked, err := s.deliveries.Reminded(ctx, r.ID, j.User, st.LastReminded, now)
	if err != nil {
		// Perhaps written but not on a replica: taken back, tried again.
		_ = s.deliveries.Unremind(context.WithoutCancel(ctx), r.ID, j.User, st.LastReminded)
		return false
	}
	if !marked {
		return true // reminded by another job since, or no longer asked
	}
	if err := s.msg.SendReminder(ctx, r, f, j.User, answered, total); err != nil {
		if _, refused := refusal(err); refused {
			return true
		}
		if err := s.deliveries.Unremind(context.WithoutCancel(ctx), r.ID, j.User, st.LastReminded); err != nil {
			s.log.Warn("reminder not sent and its mark not taken back; it is skipped", "review", r.ID, "who", s.Who(ctx, r.ID, j.User), "err", err)
		}
		return false
	}
	s.log.Info("reminder sent", "review", r.ID, "who", s.Who(ctx, r.ID, j.User), "n", j.N)
	return true
}

// Reminders returns a review's reminder rules.
func Reminders(r *assessment.Review) []schedule.Reminder {
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
