package slackbot

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/assessbot/assessbot/internal/slackbot/codec"
	"github.com/assessbot/assessbot/internal/slackbot/handlers"
)

// An inbox entry is read back the way slack-go reads the envelope, without
// the verification token, which is never stored.
func TestInboxPayloadRoundTrip(t *testing.T) {
	raw := []byte(`{"token":"verif-secret","team_id":"T1","channel_id":"C1","user_id":"U1","command":"/review","text":"status rabcd2345","response_url":"https://hooks.example/x","trigger_id":"t1"}`)
	stored := withoutToken(raw)
	if strings.Contains(string(stored), "verif-secret") {
		t.Fatalf("the token is stored: %s", stored)
	}
	j, ok := jobFromInbox(InboxEntry{ID: "E1", Kind: string(socketmode.EventTypeSlashCommand), Payload: stored})
	if !ok {
		t.Fatal("a stored slash command does not read back")
	}
	sc := j.data.(slack.SlashCommand)
	parsed, err := handlers.ParseCommand(sc.Text)
	if j.user != "U1" || sc.ChannelID != "C1" || sc.ResponseURL != "https://hooks.example/x" || err != nil || parsed.Verb != "status" || parsed.ReviewID != "rabcd2345" || !j.inboxed {
		t.Fatalf("read back: %+v %+v %+v", j, sc, parsed)
	}
	form := []byte(`{"type":"view_submission","token":"verif-secret","user":{"id":"U2"},"view":{"callback_id":"` + codec.CbStart + `"}}`)
	j, ok = jobFromInbox(InboxEntry{ID: "E2", Kind: string(socketmode.EventTypeInteractive), Payload: withoutToken(form)})
	if !ok || j.user != "U2" || j.data.(slack.InteractionCallback).View.CallbackID != codec.CbStart {
		t.Fatalf("a stored form: %v %+v", ok, j)
	}
	for _, bad := range []InboxEntry{
		{ID: "E3", Kind: string(socketmode.EventTypeSlashCommand), Payload: []byte(`not json`)},
		{ID: "E4", Kind: "events_api", Payload: []byte(`{}`)},
		{ID: "E5", Kind: string(socketmode.EventTypeInteractive), Payload: []byte(`{"type":"block_actions","user":{"id":"U2"}}`)},
	} {
		if _, ok := jobFromInbox(bad); ok {
			t.Errorf("%s (%s) read back as a job", bad.ID, bad.Kind)
		}
	}
}
