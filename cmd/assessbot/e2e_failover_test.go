package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/fakeslack"
	"github.com/assessbot/assessbot/internal/redistest"
)

// botFailoverRounds is how many times TestFailoverThroughTheBot kills the
// master of the review's slot: once in the default suite, FAILOVER_ROUNDS
// times when set, 5 in make chaos (CHAOS_ROUNDS set).
func botFailoverRounds() int {
	if n, err := strconv.Atoi(os.Getenv("FAILOVER_ROUNDS")); err == nil && n > 0 {
		return n
	}
	if long() {
		return 5
	}
	return 1
}

// botFailoverRespondents is 10 in the default suite, 30 in the long one.
func botFailoverRespondents() int {
	if long() || os.Getenv("FAILOVER_ROUNDS") != "" {
		return 30
	}
	return 10
}

// TestFailoverThroughTheBot is the store's failover-under-load test through
// the whole bot: app.Main on a private Sentinel group or 3+3 cluster (the
// default REDIS_WAIT_REPLICAS, auto), respondents clicking answers through
// fakeslack's Socket Mode from one goroutine each, and the master holding
// the review's slot killed with SIGKILL midway. Every click the person was
// shown as saved (acked, and the message re-rendered with the answer) is in
// Redis afterwards; refused clicks said "could not be saved"; the bot
// carries on without a restart (every respondent saves again, /readyz is
// 200 again).
func TestFailoverThroughTheBot(t *testing.T) {
	t.Run("Sentinel", func(t *testing.T) {
		s := redistest.StartSentinel(t)
		failoverThroughTheBot(t, s.URL(), func(string) (string, func() string, func()) {
			master := s.Master()
			s.Kill(master)
			return master, s.WaitFailover, func() { s.Restart(master) }
		})
	})
	t.Run("Cluster", func(t *testing.T) {
		c := redistest.StartCluster(t)
		failoverThroughTheBot(t, c.URL(), func(reviewID string) (string, func() string, func()) {
			// A fresh client reads the slot map as it is now: after a
			// round the slot has moved to the promoted replica.
			rdb := redis.NewClusterClient(c.Options())
			defer rdb.Close()
			node, err := rdb.MasterForKey(context.Background(), "{r:"+reviewID+"}")
			if err != nil {
				t.Fatalf("the master of review %s's slot: %v", reviewID, err)
			}
			master := node.Options().Addr
			if !slices.Contains(c.Masters(), master) {
				t.Fatalf("%s holds review %s's slot but is not a live master (masters: %v)", master, reviewID, c.Masters())
			}
			c.Kill(master)
			return master, func() string { return c.WaitFailover(master) }, func() { c.Restart(master) }
		})
	})
}

// fclick is one answer click and what the person saw of it.
type fclick struct {
	question, option string
	at               time.Time // when the envelope was sent
	round            int
	saved            bool // acked, and the message shows the answer
	refused          bool // told it could not be saved
}

// failoverThroughTheBot runs the review and the rounds. kill kills the
// master holding reviewID's keys and returns its address, a function that
// waits for the failover and returns the new master, and one that restarts
// the dead server.
func failoverThroughTheBot(t *testing.T, redisURL string, kill func(reviewID string) (victim string, waitFailover func() string, restart func())) {
	n := botFailoverRespondents()
	users := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprintf("UFO%02d", i)
	}
	h := newHarnessOn(t, redisURL, users...)
	h.slowAcks = "the master is killed on purpose: a click's save may use its whole budget while the group fails over, then the person is told"
	if logs := h.logs.String(); !strings.Contains(logs, "wait_replicas=1") {
		t.Fatalf("the bot does not wait for a replica (REDIS_WAIT_REPLICAS auto):\n%s", logs)
	}
	var mentions []string
	for _, u := range users {
		mentions = append(mentions, "<@"+u+"|"+strings.ToLower(u)+">")
	}
	if text := h.command(admin, leads, "start cs-exec-maturity to "+strings.Join(mentions, " ")+" digest <#"+leads+"|cs-leadership> due 3d now"); text != "" {
		t.Fatalf("start refused: %s", text)
	}
	h.wait("the start confirmation", func() bool { return h.ephemeralWith(admin, "Started review") })
	ids, err := h.main.Store.RecentReviews(context.Background(), 1)
	if err != nil || len(ids) == 0 {
		t.Fatalf("no review stored: %v", err)
	}
	reviewID := ids[0]

	// Every respondent opens the review's one section.
	pages := map[string]fakeslack.Message{}
	for _, u := range users {
		h.click(u, h.waitDM(u, `"start"`), "start")
		pages[u] = h.waitDM(u, `"answer|`)
	}
	questions, options := answerButtons(t, pages[users[0]].Blocks)

	var (
		mu     sync.Mutex
		clicks = map[string][]fclick{} // per respondent, in click order
	)
	for round := 1; round <= botFailoverRounds(); round++ {
		// Each respondent clicks until it has saved a click sent after the
		// failover; abort ends the clicking at once (a failure).
		var promotedAt atomic.Int64 // unix nanos, 0 until the failover
		abort := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, len(users))
		for ui, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				page := pages[u]
				var again *fclick // a refused click, clicked again until saved
				for i := ui; ; i++ {
					select {
					case <-abort:
						return
					default:
					}
					var q, opt string
					if again != nil {
						// The person read "could not be saved" and clicks
						// the same answer again.
						time.Sleep(50 * time.Millisecond)
						q, opt = again.question, again.option
					} else {
						q = questions[i%len(questions)]
						cur, _ := h.slack.Message(page.Channel, page.TS)
						shown := selectedAnswer(cur.Blocks, q)
						opt = options[q][0] // another answer than the one shown
						for k, o := range options[q] {
							if o == shown {
								opt = options[q][(k+1)%len(options[q])]
							}
						}
					}
					c, err := clickAndSee(h, u, page, q, opt, round)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					clicks[u] = append(clicks[u], c)
					mu.Unlock()
					again = nil
					if c.refused {
						again = &c
					}
					// Saved after the failover: this respondent is done, and
					// the questions it did not click again since the kill
					// still hold what was saved before it.
					if p := promotedAt.Load(); c.saved && p != 0 && c.at.UnixNano() > p {
						return
					}
				}
			}()
		}
		clicked := make(chan struct{})
		go func() { wg.Wait(); close(clicked) }()
		fail := func(format string, args ...any) {
			t.Helper()
			close(abort)
			<-clicked
			t.Fatalf(format, args...)
		}

		// /readyz is watched throughout the round.
		var readyMu sync.Mutex
		var notReadyFirst, notReadyLast time.Time
		readyDone := make(chan struct{})
		go func() {
			defer close(readyDone)
			for {
				select {
				case <-clicked:
					return
				case <-time.After(200 * time.Millisecond):
				}
				if h.readyz() != http.StatusOK {
					now := time.Now()
					readyMu.Lock()
					if notReadyFirst.IsZero() {
						notReadyFirst = now
					}
					notReadyLast = now
					readyMu.Unlock()
				}
			}
		}()

		// Clicks go through for at least 1.5 s before the kill, and until
		// every respondent has saved an answer to every question.
		warm := time.Now()
		for {
			mu.Lock()
			answered := 0
			for _, u := range users {
				seen := map[string]bool{}
				for _, c := range clicks[u] {
					if c.saved {
						seen[c.question] = true
					}
				}
				answered += len(seen)
			}
			mu.Unlock()
			if answered == len(users)*len(questions) && time.Since(warm) >= 1500*time.Millisecond {
				break
			}
			select {
			case err := <-errs:
				fail("round %d: %v", round, err)
			case <-time.After(50 * time.Millisecond):
			}
			if time.Since(warm) > 60*time.Second {
				fail("round %d: after 60s of clicking, %d of %d answers saved", round, answered, len(users)*len(questions))
			}
		}
		killedAt := time.Now()
		victim, waitFailover, restart := kill(reviewID)
		promoted := waitFailover()
		promotedAt.Store(time.Now().UnixNano())
		// A supervisor restarts the dead server a little later; it comes
		// back as a replica of the new master, and with one replica per
		// master that is when WAIT 1 succeeds again.
		time.Sleep(time.Second)
		restart()
		t.Logf("round %d: killed %s; %s promoted %v after the kill; the dead server restarted 1s later",
			round, victim, promoted, time.Duration(promotedAt.Load()-killedAt.UnixNano()).Round(time.Millisecond))

		// Clicking goes on until every respondent has saved a click sent
		// after the failover, with the same bot process.
		select {
		case <-clicked:
		case err := <-errs:
			fail("round %d: %v", round, err)
		case <-time.After(45 * time.Second):
			fail("round %d: 45s after the failover some respondents still cannot save an answer", round)
		}
		recovered := time.Now()
		<-readyDone
		select {
		case err := <-errs:
			t.Fatalf("round %d: %v", round, err)
		default:
		}

		// The same process is ready again.
		h.wait("/readyz 200 after the failover", func() bool { return h.readyz() == http.StatusOK })

		var saved, refused, atRisk int
		var firstRefused, lastRefused time.Time
		for _, u := range users {
			for _, c := range clicks[u] {
				if c.round != round {
					continue
				}
				if c.saved {
					saved++
					if c.at.After(killedAt.Add(-time.Second)) && c.at.Before(killedAt) {
						atRisk++
					}
				}
				if c.refused {
					refused++
					if firstRefused.IsZero() || c.at.Before(firstRefused) {
						firstRefused = c.at
					}
					if c.at.After(lastRefused) {
						lastRefused = c.at
					}
				}
			}
		}
		since := func(at time.Time) string {
			if at.IsZero() {
				return "-"
			}
			return at.Sub(killedAt).Round(100 * time.Millisecond).String()
		}
		readyMu.Lock()
		t.Logf("round %d (%d respondents): %d clicks, every one acked: %d saved (%d of them in the second before the kill), %d refused (\"could not be saved\"); refusals from %s to %s after the kill; /readyz not 200 from %s to %s; every respondent saved again %s after the kill",
			round, len(users), saved+refused, saved, atRisk, refused, since(firstRefused), since(lastRefused),
			since(notReadyFirst), since(notReadyLast), since(recovered))
		readyMu.Unlock()

		// Every saved click is in Redis: per respondent and question, the
		// answer of the last click, a saved one (a refused click is
		// clicked again until it is saved).
		stored := h.responses()
		var lost, checked, beforeKill int
		for _, u := range users {
			last := map[string]fclick{}
			for _, c := range clicks[u] {
				last[c.question] = c
			}
			for q, c := range last {
				if !c.saved {
					t.Errorf("round %d: %s %s: the last click was not saved", round, u, q)
					continue
				}
				checked++
				if c.round == round && c.at.Before(killedAt) {
					beforeKill++
				}
				if got := stored[u][q].Option; got != c.option {
					lost++
					t.Errorf("round %d: %s %s: Redis holds %q, the last saved click (at %s, round %d) was %q",
						round, u, q, got, c.at.Format("15:04:05.000"), c.round, c.option)
				}
			}
		}
		t.Logf("round %d: %d respondent×question answers checked against the last saved click (%d of them saved before the kill and not clicked since): %d lost",
			round, checked, beforeKill, lost)
	}
}

// clickAndSee clicks option on question q of page as user, waits for the
// ack and then for what the person sees: the message re-rendered with the
// answer (saved) or an ephemeral saying it was not saved (refused). Any
// other outcome is an error.
func clickAndSee(h *harness, user string, page fakeslack.Message, q, opt string, round int) (fclick, error) {
	c := fclick{question: q, option: opt, round: round, at: time.Now()}
	before := len(h.slack.Ephemerals(user))
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	if _, err := h.slack.Click(ctx, user, page, "answer|"+q+"|"+opt, ""); err != nil {
		return c, fmt.Errorf("%s clicks %s|%s: not acked: %v", user, q, opt, err)
	}
	for {
		if eph := h.slack.Ephemerals(user); len(eph) > before {
			text := eph[before].Text + string(eph[before].Blocks)
			if !strings.Contains(text, "could not be saved") {
				return c, fmt.Errorf("%s clicks %s|%s: told %q, want saved or \"could not be saved\"", user, q, opt, text)
			}
			c.refused = true
			return c, nil
		}
		if m, ok := h.slack.Message(page.Channel, page.TS); ok && selectedAnswer(m.Blocks, q) == opt {
			c.saved = true
			return c, nil
		}
		select {
		case <-ctx.Done():
			return c, fmt.Errorf("%s clicks %s|%s: acked, but neither saved nor refused within 30s", user, q, opt)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// answerButtons returns the questions of a section message, in order, and
// each question's options, from its answer|<question>|<option> buttons.
func answerButtons(t *testing.T, blocks json.RawMessage) ([]string, map[string][]string) {
	t.Helper()
	var questions []string
	options := map[string][]string{}
	for _, b := range answerElements(blocks) {
		parts := strings.Split(b.ActionID, "|")
		if len(parts) != 3 {
			continue
		}
		if _, seen := options[parts[1]]; !seen {
			questions = append(questions, parts[1])
		}
		options[parts[1]] = append(options[parts[1]], parts[2])
	}
	if len(questions) == 0 {
		t.Fatalf("no answer buttons in the section:\n%s", blocks)
	}
	return questions, options
}

// selectedAnswer returns the option of q whose button is highlighted (the
// stored answer the message shows), or "".
func selectedAnswer(blocks json.RawMessage, q string) string {
	for _, b := range answerElements(blocks) {
		if b.Style == "primary" && strings.HasPrefix(b.ActionID, "answer|"+q+"|") {
			return strings.TrimPrefix(b.ActionID, "answer|"+q+"|")
		}
	}
	return ""
}

type answerElement struct {
	ActionID string `json:"action_id"`
	Style    string `json:"style"`
}

func answerElements(blocks json.RawMessage) []answerElement {
	var bs []struct {
		Type     string          `json:"type"`
		Elements []answerElement `json:"elements"`
	}
	_ = json.Unmarshal(blocks, &bs)
	var out []answerElement
	for _, b := range bs {
		if b.Type != "actions" {
			continue
		}
		for _, e := range b.Elements {
			if strings.HasPrefix(e.ActionID, "answer|") {
				out = append(out, e)
			}
		}
	}
	return out
}
