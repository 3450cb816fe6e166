package review

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// admins decides who may start, close, schedule and inspect reviews: the
// configured users and the members of the configured user group (read at
// most once a minute). With neither configured, everyone may (and the bot
// warns at start-up).
type admins struct {
	users []string
	group string
	dir   Directory
	log   *slog.Logger

	mu      sync.Mutex
	members map[string]bool
	loaded  time.Time
}

// IsAdmin reports whether user is an admin.
func (s *Service) IsAdmin(ctx context.Context, user string) bool {
	return s.admins.is(ctx, user)
}

func (a *admins) is(ctx context.Context, user string) bool {
	if len(a.users) == 0 && a.group == "" {
		return true
	}
	if slices.Contains(a.users, user) {
		return true
	}
	if a.group == "" {
		return false
	}
	a.mu.Lock()
	fresh := a.members != nil && time.Since(a.loaded) <= time.Minute
	members := a.members
	a.mu.Unlock()
	if !fresh {
		// No lock is held across the directory call.
		list, err := a.dir.GroupMembers(ctx, a.group)
		if err != nil {
			a.log.Warn("cannot read the admin user group", "group", a.group, "err", err)
		} else {
			members = make(map[string]bool, len(list))
			for _, m := range list {
				members[m] = true
			}
			a.mu.Lock()
			a.members, a.loaded = members, time.Now()
			a.mu.Unlock()
		}
	}
	return members[user]
}
