package review

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/schedule"
)

// Improvement actions: planned from a digest (its message or a section's
// reply in its thread), for one section of the review, owned by one
// person who accepts or declines it, reminded before it is due, and
// reported by the next digest of the series. Every change is one write
// over the version it read (Actions.SaveAction); what people are told of
// it (the action's message in the digest's thread, edited in place, and
// the DMs) is a job of the durable queue (JobActionNotify), run at once
// and again by the sweep until it is done, so a change acknowledged is
// never left untold by a crash.

// Proposal is an action someone proposes.
type Proposal struct {
	// ID is the action's id, derived from the request (handled twice, it
	// creates one action); "" for a random one.
	ID        string
	Review    string
	Section   string
	What      string
	Owner     string
	Due       time.Time // a date, midnight UTC
	Questions []string
	By        string
}

// PlanForm is what the "Plan an action" modal offers.
type PlanForm struct {
	Review    *assessment.Review
	Framework *assessment.Framework
	// Section is the section pre-filled ("" for none).
	Section string
	// Suggestions are the team's written improvement actions for that
	// section, without names, when the disclosure model shows open
	// answers; nil otherwise.
	Suggestions []string
}

// errNoActions is the failure when no action store is wired.
var errNoActions = assessment.NewError(assessment.EINTERNAL, nil)

// PlanAction opens the planning of an action from a review's digest: it
// checks that by may propose one and gathers what the form offers.
func (s *Service) PlanAction(ctx context.Context, reviewID, sectionID, by string) (PlanForm, error) {
	r, f, _, err := s.mayPropose(ctx, reviewID, by)
	if err != nil {
		return PlanForm{}, err
	}
	out := PlanForm{Review: r, Framework: f}
	if sectionID == "" {
		return out, nil
	}
	if sectionIndex(f, sectionID) < 0 {
		return out, assessment.NewError(assessment.EINVALID, assessment.NoSuchSection{ID: sectionID})
	}
	out.Section = sectionID
	out.Suggestions = s.suggestions(ctx, r, f, sectionID)
	return out, nil
}

// mayPropose loads a review whose digest is out (or going out) and checks
// that by may propose an action for it: an admin or one of its
// respondents. It returns where the digest is, once recorded.
func (s *Service) mayPropose(ctx context.Context, reviewID, by string) (*assessment.Review, *assessment.Framework, assessment.MessageRef, error) {
	if s.actions == nil {
		return nil, nil, assessment.MessageRef{}, errNoActions
	}
	r, f, err := s.reviews.Review(ctx, reviewID)
	if err != nil {
		return nil, nil, assessment.MessageRef{}, err
	}
	if !r.IsRespondent(by) && !s.IsAdmin(ctx, by) {
		return nil, nil, assessment.MessageRef{}, assessment.NewError(assessment.EFORBIDDEN, assessment.MayNotPropose{})
	}
	st, err := s.digests.DigestState(ctx, reviewID)
	if err != nil {
		return nil, nil, assessment.MessageRef{}, err
	}
	// A digest being posted has buttons in Slack before its ref is stored:
	// the action's message goes into its thread once it is.
	if st.Kind != assessment.Sent && st.Kind != assessment.Sending {
		return nil, nil, assessment.MessageRef{}, assessment.NewError(assessment.EINVALID, assessment.NoDigestYet{Review: reviewID})
	}
	return r, f, st.Ref, nil
}

func sectionIndex(f *assessment.Framework, id string) int {
	for i, sec := range f.Sections {
		if sec.ID == id {
			return i
		}
	}
	return -1
}

// ImprovementQuestion returns a section's open question that asks for
// improvement actions (the SaaS CS assessment has one per section): a
// written question whose id ends in "actions".
func ImprovementQuestion(f *assessment.Framework, sectionID string) (string, bool) {
	si := sectionIndex(f, sectionID)
	if si < 0 {
		return "", false
	}
	for _, q := range f.Sections[si].Questions {
		if sc := f.Scales[q.Scale]; sc != nil && sc.Text && strings.HasSuffix(q.ID, "actions") {
			return q.ID, true
		}
	}
	return "", false
}

// suggestions are the written answers to a section's improvement question
// as the digest shows them: none when the disclosure model withholds open
// answers (below the detail threshold), never with a name.
func (s *Service) suggestions(ctx context.Context, r *assessment.Review, f *assessment.Framework, sectionID string) []string {
	qid, ok := ImprovementQuestion(f, sectionID)
	if !ok {
		return nil
	}
	d, _, err := s.Digest(ctx, r.ID)
	if err != nil {
		s.log.Warn("plan action: no digest to take suggestions from", "review", r.ID, "err", err)
		return nil
	}
	for _, q := range d.Result.Questions {
		if q.ID == qid && q.IsText && !q.Stats.Withheld {
			return slices.Clone(q.Texts)
		}
	}
	return nil
}

// Propose records a proposed action and tells its owner and the digest's
// thread.
func (s *Service) Propose(ctx context.Context, p Proposal) (ActionView, error) {
	r, f, _, err := s.mayPropose(ctx, p.Review, p.By)
	if err != nil {
		return ActionView{}, err
	}
	si := sectionIndex(f, p.Section)
	if si < 0 {
		return ActionView{}, assessment.NewError(assessment.EINVALID, assessment.NoSuchSection{ID: p.Section})
	}
	for _, q := range p.Questions {
		if qs, _ := f.Position(q); qs != si {
			return ActionView{}, assessment.NewError(assessment.EINVALID, assessment.UnknownQuestion{})
		}
	}
	now := s.now()
	if err := s.checkAction(ctx, p.What, p.Owner, p.Due, now); err != nil {
		return ActionView{}, err
	}
	id := p.ID
	if id == "" {
		id = assessment.NewActionID()
	}
	a := &assessment.Action{ID: id, Review: r.ID, Framework: r.FrameworkID, Schedule: r.ScheduleID, Section: p.Section,
		What: p.What, Owner: p.Owner, Proposer: p.By, Due: p.Due, Questions: p.Questions,
		Status: assessment.ActionProposed, Created: now, Changed: now, Rev: 1}
	created, err := s.actions.CreateAction(ctx, a)
	if err != nil {
		return ActionView{}, err
	}
	if !created { // the same request again (a redelivery, a crash): the action as stored
		if a, err = s.actions.Action(ctx, r.ID, id); err != nil {
			return ActionView{}, err
		}
	} else {
		s.log.Info("action proposed", "review", r.ID, "action", id)
	}
	s.notify(ctx, a)
	return ActionView{Action: a, Review: r, Framework: f}, nil
}

// checkAction checks what an action says and that its owner can own it
// (no bot, guest or deactivated member; when Slack cannot say, the owner
// is taken as given).
func (s *Service) checkAction(ctx context.Context, what, owner string, due, now time.Time) error {
	if err := assessment.CheckAction(what, owner, due, now); err != nil {
		return err
	}
	if owner == s.dir.Self() {
		return assessment.NewError(assessment.EINVALID, assessment.ActionOwner{Owner: owner})
	}
	if p, ok := s.people(ctx, []string{owner})[owner]; ok && (p.Bot || p.Deleted || p.Guest) {
		return assessment.NewError(assessment.EINVALID, assessment.ActionOwner{Owner: owner})
	}
	return nil
}

// ActionChange is a change someone makes to an action; What, Owner and
// Due are an update's.
type ActionChange struct {
	Review, Action, By string
	Change             assessment.ActionChange
	What, Owner        string
	Due                time.Time
}

// ChangeAction applies a change to an action under the rule of who may
// (assessment.Action.MayChange), then tells who needs to know. An owner
// given to someone else goes back to proposed: the new owner accepts or
// declines it.
func (s *Service) ChangeAction(ctx context.Context, c ActionChange) (ActionView, error) {
	if s.actions == nil {
		return ActionView{}, errNoActions
	}
	r, f, err := s.reviews.Review(ctx, c.Review)
	if err != nil {
		return ActionView{}, err
	}
	admin := false
	if c.Change == assessment.ChangeUpdate || c.Change == assessment.ChangeDrop {
		admin = s.IsAdmin(ctx, c.By)
	}
	if c.Change == assessment.ChangeUpdate {
		if err := s.checkAction(ctx, c.What, c.Owner, c.Due, s.now()); err != nil {
			return ActionView{}, err
		}
	}
	a, err := s.modifyAction(ctx, c.Review, c.Action, func(a *assessment.Action) error {
		if err := a.MayChange(c.Change, c.By, admin); err != nil {
			return err
		}
		applyChange(a, c)
		a.Rev++
		a.Changed = s.now()
		return nil
	})
	if err != nil {
		return ActionView{}, err
	}
	s.log.Info("action changed", "review", c.Review, "action", c.Action, "change", string(c.Change), "status", string(a.Status))
	if a.Status == assessment.ActionAccepted {
		s.planActionReminders(ctx, a)
	}
	s.notify(ctx, a)
	return ActionView{Action: a, Review: r, Framework: f}, nil
}

func applyChange(a *assessment.Action, c ActionChange) {
	switch c.Change {
	case assessment.ChangeAccept:
		a.Status = assessment.ActionAccepted
	case assessment.ChangeDecline:
		a.Status = assessment.ActionDeclined
	case assessment.ChangeDone:
		a.Status = assessment.ActionDone
	case assessment.ChangeDrop:
		a.Status = assessment.ActionDropped
	case assessment.ChangeUpdate:
		if c.Owner != a.Owner {
			a.Owner, a.Status = c.Owner, assessment.ActionProposed
		}
		a.What, a.Due = c.What, c.Due
	}
}

// modifyAction reads an action, applies fn and saves it over the version
// it read, again from a fresh read when someone changed it meanwhile.
func (s *Service) modifyAction(ctx context.Context, reviewID, id string, fn func(a *assessment.Action) error) (*assessment.Action, error) {
	for attempt := 0; ; attempt++ {
		a, err := s.actions.Action(ctx, reviewID, id)
		if err != nil {
			return nil, err
		}
		if err := fn(a); err != nil {
			return a, err
		}
		saved, err := s.actions.SaveAction(ctx, a)
		if err != nil {
			return nil, err
		}
		if saved {
			return a, nil
		}
		if attempt >= 8 {
			return nil, assessment.NewError(assessment.EUNAVAILABLE, assessment.StoreUnavailable{})
		}
	}
}

// ActionSnooze stops an action's reminders for a day and reminds its
// owner then (in their working hours), or with stop for good. Only its
// owner may.
func (s *Service) ActionSnooze(ctx context.Context, reviewID, id, by string, stop bool) (ActionView, error) {
	if s.actions == nil {
		return ActionView{}, errNoActions
	}
	r, f, err := s.reviews.Review(ctx, reviewID)
	if err != nil {
		return ActionView{}, err
	}
	until := s.now().Add(24 * time.Hour)
	a, err := s.modifyAction(ctx, reviewID, id, func(a *assessment.Action) error {
		if a.Owner != by {
			return assessment.NewError(assessment.EFORBIDDEN, assessment.NotActionOwner{Owner: a.Owner})
		}
		if stop {
			a.NoReminders = true
		} else {
			a.SnoozedUntil = until
			a.Snoozes++
		}
		return nil
	})
	if err != nil {
		return ActionView{}, err
	}
	if !stop && a.Status == assessment.ActionAccepted {
		loc := loadLocation(s.timeZones(ctx, []string{a.Owner})[a.Owner])
		at := schedule.WorkingHours(until, loc)
		j := assessment.Job{Kind: assessment.JobActionRemind, Review: a.Review, User: a.Owner, N: 1 + a.Snoozes, Action: a.ID, At: at}
		if err := s.queue.AddJobs(ctx, []assessment.Job{j}); err != nil {
			return ActionView{}, err
		}
	}
	return ActionView{Action: a, Review: r, Framework: f}, nil
}

// FindAction reads one action for a person who may see it: its owner, its
// proposer, or an admin.
func (s *Service) FindAction(ctx context.Context, reviewID, id, by string) (ActionView, error) {
	if s.actions == nil {
		return ActionView{}, errNoActions
	}
	a, err := s.actions.Action(ctx, reviewID, id)
	if err != nil {
		return ActionView{}, err
	}
	if a.Owner != by && a.Proposer != by && !s.IsAdmin(ctx, by) {
		return ActionView{}, assessment.NewError(assessment.EFORBIDDEN, assessment.NotActionOwner{Owner: a.Owner})
	}
	return s.view(ctx, a)
}

func (s *Service) view(ctx context.Context, a *assessment.Action) (ActionView, error) {
	r, f, err := s.reviews.Review(ctx, a.Review)
	if err != nil {
		return ActionView{}, err
	}
	return ActionView{Action: a, Review: r, Framework: f}, nil
}
