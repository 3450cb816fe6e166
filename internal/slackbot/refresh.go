package slackbot

import "sync"

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
