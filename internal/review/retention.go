package review

import (
	"context"
	"sync"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/scoring"
)

// DefaultRetention is how long a closed review's answers are kept: a year
// and a month, so that the same quarter next year can still be compared.
const DefaultRetention = 400 * 24 * time.Hour

// retentionEvery is how often the retention sweep looks for reviews past
// their retention.
const retentionEvery = time.Hour

// afterDigest keeps a posted review's figures and cuts every tie between
// its respondents and their answers: from now on nothing needs to know
// who answered what.
func (s *Service) afterDigest(ctx context.Context, r *assessment.Review, res scoring.Result) {
	if err := s.privacy.SetResult(ctx, r.ID, res); err != nil {
		s.log.Warn("digest figures not kept", "review", r.ID, "err", err)
	}
	if err := s.privacy.Delink(ctx, r); err != nil {
		// The next sweep tries again (pendingDelinks).
		s.log.Warn("answers not yet unlinked from their respondents; will retry", "review", r.ID, "err", err)
	}
}

// files is the state of compactFiles in this process.
type files struct {
	mu      sync.Mutex
	busy    bool          // a compaction is under way
	retryAt time.Time     // after a failure, not before
	backoff time.Duration // the wait after the last failure
}

// compactFiles has the store rewrite Redis's append-only files once
// reviews were de-linked since the last rewrite (Store.CompactFiles), in
// the background, one at a time per process: until then those files
// still hold who answered what. The sweep calls it every tick; it costs
// one read when nothing is due. A failure is logged and tried again after
// a minute, then less and less often, at most hourly.
func (s *Service) compactFiles(ctx context.Context) {
	f := &s.files
	f.mu.Lock()
	if f.busy || time.Now().Before(f.retryAt) {
		f.mu.Unlock()
		return
	}
	f.busy = true
	f.mu.Unlock()
	s.background(ctx, func(ctx context.Context) {
		rewrote, err := s.privacy.CompactFiles(ctx)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.busy = false
		switch {
		case err != nil && ctx.Err() == nil:
			f.backoff = min(max(2*f.backoff, time.Minute), time.Hour)
			f.retryAt = time.Now().Add(f.backoff)
			s.log.Warn("Redis's append-only files still hold answers that were unlinked from their respondents; will retry",
				"retry_in", f.backoff, "err", err)
		case err == nil:
			f.backoff, f.retryAt = 0, time.Time{}
			if rewrote {
				s.log.Info("Redis's append-only files rewritten: they no longer hold who answered the reviews unlinked so far")
			}
		}
	})
}

// Retain deletes the answers of reviews closed longer ago than the
// retention period (their digest figures stay) and unlinks the answers of
// posted reviews a crash left linked. At most once an hour per process.
func (s *Service) Retain(ctx context.Context) {
	s.retainMu.Lock()
	due := time.Since(s.retained) >= retentionEvery
	if due {
		s.retained = time.Now()
	}
	s.retainMu.Unlock()
	if !due {
		return
	}
	s.withLease(ctx, "retention", func() { s.retain(ctx) })
}

func (s *Service) retain(ctx context.Context) {
	ids, err := s.reviews.RecentReviews(ctx, 1<<30)
	if err != nil {
		return
	}
	cutoff := s.now().Add(-s.retention)
	for _, id := range ids {
		r, _, err := s.reviews.Review(ctx, id)
		if err != nil || r.Status != assessment.StatusClosed {
			continue
		}
		if st, err := s.digests.DigestState(ctx, id); err != nil || st.Kind != assessment.Sent {
			continue // its digest is still to come
		}
		if err := s.privacy.Delink(ctx, r); err != nil {
			s.log.Warn("cannot unlink answers", "review", id, "err", err)
		}
		_, closedAt, err := s.reviews.ClosedInfo(ctx, id)
		if err != nil || closedAt.IsZero() || closedAt.After(cutoff) {
			continue
		}
		if gone, err := s.privacy.Expired(ctx, id); err != nil || gone {
			continue
		}
		n, err := s.privacy.Expire(ctx, r)
		if err != nil {
			s.log.Warn("retention: answers not deleted", "review", id, "err", err)
			continue
		}
		s.log.Info("retention: answers deleted, figures kept", "review", id, "closed", closedAt, "sheets", n)
	}
}

// Forgotten says what Forget removed.
type Forgotten struct {
	// Reviews the person was taken out of: their place in the audience and,
	// while a review is open, their answers so far.
	Reviews []string
	// Jobs is how many queued DMs and reminders to them were dropped.
	Jobs int
}

// Forget removes a person from every review, queue and index, at an
// admin's (asker's) request. Closed reviews hold only answers nothing ties
// to anyone, which stay in the figures.
func (s *Service) Forget(ctx context.Context, asker, user string) (Forgotten, error) {
	if err := s.requireAdmin(ctx, asker, "forget"); err != nil {
		return Forgotten{}, err
	}
	reviews, jobs, err := s.privacy.Forget(ctx, user)
	if err != nil {
		return Forgotten{}, err
	}
	s.log.Info("person forgotten", "reviews", len(reviews), "jobs", jobs)
	return Forgotten{Reviews: reviews, Jobs: jobs}, nil
}
