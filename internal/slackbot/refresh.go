package slackbot

import (
	"context"
	"sync"
	"time"
)

// refresher runs message updates off the workers, one at a time per
// message, keeping only the latest update waiting: a slow Slack never delays
// the next click's save and ack, and a burst of clicks on one message sends
// one update with all of them.
type refresher struct {
	mu      sync.Mutex
	pending map[string]func()
	running map[string]bool
	wg      *sync.WaitGroup
}

func newRefresher(wg *sync.WaitGroup) *refresher {
	return &refresher{pending: map[string]func(){}, running: map[string]bool{}, wg: wg}
}

// submit queues fn as the next update of the message key, replacing an
// update that has not started yet.
func (r *refresher) submit(key string, fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending[key] = fn
	if r.running[key] {
		return
	}
	r.running[key] = true
	r.wg.Add(1)
	go r.loop(key)
}

func (r *refresher) loop(key string) {
	defer r.wg.Done()
	for {
		r.mu.Lock()
		fn := r.pending[key]
		delete(r.pending, key)
		if fn == nil {
			delete(r.running, key)
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		fn()
	}
}

// offLane is what the handlers have done off the lanes
// (handlers.Deferred): ephemerals by the notices, message updates by the
// refresher, each with a minute of its own.
type offLane struct{ b *Bot }

func (o offLane) Tell(channel, user, text string) { o.b.notices.tell(channel, user, text) }

func (o offLane) AfterClick(ctx context.Context, key string, fn func(ctx context.Context)) {
	ctx = context.WithoutCancel(ctx)
	o.b.refresh.submit(key, func() {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		fn(ctx)
	})
}

func (o offLane) CountAnswer(outcome string) { o.b.m.answers.WithLabelValues(outcome).Inc() }
