package fakeslack

import (
	"net/http"
	"time"
)

// SetLatency makes every later call to each of methods (Web API method
// names, "response_url", or "*" for all of them) take d before it is
// answered (and before any fault of FailNext applies), until SetLatency sets
// it again; d = 0 removes it. A slow Slack, for as long as a test wants.
func (s *Server) SetLatency(d time.Duration, methods ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range methods {
		if d <= 0 {
			delete(s.latency, m)
		} else {
			s.latency[m] = d
		}
	}
}

func (s *Server) waitLatency(r *http.Request, method string) {
	s.mu.Lock()
	d, ok := s.latency[method]
	if !ok {
		d = s.latency["*"]
	}
	s.mu.Unlock()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.done:
	}
}

// Secrets returns every secret the server handed to the bot: its tokens
// and the secret part of every response_url issued. None of them may appear
// in a log line or a message.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{s.cfg.botToken, s.cfg.appToken}
	for id := range s.responseURLs {
		out = append(out, id)
	}
	return out
}
