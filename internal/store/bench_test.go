package store_test

import (
	"context"
	"fmt"
	"slices"
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
	benchSaveAnswer(b, store.New(rdb, prefix))
}

// BenchmarkSaveAnswerModes is BenchmarkSaveAnswer on each deployment, with
// and without WAIT 1 (where there are replicas), plus the latency of one
// click at a time (p50/p99, µs): what waiting for a replica costs.
func BenchmarkSaveAnswerModes(b *testing.B) {
	for _, mode := range modes {
		for _, wait := range []int{0, 1} {
			if wait == 1 && mode == store.ModeSingle {
				continue
			}
			b.Run(fmt.Sprintf("%s/wait=%d", mode, wait), func(b *testing.B) {
				rdb, prefix := clientOn(b, mode)
				s := store.New(rdb, prefix, store.WithWait(wait, 500*time.Millisecond))
				benchSaveAnswer(b, s)
			})
		}
	}
}

func benchSaveAnswer(b *testing.B, s *store.Redis) {
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
	b.StopTimer()
	// One click at a time: the latency a person's click adds to the ack.
	lat := make([]time.Duration, 0, 400)
	for i := range 400 {
		t0 := time.Now()
		if _, _, err := s.SaveAnswer(ctx, r.ID, users[i%len(users)], qs[i%len(qs)].Question.ID, assessment.Answer{Option: "no"}, false); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkInboxAdd measures what the inbox adds before a slash command's
// or a form's ack: one script (check, keep the payload, take the lease),
// one click at a time, with a payload the size of a slash command's.
func BenchmarkInboxAdd(b *testing.B) {
	rdb, prefix := redistest.New(b)
	s := store.New(rdb, prefix)
	ctx := context.Background()
	payload := []byte(`{"team_id":"T0FAKE","channel_id":"C0LEADS","user_id":"UADMIN","command":"/review","text":"start cs-excellence to <@U1|a> <@U2|b> <!subteam^S1|@cs> digest <#C0LEADS|x> due 2026-12-24","response_url":"https://hooks.slack.com/commands/T0FAKE/1234567890/abcdefghijklmnopqrstuvwx","trigger_id":"1234567890.1234567890.abcdef"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if claimed, _, err := s.InboxAdd(ctx, fmt.Sprintf("E%09d", i), "slash_commands", payload, time.Minute); err != nil || !claimed {
			b.Fatal(claimed, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/command")
}
