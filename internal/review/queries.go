package review

import (
	"context"
	crand "crypto/rand"
	"math/rand/v2"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
)

// latest returns the review id names or, with id empty, the latest review
// asker started: another admin's review needs its id. Its callers check
// that asker is an admin.
func (s *Service) latest(ctx context.Context, id, asker string) (*assessment.Review, *assessment.Framework, error) {
	if id != "" {
		return s.reviews.Review(ctx, id)
	}
	ids, err := s.reviews.RecentReviews(ctx, overlapScan)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		if r, _, err := s.reviews.ReviewStatic(ctx, id); err == nil && r.CreatedBy == asker {
			return s.reviews.Review(ctx, id)
		}
	}
	return nil, nil, assessment.NewError(assessment.ENOTFOUND, assessment.NoReviews{})
}

// Status is where a review stands: counts only, never who.
type Status struct {
	Review                      *assessment.Review
	Invited, Started, Submitted int
	// Away are those whose Slack status says they are away, who have not
	// answered: their intro waits for them (or, closed, never went out).
	// They are not among those who have not started.
	Away                            int
	PendingIntros, PendingReminders int
	// ClosesEarly is set once everyone has submitted: the review closes
	// then (its grace period's end), before its deadline.
	ClosesEarly time.Time
}

// Status counts a review's responses (the given review, or the asker's
// latest), for an admin. It never says who has or has not answered: reminders reach
// those who have not submitted, and a name next to a progress would let two
// looks around one click tell what that person answered.
func (s *Service) Status(ctx context.Context, id, asker string) (Status, error) {
	if err := s.requireAdmin(ctx, asker, "status"); err != nil {
		return Status{}, err
	}
	r, f, err := s.latest(ctx, id, asker)
	if err != nil {
		return Status{}, err
	}
	return s.counts(ctx, r, f)
}

func (s *Service) counts(ctx context.Context, r *assessment.Review, f *assessment.Framework) (Status, error) {
	responses, err := s.answers.Responses(ctx, r)
	if err != nil {
		return Status{}, err
	}
	st := Status{Review: r, Invited: len(r.Respondents)}
	for _, resp := range responses {
		switch a, _ := f.Progress(resp.Answers); {
		case resp.Submitted:
			st.Submitted++
		case a > 0:
			st.Started++
		}
	}
	st.Away = s.awayCount(ctx, r.ID)
	if r.Status == assessment.StatusOpen {
		if pending, err := s.queue.PendingJobs(ctx, r.ID); err == nil {
			st.PendingIntros, st.PendingReminders = pending[assessment.JobIntro], pending[assessment.JobRemind]
		}
		st.ClosesEarly = s.closesEarly(ctx, r)
	}
	return st, nil
}

// awayCount is how many of a review's respondents are away and have not
// answered; 0 when the store cannot say.
func (s *Service) awayCount(ctx context.Context, reviewID string) int {
	if s.absences == nil {
		return 0
	}
	n, err := s.absences.AwayCount(ctx, reviewID)
	if err != nil {
		return 0
	}
	return n
}

// Results is what `/review results` shows: the digest of a closed review,
// or only the counts of an open one (figures that change with each click
// would tell, click by click, what each person answered).
type Results struct {
	Review *assessment.Review
	Digest *digest.Digest // nil while the review is open
	Counts Status
}

// Results returns a review's results (the given review, or the asker's
// latest), to an admin.
func (s *Service) Results(ctx context.Context, id, asker string) (Results, error) {
	if err := s.requireAdmin(ctx, asker, "results"); err != nil {
		return Results{}, err
	}
	r, f, err := s.latest(ctx, id, asker)
	if err != nil {
		return Results{}, err
	}
	if r.Status == assessment.StatusOpen {
		st, err := s.counts(ctx, r, f)
		return Results{Review: r, Counts: st}, err
	}
	d, r, err := s.Digest(ctx, r.ID)
	if err != nil {
		return Results{}, err
	}
	return Results{Review: r, Digest: &d}, nil
}

// HomeReview is one of a person's reviews on their home tab.
type HomeReview struct {
	Review          *assessment.Review
	Framework       *assessment.Framework
	Answered, Total int
	Submitted       bool
	ClosesEarly     time.Time // as in Status
}

// AdminReview is one recent review on an admin's home tab.
type AdminReview struct {
	Review      *assessment.Review
	Submitted   int
	Summary     string    // of the digest, once posted
	ClosesEarly time.Time // as in Status
}

// closesEarly is when an open review closes because everyone submitted;
// zero when it closes at its deadline (or the store cannot say).
func (s *Service) closesEarly(ctx context.Context, r *assessment.Review) time.Time {
	if r.Status != assessment.StatusOpen {
		return time.Time{}
	}
	at, err := s.answers.CloseAt(ctx, r.ID)
	if err != nil {
		return time.Time{}
	}
	return at
}

// Home is what a person's App Home shows.
type Home struct {
	Reviews  []HomeReview
	Admin    bool
	Recent   []AdminReview
	Upcoming []*assessment.Schedule
	// Actions are the person's open actions; OpenActions, for an admin,
	// every other open one (HomeActions); Now says which are overdue.
	Actions, OpenActions []ActionView
	Now                  time.Time
}

// Home gathers a person's reviews and, for admins, the recent reviews and
// upcoming scheduled runs.
func (s *Service) Home(ctx context.Context, user string) Home {
	var h Home
	ids, err := s.reviews.UserReviews(ctx, user, 10)
	if err != nil {
		s.log.Warn("home: cannot list reviews", "err", err)
	}
	for _, id := range ids {
		r, f, err := s.reviews.Review(ctx, id)
		if err != nil {
			continue
		}
		resp, err := s.answers.Response(ctx, id, user)
		if err != nil {
			continue
		}
		answered, total := f.Progress(resp.Answers)
		h.Reviews = append(h.Reviews, HomeReview{Review: r, Framework: f, Answered: answered, Total: total, Submitted: resp.Submitted,
			ClosesEarly: s.closesEarly(ctx, r)})
	}
	h.Admin = s.IsAdmin(ctx, user)
	h.Actions, h.OpenActions = s.HomeActions(ctx, user, h.Admin)
	h.Now = s.now()
	if !h.Admin {
		return h
	}
	recent, _ := s.reviews.RecentReviews(ctx, 10)
	for _, id := range recent {
		r, _, err := s.reviews.Review(ctx, id)
		if err != nil {
			continue
		}
		sub, _ := s.answers.Submitted(ctx, id)
		ar := AdminReview{Review: r, Submitted: len(sub), ClosesEarly: s.closesEarly(ctx, r)}
		if r.Status != assessment.StatusOpen {
			ar.Summary, _ = s.digests.Summary(ctx, id)
		}
		h.Recent = append(h.Recent, ar)
	}
	h.Upcoming = s.upcoming(ctx, 10)
	return h
}

// Export is what an export sends: the digest, the responses' choices in a
// fresh random order (nil when withheld), and the open answers and
// comments apart, shuffled on their own, so no row joins a person's words
// to their choices.
type Export struct {
	Review    *assessment.Review
	Framework *assessment.Framework
	Digest    digest.Digest
	// Responses hold choices only (no text, no comment), without
	// respondent ids; nil below the detail threshold.
	Responses []assessment.Response
	// Texts are the open answers and comments, nil below the detail
	// threshold.
	Texts []Text
	// Answered is how many responses hold an answer; Detail the threshold
	// the rows need.
	Answered, Detail int
	// Actions are the improvement actions planned from its digest.
	Actions []*assessment.Action
}

// Text is one open answer or comment, without its author.
type Text struct {
	QuestionID string
	Comment    bool
	Text       string
}

// Export gathers a closed review's aggregates and anonymised responses,
// for an admin.
func (s *Service) Export(ctx context.Context, id, asker string) (Export, error) {
	if err := s.requireAdmin(ctx, asker, "export"); err != nil {
		return Export{}, err
	}
	r, f, err := s.latest(ctx, id, asker)
	if err != nil {
		return Export{}, err
	}
	if r.Status == assessment.StatusOpen {
		// Two exports around one person's answers would isolate them.
		return Export{}, assessment.NewError(assessment.EFORBIDDEN, assessment.ExportOpen{Review: r.ID, Deadline: r.Deadline})
	}
	responses, err := s.answers.Responses(ctx, r)
	if err != nil {
		return Export{}, err
	}
	d, _, err := s.Digest(ctx, r.ID)
	if err != nil {
		return Export{}, err
	}
	_, detail := r.Thresholds()
	out := Export{Review: r, Framework: f, Digest: d, Detail: detail}
	if s.actions != nil {
		if out.Actions, err = s.actions.ReviewActions(ctx, r.ID); err != nil {
			return Export{}, err
		}
	}
	var rows []assessment.Response
	var texts []Text
	for _, resp := range responses {
		if !resp.HasAnswers() {
			continue
		}
		out.Answered++
		choices := make(map[string]assessment.Answer, len(resp.Answers))
		for q, a := range resp.Answers {
			if a.Text != "" {
				texts = append(texts, Text{QuestionID: q, Text: a.Text})
			}
			if a.Comment != "" {
				texts = append(texts, Text{QuestionID: q, Comment: true, Text: a.Comment})
			}
			if a.Option != "" {
				choices[q] = assessment.Answer{Option: a.Option}
			}
		}
		rows = append(rows, assessment.Response{Answers: choices, Submitted: resp.Submitted})
	}
	if out.Answered < detail || d.Withholds(digest.FigAll) {
		return out, nil
	}
	// A fresh order from crypto/rand every time: no seed anyone can redo,
	// and numbering that differs between exports.
	shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	out.Responses, out.Texts = rows, texts
	return out, nil
}

// shuffle is rand.Shuffle with crypto/rand as its source.
func shuffle(n int, swap func(i, j int)) {
	var seed [32]byte
	_, _ = crand.Read(seed[:])
	rand.New(rand.NewChaCha8(seed)).Shuffle(n, swap)
}
