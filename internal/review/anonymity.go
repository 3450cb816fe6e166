package review

import (
	"context"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// The anonymity rules (RELIABILITY.md, "Anonymity and access"), in one
// place so that no adapter can bypass them:
//   - a threshold floor (assessment.MinThreshold) an admin may raise, never
//     lower; the creator does not count towards it (Review.Thresholds);
//   - a detail threshold (assessment.MinDetailThreshold) for anything finer
//     than a section's mean: the disclosure model (disclosure.go) decides
//     every figure a digest holds;
//   - no figures while a review is open, and no person next to their
//     progress (Results, Status);
//   - no two reviews of one framework whose audiences differ by 1 to
//     threshold-1 people within DifferencingWindow (checkOverlap, at the
//     start: an early warning);
//   - no figures for a review whose answerers differ by 1 to detail-1
//     people from those of a review of the framework published within
//     DifferencingWindow (verdict, at publish time, on a record forget
//     leaves alone: differencing.go);
//   - a trend only when both reviews meet their thresholds (previous);
//   - exports only after close, rows from the detail threshold, in a fresh
//     random order, open answers apart (Export).

// DifferencingWindow is how long after a review closes another review of
// the same framework may not ask nearly the same people: comparing the two
// would give away the answers of the few who differ.
const DifferencingWindow = 30 * 24 * time.Hour

// overlapScan is how many of the most recent reviews a start compares
// with besides its framework's own listing, which holds every review
// created since the listing exists.
const overlapScan = 500

// checkOverlap refuses an audience that differs by 1 to threshold-1 people
// (added or left out) from another review of the same framework that is
// open or closed within DifferencingWindow. The same audience again, or one
// that differs by at least the threshold, is fine.
func (s *Service) checkOverlap(ctx context.Context, frameworkID string, people []string, threshold int) error {
	since := s.now().Add(-DifferencingWindow)
	oldest := since.AddDate(0, -6, 0) // no review created before is still open or recently closed
	ids, err := s.reviews.FrameworkReviews(ctx, frameworkID, oldest)
	if err != nil {
		return err
	}
	// Reviews listed before the framework listing existed.
	recent, err := s.reviews.RecentReviews(ctx, overlapScan)
	if err != nil {
		return err
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		seen[id] = true
	}
	for _, id := range recent {
		if !seen[id] {
			ids = append(ids, id)
		}
	}
	mine := make(map[string]bool, len(people))
	for _, u := range people {
		mine[u] = true
	}
	for _, id := range ids {
		r, _, err := s.reviews.ReviewStatic(ctx, id)
		if err != nil || r.FrameworkID != frameworkID || r.CreatedAt.Before(oldest) {
			continue
		}
		cur, _, err := s.reviews.Review(ctx, id)
		if err != nil {
			continue
		}
		if cur.Status != assessment.StatusOpen {
			_, at, err := s.reviews.ClosedInfo(ctx, id)
			if err != nil || at.Before(since) {
				continue
			}
		}
		th := max(threshold, cur.Threshold, assessment.MinThreshold)
		if d := difference(mine, cur.Respondents); d >= 1 && d < th {
			return assessment.NewError(assessment.EINVALID, assessment.AudienceOverlap{Other: cur.ID, Differ: d, Threshold: th, WindowDays: int(DifferencingWindow.Hours() / 24)})
		}
	}
	return nil
}

// difference counts the people in exactly one of the two audiences.
func difference(a map[string]bool, b []string) int {
	n, both := 0, 0
	for _, u := range b {
		if a[u] {
			both++
		} else {
			n++
		}
	}
	return n + len(a) - both
}
