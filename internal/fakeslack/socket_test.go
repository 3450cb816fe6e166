package fakeslack

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// bot is a real slack-go Socket Mode client driven by a test handler.
type bot struct {
	client *socketmode.Client
	api    *slack.Client
}

// startBot runs a socketmode client against srv until the test ends; handle
// is called, in the event loop, for every event.
func startBot(t *testing.T, srv *Server, handle func(b *bot, evt socketmode.Event), opts ...socketmode.Option) *bot {
	t.Helper()
	api := newAPI(srv)
	b := &bot{api: api, client: socketmode.New(api, opts...)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = b.client.RunContext(ctx)
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-b.client.Events:
				if handle != nil {
					handle(b, evt)
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return b
}

// ackAll is a handler that acks every request without a payload.
func ackAll(b *bot, evt socketmode.Event) {
	if evt.Request != nil && evt.Request.EnvelopeID != "" {
		_ = b.client.Ack(*evt.Request)
	}
}

func TestSlashCommand(t *testing.T) {
	srv, _ := newWorkspace(t)
	ctx := testCtx(t)
	cmds := make(chan slack.SlashCommand, 1)
	hello := make(chan socketmode.Request, 1)
	startBot(t, srv, func(b *bot, evt socketmode.Event) {
		switch evt.Type {
		case socketmode.EventTypeHello:
			hello <- *evt.Request
		case socketmode.EventTypeSlashCommand:
			_ = b.client.Ack(*evt.Request, map[string]any{"text": "Working on it"})
			cmds <- evt.Data.(slack.SlashCommand)
		}
	})
	if err := srv.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if h := <-hello; h.NumConnections != 1 || h.ConnectionInfo.AppID != "A1" {
		t.Errorf("hello = %+v", h)
	}

	ack, err := srv.SlashCommand(ctx, "U1", "C1", "/assess", "start <@U2|bob>")
	if err != nil {
		t.Fatal(err)
	}
	var payload struct{ Text string }
	if err := json.Unmarshal(ack.Payload, &payload); err != nil || payload.Text != "Working on it" || ack.Latency <= 0 || ack.Attempts != 1 {
		t.Errorf("ack = %+v (%s)", ack, ack.Payload)
	}
	cmd := <-cmds
	if cmd.Command != "/assess" || cmd.Text != "start <@U2|bob>" || cmd.UserID != "U1" || cmd.UserName != "alice" ||
		cmd.ChannelID != "C1" || cmd.ChannelName != "general" || cmd.TeamID != srv.TeamID() || cmd.APIAppID != "A1" ||
		cmd.TriggerID == "" || !strings.HasPrefix(cmd.ResponseURL, srv.URL()+"/response/") || cmd.IsEnterpriseInstall {
		t.Errorf("slash command = %+v", cmd)
	}
	if eph := srv.Ephemerals("U1"); len(eph) != 1 || eph[0].Text != "Working on it" || eph[0].Channel != "C1" {
		t.Errorf("ack reply not shown: %+v", eph)
	}

	// The response_url takes follow-ups, ephemeral by default.
	api := newAPI(srv)
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("Done!", false)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("psst", false)); err != nil {
		t.Fatal(err)
	}
	if msgs := srv.ChannelMessages("C1"); len(msgs) != 1 || msgs[0].Text != "Done!" {
		t.Errorf("in_channel response: %+v", msgs)
	}
	if eph := srv.Ephemerals("U1"); len(eph) != 2 || eph[1].Text != "psst" {
		t.Errorf("ephemeral response: %+v", eph)
	}
	posts := srv.ResponsePosts()
	if len(posts) != 3 || posts[0].URL != "ack" || posts[1].ResponseType != "in_channel" || posts[2].Kind != "slash_commands" || posts[2].User != "U1" {
		t.Errorf("ResponsePosts = %+v", posts)
	}
	// A response_url is good for five posts.
	for range 3 {
		_, _, _ = api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("again", false))
	}
	_, _, err = api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("sixth", false))
	if err == nil {
		t.Error("sixth response_url post accepted")
	}
}

// surveyBlocks is a message with elements of several kinds; the buttons
// block deliberately has no block_id.
func surveyBlocks() []slack.Block {
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn("How was it?"), nil, nil),
		slack.NewActionBlock("",
			slack.NewButtonBlockElement("approve", "yes", plain("Approve")),
			slack.NewButtonBlockElement("reject", "no", plain("Reject"))),
		slack.NewActionBlock("q1", slack.NewRadioButtonsBlockElement("score",
			slack.NewOptionBlockObject("1", plain("Bad"), nil),
			slack.NewOptionBlockObject("2", plain("Good"), nil))),
		slack.NewActionBlock("q2",
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick"), "level",
				slack.NewOptionBlockObject("lo", plain("Low"), nil),
				slack.NewOptionBlockObject("hi", plain("High"), nil)),
			slack.NewCheckboxGroupsBlockElement("extras",
				slack.NewOptionBlockObject("a", plain("A"), nil),
				slack.NewOptionBlockObject("b", plain("B"), nil))),
		slack.NewActionBlock("votes1", slack.NewButtonBlockElement("vote", "v1", plain("Vote 1"))),
		slack.NewActionBlock("votes2", slack.NewButtonBlockElement("vote", "v2", plain("Vote 2"))),
	}
}

func TestClickBlockActions(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	type result struct {
		cb      slack.InteractionCallback
		viewErr error
	}
	results := make(chan result, 1)
	startBot(t, srv, func(b *bot, evt socketmode.Event) {
		if evt.Type != socketmode.EventTypeInteractive {
			return
		}
		_ = b.client.Ack(*evt.Request)
		cb := evt.Data.(slack.InteractionCallback)
		var viewErr error
		if len(cb.ActionCallback.BlockActions) == 1 && cb.ActionCallback.BlockActions[0].ActionID == "approve" {
			_, viewErr = b.api.OpenViewContext(ctx, cb.TriggerID, slack.ModalViewRequest{Type: slack.VTModal, Title: plain("Details")})
			_, _, _ = b.api.PostMessageContext(ctx, "", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("Approved", false))
		}
		results <- result{cb, viewErr}
	})
	if err := srv.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	ch, ts, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("survey", false), slack.MsgOptionBlocks(surveyBlocks()...))
	if err != nil {
		t.Fatal(err)
	}
	msg, ok := srv.LastDM("U1")
	if !ok || msg.TS != ts || msg.Channel != ch {
		t.Fatalf("LastDM = %+v", msg)
	}

	tests := []struct {
		name, actionID, value string
		check                 func(t *testing.T, a *slack.BlockAction, cb slack.InteractionCallback)
	}{
		{"radio", "score", "2", func(t *testing.T, a *slack.BlockAction, cb slack.InteractionCallback) {
			if a.Type != "radio_buttons" || a.BlockID != "q1" || a.SelectedOption.Value != "2" || a.SelectedOption.Text.Text != "Good" {
				t.Errorf("action = %+v", a)
			}
			if st := cb.BlockActionState; st == nil || st.Values["q1"]["score"].SelectedOption.Value != "2" {
				t.Errorf("state = %+v", st)
			}
		}},
		{"static select", "level", "hi", func(t *testing.T, a *slack.BlockAction, _ slack.InteractionCallback) {
			if a.Type != "static_select" || a.SelectedOption.Value != "hi" {
				t.Errorf("action = %+v", a)
			}
		}},
		{"checkboxes", "extras", "a,b", func(t *testing.T, a *slack.BlockAction, _ slack.InteractionCallback) {
			if a.Type != "checkboxes" || len(a.SelectedOptions) != 2 || a.SelectedOptions[1].Value != "b" {
				t.Errorf("action = %+v", a)
			}
		}},
		{"button by value among shared action_ids", "vote", "v2", func(t *testing.T, a *slack.BlockAction, _ slack.InteractionCallback) {
			if a.BlockID != "votes2" || a.Value != "v2" {
				t.Errorf("action = %+v", a)
			}
		}},
		{"button with its own value", "reject", "", func(t *testing.T, a *slack.BlockAction, _ slack.InteractionCallback) {
			if a.Type != "button" || a.Value != "no" || a.Text.Text != "Reject" || a.BlockID == "" {
				t.Errorf("action = %+v", a)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := srv.Click(ctx, "U1", msg, tc.actionID, tc.value); err != nil {
				t.Fatal(err)
			}
			r := <-results
			cb := r.cb
			if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) != 1 || len(cb.ActionCallback.AttachmentActions) != 0 {
				t.Fatalf("callback = %+v", cb)
			}
			a := cb.ActionCallback.BlockActions[0]
			if a.ActionID != tc.actionID || a.BlockID == "" || a.ActionTs == "" {
				t.Errorf("action = %+v", a)
			}
			if cb.User.ID != "U1" || cb.User.Name != "alice" || cb.Team.ID != srv.TeamID() || cb.APIAppID != "A1" ||
				cb.Container.Type != "message" || cb.Container.ChannelID != "D1" || cb.Container.MessageTs != ts ||
				cb.Channel.ID != "D1" || cb.Message.Timestamp != ts || len(cb.Message.Blocks.BlockSet) != 6 ||
				cb.TriggerID == "" || cb.ResponseURL == "" {
				t.Errorf("callback = %+v", cb)
			}
			tc.check(t, a, cb)
		})
	}

	// A button click: the trigger opens a modal, the response_url replaces
	// the message.
	if _, err := srv.Click(ctx, "U1", msg, "approve", ""); err != nil {
		t.Fatal(err)
	}
	r := <-results
	if r.viewErr != nil {
		t.Errorf("views.open with the click's trigger_id: %v", r.viewErr)
	}
	if a := r.cb.ActionCallback.BlockActions[0]; a.Value != "yes" || a.BlockID == "" {
		t.Errorf("button action = %+v", a)
	}
	if len(srv.Views("U1")) != 1 {
		t.Errorf("modal not open")
	}
	if err := srv.WaitFor(ctx, func() bool { m, _ := srv.Message(ch, ts); return m.Text == "Approved" }); err != nil {
		t.Fatal(err)
	}
	if m, _ := srv.Message(ch, ts); m.Blocks != nil || m.Updated != 1 {
		t.Errorf("replaced message = %+v", m)
	}

	if _, err := srv.Click(ctx, "U1", msg, "nope", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown action: %v", err)
	}
	if _, err := srv.Click(ctx, "U1", Message{Channel: "D1", TS: "1.1"}, "approve", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown message: %v", err)
	}
}

func TestSubmitView(t *testing.T) {
	srv, _ := newWorkspace(t)
	ctx := testCtx(t)
	subs := make(chan slack.InteractionCallback, 1)
	var mu sync.Mutex
	nextAck := any(nil)
	startBot(t, srv, func(b *bot, evt socketmode.Event) {
		switch evt.Type {
		case socketmode.EventTypeSlashCommand:
			cmd := evt.Data.(slack.SlashCommand)
			_ = b.client.Ack(*evt.Request)
			_, err := b.api.OpenViewContext(ctx, cmd.TriggerID, slack.ModalViewRequest{
				Type: slack.VTModal, Title: plain("Assess"), Submit: plain("Save"), CallbackID: "assess",
				PrivateMetadata: cmd.ChannelID,
				Blocks: slack.Blocks{BlockSet: []slack.Block{
					slack.NewInputBlock("name", plain("Name"), nil, slack.NewPlainTextInputBlockElement(nil, "text")),
					slack.NewInputBlock("level", plain("Level"), nil, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick"), "lvl",
						slack.NewOptionBlockObject("1", plain("One"), nil), slack.NewOptionBlockObject("2", plain("Two"), nil))),
					slack.NewInputBlock("who", plain("Who"), nil, slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("People"), "users")),
				}},
			})
			if err != nil {
				t.Errorf("views.open: %v", err)
			}
		case socketmode.EventTypeInteractive:
			mu.Lock()
			a := nextAck
			mu.Unlock()
			_ = b.client.Ack(*evt.Request, a)
			subs <- evt.Data.(slack.InteractionCallback)
		}
	})
	if _, err := srv.SlashCommand(ctx, "U1", "U1", "/assess", ""); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitFor(ctx, func() bool { return len(srv.Views("U1")) == 1 }); err != nil {
		t.Fatal(err)
	}
	v := srv.Views("U1")[0]
	if v.CallbackID != "assess" || v.PrivateMetadata != "D1" {
		t.Errorf("view = %+v", v)
	}

	mu.Lock()
	nextAck = slack.NewErrorsViewSubmissionResponse(map[string]string{"name": "too short"})
	mu.Unlock()
	if _, err := srv.SubmitView(ctx, "U1", v, map[string]map[string]any{
		"name":  {"text": "Al"},
		"level": {"lvl": "2"},
		"who":   {"users": []string{"U1", "U2"}},
	}); err != nil {
		t.Fatal(err)
	}
	cb := <-subs
	vals := cb.View.State.Values
	if cb.Type != slack.InteractionTypeViewSubmission || cb.View.ID != v.ID || cb.View.CallbackID != "assess" || cb.View.PrivateMetadata != "D1" ||
		vals["name"]["text"].Value != "Al" || vals["level"]["lvl"].SelectedOption.Value != "2" ||
		strings.Join(vals["who"]["users"].SelectedUsers, ",") != "U1,U2" || cb.User.ID != "U1" || cb.TriggerID == "" {
		t.Errorf("view_submission = %+v, values %+v", cb, vals)
	}
	if got := srv.Views("U1"); len(got) != 1 || got[0].Errors["name"] != "too short" {
		t.Fatalf("after errors ack: %+v", got)
	}

	// Resubmit with a full state object; earlier input is kept.
	mu.Lock()
	nextAck = nil
	mu.Unlock()
	if _, err := srv.SubmitView(ctx, "U1", v, map[string]map[string]any{
		"name": {"text": map[string]any{"type": "plain_text_input", "value": "Alice"}},
	}); err != nil {
		t.Fatal(err)
	}
	cb = <-subs
	if vals := cb.View.State.Values; vals["name"]["text"].Value != "Alice" || vals["level"]["lvl"].SelectedOption.Value != "2" {
		t.Errorf("resubmission values = %+v", vals)
	}
	if got := srv.Views("U1"); len(got) != 0 {
		t.Errorf("empty ack did not close the modal: %+v", got)
	}
	if _, err := srv.SubmitView(ctx, "U1", v, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("submitting a closed view: %v", err)
	}
}

func TestClickInHomeView(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	cbs := make(chan slack.InteractionCallback, 1)
	startBot(t, srv, func(b *bot, evt socketmode.Event) {
		if evt.Type == socketmode.EventTypeInteractive {
			_ = b.client.Ack(*evt.Request)
			cbs <- evt.Data.(slack.InteractionCallback)
		}
	})
	_, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U2", View: slack.HomeTabViewRequest{
		Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewActionBlock("", slack.NewButtonBlockElement("refresh", "r", plain("Refresh"))),
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	home, _ := srv.Home("U2")
	if _, err := srv.ClickInView(ctx, "U2", home, "refresh", ""); err != nil {
		t.Fatal(err)
	}
	cb := <-cbs
	if cb.Type != slack.InteractionTypeBlockActions || cb.Container.Type != "view" || cb.Container.ViewID != home.ID ||
		cb.View.ID != home.ID || cb.View.Type != slack.VTHomeTab || len(cb.ActionCallback.BlockActions) != 1 ||
		cb.ActionCallback.BlockActions[0].BlockID == "" || cb.ActionCallback.BlockActions[0].Value != "r" {
		t.Errorf("callback = %+v", cb)
	}
}

func TestEvents(t *testing.T) {
	srv, _ := newWorkspace(t)
	ctx := testCtx(t)
	events := make(chan slackevents.EventsAPIEvent, 1)
	startBot(t, srv, func(b *bot, evt socketmode.Event) {
		if evt.Type == socketmode.EventTypeEventsAPI {
			_ = b.client.Ack(*evt.Request)
			events <- evt.Data.(slackevents.EventsAPIEvent)
		}
	})
	m, _, err := srv.UserMessage(ctx, "U1", "U1", "hello bot")
	if err != nil {
		t.Fatal(err)
	}
	ev := <-events
	me, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || me.Text != "hello bot" || me.User != "U1" || me.Channel != "D1" || me.ChannelType != "im" || me.TimeStamp != m.TS {
		t.Errorf("message event = %#v", ev.InnerEvent.Data)
	}
	if dms := srv.DMs("U1"); len(dms) != 1 || dms[0].User != "U1" {
		t.Errorf("DMs = %+v", dms)
	}
	if _, ok := srv.LastDM("U1"); ok {
		t.Error("LastDM returned the user's own message")
	}
	if _, err := srv.AppHomeOpened(ctx, "U2"); err != nil {
		t.Fatal(err)
	}
	ev = <-events
	if ho, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); !ok || ho.User != "U2" || ho.Tab != "home" {
		t.Errorf("app_home_opened = %#v", ev.InnerEvent.Data)
	}
}

func TestReconnect(t *testing.T) {
	tests := []struct {
		name  string
		fault func(*Server)
	}{
		{"disconnect refresh_requested", func(s *Server) { s.Disconnect("refresh_requested") }},
		{"dropped sockets", func(s *Server) { s.DropSockets() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newWorkspace(t)
			ctx := testCtx(t)
			startBot(t, srv, ackAll)
			if err := srv.WaitConnected(ctx, 1); err != nil {
				t.Fatal(err)
			}
			tc.fault(srv)
			err := srv.WaitFor(ctx, func() bool {
				return len(srv.Calls("apps.connections.open")) >= 2 && srv.SocketsOpened() >= 2 && srv.Connections() == 1
			})
			if err != nil {
				t.Fatalf("no reconnect: %d opens, %d connections", len(srv.Calls("apps.connections.open")), srv.Connections())
			}
			// The new connection works.
			if _, err := srv.SlashCommand(ctx, "U1", "C1", "/assess", ""); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRedelivery(t *testing.T) {
	t.Run("acked on retry", func(t *testing.T) {
		srv, _ := newWorkspace(t, WithAckTimeout(150*time.Millisecond))
		ctx := testCtx(t)
		seen := make(chan socketmode.Request, 4)
		startBot(t, srv, func(b *bot, evt socketmode.Event) {
			if evt.Type != socketmode.EventTypeSlashCommand {
				return
			}
			seen <- *evt.Request
			if evt.Request.RetryAttempt > 0 {
				_ = b.client.Ack(*evt.Request)
			}
		})
		ack, err := srv.SlashCommand(ctx, "U1", "C1", "/assess", "")
		if err != nil {
			t.Fatal(err)
		}
		first, second := <-seen, <-seen
		if first.RetryAttempt != 0 || second.RetryAttempt != 1 || second.RetryReason != "timeout" || first.EnvelopeID != second.EnvelopeID {
			t.Errorf("deliveries seen by the bot: %+v, %+v", first, second)
		}
		if ack.Attempts != 2 || ack.Latency < 150*time.Millisecond {
			t.Errorf("ack = %+v", ack)
		}
		if r := srv.Redeliveries(); len(r) != 1 || r[0].RetryAttempt != 1 || r[0].EnvelopeID != ack.EnvelopeID {
			t.Errorf("Redeliveries = %+v", r)
		}
	})
	t.Run("never acked", func(t *testing.T) {
		srv, _ := newWorkspace(t, WithAckTimeout(50*time.Millisecond), WithMaxRetries(2))
		ctx := testCtx(t)
		startBot(t, srv, nil)
		_, err := srv.Send(ctx, "events_api", map[string]any{"type": "event_callback"})
		if !errors.Is(err, ErrNotAcked) {
			t.Fatalf("err = %v", err)
		}
		if d := srv.Deliveries(); len(d) != 3 || d[2].RetryAttempt != 2 {
			t.Errorf("Deliveries = %+v", d)
		}
	})
	t.Run("redelivery off", func(t *testing.T) {
		srv, _ := newWorkspace(t, WithAckTimeout(50*time.Millisecond))
		srv.SetRedeliver(false)
		ctx, cancel := context.WithTimeout(testCtx(t), 400*time.Millisecond)
		defer cancel()
		startBot(t, srv, nil)
		_, err := srv.SlashCommand(ctx, "U1", "C1", "/assess", "")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		if r := srv.Redeliveries(); len(r) != 0 {
			t.Errorf("Redeliveries = %+v", r)
		}
	})
	t.Run("explicit retry attempt", func(t *testing.T) {
		srv, _ := newWorkspace(t)
		ctx := testCtx(t)
		seen := make(chan socketmode.Request, 1)
		startBot(t, srv, func(b *bot, evt socketmode.Event) {
			if evt.Type == socketmode.EventTypeEventsAPI {
				_ = b.client.Ack(*evt.Request)
				seen <- *evt.Request
			}
		})
		if _, err := srv.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": "U1"}, WithRetryAttempt(2), WithEnvelopeID("env-1")); err != nil {
			t.Fatal(err)
		}
		if r := <-seen; r.RetryAttempt != 2 || r.RetryReason != "timeout" || r.EnvelopeID != "env-1" {
			t.Errorf("request = %+v", r)
		}
	})
}

func TestSendWaitsForConnection(t *testing.T) {
	srv, _ := newWorkspace(t)
	ctx := testCtx(t)
	type res struct {
		ack Ack
		err error
	}
	done := make(chan res, 1)
	go func() {
		a, err := srv.SlashCommand(ctx, "U1", "C1", "/assess", "")
		done <- res{a, err}
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("Send returned without a socket: %+v", r)
	default:
	}
	startBot(t, srv, ackAll)
	if r := <-done; r.err != nil || r.ack.EnvelopeID == "" {
		t.Fatalf("Send = %+v", r)
	}
}

func TestRoundRobinAndDuplicate(t *testing.T) {
	srv, _ := newWorkspace(t)
	ctx := testCtx(t)
	startBot(t, srv, ackAll)
	startBot(t, srv, ackAll)
	if err := srv.WaitConnected(ctx, 2); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if _, err := srv.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": "U1"}); err != nil {
			t.Fatal(err)
		}
	}
	per := map[int]int{}
	for _, d := range srv.Deliveries() {
		per[d.Conn]++
	}
	if len(per) != 2 {
		t.Errorf("deliveries per socket = %v", per)
	}
	for c, n := range per {
		if n != 2 {
			t.Errorf("socket %d got %d envelopes, want 2", c, n)
		}
	}

	ack, err := srv.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": "U1"}, Duplicate())
	if err != nil {
		t.Fatal(err)
	}
	var dup []Delivery
	for _, d := range srv.Deliveries() {
		if d.EnvelopeID == ack.EnvelopeID {
			dup = append(dup, d)
		}
	}
	if len(dup) != 2 || dup[0].Conn == dup[1].Conn {
		t.Errorf("duplicate deliveries = %+v", dup)
	}
	err = srv.WaitFor(ctx, func() bool {
		n := 0
		for _, a := range srv.Acks() {
			if a.EnvelopeID == ack.EnvelopeID {
				n++
			}
		}
		return n == 2
	})
	if err != nil {
		t.Errorf("both copies not acked: %v", err)
	}
}

func TestTooManyWebsockets(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	var conns []*websocket.Conn
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for i := range 10 {
		_, url, err := api.StartSocketModeContext(ctx)
		if err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		c, resp, err := websocket.DefaultDialer.DialContext(ctx, url, map[string][]string{"Origin": {"https://api.slack.com"}})
		if err != nil {
			t.Fatalf("dial %d: %v", i+1, err)
		}
		_ = resp.Body.Close()
		conns = append(conns, c)
		var hello struct {
			Type           string `json:"type"`
			NumConnections int    `json:"num_connections"`
			ConnectionInfo struct {
				AppID string `json:"app_id"`
			} `json:"connection_info"`
		}
		if err := c.ReadJSON(&hello); err != nil || hello.Type != "hello" || hello.NumConnections != i+1 || hello.ConnectionInfo.AppID != "A1" {
			t.Fatalf("hello %d = %+v, %v", i+1, hello, err)
		}
	}
	if err := srv.WaitConnected(ctx, 10); err != nil {
		t.Fatal(err)
	}
	_, _, err := api.StartSocketModeContext(ctx)
	if got := slackErr(t, err); got != "too_many_websockets" {
		t.Errorf("11th connection: %q", got)
	}
}

func TestPings(t *testing.T) {
	srv, _ := newWorkspace(t, WithPingInterval(50*time.Millisecond))
	ctx := testCtx(t)
	startBot(t, srv, ackAll, socketmode.OptionPingInterval(300*time.Millisecond))
	if err := srv.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	time.Sleep(800 * time.Millisecond)
	if n := len(srv.Calls("apps.connections.open")); n != 1 {
		t.Fatalf("client reconnected although pinged: %d opens", n)
	}
	srv.SetPings(false)
	if err := srv.WaitFor(ctx, func() bool { return len(srv.Calls("apps.connections.open")) >= 2 }); err != nil {
		t.Fatal("client did not notice the missing pings")
	}
	srv.SetPings(true)
	if _, err := srv.SlashCommand(ctx, "U1", "C1", "/assess", ""); err != nil {
		t.Fatal(err)
	}
}

func TestCloseEndsSend(t *testing.T) {
	srv := New()
	startBot(t, srv, nil) // never acks
	errc := make(chan error, 1)
	go func() {
		_, err := srv.Send(context.Background(), "events_api", map[string]any{})
		errc <- err
	}()
	if err := srv.WaitFor(testCtx(t), func() bool { return len(srv.Deliveries()) == 1 }); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close: %v", err)
	}
	if _, err := srv.Send(context.Background(), "events_api", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Send on closed server: %v", err)
	}
}

// rawSocket opens a Socket Mode connection without slack-go and reads hello.
func rawSocket(t *testing.T, ctx context.Context, srv *Server) *websocket.Conn {
	t.Helper()
	_, url, err := newAPI(srv).StartSocketModeContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, resp, err := websocket.DefaultDialer.DialContext(ctx, url, map[string][]string{"Origin": {"https://api.slack.com"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	var hello map[string]any
	if err := c.ReadJSON(&hello); err != nil || hello["type"] != "hello" {
		t.Fatalf("hello = %v, %v", hello, err)
	}
	return c
}

func TestDisconnectClosesLingeringSocket(t *testing.T) {
	srv, _ := newWorkspace(t, WithDisconnectGrace(50*time.Millisecond))
	ctx := testCtx(t)
	c := rawSocket(t, ctx, srv)
	defer c.Close()
	if err := srv.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	srv.Disconnect("refresh_requested")
	var msg map[string]any
	if err := c.ReadJSON(&msg); err != nil || msg["type"] != "disconnect" || msg["reason"] != "refresh_requested" {
		t.Fatalf("disconnect message = %v, %v", msg, err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := c.ReadMessage(); err == nil {
		t.Fatal("socket still open after the grace period")
	}
	if err := srv.WaitFor(ctx, func() bool { return srv.Connections() == 0 }); err != nil {
		t.Fatal(err)
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := New(WithPingInterval(10 * time.Millisecond))
	ctx := testCtx(t)
	c := rawSocket(t, ctx, srv)
	defer c.Close()
	c2 := rawSocket(t, ctx, srv)
	defer c2.Close()
	srv.Disconnect("refresh_requested")
	if _, _, err := newAPI(srv).PostMessageContext(ctx, srv.BotUserID(), slack.MsgOptionText("x", false)); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
