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
// Everyone (ADMIN_USERS=*), every member. Guests, Slack Connect external
// members, bots and deactivated users are never admins. With nothing
// configured, nobody is: admin commands fail closed.
//
// What Slack says (the group's members, a person's profile) is read again
// after a minute; when Slack does not answer, the last word stands for at
// most ttl (ADMIN_CACHE_TTL) after it was read. Past that the decision is
// unconfirmed and admin use cases fail closed, so that a removed admin
// does not keep their rights for as long as Slack is down.
type admins struct {
	users    []string
	group    string
	everyone bool
	dir      Directory
	log      *slog.Logger
	now      Clock
	ttl      time.Duration

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

// adminRefresh is how long the admin group and admins' profiles are
// trusted before they are read again; DefaultAdminCacheTTL is how long
// they stand in for Slack when it does not answer.
const (
	adminRefresh         = time.Minute
	DefaultAdminCacheTTL = 5 * time.Minute
)

// decision is what the admin rule says of a person.
type decision int

const (
	denied decision = iota
	granted
	// unconfirmed: Slack did not answer and what it said last is too old.
	unconfirmed
)

// AdminsConfigured reports whether anyone can be an admin.
func (s *Service) AdminsConfigured() bool {
	return s.admins.everyone || len(s.admins.users) > 0 || s.admins.group != ""
}

// IsAdmin reports whether user is an admin, as far as Slack confirms it.
func (s *Service) IsAdmin(ctx context.Context, user string) bool {
	return s.admins.decide(ctx, user) == granted
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
	switch s.admins.decide(ctx, user) {
	case granted:
		return nil
	case unconfirmed:
		s.log.Warn("admin use case refused: slack did not confirm the asker's admin rights", "user", user, "verb", verb, "cache_ttl", s.admins.ttl)
		return assessment.NewError(assessment.EUNAVAILABLE, assessment.AdminUnconfirmed{For: s.admins.ttl})
	}
	s.log.Warn("admin use case refused to a non-admin", "user", user, "verb", verb)
	if !s.AdminsConfigured() {
		return assessment.NewError(assessment.EFORBIDDEN, assessment.NoAdmins{})
	}
	return assessment.NewError(assessment.EFORBIDDEN, assessment.NotAdmin{})
}

// maxTold bounds the admins told of an orphaned schedule.
const maxTold = 20

// toTell lists the admins to tell about a schedule (but not its creator):
// the configured users and the admin group's members who are admins now.
func (a *admins) toTell(ctx context.Context, creator string) []string {
	candidates := slices.Clone(a.users)
	if a.group != "" {
		if members, ok := a.groupMembers(ctx); ok {
			for m := range members {
				candidates = append(candidates, m)
			}
		}
	}
	slices.Sort(candidates)
	var out []string
	for _, u := range slices.Compact(candidates) {
		if u != creator && len(out) < maxTold && a.decide(ctx, u) == granted {
			out = append(out, u)
		}
	}
	return out
}

func (a *admins) decide(ctx context.Context, user string) decision {
	listed := a.everyone || slices.Contains(a.users, user)
	if !listed && a.group != "" {
		members, ok := a.groupMembers(ctx)
		if !ok {
			return unconfirmed
		}
		listed = members[user]
	}
	if !listed {
		return denied
	}
	p, d := a.person(ctx, user)
	if d != granted {
		return d // unknown to Slack: refused; Slack silent too long: unconfirmed
	}
	if p.Guest || p.External || p.Bot || p.Deleted {
		return denied
	}
	return granted
}

func (a *admins) clock() time.Time {
	if a.now == nil {
		return time.Now()
	}
	return a.now()
}

// within reports whether something Slack said at at is at most d old. A
// time ahead of the clock (the clock was set back) is not: it is read
// again.
func (a *admins) within(at time.Time, d time.Duration) bool {
	age := a.clock().Sub(at)
	return !at.IsZero() && age >= 0 && age <= d
}

// usable reports whether something Slack said at at may still stand in
// for it.
func (a *admins) usable(at time.Time) bool { return a.within(at, a.ttl) }

// groupMembers returns the admin group's members, read at most once a
// minute and by one caller at a time (no lock is held across the
// directory call); ok is false when Slack did not list them within the
// ttl.
func (a *admins) groupMembers(ctx context.Context) (members map[string]bool, ok bool) {
	for {
		a.mu.Lock()
		if a.members != nil && a.within(a.loaded, min(adminRefresh, a.ttl)) {
			m := a.members
			a.mu.Unlock()
			return m, true
		}
		if wait := a.loading; wait != nil {
			a.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return a.lastMembers()
			}
		}
		done := make(chan struct{})
		a.loading = done
		a.mu.Unlock()

		list, err := a.dir.GroupMembers(ctx, a.group)
		a.mu.Lock()
		_, refused := refusal(err)
		switch {
		case err == nil || refused:
			if err != nil {
				// Slack says no for good (no such group, a scope missing):
				// nobody is an admin through it until that changes.
				a.log.Warn("slack refused to list the admin user group; nobody is an admin through it", "group", a.group, "err", err)
			}
			a.members = make(map[string]bool, len(list))
			for _, m := range list {
				a.members[m] = true
			}
			a.loaded = a.clock()
		default:
			a.log.Warn("cannot read the admin user group", "group", a.group, "err", err)
		}
		a.loading = nil
		close(done)
		a.mu.Unlock()
		return a.lastMembers()
	}
}

// lastMembers is the group as last read, if it may still stand in for
// Slack.
func (a *admins) lastMembers() (map[string]bool, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.members == nil || !a.usable(a.loaded) {
		return nil, false
	}
	return a.members, true
}

// person returns what the directory says of user, read again after a
// minute: granted when known, denied when Slack does not know them, and
// unconfirmed when Slack did not answer and its last word is older than
// the ttl.
func (a *admins) person(ctx context.Context, user string) (assessment.Person, decision) {
	a.mu.Lock()
	c, cached := a.people[user]
	a.mu.Unlock()
	if cached && a.within(c.at, min(adminRefresh, a.ttl)) {
		return c.p, granted
	}
	ps, err := a.dir.People(ctx, []string{user})
	p, found := ps[user]
	switch {
	case found:
		a.mu.Lock()
		if a.people == nil {
			a.people = map[string]cachedPerson{}
		}
		a.people[user] = cachedPerson{p: p, at: a.clock()}
		a.mu.Unlock()
		return p, granted
	case err == nil:
		return assessment.Person{}, denied // Slack does not know them
	case cached && a.usable(c.at):
		return c.p, granted // Slack did not answer: its last word stands, for a while
	}
	a.log.Warn("cannot confirm an admin's profile with slack", "user", user, "err", err)
	return assessment.Person{}, unconfirmed
}
