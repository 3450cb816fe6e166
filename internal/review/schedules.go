package review

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/schedule"
)

// FireSchedules queues every due run of every schedule (exactly once across
// replicas) and turns queued runs into reviews. A run missed while no bot
// was up still happens if its window is not over; older missed runs are
// skipped, never replayed in a burst.
func (s *Service) FireSchedules(ctx context.Context) {
	now := s.now()
	due, err := s.schedules.DueSchedules(ctx, now)
	if err != nil {
		if ctx.Err() == nil { // not merely shutting down
			s.log.Warn("cannot read schedules", "err", err)
		}
		return
	}
	for id, at := range due {
		sc, err := s.schedules.Schedule(ctx, id)
		if err != nil {
			continue
		}
		spec, err := schedule.Parse(sc.Spec, sc.TZ)
		if err != nil {
			s.log.Error("stored schedule no longer parses; pausing it", "schedule", id, "err", err)
			sc.Paused, sc.Next = true, time.Time{}
			_ = s.schedules.SaveSchedule(ctx, sc)
			continue
		}
		from := at
		if now.After(from) {
			from = now
		}
		if _, err := s.schedules.Advance(ctx, id, at, spec.Next(from)); err != nil {
			s.log.Warn("cannot advance schedule", "schedule", id, "err", err)
		}
	}
	occs, err := s.schedules.PendingOccurrences(ctx)
	if err != nil {
		return
	}
	for _, o := range occs {
		s.withLease(ctx, fmt.Sprintf("occ:%s:%d", o.Schedule, o.At.Unix()), func() { s.startOccurrence(ctx, o) })
	}
}

// startOccurrence creates the review of one scheduled run. Its id derives
// from the run, so a retry after a crash finds the review instead of
// making a second one.
func (s *Service) startOccurrence(ctx context.Context, o assessment.Occurrence) {
	// Another replica may have finished it between our listing and our claim.
	if pending, err := s.schedules.OccurrencePending(ctx, o); err != nil || !pending {
		return
	}
	done := func() { _ = s.schedules.OccurrenceDone(ctx, o) }
	sc, err := s.schedules.Schedule(ctx, o.Schedule)
	if err != nil {
		if assessment.ErrorCode(err) == assessment.ENOTFOUND {
			done()
		}
		return
	}
	tell := func(err error) {
		s.log.Warn("scheduled review not started", "schedule", sc.ID, "run", o.At, "err", err)
		s.msg.ScheduleNotStarted(ctx, sc, o.At, err)
		done()
	}
	f, ok := s.fws.Get(sc.FrameworkID)
	if !ok {
		tell(assessment.NewError(assessment.ENOTFOUND, assessment.UnknownFramework{ID: sc.FrameworkID, Known: s.fws.IDs()}))
		return
	}
	deadline := o.At.Add(sc.Window)
	if !deadline.After(s.now()) {
		s.log.Warn("scheduled run skipped: its window passed while no bot was running", "schedule", sc.ID, "run", o.At)
		done()
		return
	}
	if !s.creatorMay(ctx, sc, o.At) {
		if sc.Orphaned {
			done()
		}
		return
	}
	r, err := s.start(ctx, StartRequest{
		ID: o.ReviewID(), Framework: f, Audience: Audience{Users: sc.Users, Groups: sc.Usergroups, Channels: sc.Channels},
		AudienceText: sc.Audience, DigestChannel: sc.DigestChannel, Deadline: deadline, Threshold: sc.Threshold,
		CreatedBy: sc.CreatedBy, ScheduleID: sc.ID, Reminders: sc.Reminders, DeliverNow: sc.DeliverNow,
		// A run is not skipped for a small audience: its digest says the
		// scores are withheld.
		Grace: sc.Grace, Anyway: true, Segments: sc.Segments,
	})
	if err != nil {
		if _, ok := assessment.ReasonAs[assessment.StoreUnavailable](err); ok {
			return // try again next tick
		}
		tell(err)
		return
	}
	done()
	s.log.Info("scheduled review started", "schedule", sc.ID, "review", r.ID, "respondents", len(r.Respondents), "replica", s.owner)
}

// creatorMay reports whether a schedule's run may start in its creator's
// name: they must still be an admin. A schedule whose creator no longer
// is becomes orphaned (once: the digest channel and the admins are told)
// and its runs are skipped until an admin takes it over. When Slack cannot
// confirm either way, the run waits for a later tick within its window:
// an outage neither starts a review in a removed admin's name nor skips
// a run.
func (s *Service) creatorMay(ctx context.Context, sc *assessment.Schedule, run time.Time) bool {
	if sc.Orphaned {
		s.log.Info("scheduled run skipped: the schedule waits for an admin to take it over", "schedule", sc.ID, "run", run)
		return false
	}
	err := s.requireAdmin(ctx, sc.CreatedBy, "scheduled run")
	if err == nil {
		return true
	}
	if _, ok := assessment.ReasonAs[assessment.AdminUnconfirmed](err); ok {
		s.log.Warn("scheduled run waits: slack did not confirm that its creator is still an admin", "schedule", sc.ID, "run", run)
		return false
	}
	sc.Orphaned = true
	if err := s.schedules.SaveSchedule(ctx, sc); err != nil {
		s.log.Warn("cannot mark a schedule orphaned; its run waits", "schedule", sc.ID, "err", err)
		sc.Orphaned = false
		return false
	}
	s.log.Warn("schedule orphaned: its creator is no longer an admin; its runs are skipped until an admin takes it over", "schedule", sc.ID, "run", run)
	s.msg.ScheduleOrphaned(ctx, sc, run, s.admins.toTell(ctx, sc.CreatedBy))
	return false
}

// ScheduleRequest is what an admin asks for to repeat a review.
type ScheduleRequest struct {
	Spec, TZ      string
	FrameworkID   string
	Audience      Audience
	AudienceText  string
	DigestChannel string
	Window        time.Duration // 0 means DefaultWindow
	Threshold     int
	Reminders     []string
	DeliverNow    bool
	Grace         time.Duration // 0 means assessment.DefaultGrace
	CreatedBy     string
	// Segments are the teams each run's heatmap compares.
	Segments []assessment.Segment
	// ID fixes the schedule's id (derived from the request, so handling it
	// twice stores one schedule); empty means a new random one.
	ID string
}

// AddSchedule checks and stores a new schedule; only an admin
// (req.CreatedBy) may add one. Its runs start without asking again.
func (s *Service) AddSchedule(ctx context.Context, req ScheduleRequest) (*assessment.Schedule, error) {
	if err := s.requireAdmin(ctx, req.CreatedBy, "schedule add"); err != nil {
		return nil, err
	}
	spec, err := schedule.Parse(req.Spec, req.TZ)
	if err != nil {
		return nil, assessment.NewError(assessment.EINVALID, assessment.BadSchedule{Why: err.Error()})
	}
	f, ok := s.fws.Get(req.FrameworkID)
	if !ok {
		return nil, assessment.NewError(assessment.EINVALID, assessment.UnknownFramework{ID: req.FrameworkID, Known: s.fws.IDs()})
	}
	if req.DigestChannel == "" {
		return nil, assessment.NewError(assessment.EINVALID, assessment.NoDigestChannel{})
	}
	window, err := scheduleWindow(req.Window)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if runs := spec.NextN(now, 2); len(runs) == 2 && runs[1].Sub(runs[0]) < window {
		return nil, assessment.NewError(assessment.EINVALID, assessment.ScheduleOverlap{Between: runs[1].Sub(runs[0]), Window: window})
	}
	th, err := threshold(req.Threshold)
	if err != nil {
		return nil, err
	}
	if err := checkGrace(req.Grace); err != nil {
		return nil, err
	}
	sc := &assessment.Schedule{
		ID: cmp.Or(req.ID, assessment.NewScheduleID()), Spec: req.Spec, TZ: spec.Location.String(), FrameworkID: f.ID,
		Users: req.Audience.Users, Usergroups: req.Audience.Groups, Channels: req.Audience.Channels,
		Audience: req.AudienceText, DigestChannel: req.DigestChannel,
		Window: window, Threshold: th, Reminders: req.Reminders, DeliverNow: req.DeliverNow, Grace: req.Grace,
		CreatedBy: req.CreatedBy, CreatedAt: now, Next: spec.Next(now), Segments: req.Segments,
	}
	if len(req.Segments) > assessment.MaxSegments {
		return nil, assessment.NewError(assessment.EINVALID, assessment.TooManySegments{Segments: len(req.Segments), Max: assessment.MaxSegments})
	}
	if err := s.schedules.SaveSchedule(ctx, sc); err != nil {
		return nil, err
	}
	s.log.Info("schedule added", "schedule", sc.ID, "spec", sc.Spec, "tz", sc.TZ, "framework", sc.FrameworkID, "by", req.CreatedBy)
	return sc, nil
}

// Schedules lists every schedule, by id, to an admin.
func (s *Service) Schedules(ctx context.Context, asker string) ([]*assessment.Schedule, error) {
	if err := s.requireAdmin(ctx, asker, "schedule list"); err != nil {
		return nil, err
	}
	return s.schedules.Schedules(ctx)
}

// Schedule operations.
const (
	SchedulePause  = "pause"
	ScheduleResume = "resume"
	ScheduleRemove = "remove"
	// ScheduleTake makes the asker the schedule's creator (and clears an
	// orphaned mark: its runs start again, in the asker's name).
	ScheduleTake = "take"
)

// ChangeSchedule pauses, resumes or removes a schedule, for an admin, and
// returns it as it is now.
func (s *Service) ChangeSchedule(ctx context.Context, asker, op, id string) (*assessment.Schedule, error) {
	if err := s.requireAdmin(ctx, asker, "schedule "+op); err != nil {
		return nil, err
	}
	sc, err := s.schedules.Schedule(ctx, id)
	if err != nil {
		return nil, err
	}
	spec, err := schedule.Parse(sc.Spec, sc.TZ)
	if err != nil {
		return nil, assessment.NewError(assessment.EINVALID, assessment.BadSchedule{Why: err.Error()})
	}
	switch op {
	case ScheduleRemove:
		return sc, s.schedules.DeleteSchedule(ctx, id)
	case SchedulePause:
		sc.Paused, sc.Next = true, time.Time{}
	case ScheduleResume:
		sc.Paused, sc.Next = false, spec.Next(s.now())
	case ScheduleTake:
		sc.CreatedBy, sc.Orphaned = asker, false
	}
	if err := s.schedules.SaveSchedule(ctx, sc); err != nil {
		return nil, err
	}
	s.log.Info("schedule changed", "schedule", id, "op", op)
	return sc, nil
}

// NextRuns returns a schedule's next n runs from now, to an admin.
func (s *Service) NextRuns(ctx context.Context, asker, id string, n int) (*assessment.Schedule, []time.Time, error) {
	if err := s.requireAdmin(ctx, asker, "schedule next"); err != nil {
		return nil, nil, err
	}
	sc, err := s.schedules.Schedule(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	spec, err := schedule.Parse(sc.Spec, sc.TZ)
	if err != nil {
		return sc, nil, assessment.NewError(assessment.EINVALID, assessment.BadSchedule{Why: err.Error()})
	}
	return sc, spec.NextN(s.now(), n), nil
}

// Upcoming returns up to n active schedules, soonest next run first, to
// an admin.
func (s *Service) Upcoming(ctx context.Context, asker string, n int) ([]*assessment.Schedule, error) {
	if err := s.requireAdmin(ctx, asker, "upcoming"); err != nil {
		return nil, err
	}
	return s.upcoming(ctx, n), nil
}

func (s *Service) upcoming(ctx context.Context, n int) []*assessment.Schedule {
	all, err := s.schedules.Schedules(ctx)
	if err != nil {
		return nil
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Next.Before(all[j].Next) })
	var out []*assessment.Schedule
	for _, sc := range all {
		if sc.Paused || sc.Next.IsZero() {
			continue
		}
		out = append(out, sc)
		if len(out) == n {
			break
		}
	}
	return out
}
