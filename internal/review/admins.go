package review

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// admins decides who may start, close, schedule and inspect reviews: the
// configured users, the members of the configured user group, or, with
// Everyone (ADMIN_USERS=*), every member. Guests, bots and deactivated
// users are never admins. With nothing configured, nobody is: admin
// commands fail closed.
type admins struct {
	users    []string
	group    string
	everyone bool
	dir      Directory
	log      *slog.Logger

	mu      sync.Mutex
	members map[string]bool
	loaded  time.Time
	loading chan struct{} // closed when the group read under way ends
	people  map[string]cachedPerson
}

type cachedPerson struct {
	p  assessment.Person
	at time.Time
}

// adminCacheTTL is how long the admin group and admins' profiles are
// trusted before they are read again.
const adminCacheTTL = time.Minute

// AdminsConfigured reports whether anyone can be an admin.
func (s *Service) AdminsConfigured() bool {
	return s.admins.everyone || len(s.admins.users) > 0 || s.admins.group != ""
}

// IsAdmin reports whether user is an admin.
func (s *Service) IsAdmin(ctx context.Context, user string) bool {
	return s.admins.is(ctx, user)
}

// MayAdminister is the admin rule every admin use case applies, for a step
// before one (opening a form whose submission starts a review): nil for an
// admin, else the same refusal the use case would give.
func (s *Service) MayAdminister(ctx context.Context, user, verb string) error {
	return s.requireAdmin(ctx, user, verb)
}

// requireAdmin refuses user unless they are an admin. Every admin use case
// (start, close, status, results, export, forget, schedules) calls it
// first, so that no adapter can skip the rule; verb names the use case in
// the log.
func (s *Service) requireAdmin(ctx context.Context, user, verb string) error {
	if s.admins.is(ctx, user) {
		return nil
	}
	s.log.Warn("admin use case refused to a non-admin", "user", user, "verb", verb)
	if !s.AdminsConfigured() {
		return assessment.NewError(assessment.EFORBIDDEN, assessment.NoAdmins{})
	}
	return assessment.NewError(assessment.EFORBIDDEN, assessment.NotAdmin{})
}

func (a *admins) is(ctx context.Context, user string) bool {
	listed := a.everyone || slices.Contains(a.users, user) || (a.group != "" && a.groupMembers(ctx)[user])
	if !listed {
		return false
	}
	p, ok := a.person(ctx, user)
	if !ok {
		return false // unknown: when in doubt, refuse
	}
	return !p.Guest && !p.Bot && !p.Deleted
}

// groupMembers returns the admin group's members, read at most once a
// minute and by one caller at a time; no lock is held across the
// directory call.
func (a *admins) groupMembers(ctx context.Context) map[string]bool {
	for {
		a.mu.Lock()
		if a.members != nil && time.Since(a.loaded) <= adminCacheTTL {
			m := a.members
			a.mu.Unlock()
			return m
		}
		if wait := a.loading; wait != nil {
			a.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return a.stale()
			}
		}
		done := make(chan struct{})
		a.loading = done
		a.mu.Unlock()

		list, err := a.dir.GroupMembers(ctx, a.group)
		a.mu.Lock()
		if err != nil {
			a.log.Warn("cannot read the admin user group", "group", a.group, "err", err)
		} else {
			a.members = make(map[string]bool, len(list))
			for _, m := range list {
				a.members[m] = true
			}
			a.loaded = time.Now()
		}
		m := a.members
		a.loading = nil
		close(done)
		a.mu.Unlock()
		return m
	}
}

func (a *admins) stale() map[string]bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.members
}

// person returns what the directory says of user, cached for a minute.
func (a *admins) person(ctx context.Context, user string) (assessment.Person, bool) {
	a.mu.Lock()
	c, ok := a.people[user]
	a.mu.Unlock()
	if ok && time.Since(c.at) <= adminCacheTTL {
		return c.p, true
	}
	ps, err := a.dir.People(ctx, []string{user})
	p, found := ps[user]
	if err != nil || !found {
		if ok {
			return c.p, true // Slack did not answer: the last word stands
		}
		return assessment.Person{}, false
	}
	a.mu.Lock()
	if a.people == nil {
		a.people = map[string]cachedPerson{}
	}
	a.people[user] = cachedPerson{p: p, at: time.Now()}
	a.mu.Unlock()
	return p, true
}
