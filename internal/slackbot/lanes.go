package slackbot

import (
	"sync"
)

// lane runs jobs on a fixed number of workers, one job at a time per person
// (so a person's clicks keep their order) and round-robin across people (so
// a person with a thousand clicks waiting delays someone else by one job at
// most per worker). Each person holds at most limit jobs; push refuses more
// instead of blocking, so the Socket Mode loop never waits.
type lane struct {
	limit int

	mu      sync.Mutex
	cond    *sync.Cond
	people  map[string]*personQueue
	ready   []*personQueue // people with jobs waiting and no worker on them
	closing bool           // drain what is queued, then stop
	stopped bool           // take nothing more
	wg      sync.WaitGroup
}

type personQueue struct {
	key     string
	jobs    []*job
	running *job
	inReady bool
}

func newLane(limit int) *lane {
	l := &lane{limit: limit, people: map[string]*personQueue{}}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// push queues j for person key. A job with a coalesce key replaces a job
// of the same person with the same coalesce key that has not started yet
// (returned as replaced). It returns false, queuing nothing, when the
// person already has limit jobs waiting or the lane is closing.
func (l *lane) push(key string, j *job) (ok bool, replaced *job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closing || l.stopped {
		return false, nil
	}
	pq := l.people[key]
	if pq == nil {
		pq = &personQueue{key: key}
		l.people[key] = pq
	}
	if j.coalesce != "" {
		for i, old := range pq.jobs {
			if old.coalesce == j.coalesce {
				replaced = old
				pq.jobs = append(pq.jobs[:i], pq.jobs[i+1:]...)
				break
			}
		}
	}
	if len(pq.jobs) >= l.limit {
		return false, replaced
	}
	pq.jobs = append(pq.jobs, j)
	if !pq.inReady && pq.running == nil {
		pq.inReady = true
		l.ready = append(l.ready, pq)
		l.cond.Signal()
	}
	return true, replaced
}

// accepting reports whether push may still take jobs.
func (l *lane) accepting() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.closing && !l.stopped
}

// last returns a channel closed when the newest job of person key queued
// so far is done, or nil when the person has nothing queued or running.
func (l *lane) last(key string) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	pq := l.people[key]
	switch {
	case pq == nil:
		return nil
	case len(pq.jobs) > 0:
		return pq.jobs[len(pq.jobs)-1].done
	case pq.running != nil:
		return pq.running.done
	}
	return nil
}

// start runs n workers that call handle for each job.
func (l *lane) start(n int, handle func(*job)) {
	for range n {
		l.wg.Add(1)
		go l.worker(handle)
	}
}

func (l *lane) worker(handle func(*job)) {
	defer l.wg.Done()
	for {
		l.mu.Lock()
		for len(l.ready) == 0 && !l.closing && !l.stopped {
			l.cond.Wait()
		}
		if l.stopped || len(l.ready) == 0 {
			l.mu.Unlock()
			return
		}
		pq := l.ready[0]
		l.ready = l.ready[1:]
		pq.inReady = false
		if len(pq.jobs) == 0 {
			delete(l.people, pq.key)
			l.mu.Unlock()
			continue
		}
		j := pq.jobs[0]
		pq.jobs = pq.jobs[1:]
		pq.running = j
		l.mu.Unlock()

		handle(j)
		close(j.done)

		l.mu.Lock()
		pq.running = nil
		switch {
		case len(pq.jobs) > 0 && !l.stopped:
			pq.inReady = true
			l.ready = append(l.ready, pq)
			l.cond.Signal()
		case len(pq.jobs) == 0:
			delete(l.people, pq.key)
		}
		l.mu.Unlock()
	}
}

// close lets the workers finish every queued job, then stop; push refuses
// new jobs from now on.
func (l *lane) close() {
	l.mu.Lock()
	l.closing = true
	l.cond.Broadcast()
	l.mu.Unlock()
}

// abandon stops the workers after their current job and returns the jobs
// that never started.
func (l *lane) abandon() []*job {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
	var left []*job
	for _, pq := range l.people {
		left = append(left, pq.jobs...)
		pq.jobs = nil
	}
	l.ready = nil
	l.cond.Broadcast()
	return left
}

// wait returns a channel closed when every worker has stopped.
func (l *lane) wait() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		l.wg.Wait()
		close(done)
	}()
	return done
}
