package review

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Audience is who answers, as an admin named them.
type Audience struct {
	Users    []string
	Groups   []string
	Channels []string
}

// StartRequest is what an admin (or a schedule) asks for.
type StartRequest struct {
	Framework *assessment.Framework
	Audience  Audience
	// AudienceText is the audience as typed, for display.
	AudienceText  string
	DigestChannel string
	Deadline      time.Time
	Threshold     int
	// Detail raises the detail threshold (question figures, counts and
	// open answers); 0 means its floor. It never lowers it below the
	// threshold (assessment.Review.Thresholds).
	Detail     int
	CreatedBy  string
	ScheduleID string
	Reminders  []string
	DeliverNow bool
	// Grace is how long answers can still change once everyone has
	// submitted; 0 means assessment.DefaultGrace.
	Grace time.Duration
	// Anyway starts the review even with fewer people than its anonymity
	// threshold (its digest then shows no scores).
	Anyway bool
	// Segments are the teams the digest's heatmap shows side by side.
	Segments []assessment.Segment
	// ID fixes the review id (a scheduled occurrence derives it, so the
	// occurrence creates one review however often it is retried).
	ID string
}

// Start resolves the audience, stores a new open review and plans its
// deliveries in the background. Only an admin (req.CreatedBy) may start
// one.
func (s *Service) Start(ctx context.Context, req StartRequest) (*assessment.Review, error) {
	if err := s.requireAdmin(ctx, req.CreatedBy, "start"); err != nil {
		return nil, err
	}
	return s.start(ctx, req)
}

// start is Start for a request whose right to start is settled: an
// admin's, or a scheduled run's (an admin added the schedule).
func (s *Service) start(ctx context.Context, req StartRequest) (*assessment.Review, error) {
	people, err := s.Members(ctx, req.Audience)
	if err != nil {
		return nil, err
	}
	// Stored sorted: in the order Members found them, the list (and the
	// set of who was asked, which a small Redis set keeps in the order it
	// was filled) would group people by the user group or channel that
	// brought them in, telling a reader of the store who is in which.
	slices.Sort(people)
	now := s.now()
	switch {
	case req.Framework == nil:
		return nil, assessment.NewError(assessment.EINVALID, assessment.NoFramework{})
	case len(people) == 0:
		return nil, assessment.NewError(assessment.EINVALID, assessment.NoAudience{})
	case len(people) > MaxRespondents:
		return nil, assessment.NewError(assessment.EINVALID, assessment.AudienceTooLarge{People: len(people), Max: MaxRespondents})
	case req.DigestChannel == "":
		return nil, assessment.NewError(assessment.EINVALID, assessment.NoDigestChannel{})
	}
	if err := CheckDeadline(req.Deadline, now); err != nil {
		return nil, err
	}
	th, err := threshold(req.Threshold)
	if err != nil {
		return nil, err
	}
	if err := CheckDetail(req.Detail); err != nil {
		return nil, err
	}
	if err := s.checkOverlap(ctx, req.Framework.ID, people, th); err != nil {
		return nil, err
	}
	if err := checkGrace(req.Grace); err != nil {
		return nil, err
	}
	// The creator does not count: they know their own answers.
	others := len(people)
	if slices.Contains(people, req.CreatedBy) {
		others--
	}
	if others < th && !req.Anyway {
		return nil, assessment.NewError(assessment.EINVALID, assessment.AudienceBelowThreshold{People: others, Threshold: th})
	}
	id := req.ID
	if id == "" {
		id = assessment.NewReviewID()
	}
	r := &assessment.Review{
		ID:            id,
		FrameworkID:   req.Framework.ID,
		Title:         req.Framework.Title,
		Respondents:   people,
		Audience:      req.AudienceText,
		DigestChannel: req.DigestChannel,
		CreatedBy:     req.CreatedBy,
		CreatedAt:     now,
		Deadline:      req.Deadline,
		Threshold:     th,
		DistThreshold: req.Detail,
		Status:        assessment.StatusOpen,
		ScheduleID:    req.ScheduleID,
		Reminders:     req.Reminders,
		DeliverNow:    req.DeliverNow,
		Grace:         req.Grace,
		Segments:      s.nameChannels(ctx, req.Segments),
	}
	if err := s.freezeSegments(ctx, r.ID, req.Segments, people); err != nil {
		return nil, err
	}
	if _, err := s.reviews.CreateReview(ctx, r, req.Framework); err != nil {
		return nil, fmt.Errorf("start review: %w", err)
	}
	s.log.Info("review started", "review", r.ID, "framework", r.FrameworkID, "respondents", len(r.Respondents), "by", r.CreatedBy)
	s.background(ctx, func(ctx context.Context) {
		s.Plan(ctx, r.ID)
		s.RunJobs(ctx)
	})
	return r, nil
}

// Members expands users, user groups and channels into the people who
// answer: each once, leaving out bots (this one included) and deactivated
// accounts. Slack Connect external members answer only when named one by
// one: a user group or a channel never brings them in.
func (s *Service) Members(ctx context.Context, a Audience) ([]string, error) {
	seen := map[string]bool{}
	named := map[string]bool{}
	var out []string
	self := s.dir.Self()
	add := func(us []string) {
		for _, u := range us {
			if u != "" && u != self && !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	add(a.Users)
	for _, u := range a.Users {
		named[u] = true
	}
	for _, g := range a.Groups {
		members, err := s.dir.GroupMembers(ctx, g)
		if err != nil {
			reason, _ := refusal(err)
			return nil, assessment.NewError(assessment.EUNAVAILABLE, assessment.GroupUnreadable{Group: g, SlackError: reason}).Because(err)
		}
		add(members)
	}
	for _, c := range a.Channels {
		members, err := s.dir.ChannelMembers(ctx, c)
		if err != nil {
			reason, _ := refusal(err)
			return nil, assessment.NewError(assessment.EUNAVAILABLE, assessment.ChannelUnreadable{Channel: c, SlackError: reason}).Because(err)
		}
		add(members)
	}
	profiles := s.people(ctx, out)
	people := out[:0]
	for _, u := range out {
		if p, ok := profiles[u]; ok && (p.Bot || p.Deleted || (p.External && !named[u])) {
			continue
		}
		people = append(people, u)
	}
	return people, nil
}

// people looks users up in the directory and caches their time zones.
func (s *Service) people(ctx context.Context, users []string) map[string]assessment.Person {
	if len(users) == 0 {
		return map[string]assessment.Person{}
	}
	out, err := s.dir.People(ctx, users)
	if err != nil {
		s.log.Warn("cannot look people up", "err", err)
	}
	if out == nil {
		out = map[string]assessment.Person{}
	}
	zones := map[string]string{}
	for id, p := range out {
		if p.TZ != "" {
			zones[id] = p.TZ
		}
	}
	_ = s.zones.SetTimeZones(ctx, zones)
	return out
}

// Location returns a user's time zone, UTC when unknown.
func (s *Service) Location(ctx context.Context, user string) *time.Location {
	ps, err := s.dir.People(ctx, []string{user})
	if err != nil {
		return time.UTC
	}
	return loadLocation(ps[user].TZ)
}
