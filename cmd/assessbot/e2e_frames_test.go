package main

import (
	"strings"
	"testing"
	"time"
)

// TestBadFramesKeepTheConnection: a Socket Mode frame that is not JSON, or
// nested past any sane depth, or of a type nobody knows, is dropped with a
// log line and the connection stays; the bot then still handles a command.
func TestBadFramesKeepTheConnection(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN", "UCAT")
	if err := h.slack.WaitConnected(h.ctx, 1); err != nil {
		t.Fatal(err)
	}
	opened := h.slack.SocketsOpened()
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	frames := [][]byte{
		[]byte("}not json{"),
		[]byte(deep),
		[]byte(`{"type":"events_api","envelope_id":"E1","payload":"not an object"}`),
		[]byte(`{"type":"no_such_type","envelope_id":"E2"}`),
		[]byte(""),
	}
	// Each kind many times in a row: slack-go gives up on a socket after
	// ten unreadable frames in a row.
	for _, f := range frames {
		for round := 0; round < 30; round++ {
			h.slack.SendFrame(f)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if got := h.slack.SocketsOpened() - opened; got != 0 {
		t.Errorf("the bot opened %d new sockets after %d bad frames; want 0 (drop the frame, keep the connection)", got, 30*len(frames))
	}
	out := h.command(admin, leads, "help")
	if !strings.Contains(out, "/review") {
		t.Errorf("after the bad frames /review help answered %q", out)
	}
}
