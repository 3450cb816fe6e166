package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/store"
)

// Forgets that run at once, each in a process of its own (a store of its
// own), all take effect: none of the forgotten stays in a review's stored
// audience (its respondents or the audience as typed), and the others stay.
func TestConcurrentForgetsAllTakeEffect(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) { concurrentForgets(t, mode) })
	}
}

func concurrentForgets(t *testing.T, mode store.Mode) {
	rdb, prefix := clientOn(t, mode)
	s := store.New(rdb, prefix)
	ctx := context.Background()
	{
		const rounds, people, forgotten = 6, 10, 5
		for round := range rounds {
			var users, mentions []string
			for i := range people {
				u := fmt.Sprintf("UF%d%02d", round, i)
				users = append(users, u)
				mentions = append(mentions, "<@"+u+"|"+strings.ToLower(u)+">")
			}
			now := time.Now()
			r := &assessment.Review{ID: fmt.Sprintf("rforget%d%s", round, now.Format("150405")), FrameworkID: "cs-excellence",
				Respondents: users, Audience: strings.Join(mentions, " "), DigestChannel: "C1", CreatedBy: "UADMIN",
				CreatedAt: now, Deadline: now.Add(time.Hour), Threshold: 3, Status: assessment.StatusOpen}
			if _, err := s.CreateReview(ctx, r, excellence(t)); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			for _, u := range users[:forgotten] {
				wg.Add(1)
				go func() {
					defer wg.Done()
					other := store.New(rdb, prefix) // another process
					<-start
					if _, _, err := other.Forget(ctx, u); err != nil {
						t.Errorf("forget %s: %v", u, err)
					}
				}()
			}
			close(start)
			wg.Wait()
			got, _, err := store.New(rdb, prefix).Review(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := users[forgotten:]; !slices.Equal(got.Respondents, want) {
				t.Errorf("round %d: respondents after %d forgets at once = %v, want %v", round, forgotten, got.Respondents, want)
			}
			for _, u := range users[:forgotten] {
				if strings.Contains(got.Audience, u) {
					t.Errorf("round %d: the audience still names %s: %s", round, u, got.Audience)
				}
			}
		}
	}
}
