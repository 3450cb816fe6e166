package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/app"
)

// chaosRounds scales the chaos tests: short in `make test`, long in
// `make chaos` (CHAOS_ROUNDS=…).
func chaosRounds(short int) int {
	if n, err := strconv.Atoi(os.Getenv("CHAOS_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return short
}

// Three replicas on one Redis run a two-hourly schedule while, at random
// runs, one of them is stopped and a fresh one takes its place: every run
// makes exactly one review, one intro DM and one digest.
func TestChaosReplicasRestarting(t *testing.T) {
	runs := chaosRounds(30)
	h := newHarness(t, "UAMY")
	h.tick = 40 * time.Millisecond
	h.main.Close()
	h.main = nil
	h.start()
	replicas := []*app.Main{h.open(), h.open()}
	defer func() {
		for _, m := range replicas {
			m.Close()
		}
	}()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	start := time.Date(2027, 3, 1, 0, 10, 0, 0, time.UTC)
	h.setNow(start)
	if text := h.command(admin, leads, `schedule add "0 */2 * * *" cs-checklist to <@UAMY|amy> digest <#CLEADS|x> window 1h tz UTC now remind none`); text != "" {
		t.Fatal(text)
	}
	h.told(admin, "Scheduled `s")
	restarts := 0
	for i := 1; i <= runs+1; i++ {
		if rng.IntN(3) == 0 {
			k := rng.IntN(len(replicas))
			replicas[k].Close()
			replicas[k] = h.open()
			restarts++
		}
		h.setNow(start.Add(time.Duration(2*i)*time.Hour - 10*time.Minute + time.Second))
		want := min(i, runs)
		h.wait(fmt.Sprintf("run %d", i), func() bool {
			return countIntros(h.slack, "UAMY") >= want && len(h.digests()) >= i-1
		})
		if n, d := countIntros(h.slack, "UAMY"), len(h.digests()); n > want || d > i-1 {
			t.Fatalf("run %d: %d intro DMs and %d digests, want %d and %d", i, n, d, want, i-1)
		}
		if i == runs {
			all, _ := h.main.Store.Schedules(context.Background())
			h.command(admin, leads, "schedule pause "+all[0].ID)
			h.told(admin, "Paused")
		}
	}
	time.Sleep(300 * time.Millisecond)
	ids, _ := h.main.Store.RecentReviews(context.Background(), 10000)
	t.Logf("%d runs, %d replica restarts: %d reviews, %d intro DMs, %d digests", runs, restarts, len(ids), countIntros(h.slack, "UAMY"), len(h.digests()))
	if len(ids) != runs || countIntros(h.slack, "UAMY") != runs || len(h.digests()) != runs {
		t.Fatalf("want %d of each", runs)
	}
}
