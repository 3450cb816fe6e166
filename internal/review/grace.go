package review

import (
	"context"
	"fmt"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// closeAfterGrace records that everyone has submitted: the review closes
// at the end of its grace period, or at its deadline if that comes first.
// An earlier close time already recorded stays (a repeated submission
// never postpones the close). It returns the close time in force.
func (s *Service) closeAfterGrace(ctx context.Context, r *assessment.Review) (time.Time, error) {
	closes, err := s.answers.SetCloseAt(ctx, r.ID, r.ClosesOnceAllSubmitted(s.now()))
	if err != nil {
		return time.Time{}, fmt.Errorf("close after grace: %w", err)
	}
	s.log.Info("everyone submitted; the review closes after its grace period", "review", r.ID, "closes", closes)
	return closes, nil
}
