package review

import (
	"context"
	"strings"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
)

// listedActions bounds the actions a listing reads.
const listedActions = 200

// ActionList is what `/review actions` shows: the asker's own actions, or
// those of one review or schedule.
type ActionList struct {
	// Of is what was asked for: "" (the asker's and, for an admin,
	// every open one), a review id or a schedule id.
	Of string
	// Mine are the asker's actions (as owner) that are open or were
	// changed in the listing; Others the rest asked for.
	Mine, Others []ActionView
}

// ListActions lists actions: with no id, the asker's open ones and, for
// an admin, every open one; with a review id, that review's (for an admin
// or one of its respondents); with a schedule id, every one of its
// reviews' (for an admin).
func (s *Service) ListActions(ctx context.Context, asker, id string) (ActionList, error) {
	if s.actions == nil {
		return ActionList{}, errNoActions
	}
	out := ActionList{Of: id}
	admin := s.IsAdmin(ctx, asker)
	switch {
	case id == "":
		out.Mine = s.ownerActions(ctx, asker)
		if admin {
			out.Others = s.openActions(ctx, asker, func(*assessment.Action) bool { return true })
		}
		return out, nil
	case strings.HasPrefix(id, "s"):
		if err := s.requireAdmin(ctx, asker, "actions"); err != nil {
			return out, err
		}
		if _, err := s.schedules.Schedule(ctx, id); err != nil {
			return out, err
		}
		all, err := s.actions.ListedActions(ctx, "", listedActions)
		if err != nil {
			return out, err
		}
		out.Others = s.views(ctx, all, func(a *assessment.Action) bool { return a.Schedule == id })
		return out, nil
	}
	r, _, err := s.reviews.Review(ctx, id)
	if err != nil {
		return out, err
	}
	if !admin && !r.IsRespondent(asker) {
		return out, s.requireAdmin(ctx, asker, "actions")
	}
	all, err := s.actions.ReviewActions(ctx, id)
	if err != nil {
		return out, err
	}
	out.Others = s.views(ctx, all, func(*assessment.Action) bool { return true })
	return out, nil
}

// ownerActions are a person's open actions, soonest due first.
func (s *Service) ownerActions(ctx context.Context, owner string) []ActionView {
	all, err := s.actions.ListedActions(ctx, owner, listedActions)
	if err != nil {
		s.log.Warn("cannot list a person's actions", "err", err)
		return nil
	}
	return byDue(s.views(ctx, all, (*assessment.Action).Open))
}

// openActions are every open action but the asker's own, soonest due
// first, that keep.
func (s *Service) openActions(ctx context.Context, asker string, keep func(*assessment.Action) bool) []ActionView {
	all, err := s.actions.ListedActions(ctx, "", listedActions)
	if err != nil {
		s.log.Warn("cannot list actions", "err", err)
		return nil
	}
	return byDue(s.views(ctx, all, func(a *assessment.Action) bool { return a.Open() && a.Owner != asker && keep(a) }))
}

func (s *Service) views(ctx context.Context, all []*assessment.Action, keep func(*assessment.Action) bool) []ActionView {
	var out []ActionView
	for _, a := range all {
		if !keep(a) {
			continue
		}
		if v, err := s.view(ctx, a); err == nil {
			out = append(out, v)
		}
	}
	return out
}

func byDue(vs []ActionView) []ActionView {
	for i := 1; i < len(vs); i++ {
		for j := i; j > 0 && vs[j].Action.Due.Before(vs[j-1].Action.Due); j-- {
			vs[j], vs[j-1] = vs[j-1], vs[j]
		}
	}
	return vs
}

// HomeActions are what the App Home shows of actions: the person's own
// open ones and, for an admin, every other open one.
func (s *Service) HomeActions(ctx context.Context, user string, admin bool) (mine, others []ActionView) {
	if s.actions == nil {
		return nil, nil
	}
	mine = s.ownerActions(ctx, user)
	if admin {
		others = s.openActions(ctx, user, func(*assessment.Action) bool { return true })
	}
	return mine, others
}

// followThrough is how the actions planned from the previous review of
// r's series fared, for r's digest; nil when there were none.
func (s *Service) followThrough(ctx context.Context, r *assessment.Review) *digest.FollowThrough {
	if s.actions == nil {
		return nil
	}
	prev, err := s.reviews.Previous(ctx, r)
	if err != nil || prev == "" {
		return nil
	}
	all, err := s.actions.ReviewActions(ctx, prev)
	if err != nil {
		s.log.Warn("digest: cannot read the previous review's actions", "review", r.ID, "err", err)
		return nil
	}
	var statuses []digest.ActionOutcome
	for _, a := range all {
		statuses = append(statuses, digest.ActionOutcome{Section: a.Section, Done: a.Status == assessment.ActionDone,
			Open: a.Open(), Dropped: a.Status == assessment.ActionDropped})
	}
	return digest.Follow(statuses)
}
