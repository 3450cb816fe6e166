package review

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Config is what a Service is built from. A use case needs only the ports
// it uses (a test may leave the others nil); a running bot sets every one
// but Log.
type Config struct {
	// The storage ports (internal/store implements them all).
	Reviews    Reviews
	Answers    Answers
	Deliveries Deliveries
	Digests    Digests
	Privacy    Privacy
	Absences   Absences
	TimeZones  TimeZones
	Schedules  Schedules
	Queue      Queue
	Leases     Leases
	// Actions and ActionMessenger keep and tell of improvement actions
	// (nil: none can be planned).
	Actions         Actions
	ActionMessenger ActionMessenger

	Messenger  Messenger
	Directory  Directory
	Frameworks Frameworks
	// Answerers is the differencing record (internal/store keeps one); nil
	// leaves the publish-time differencing check out, with a warning.
	Answerers Answerers
	// Segments keeps reviews' segments (the heatmap); nil: a review that
	// names segments does not start.
	Segments Segmentation
	// TeamTrendSecret is a secret the bot holds outside the store (the
	// Slack bot token), from which the key of the team record is derived
	// (teamtrends.go); empty: no team trends are shown or recorded.
	TeamTrendSecret string
	Now             Clock
	Log             *slog.Logger
	// Owner names this process in leases.
	Owner string
	// Lease is how long a claim on a piece of work holds.
	Lease time.Duration
	// Tick is how often deadlines, schedules and queued DMs are checked.
	Tick time.Duration
	// AdminUsers and AdminUsergroup say who may start, close and inspect
	// reviews; AdminsEveryone (ADMIN_USERS=*) lets every member do it. With
	// none of them, nobody may.
	AdminUsers     []string
	AdminUsergroup string
	AdminsEveryone bool
	// AdminCacheTTL is how long what Slack last said of an admin (their
	// profile, the admin group) stands in for it when Slack does not
	// answer (0: DefaultAdminCacheTTL); past it, admin use cases fail
	// closed.
	AdminCacheTTL time.Duration
	// Retention is how long a closed review's answers are kept (0:
	// DefaultRetention).
	Retention time.Duration
	// AwayWords are words and emoji of a Slack status that say its person
	// is away, added to DefaultAwayWords (AWAY_WORDS).
	AwayWords []string
}

// Service runs the use cases.
type Service struct {
	reviews    Reviews
	answers    Answers
	deliveries Deliveries
	digests    Digests
	privacy    Privacy
	absences   Absences
	zones      TimeZones
	schedules  Schedules
	queue      Queue
	leases     Leases
	actions    Actions
	actMsg     ActionMessenger

	msg       Messenger
	dir       Directory
	fws       Frameworks
	answerers Answerers
	segments  Segmentation
	teamKey   []byte
	now       Clock
	log       *slog.Logger
	owner     string
	lease     time.Duration
	tick      time.Duration
	admins    admins
	retention time.Duration
	away      AwayRule

	retainMu sync.Mutex
	retained time.Time

	files files // rewriting Redis's files after de-linking (compactFiles)

	wg sync.WaitGroup
}

// New builds a Service.
func New(c Config) *Service {
	log := c.Log
	if log == nil {
		log = slog.Default()
	}
	retention := c.Retention
	if retention <= 0 {
		retention = DefaultRetention
	}
	if c.Answerers == nil {
		log.Warn("no differencing record: reviews whose answerers differ by a few people from an earlier one will show figures")
	}
	return &Service{
		retention: retention, answerers: c.Answerers, away: NewAwayRule(c.AwayWords), absences: c.Absences, segments: c.Segments,
		teamKey: TeamTrendKey(c.TeamTrendSecret),
		reviews: c.Reviews, answers: c.Answers, deliveries: c.Deliveries, digests: c.Digests, privacy: c.Privacy,
		zones: c.TimeZones, schedules: c.Schedules, queue: c.Queue, leases: c.Leases, msg: c.Messenger,
		actions: c.Actions, actMsg: c.ActionMessenger, dir: c.Directory, fws: c.Frameworks,
		now: c.Now, log: log, owner: c.Owner, lease: c.Lease, tick: c.Tick,
		admins: admins{users: c.AdminUsers, group: c.AdminUsergroup, everyone: c.AdminsEveryone, dir: c.Directory, log: log,
			now: c.Now, ttl: cmp.Or(c.AdminCacheTTL, DefaultAdminCacheTTL)},
	}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Run closes reviews at their deadline, posts digests, starts scheduled
// reviews and sends due DMs and reminders until ctx ends; then it waits
// for work under way. Everything it reads lives in the store, so a restart
// picks up where the last process stopped.
func (s *Service) Run(ctx context.Context) {
	s.wg.Add(2)
	go s.every(ctx, s.Sweep)
	// Deliveries run apart from deadlines, so a long fan-out never delays
	// a deadline.
	go s.every(ctx, func(ctx context.Context) {
		if ids, err := s.deliveries.FanoutPending(ctx); err == nil {
			for _, id := range ids {
				s.Plan(ctx, id)
			}
		}
		s.RunJobs(ctx)
	})
	<-ctx.Done()
	s.wg.Wait()
}

func (s *Service) every(ctx context.Context, fn func(context.Context)) {
	defer s.wg.Done()
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// background runs fn beside the caller; Run waits for it.
func (s *Service) background(ctx context.Context, fn func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(ctx)
	}()
}

// Sweep closes the reviews whose deadline passed, posts pending digests and
// fires due schedules.
func (s *Service) Sweep(ctx context.Context) {
	due, err := s.reviews.DueReviews(ctx, s.now())
	if err != nil {
		if ctx.Err() == nil { // not merely shutting down
			s.log.Warn("cannot read deadlines", "err", err)
		}
		return
	}
	for _, id := range due {
		if closed, err := s.Close(ctx, id, "deadline"); err != nil {
			s.log.Warn("close at deadline failed", "review", id, "err", err)
		} else if closed {
			s.log.Info("review closed at deadline", "review", id)
		}
	}
	if ids, err := s.digests.PendingDigests(ctx); err == nil {
		for _, id := range ids {
			s.PostDigest(ctx, id)
		}
	}
	s.FireSchedules(ctx)
	s.Retain(ctx)
	s.compactFiles(ctx)
}

// withLease runs fn while holding the lease name; it reports whether it
// got the lease.
func (s *Service) withLease(ctx context.Context, name string, fn func()) bool {
	if ok, err := s.leases.Claim(ctx, name, s.owner, s.lease); err != nil || !ok {
		return false
	}
	defer s.leases.Release(context.WithoutCancel(ctx), name, s.owner)
	fn()
	return true
}

// postingNow reports whether a "sending" mark not found in Slack is younger
// than a lease: another process may be posting right now (after a
// failover lost its claim or lease, the mark is all that is left of it), so
// the post is left for a later attempt, which finds it or posts it.
func (s *Service) postingNow(st assessment.DeliveryState) bool {
	return time.Since(st.Since) < s.lease
}

func refusal(err error) (string, bool) {
	var rf *Refused
	if errors.As(err, &rf) {
		return rf.Reason, true
	}
	return "", false
}
