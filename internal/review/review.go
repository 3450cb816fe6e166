// Package review holds the use cases of assessbot: start a review, record an
// answer, submit, close, and build the digest. It speaks domain types only;
// the store it needs is declared here and satisfied by internal/store.
package review

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
	"github.com/assessbot/assessbot/internal/store"
)

// Store is the persistence review needs.
type Store interface {
	CreateReview(ctx context.Context, r *assessment.Review, f *assessment.Framework) (bool, error)
	Review(ctx context.Context, id string) (*assessment.Review, *assessment.Framework, error)
	ReviewStatic(ctx context.Context, id string) (*assessment.Review, *assessment.Framework, error)
	SaveAnswer(ctx context.Context, reviewID, user, questionID string, a assessment.Answer, comment bool) (store.Sheet, error)
	Sheet(ctx context.Context, reviewID, user string) (store.Sheet, error)
	Submit(ctx context.Context, reviewID, user string) (bool, error)
	Responses(ctx context.Context, r *assessment.Review) ([]assessment.Response, error)
	Close(ctx context.Context, reviewID, by string, at time.Time) (bool, error)
	ClosedInfo(ctx context.Context, reviewID string) (string, time.Time, error)
	Submitted(ctx context.Context, reviewID string) (map[string]bool, error)
	Previous(ctx context.Context, r *assessment.Review) (string, error)
}

var _ Store = (*store.Redis)(nil)

// Clock tells the time; tests inject their own.
type Clock func() time.Time

// Service runs the use cases.
type Service struct {
	Store Store
	Now   Clock
}

// MaxRespondents bounds one review's audience.
const MaxRespondents = 10000

// StartRequest is what an admin asks for.
type StartRequest struct {
	Framework     *assessment.Framework
	Respondents   []string
	Audience      string
	DigestChannel string
	Deadline      time.Time
	Threshold     int
	CreatedBy     string
	ScheduleID    string
	Reminders     []string
	DeliverNow    bool
	// ID fixes the review id (a scheduled occurrence derives it, so the
	// occurrence creates one review however often it is retried).
	ID string
}

// Start validates a request and stores a new open review.
func (s *Service) Start(ctx context.Context, req StartRequest) (*assessment.Review, error) {
	now := s.Now()
	switch {
	case req.Framework == nil:
		return nil, assessment.Errorf(assessment.EINVALID, "Choose a framework.")
	case len(req.Respondents) == 0:
		return nil, assessment.Errorf(assessment.EINVALID, "Nobody to ask: the audience has no members (bots and deactivated users are left out).")
	case len(req.Respondents) > MaxRespondents:
		return nil, assessment.Errorf(assessment.EINVALID, "That audience has %d people; one review can ask at most %d. Split it into several reviews.", len(req.Respondents), MaxRespondents)
	case req.DigestChannel == "":
		return nil, assessment.Errorf(assessment.EINVALID, "Say where the digest goes, e.g. `digest #cs-leadership`.")
	case !req.Deadline.After(now):
		return nil, assessment.Errorf(assessment.EINVALID, "The deadline %s is in the past; choose a later date.", req.Deadline.Format("2006-01-02 15:04 MST"))
	case req.Deadline.After(now.AddDate(0, 6, 0)):
		return nil, assessment.Errorf(assessment.EINVALID, "The deadline is more than six months away; choose a date within six months.")
	}
	th := req.Threshold
	if th == 0 {
		th = assessment.DefaultThreshold
	}
	if th < 1 || th > 50 {
		return nil, assessment.Errorf(assessment.EINVALID, "The anonymity threshold must be between 1 and 50 (default %d).", assessment.DefaultThreshold)
	}
	id := req.ID
	if id == "" {
		id = NewID()
	}
	r := &assessment.Review{
		ID:            id,
		FrameworkID:   req.Framework.ID,
		Title:         req.Framework.Title,
		Respondents:   dedupe(req.Respondents),
		Audience:      req.Audience,
		DigestChannel: req.DigestChannel,
		CreatedBy:     req.CreatedBy,
		CreatedAt:     now,
		Deadline:      req.Deadline,
		Threshold:     th,
		Status:        assessment.StatusOpen,
		ScheduleID:    req.ScheduleID,
		Reminders:     req.Reminders,
		DeliverNow:    req.DeliverNow,
	}
	if _, err := s.Store.CreateReview(ctx, r, req.Framework); err != nil {
		return nil, fmt.Errorf("start review: %w", err)
	}
	return r, nil
}

func dedupe(us []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(us))
	for _, u := range us {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// NewID returns a short random review id such as "r4k9x2mq".
func NewID() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	var sb strings.Builder
	sb.WriteByte('r')
	for _, c := range b[:7] {
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

// Answer validates and saves one answer (or, with comment, a comment) and
// returns the respondent's answers after it.
func (s *Service) Answer(ctx context.Context, reviewID, user, questionID string, a assessment.Answer, comment bool) (store.Sheet, *assessment.Review, *assessment.Framework, error) {
	// The review's audience and framework never change; whether it is still
	// open is checked by the save itself, atomically.
	r, f, err := s.Store.ReviewStatic(ctx, reviewID)
	if err != nil {
		return store.Sheet{}, nil, nil, err
	}
	if !r.IsRespondent(user) {
		return store.Sheet{}, r, f, assessment.Errorf(assessment.EFORBIDDEN, "You are not a respondent of this review, so you cannot answer it.")
	}
	if err := f.CheckAnswer(questionID, a); err != nil {
		return store.Sheet{}, r, f, err
	}
	sh, err := s.Store.SaveAnswer(ctx, reviewID, user, questionID, a, comment)
	if err == nil {
		r.Status = assessment.StatusOpen
	}
	return sh, r, f, err
}

// Submit marks a respondent's response as submitted; all is true when every
// respondent has submitted.
func (s *Service) Submit(ctx context.Context, reviewID, user string) (all bool, err error) {
	return s.Store.Submit(ctx, reviewID, user)
}

// Close closes a review; closed is true for the one caller that closed it.
func (s *Service) Close(ctx context.Context, reviewID, by string) (closed bool, err error) {
	return s.Store.Close(ctx, reviewID, by, s.Now())
}

// Digest aggregates a review's responses into its digest.
func (s *Service) Digest(ctx context.Context, reviewID string) (digest.Digest, *assessment.Review, error) {
	r, f, err := s.Store.Review(ctx, reviewID)
	if err != nil {
		return digest.Digest{}, nil, err
	}
	responses, err := s.Store.Responses(ctx, r)
	if err != nil {
		return digest.Digest{}, r, err
	}
	// The chart's spread is a second pass over the same answers: run it
	// beside the aggregation.
	spread := make(chan map[string]scoring.Quantiles, 1)
	go func() { spread <- scoring.Spread(f, responses, r.Threshold) }()
	res := scoring.Aggregate(f, responses, scoring.Options{Threshold: r.Threshold, Seed: r.ID})
	_, closedAt, err := s.Store.ClosedInfo(ctx, reviewID)
	if err != nil {
		return digest.Digest{}, r, err
	}
	if closedAt.IsZero() {
		closedAt = s.Now()
	}
	meta := digest.Meta{ReviewID: r.ID, Opened: r.CreatedAt, Closed: closedAt, Invited: len(r.Respondents)}
	if prev, at, err := s.previous(ctx, r); err != nil {
		return digest.Digest{}, r, err
	} else if prev != nil {
		meta.Previous, meta.PreviousClosed = prev, at
	}
	d := digest.Build(f, res, meta)
	d.Spread = <-spread
	return d, r, nil
}

// previous scores the review this one is compared with: the last one of
// the same series whose digest was posted.
func (s *Service) previous(ctx context.Context, r *assessment.Review) (*scoring.Result, time.Time, error) {
	id, err := s.Store.Previous(ctx, r)
	if err != nil || id == "" {
		return nil, time.Time{}, err
	}
	pr, pf, err := s.Store.Review(ctx, id)
	if err != nil {
		return nil, time.Time{}, err
	}
	responses, err := s.Store.Responses(ctx, pr)
	if err != nil {
		return nil, time.Time{}, err
	}
	res := scoring.Aggregate(pf, responses, scoring.Options{Threshold: pr.Threshold, Seed: pr.ID})
	_, at, err := s.Store.ClosedInfo(ctx, id)
	return &res, at, err
}

// Progress counts a sheet's answered choice questions out of all of them.
func Progress(f *assessment.Framework, answers map[string]assessment.Answer) (answered, total int) {
	for _, ref := range f.Questions() {
		if ref.Scale == nil || ref.Scale.Text {
			continue
		}
		total++
		if a, ok := answers[ref.Question.ID]; ok && a.Option != "" {
			answered++
		}
	}
	return answered, total
}

// NextSection returns the index of the first section with an unanswered
// choice question, or the last section when all are answered.
func NextSection(f *assessment.Framework, answers map[string]assessment.Answer) int {
	for i, s := range f.Sections {
		for _, q := range s.Questions {
			if sc := f.Scales[q.Scale]; sc != nil && !sc.Text && answers[q.ID].Option == "" {
				return i
			}
		}
	}
	return len(f.Sections) - 1
}
