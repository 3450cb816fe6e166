package review

import (
	"context"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/schedule"
)

// Sheet is what a respondent sees of a review: the review, its framework,
// their response, and the bot's messages in their DM, by name.
type Sheet struct {
	Review    *assessment.Review
	Framework *assessment.Framework
	Response  assessment.Response
	Messages  map[string]assessment.MessageRef
	// ClosesEarly is set once everyone has submitted: when the review
	// closes, at the end of its grace period or at its deadline.
	ClosesEarly time.Time
}

// Answer validates and saves one answer (or, with comment, a comment) in
// one round trip to the store, and returns the respondent's sheet after it.
func (s *Service) Answer(ctx context.Context, reviewID, user, questionID string, a assessment.Answer, comment bool) (Sheet, error) {
	// The review's audience and framework never change; whether it is still
	// open is checked by the save itself, atomically.
	r, f, err := s.reviews.ReviewStatic(ctx, reviewID)
	if err != nil {
		return Sheet{}, err
	}
	sh := Sheet{Review: r, Framework: f}
	if !r.IsRespondent(user) {
		return sh, assessment.ErrNotRespondent
	}
	if err := f.CheckAnswer(questionID, a); err != nil {
		return sh, err
	}
	resp, msgs, err := s.answers.SaveAnswer(ctx, reviewID, user, questionID, a, comment)
	if err != nil {
		return sh, err
	}
	r.Status = assessment.StatusOpen
	sh.Response, sh.Messages = resp, msgs
	// Only a submitted respondent can be among "everyone submitted": the
	// others' clicks stay one round trip.
	if resp.Submitted {
		if sh.ClosesEarly, err = s.answers.CloseAt(ctx, reviewID); err != nil {
			s.log.Warn("answer saved; cannot read when the review closes", "review", reviewID, "err", err)
		}
	}
	return sh, nil
}

// Open loads a respondent's sheet for an action in their DM (opening a
// section, a written answer, the reminder's buttons), refusing people
// outside the audience and closed reviews.
func (s *Service) Open(ctx context.Context, reviewID, user string) (Sheet, error) {
	r, f, err := s.reviews.Review(ctx, reviewID)
	if err != nil {
		return Sheet{}, err
	}
	sh := Sheet{Review: r, Framework: f}
	if !r.IsRespondent(user) {
		return sh, assessment.ErrNotRespondent
	}
	if r.Status != assessment.StatusOpen {
		return sh, assessment.ErrClosed
	}
	if sh.Response, err = s.answers.Response(ctx, reviewID, user); err != nil {
		return sh, err
	}
	if sh.Messages, err = s.deliveries.Messages(ctx, reviewID, user); err != nil {
		return sh, err
	}
	if sh.ClosesEarly, err = s.answers.CloseAt(ctx, reviewID); err != nil {
		return sh, err
	}
	return sh, nil
}

// RememberMessage keeps where a message of a respondent's DM is, so that
// later answers update it.
func (s *Service) RememberMessage(ctx context.Context, reviewID, user, name string, ref assessment.MessageRef) error {
	return s.deliveries.SetMessage(ctx, reviewID, user, name, ref)
}

// Submitted is the outcome of a submission.
type Submitted struct {
	Sheet
	// Everyone is true once every respondent has submitted: the review then
	// closes at Sheet.ClosesEarly, and answers can change until then.
	Everyone bool
}

// Submit marks a respondent's response as submitted. When everyone has
// submitted, the review closes after its grace period (or at its
// deadline, if that comes first): the deadline sweep closes it and posts
// the digest, so a stray last click cannot end the review at once.
func (s *Service) Submit(ctx context.Context, reviewID, user string) (Submitted, error) {
	sh, err := s.Open(ctx, reviewID, user)
	if err != nil {
		return Submitted{Sheet: sh}, err
	}
	all, err := s.answers.Submit(ctx, reviewID, user)
	if err != nil {
		return Submitted{Sheet: sh}, err
	}
	sh.Response.Submitted = true
	s.log.Info("response submitted", "review", reviewID, "who", s.Who(ctx, reviewID, user))
	out := Submitted{Sheet: sh}
	if all {
		// A failure here leaves the review closing at its deadline; the
		// person is told and may submit again, which sets it then.
		closes, err := s.closeAfterGrace(ctx, sh.Review)
		if err != nil {
			return out, err
		}
		out.Everyone, out.ClosesEarly = true, closes
	}
	return out, nil
}

// Snooze stops reminders to a respondent until their next working hours a
// day from now, and returns when that is.
func (s *Service) Snooze(ctx context.Context, reviewID, user string) (*assessment.Review, time.Time, error) {
	sh, err := s.Open(ctx, reviewID, user)
	if err != nil {
		return sh.Review, time.Time{}, err
	}
	// The zone the reminders were planned in, from the store: a snooze is
	// saved before its ack, with no Slack call.
	zones, _ := s.zones.TimeZones(ctx, []string{user})
	until := schedule.WorkingHours(s.now().Add(24*time.Hour), loadLocation(zones[user]))
	return sh.Review, until, s.deliveries.Snooze(ctx, reviewID, user, until)
}

// OptOut stops reminders to a respondent for one review.
func (s *Service) OptOut(ctx context.Context, reviewID, user string) (*assessment.Review, error) {
	sh, err := s.Open(ctx, reviewID, user)
	if err != nil {
		return sh.Review, err
	}
	return sh.Review, s.deliveries.OptOut(ctx, reviewID, user)
}
