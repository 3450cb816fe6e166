package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/fakeslack"
)

// killRounds is how many kill -9s TestKillWithBacklog makes (KILL_ROUNDS).
func killRounds() int {
	if n, err := strconv.Atoi(os.Getenv("KILL_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 2
}

// newFloodCrash is a crash harness whose bot knows the flood framework
// (150 questions over two sections) and where UAMY has every question's
// message and the second section's Next in her DMs.
func newFloodCrash(t *testing.T) (h *crashHarness, review string, msgs map[string]fakeslack.Message, next fakeslack.Message) {
	t.Helper()
	const questions = 150
	t.Setenv("FRAMEWORKS_DIR", floodFramework(t, questions))
	h = newCrashHarness(t, "UAMY")
	h.start()
	if _, err := h.slack.SlashCommand(h.ctx, admin, leads, "/review", "start flood to <@UAMY|amy> digest <#CLEADS|x> due 3d now anyway"); err != nil {
		t.Fatal(err)
	}
	newest := func(s string) (fakeslack.Message, bool) {
		dms := h.slack.DMs("UAMY")
		for i := len(dms) - 1; i >= 0; i-- {
			if strings.Contains(string(dms[i].Blocks), s) {
				return dms[i], true
			}
		}
		return fakeslack.Message{}, false
	}
	waitMsg := func(s string) fakeslack.Message {
		var m fakeslack.Message
		h.wait("a DM with "+s, func() bool { var ok bool; m, ok = newest(s); return ok })
		return m
	}
	if _, err := h.slack.Click(h.ctx, "UAMY", waitMsg(`"start"`), "start", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.slack.Click(h.ctx, "UAMY", waitMsg(`"next"`), "next", ""); err != nil {
		t.Fatal(err)
	}
	msgs = map[string]fakeslack.Message{}
	h.wait("every question's message", func() bool {
		for i := 0; i < questions; i++ {
			q := fmt.Sprintf("q%d", i)
			if m, ok := newest(`"answer|` + q + `|yes"`); ok {
				msgs[q] = m
			}
		}
		return len(msgs) == questions
	})
	next = msgs[fmt.Sprintf("q%d", questions-1)]
	r, _ := h.latestReview()
	return h, r.ID, msgs, next
}

// answerOf reads one stored answer straight from Redis.
func (h *crashHarness) answerOf(review, user, question string) string {
	resp, err := h.st.Response(context.Background(), review, user)
	if err != nil {
		return ""
	}
	return resp.Answers[question].Option
}

// kill -9 while one person has a backlog (answers, and Next and Comment
// clicks that each wait for a Slack slowed to 1 s a call): every answer
// acked before the kill is in Redis; those not acked are redelivered to
// the next process and stored.
func TestKillWithBacklog(t *testing.T) {
	h, review, msgs, next := newFloodCrash(t)
	const perRound = 40
	acked, lost, unacked, storedLater := 0, 0, 0, 0
	for round := 0; round < killRounds(); round++ {
		h.slack.SetLatency(time.Second, "*")
		type click struct {
			question, option, action string
			err                      error
			ackedAt                  time.Time
			storedAtAck              bool
		}
		var clicks []click
		for k := 0; k < perRound; k++ {
			n := round*perRound + k
			opt := "yes"
			if (n/len(msgs))%2 == 1 {
				opt = "no"
			}
			q := fmt.Sprintf("q%d", n%len(msgs))
			clicks = append(clicks, click{question: q, option: opt})
			if k%2 == 0 {
				clicks = append(clicks, click{action: "next"})
			} else {
				clicks = append(clicks, click{action: "comment", question: q})
			}
		}
		var mu sync.Mutex
		answersAcked, sent := 0, 0
		killNow := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					mu.Lock()
					if sent == len(clicks) {
						mu.Unlock()
						return
					}
					c := &clicks[sent]
					sent++
					mu.Unlock()
					switch c.action {
					case "next":
						_, c.err = h.slack.Click(h.ctx, "UAMY", next, "next", "")
					case "comment":
						_, c.err = h.slack.Click(h.ctx, "UAMY", msgs[c.question], "comment|"+c.question, "")
					default:
						_, c.err = h.slack.Click(h.ctx, "UAMY", msgs[c.question], "answer|"+c.question+"|"+c.option, "")
						if c.err == nil {
							c.ackedAt = time.Now()
							c.storedAtAck = h.answerOf(review, "UAMY", c.question) == c.option
							mu.Lock()
							answersAcked++
							if answersAcked >= perRound/3 {
								once.Do(func() { close(killNow) })
							}
							mu.Unlock()
						}
					}
				}
			}()
		}
		select {
		case <-killNow:
		case <-time.After(4 * time.Second):
		}
		killedAt := time.Now()
		h.kill()
		// Every answer acked before the kill is in Redis now.
		mu.Lock()
		for _, c := range clicks {
			if c.action == "" && !c.ackedAt.IsZero() && c.ackedAt.Before(killedAt) {
				acked++
				if !c.storedAtAck || h.answerOf(review, "UAMY", c.question) != c.option {
					lost++
					t.Errorf("round %d: %s=%s was acked before the kill -9 but is not in Redis", round, c.question, c.option)
				}
			}
		}
		mu.Unlock()
		h.slack.SetLatency(0, "*")
		h.start()
		wg.Wait()
		for _, c := range clicks {
			if c.action != "" {
				continue
			}
			if c.ackedAt.IsZero() || !c.ackedAt.Before(killedAt) {
				unacked++
				if c.err == nil && h.answerOf(review, "UAMY", c.question) == c.option {
					storedLater++
				}
			}
		}
	}
	t.Logf("%d kill -9s with a backlog: %d answers acked before a kill, %d of them lost; %d not acked at the kill, %d of those stored after the restart (Slack's redelivery)",
		killRounds(), acked, lost, unacked, storedLater)
	if acked == 0 {
		t.Fatal("no answer was acked before a kill: the test proves nothing")
	}
}

// SIGTERM with envelopes queued behind a slow Slack: the bot handles
// every envelope it acked before it exits, and answers it did not ack are
// redelivered to the next process.
func TestStopDrainsQueuedEnvelopes(t *testing.T) {
	h, review, msgs, _ := newFloodCrash(t)
	h.slack.SetLatency(700*time.Millisecond, "chat.postEphemeral")
	const commands = 8
	for i := 0; i < commands; i++ {
		// acked at once, answered later with an ephemeral (0.7 s each, in order)
		if _, err := h.slack.SlashCommand(h.ctx, admin, leads, "/review", "frameworks"); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ackedBeforeStop := map[string]bool{}
	stopping := time.Time{}
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(q string) {
			defer wg.Done()
			if _, err := h.slack.Click(h.ctx, "UAMY", msgs[q], "answer|"+q+"|yes", ""); err == nil {
				mu.Lock()
				if stopping.IsZero() {
					ackedBeforeStop[q] = true
				}
				mu.Unlock()
			}
		}(fmt.Sprintf("q%d", i))
	}
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	stopping = time.Now()
	mu.Unlock()
	if err := h.p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = h.p.cmd.Wait()
	stoppedIn := time.Since(stopping)
	h.p = nil
	told := 0
	for _, m := range h.slack.Ephemerals(admin) {
		if strings.Contains(m.Text, "cs-exec-maturity") {
			told++
		}
	}
	t.Logf("SIGTERM with %d acked commands queued (0.7 s each): %d answered before the exit, which took %v", commands, told, stoppedIn)
	if told != commands {
		t.Errorf("%d of %d acked /review frameworks were answered before the bot exited: the others were acked and dropped", told, commands)
	}
	mu.Lock()
	for q := range ackedBeforeStop {
		if h.answerOf(review, "UAMY", q) != "yes" {
			t.Errorf("answer %s was acked but is not in Redis after the stop", q)
		}
	}
	mu.Unlock()
	h.slack.SetLatency(0, "chat.postEphemeral")
	h.start()
	wg.Wait()
	for i := 0; i < 10; i++ {
		if q := fmt.Sprintf("q%d", i); h.answerOf(review, "UAMY", q) != "yes" {
			t.Errorf("answer %s clicked before the stop was never stored", q)
		}
	}
}

// kill -9 right after Slack has Submit's ack, while the person's earlier
// clicks (Comment, each opening a modal through a Slack slowed to 1 s a
// call) are still being handled: the acked submission is in Redis. Before
// Submit went on the answers lane it was acked at once and queued behind
// those clicks, and the kill lost it.
func TestSubmitAckedIsStored(t *testing.T) {
	h, review, msgs, next := newFloodCrash(t)
	if _, err := h.slack.Click(h.ctx, "UAMY", next, "next", ""); err != nil {
		t.Fatal(err)
	}
	var last fakeslack.Message
	h.wait("the last section, with Submit", func() bool {
		for _, m := range h.slack.DMs("UAMY") {
			if strings.Contains(string(m.Blocks), `"action_id":"submit"`) {
				last = m
				return true
			}
		}
		return false
	})
	h.slack.SetLatency(time.Second, "*")
	for i := range 3 {
		q := fmt.Sprintf("q%d", i)
		if _, err := h.slack.Click(h.ctx, "UAMY", msgs[q], "comment|"+q, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.slack.Click(h.ctx, "UAMY", msgs["q0"], "answer|q0|no", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.slack.Click(h.ctx, "UAMY", last, "submit", ""); err != nil {
		t.Fatal(err)
	}
	h.kill()
	resp, err := h.st.Response(context.Background(), review, "UAMY")
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Submitted || resp.Answers["q0"].Option != "no" {
		t.Fatalf("after the kill: submitted %v, q0=%q; Submit and the answer before it were acked", resp.Submitted, resp.Answers["q0"].Option)
	}
}

// kill -9 with acked commands queued behind a slow Slack: the next process
// takes every one of them from the inbox and handles it, and the start
// and the schedule among them create one review and one schedule, even if
// the killed process had begun them. Before the inbox the kill lost them.
func TestKillWithCommandsQueued(t *testing.T) {
	h, _, _, _ := newFloodCrash(t)
	h.slack.SetLatency(700*time.Millisecond, "chat.postEphemeral")
	const listings = 6
	texts := []string{}
	for range listings {
		texts = append(texts, "frameworks")
	}
	texts = append(texts, "start cs-checklist to <@UAMY|amy> digest <#CLEADS|x> due 3d anyway",
		`schedule add "0 9 1 */3 *" cs-checklist to <@UAMY|amy> digest <#CLEADS|x> tz UTC`,
		"") // opens the start form: too late for its trigger after the kill
	for _, text := range texts {
		if _, err := h.slack.SlashCommand(h.ctx, admin, leads, "/review", text); err != nil {
			t.Fatal(err)
		}
	}
	h.kill()
	told := func(s string) int {
		n := 0
		for _, m := range h.slack.Ephemerals(admin) {
			if strings.Contains(m.Text, s) {
				n++
			}
		}
		return n
	}
	before := told("cs-exec-maturity")
	h.slack.SetLatency(0, "chat.postEphemeral")
	h.start()
	h.wait("every acked command answered", func() bool {
		return told("cs-exec-maturity") >= listings && told("Started review `") >= 1 && told("Scheduled `") >= 1 &&
			(told("I could not open the form (Slack said: expired_trigger_id)") >= 1 || len(h.slack.Views(admin)) > 0)
	})
	ctx := context.Background()
	ids, err := h.st.RecentReviews(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	checklists := 0
	for _, id := range ids {
		if r, _, err := h.st.Review(ctx, id); err == nil && r.FrameworkID == "cs-checklist" {
			checklists++
		}
	}
	scheds, err := h.st.Schedules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kill -9 with %d acked commands queued: %d answered before the kill, the rest by the next process; %d review, %d schedule; the form: %d told it could not open, %d opened",
		len(texts), before, checklists, len(scheds), told("I could not open the form"), len(h.slack.Views(admin)))
	if checklists != 1 || len(scheds) != 1 {
		t.Fatalf("%d cs-checklist reviews and %d schedules, want one of each", checklists, len(scheds))
	}
	// Those answered by the next process say why they come late.
	if late := told("Answering late: I restarted"); late < len(texts)-1-before {
		t.Errorf("%d replies say they come late, want at least %d (those the next process answered)", late, len(texts)-1-before)
	}
}
