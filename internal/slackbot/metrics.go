package slackbot

import "github.com/prometheus/client_golang/prometheus"

// metrics are the bot's Prometheus series; no label ever carries a user id
// or an answer.
type metrics struct {
	envelopes  *prometheus.CounterVec
	duplicates prometheus.Counter
	answers    *prometheus.CounterVec
	slackCalls *prometheus.CounterVec
	digests    prometheus.Counter
	dms        *prometheus.CounterVec
	handle     *prometheus.HistogramVec
	busy       *prometheus.CounterVec
	coalesced  prometheus.Counter
	abandoned  prometheus.Counter
	replayed   prometheus.Counter
	foreign    *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		envelopes:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "assessbot_envelopes_total", Help: "Socket Mode envelopes received, by type."}, []string{"type"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{Name: "assessbot_envelopes_duplicate_total", Help: "Envelopes dropped as duplicates or retries already processed."}),
		answers:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "assessbot_answers_total", Help: "Answer clicks, by outcome."}, []string{"outcome"}),
		slackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "assessbot_slack_calls_total", Help: "Slack Web API calls, by method and outcome."}, []string{"method", "outcome"}),
		digests:    prometheus.NewCounter(prometheus.CounterOpts{Name: "assessbot_digests_posted_total", Help: "Digests posted."}),
		dms:        prometheus.NewCounterVec(prometheus.CounterOpts{Name: "assessbot_intro_dms_total", Help: "Intro DMs, by outcome."}, []string{"outcome"}),
		handle: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "assessbot_handle_seconds", Help: "Time to handle an envelope after its ack.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"type"}),
		busy:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "assessbot_envelopes_refused_busy_total", Help: "Envelopes refused because the person's queue was full, by lane (answers, work)."}, []string{"lane"}),
		coalesced: prometheus.NewCounter(prometheus.CounterOpts{Name: "assessbot_envelopes_coalesced_total", Help: "Navigation and App Home envelopes superseded by a newer one of the same person before they ran."}),
		abandoned: prometheus.NewCounter(prometheus.CounterOpts{Name: "assessbot_envelopes_abandoned_total", Help: "Queued envelopes not handled within the drain at shutdown."}),
		replayed:  prometheus.NewCounter(prometheus.CounterOpts{Name: "assessbot_envelopes_replayed_total", Help: "Acked commands and forms taken from the inbox after the process that acked them died or stopped."}),
		foreign: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "assessbot_envelopes_foreign_total",
			Help: "Envelopes from another workspace or organisation (Slack Connect, org-wide installs), acked and dropped, by type."}, []string{"type"}),
	}
	if reg != nil {
		reg.MustRegister(m.envelopes, m.duplicates, m.answers, m.slackCalls, m.digests, m.dms, m.handle, m.busy, m.coalesced, m.abandoned, m.replayed, m.foreign)
	}
	return m
}
