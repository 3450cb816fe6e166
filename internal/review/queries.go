package review

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"sort"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
)

// Latest returns the given review, or the most recent one.
func (s *Service) Latest(ctx context.Context, id string) (*assessment.Review, *assessment.Framework, error) {
	if id == "" {
		ids, err := s.store.RecentReviews(ctx, 1)
		if err != nil {
			return nil, nil, err
		}
		if len(ids) == 0 {
			return nil, nil, assessment.NewError(assessment.ENOTFOUND, assessment.RNoReviews)
		}
		id = ids[0]
	}
	return s.store.Review(ctx, id)
}

// Pending is a respondent who has not submitted, with how far they are.
type Pending struct {
	User     string
	Answered int
}

// Status is where a review stands.
type Status struct {
	Review                          *assessment.Review
	Submitted, Started              int
	Total                           int // choice questions
	Waiting                         []Pending
	PendingIntros, PendingReminders int
}

// Status counts a review's responses (the given review, or the latest).
func (s *Service) Status(ctx context.Context, id string) (Status, error) {
	r, f, err := s.Latest(ctx, id)
	if err != nil {
		return Status{}, err
	}
	responses, err := s.store.Responses(ctx, r)
	if err != nil {
		return Status{}, err
	}
	st := Status{Review: r}
	for _, resp := range responses {
		a, t := f.Progress(resp.Answers)
		st.Total = t
		switch {
		case resp.Submitted:
			st.Submitted++
		case a > 0:
			st.Started++
			st.Waiting = append(st.Waiting, Pending{resp.Respondent, a})
		default:
			st.Waiting = append(st.Waiting, Pending{resp.Respondent, 0})
		}
	}
	sort.SliceStable(st.Waiting, func(i, j int) bool { return st.Waiting[i].Answered > st.Waiting[j].Answered })
	if r.Status == assessment.StatusOpen {
		if pending, err := s.queue.PendingJobs(ctx, r.ID); err == nil {
			st.PendingIntros, st.PendingReminders = pending[assessment.JobIntro], pending[assessment.JobRemind]
		}
	}
	return st, nil
}

// HomeReview is one of a person's reviews on their home tab.
type HomeReview struct {
	Review          *assessment.Review
	Framework       *assessment.Framework
	Answered, Total int
	Submitted       bool
}

// AdminReview is one recent review on an admin's home tab.
type AdminReview struct {
	Review    *assessment.Review
	Submitted int
	Summary   string // of the digest, once posted
}

// Home is what a person's App Home shows.
type Home struct {
	Reviews  []HomeReview
	Admin    bool
	Recent   []AdminReview
	Upcoming []*assessment.Schedule
}

// Home gathers a person's reviews and, for admins, the recent reviews and
// upcoming scheduled runs.
func (s *Service) Home(ctx context.Context, user string) Home {
	var h Home
	ids, err := s.store.UserReviews(ctx, user, 10)
	if err != nil {
		s.log.Warn("home: cannot list reviews", "err", err)
	}
	for _, id := range ids {
		r, f, err := s.store.Review(ctx, id)
		if err != nil {
			continue
		}
		resp, err := s.store.Response(ctx, id, user)
		if err != nil {
			continue
		}
		answered, total := f.Progress(resp.Answers)
		h.Reviews = append(h.Reviews, HomeReview{Review: r, Framework: f, Answered: answered, Total: total, Submitted: resp.Submitted})
	}
	if !s.IsAdmin(ctx, user) {
		return h
	}
	h.Admin = true
	recent, _ := s.store.RecentReviews(ctx, 10)
	for _, id := range recent {
		r, _, err := s.store.Review(ctx, id)
		if err != nil {
			continue
		}
		sub, _ := s.store.Submitted(ctx, id)
		ar := AdminReview{Review: r, Submitted: len(sub)}
		if r.Status != assessment.StatusOpen {
			ar.Summary, _ = s.store.Summary(ctx, id)
		}
		h.Recent = append(h.Recent, ar)
	}
	h.Upcoming = s.Upcoming(ctx, 10)
	return h
}

// Export is what an export sends: the digest, and the responses that
// hold an answer, in a shuffled order (empty when withheld).
type Export struct {
	Review    *assessment.Review
	Framework *assessment.Framework
	Digest    digest.Digest
	Responses []assessment.Response
	// Answered is how many responses hold an answer; the rows are withheld
	// below the review's distribution threshold.
	Answered int
}

// Export gathers a review's aggregates and anonymised responses.
func (s *Service) Export(ctx context.Context, id string) (Export, error) {
	r, f, err := s.Latest(ctx, id)
	if err != nil {
		return Export{}, err
	}
	responses, err := s.store.Responses(ctx, r)
	if err != nil {
		return Export{}, err
	}
	var answered []assessment.Response
	for _, resp := range responses {
		if resp.HasAnswers() {
			answered = append(answered, resp)
		}
	}
	h := fnv.New64a()
	h.Write([]byte(r.ID))
	seed := h.Sum64()
	rand.New(rand.NewPCG(seed, seed>>1|1)).Shuffle(len(answered), func(i, j int) { answered[i], answered[j] = answered[j], answered[i] })
	d, _, err := s.Digest(ctx, r.ID)
	if err != nil {
		return Export{}, err
	}
	out := Export{Review: r, Framework: f, Digest: d, Answered: len(answered)}
	if len(answered) >= r.DistributionThreshold() {
		out.Responses = answered
	}
	return out, nil
}
