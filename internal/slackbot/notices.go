package slackbot

import (
	"context"
	"sync"
	"time"
)

// notices posts ephemerals off the lanes: a refusal on the answers lane
// must not wait for Slack. The same words to the same person are queued
// once while they wait; "slow down" goes at most once per busyEvery.
type notices struct {
	post func(ctx context.Context, channel, user, text string)

	mu       sync.Mutex
	pending  map[string]bool
	lastBusy map[string]time.Time
	closed   bool
	q        chan notice
	wg       sync.WaitGroup
}

type notice struct{ channel, user, text string }

const busyEvery = 5 * time.Second

func newNotices(post func(ctx context.Context, channel, user, text string)) *notices {
	return &notices{post: post, pending: map[string]bool{}, lastBusy: map[string]time.Time{}, q: make(chan notice, 1024)}
}

func (n *notices) start(ctx context.Context, workers int) {
	for range workers {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			for x := range n.q {
				n.mu.Lock()
				delete(n.pending, x.user+"\x00"+x.text)
				n.mu.Unlock()
				n.post(ctx, x.channel, x.user, x.text)
			}
		}()
	}
}

// tell queues text for user (in channel, or their DM).
func (n *notices) tell(channel, user, text string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	key := user + "\x00" + text
	if n.closed || n.pending[key] {
		return
	}
	select {
	case n.q <- notice{channel: channel, user: user, text: text}:
		n.pending[key] = true
	default: // a thousand notices waiting: Slack is down or slower than people
	}
}

// tellSometimes is tell at most once per busyEvery per person.
func (n *notices) tellSometimes(channel, user, text string) {
	n.mu.Lock()
	last, now := n.lastBusy[user], time.Now()
	if now.Sub(last) < busyEvery {
		n.mu.Unlock()
		return
	}
	n.lastBusy[user] = now
	for u, t := range n.lastBusy {
		if now.Sub(t) > busyEvery {
			delete(n.lastBusy, u)
		}
	}
	n.mu.Unlock()
	n.tell(channel, user, text)
}

// close posts what is queued and stops; the context given to start bounds
// it.
func (n *notices) close() {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		close(n.q)
	}
	n.mu.Unlock()
	n.wg.Wait()
}
