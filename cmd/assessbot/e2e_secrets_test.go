package main

import (
	"strings"
	"testing"

	"github.com/assessbot/assessbot/internal/fakeslack"
)

// A response_url post that fails (the connection drops: the error quotes
// the URL) is retried and logged without the URL, which could rewrite the
// respondent's message for 30 minutes. (Every harness test checks its logs
// for secrets when it ends; this one makes the failure happen.)
func TestResponseURLNeverLogged(t *testing.T) {
	h := newHarness(t, "UAMY")
	h.startReview("3d", "UAMY")
	h.click("UAMY", h.waitDM("UAMY", `"start"`), "start")
	msg := h.waitDM("UAMY", `"answer|`)
	h.slack.FailNext("response_url", 2, fakeslack.Fault{CloseConn: true})
	h.click("UAMY", msg, firstAnswerAction(msg))
	h.wait("the retried response_url post", func() bool {
		n := 0
		for _, c := range h.slack.Calls("response_url") {
			if c.Status == 200 {
				n++
			}
		}
		return n > 0 && strings.Contains(h.logs.String(), `method=response_url`)
	})
	checkNoSecrets(t, "bot logs", h.logs.String(), h.secrets())
	if !strings.Contains(h.logs.String(), "[response_url]") {
		t.Errorf("the failed post left no (redacted) trace in the logs")
	}
}
