// Package present owns the words a person reads. It starts with the
// digest's lines and figures and its terminal text (digesttext.go), and
// the chart's words (chart.go).
//
// It is pure: no network, no Slack client, no Redis; every message has a
// golden test.
package present
