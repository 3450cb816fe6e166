package review

import (
	"context"
	"slices"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/schedule"
)

// notify queues the job that tells of an action's latest change, before
// the change is acknowledged, and runs it beside the caller (whose ack
// never waits for Slack); when it cannot finish now (Slack, a lease held
// elsewhere, a crash), the sweep runs it again until it does.
func (s *Service) notify(ctx context.Context, a *assessment.Action) {
	j := assessment.Job{Kind: assessment.JobActionNotify, Review: a.Review, N: a.Rev, Action: a.ID, At: s.now()}
	if err := s.queue.AddJobs(ctx, []assessment.Job{j}); err != nil {
		s.log.Warn("action change not queued for telling; telling it now only", "review", a.Review, "action", a.ID, "err", err)
	}
	s.background(context.WithoutCancel(ctx), func(ctx context.Context) {
		jctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		s.withLease(jctx, "job:"+j.Key(), func() {
			if s.runActionJob(jctx, j) {
				_ = s.queue.JobDone(jctx, j)
			}
		})
	})
}

// runActionJob runs an action job; it returns false to retry later.
func (s *Service) runActionJob(ctx context.Context, j assessment.Job) bool {
	if s.actions == nil || s.actMsg == nil {
		return false
	}
	done := false
	// One process at a time tells of one action, so that two changes'
	// edits of its message never cross.
	s.withLease(ctx, "action:"+j.Action, func() {
		switch j.Kind {
		case assessment.JobActionNotify:
			done = s.syncAction(ctx, j)
		case assessment.JobActionRemind:
			done = s.remindOwner(ctx, j)
		default:
			done = true
		}
	})
	return done
}

// syncAction brings the action's thread message and DMs up to date.
func (s *Service) syncAction(ctx context.Context, j assessment.Job) bool {
	a, err := s.actions.Action(ctx, j.Review, j.Action)
	if err != nil {
		return assessment.ErrorCode(err) == assessment.ENOTFOUND
	}
	v, err := s.view(ctx, a)
	if err != nil {
		return assessment.ErrorCode(err) == assessment.ENOTFOUND
	}
	if !s.syncThread(ctx, &v) {
		return false
	}
	return s.syncDMs(ctx, &v)
}

// syncThread posts the action's message in its digest's thread, once, or
// edits it to show the latest change.
func (s *Service) syncThread(ctx context.Context, v *ActionView) bool {
	a := v.Action
	if a.Shown >= a.Rev && !a.Thread.IsZero() {
		return true
	}
	if a.Thread.IsZero() {
		st, err := s.digests.DigestState(ctx, a.Review)
		if err != nil || st.Kind != assessment.Sent {
			return err == nil && st.Kind == assessment.Refused
		}
		// A post began and its process died: Slack may have the message.
		if since := a.ThreadSince; !since.IsZero() {
			if ref, ok := s.actMsg.FindAction(ctx, st.Ref, a.ID, since); ok {
				s.log.Info("action message found after a crash; not posting it again", "review", a.Review, "action", a.ID)
				if !s.saveAction(ctx, v, func(a *assessment.Action) { a.Thread = ref }) {
					return false
				}
				return s.syncThread(ctx, v)
			}
		}
		// Marked before it is posted: a crash inside the post leaves a
		// trace the next attempt looks for.
		if !s.saveAction(ctx, v, func(a *assessment.Action) { a.ThreadSince = time.Now() }) {
			return false
		}
		ref, err := s.actMsg.PostAction(ctx, st.Ref, *v)
		if err != nil {
			_, refused := refusal(err)
			return refused
		}
		rev := v.Action.Rev
		return s.saveAction(ctx, v, func(a *assessment.Action) { a.Thread, a.Shown = ref, max(a.Shown, rev) })
	}
	rev := a.Rev
	if err := s.actMsg.UpdateAction(ctx, a.Thread, *v); err != nil {
		_, refused := refusal(err)
		return refused
	}
	return s.saveAction(ctx, v, func(a *assessment.Action) { a.Shown = max(a.Shown, rev) })
}

// syncDMs tells the owner of a proposal and the proposer of a decline,
// each once.
func (s *Service) syncDMs(ctx context.Context, v *ActionView) bool {
	a := v.Action
	var key string
	var send func(context.Context, ActionView) error
	switch a.Status {
	case assessment.ActionProposed:
		key, send = assessment.ProposalDM(a.Owner), s.actMsg.ProposeAction
	case assessment.ActionDeclined:
		key, send = assessment.DeclinedDM, s.actMsg.ActionDeclined
	default:
		return true
	}
	if a.WasTold(key) {
		return true
	}
	if err := send(ctx, *v); err != nil {
		if _, refused := refusal(err); !refused {
			return false
		}
	}
	return s.saveAction(ctx, v, func(a *assessment.Action) { a.Tell(key) })
}

// saveAction records a bookkeeping change of v's action (not a change a
// person made) and leaves the saved action in v.
func (s *Service) saveAction(ctx context.Context, v *ActionView, fn func(a *assessment.Action)) bool {
	a, err := s.modifyAction(ctx, v.Action.Review, v.Action.ID, func(a *assessment.Action) error { fn(a); return nil })
	if err != nil {
		s.log.Warn("action state not saved", "review", v.Action.Review, "action", v.Action.ID, "err", err)
		return false
	}
	v.Action = a
	return true
}

// planActionReminders queues an accepted action's owner reminders in the
// owner's working hours: three days before the due date, and on the day.
// A due date moved moves them.
func (s *Service) planActionReminders(ctx context.Context, a *assessment.Action) {
	loc := loadLocation(s.timeZones(ctx, []string{a.Owner})[a.Owner])
	day := time.Date(a.Due.Year(), a.Due.Month(), a.Due.Day(), 9, 0, 0, 0, loc)
	before := schedule.WorkingHours(day.AddDate(0, 0, -3), loc)
	now := s.now()
	for n, at := range []time.Time{before, day} {
		if n == 0 && !before.Before(day) {
			continue
		}
		if at.Before(now) && n == 0 {
			continue // too late for the early one
		}
		j := assessment.Job{Kind: assessment.JobActionRemind, Review: a.Review, User: a.Owner, N: n, Action: a.ID, At: at}
		if err := s.queue.RescheduleJob(ctx, j, at); err != nil {
			s.log.Warn("action reminder not queued", "review", a.Review, "action", a.ID, "err", err)
		}
	}
}

// remindOwner reminds an accepted action's owner, once per reminder and
// due date, unless they snoozed (then later) or stopped its reminders.
func (s *Service) remindOwner(ctx context.Context, j assessment.Job) bool {
	a, err := s.actions.Action(ctx, j.Review, j.Action)
	if err != nil {
		return assessment.ErrorCode(err) == assessment.ENOTFOUND
	}
	now := s.now()
	key := assessment.ReminderKey(j.N, a.Due)
	switch {
	case a.Status != assessment.ActionAccepted, a.Owner != j.User, a.NoReminders, slices.Contains(a.Reminded, key):
		return true
	case j.N == 0 && !now.Before(a.Due):
		return true // the early reminder is overtaken by the day's
	case a.SnoozedUntil.After(now):
		_ = s.queue.RescheduleJob(ctx, j, a.SnoozedUntil)
		return false
	case !a.RemindedAt.IsZero() && now.Sub(a.RemindedAt) < 20*time.Hour:
		return true // never more than one a day (a snooze's and the day's may meet)
	}
	v, err := s.view(ctx, a)
	if err != nil {
		return false
	}
	// Marked before it is sent, as the survey's reminders are: a crash
	// inside the send costs this reminder rather than sending it twice.
	prev := a.RemindedAt
	if !s.saveAction(ctx, &v, func(a *assessment.Action) { a.Reminded, a.RemindedAt = append(a.Reminded, key), now }) {
		return false
	}
	onTheDay := j.N == 1 || (j.N > 1 && !now.Before(a.Due))
	if err := s.actMsg.RemindAction(ctx, v, onTheDay); err != nil {
		if _, refused := refusal(err); refused {
			return true
		}
		s.saveAction(context.WithoutCancel(ctx), &v, func(a *assessment.Action) {
			a.Reminded, a.RemindedAt = slices.DeleteFunc(a.Reminded, func(k string) bool { return k == key }), prev
		})
		return false
	}
	s.log.Info("action reminder sent", "review", a.Review, "action", a.ID, "n", j.N)
	return true
}
