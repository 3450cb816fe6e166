package main

import (
	"os"
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/redistest"
)

// The binary's shared Redis Cluster and Sentinel group are started on
// first use and stopped when the tests end.
func TestMain(m *testing.M) { redistest.Main(m) }

// long reports whether this is `make chaos` (CHAOS_ROUNDS set).
func long() bool { return os.Getenv("CHAOS_ROUNDS") != "" }

// clusterFrameworks is one framework in the default suite, every shipped
// one in make chaos.
func clusterFrameworks() []string {
	if long() {
		return shippedIDs
	}
	return []string{"cs-exec-maturity"}
}

// A whole review through app.Main on a 3+3 Redis Cluster: the review's
// keys, the queues and the schedules live in different slots, and the bot
// waits for a replica after every answer.
func TestClusterReviewEndToEnd(t *testing.T) {
	url := redistest.SharedCluster(t).URL()
	for _, id := range clusterFrameworks() {
		t.Run(id, func(t *testing.T) {
			wholeReview(t, url, id)
		})
	}
}

// The same through Sentinel.
func TestSentinelReviewEndToEnd(t *testing.T) {
	url := redistest.SharedSentinel(t).URL()
	for _, id := range clusterFrameworks() {
		t.Run(id, func(t *testing.T) {
			wholeReview(t, url, id)
		})
	}
}

// The bot reads the deployment at start: cluster mode, and a replica per
// master, so answers wait for one.
func TestClusterStartupLog(t *testing.T) {
	h := newHarnessOn(t, redistest.SharedCluster(t).URL(), "UAMY")
	if logs := h.logs.String(); !strings.Contains(logs, `msg="redis connected" mode=cluster wait_replicas=1`) {
		t.Fatalf("start-up did not say cluster mode with one replica:\n%s", logs)
	}
}

// Two replicas of the bot on the cluster, a two-hourly schedule: exactly
// one review, one intro DM and one digest per run (10 runs; 100 in make
// chaos).
func TestClusterReplicasExactlyOnce(t *testing.T) {
	runs := 10
	if long() {
		runs = 100
	}
	replicasExactlyOnce(t, redistest.SharedCluster(t).URL(), runs)
}
