package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/store"
)

// BenchmarkSaveAnswer measures the answer path's Redis work: one Lua round
// trip per click (check open + respondent, write, read back the sheet),
// from parallel clients as in a busy review.
func BenchmarkSaveAnswer(b *testing.B) {
	rdb, prefix := redistest.New(b)
	s := store.New(rdb, prefix)
	ctx := context.Background()
	users := make([]string, 1000)
	for i := range users {
		users[i] = fmt.Sprintf("U%04d", i)
	}
	now := time.Now()
	r := &assessment.Review{ID: "rbench", FrameworkID: "cs-excellence", Respondents: users, DigestChannel: "C1",
		CreatedAt: now, Deadline: now.Add(time.Hour), Threshold: 3, Status: assessment.StatusOpen}
	if _, err := s.CreateReview(ctx, r, excellence(b)); err != nil {
		b.Fatal(err)
	}
	f := excellence(b)
	qs := f.Questions()
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			u := users[i%int64(len(users))]
			q := qs[i%int64(len(qs))].Question.ID
			if _, _, err := s.SaveAnswer(ctx, r.ID, u, q, assessment.Answer{Option: "yes"}, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
}
