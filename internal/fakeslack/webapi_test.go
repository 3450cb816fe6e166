package fakeslack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// newWorkspace starts a server with a few users, a channel and a user group,
// and a slack-go client pointed at it.
func newWorkspace(t *testing.T, opts ...Option) (*Server, *slack.Client) {
	t.Helper()
	srv := New(opts...)
	t.Cleanup(srv.Close)
	srv.AddUser(User{ID: "U1", Name: "alice", RealName: "Alice Anders", TZ: "Europe/Berlin", Email: "alice@example.com"})
	srv.AddUser(User{ID: "U2", Name: "bob", RealName: "Bob Berg", TZ: "America/New_York", TZOffset: -18000})
	srv.AddUser(User{ID: "U3", Name: "carol", Deleted: true})
	srv.AddChannel("C1", "general", "U1", "U2", srv.BotUserID())
	srv.AddUsergroup("S1", "@team", "U1", "U2")
	return srv, newAPI(srv)
}

func newAPI(srv *Server) *slack.Client {
	return slack.New(srv.BotToken(), slack.OptionAppLevelToken(srv.AppToken()), slack.OptionAPIURL(srv.APIURL()))
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject("plain_text", s, false, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject("mrkdwn", s, false, false)
}

func slackErr(t *testing.T, err error) string {
	t.Helper()
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a slack.SlackErrorResponse", err, err)
	}
	return se.Err
}

func TestAPIURL(t *testing.T) {
	srv := New()
	defer srv.Close()
	if !strings.HasPrefix(srv.APIURL(), "http://127.0.0.1:") || !strings.HasSuffix(srv.APIURL(), "/api/") {
		t.Fatalf("APIURL = %q", srv.APIURL())
	}
}

func TestAuth(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)

	res, err := api.AuthTestContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.UserID != srv.BotUserID() || res.TeamID != srv.TeamID() || res.BotID == "" {
		t.Errorf("auth.test = %+v", res)
	}

	tests := []struct {
		name string
		api  *slack.Client
		call func(context.Context, *slack.Client) error
		want string
	}{
		{"wrong bot token", slack.New("xoxb-wrong", slack.OptionAPIURL(srv.APIURL())),
			func(ctx context.Context, c *slack.Client) error { _, err := c.AuthTestContext(ctx); return err }, "invalid_auth"},
		{"app token for bot method", slack.New(srv.AppToken(), slack.OptionAPIURL(srv.APIURL())),
			func(ctx context.Context, c *slack.Client) error { _, err := c.AuthTestContext(ctx); return err }, "invalid_auth"},
		{"no token", slack.New("", slack.OptionAPIURL(srv.APIURL())),
			func(ctx context.Context, c *slack.Client) error { _, err := c.AuthTestContext(ctx); return err }, "not_authed"},
		{"bot token for apps.connections.open", slack.New(srv.BotToken(), slack.OptionAppLevelToken(srv.BotToken()), slack.OptionAPIURL(srv.APIURL())),
			func(ctx context.Context, c *slack.Client) error {
				_, _, err := c.StartSocketModeContext(ctx)
				return err
			}, "invalid_auth"},
		{"views with wrong bearer", slack.New("xoxb-wrong", slack.OptionAPIURL(srv.APIURL())),
			func(ctx context.Context, c *slack.Client) error {
				_, err := c.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: slack.HomeTabViewRequest{Type: slack.VTHomeTab}})
				return err
			}, "invalid_auth"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := slackErr(t, tc.call(ctx, tc.api)); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPostMessageToUserLandsInDM(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)

	btn := slack.NewButtonBlockElement("start", "go", plain("Start"))
	ch, ts, err := api.PostMessageContext(ctx, "U1",
		slack.MsgOptionText("Hello", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(mrkdwn("Hello *Alice*"), nil, nil), slack.NewActionBlock("", btn)))
	if err != nil {
		t.Fatal(err)
	}
	if ch != "D1" || ch != DMChannelID("U1") {
		t.Errorf("channel = %q, want D1", ch)
	}
	_, ts2, err := api.PostMessageContext(ctx, "D1", slack.MsgOptionText("Second", false))
	if err != nil {
		t.Fatal(err)
	}
	if ts2 <= ts {
		t.Errorf("timestamps not increasing: %s then %s", ts, ts2)
	}

	dms := srv.DMs("U1")
	if len(dms) != 2 || dms[0].TS != ts || dms[0].Text != "Hello" || dms[0].User != srv.BotUserID() {
		t.Fatalf("DMs = %+v", dms)
	}
	var blocks slack.Blocks
	if err := json.Unmarshal(dms[0].Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	if len(blocks.BlockSet) != 2 {
		t.Fatalf("blocks = %s", dms[0].Blocks)
	}
	if ab, ok := blocks.BlockSet[1].(*slack.ActionBlock); !ok || ab.BlockID == "" {
		t.Errorf("actions block without a generated block_id: %s", dms[0].Blocks)
	}

	if _, _, _, err := api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText("Hello again", false)); err != nil {
		t.Fatal(err)
	}
	m, ok := srv.Message(ch, ts)
	if !ok || m.Text != "Hello again" || m.Updated != 1 || m.Blocks == nil {
		t.Errorf("after chat.update: %+v (blocks must be kept when not sent)", m)
	}
	if last, ok := srv.LastDM("U1"); !ok || last.Text != "Second" {
		t.Errorf("LastDM = %+v, %v", last, ok)
	}

	if _, _, err := api.DeleteMessageContext(ctx, ch, ts2); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.DMs("U1")); got != 1 {
		t.Errorf("after chat.delete %d DMs, want 1", got)
	}

	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"unknown user", func() error {
			_, _, err := api.PostMessageContext(ctx, "U404", slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
		{"unknown channel", func() error {
			_, _, err := api.PostMessageContext(ctx, "C404", slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
		{"no text", func() error { _, _, err := api.PostMessageContext(ctx, "U1"); return err }, "no_text"},
		{"update unknown ts", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, ch, "1.000001", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := slackErr(t, tc.call()); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPostEphemeral(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	srv.AddUser(User{ID: "U9", Name: "outsider"})

	ts, err := api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("only you", false))
	if err != nil {
		t.Fatal(err)
	}
	eph := srv.Ephemerals("U1")
	if len(eph) != 1 || eph[0].TS != ts || !eph[0].Ephemeral || eph[0].To != "U1" || eph[0].Channel != "C1" || eph[0].Text != "only you" {
		t.Errorf("Ephemerals = %+v", eph)
	}
	if n := len(srv.ChannelMessages("C1")); n != 0 {
		t.Errorf("ephemeral visible in channel: %d messages", n)
	}
	_, err = api.PostEphemeralContext(ctx, "C1", "U9", slack.MsgOptionText("x", false))
	if got := slackErr(t, err); got != "user_not_in_channel" {
		t.Errorf("error = %q", got)
	}
	// In a DM only its two members can be shown an ephemeral.
	if _, err := api.PostEphemeralContext(ctx, "U1", "U1", slack.MsgOptionText("in your DM", false)); err != nil {
		t.Errorf("ephemeral in the user's own DM: %v", err)
	}
	_, err = api.PostEphemeralContext(ctx, "D1", "U2", slack.MsgOptionText("x", false))
	if got := slackErr(t, err); got != "user_not_in_channel" {
		t.Errorf("ephemeral to a stranger in a DM: %q", got)
	}
}

func options(n, textLen int) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	for i := range n {
		v := strings.Repeat("x", 3) + string(rune('a'+i%26)) + strings.Repeat("y", i/26)
		out = append(out, slack.NewOptionBlockObject(v, plain(strings.Repeat("o", textLen)), nil))
	}
	return out
}

func sections(n int) []slack.Block {
	var out []slack.Block
	for range n {
		out = append(out, slack.NewSectionBlock(mrkdwn("hi"), nil, nil))
	}
	return out
}

func buttons(n int) []slack.BlockElement {
	var out []slack.BlockElement
	for i := range n {
		out = append(out, slack.NewButtonBlockElement("b"+strings.Repeat("i", i), "v", plain("B")))
	}
	return out
}

func TestBlockKitLimits(t *testing.T) {
	_, api := newWorkspace(t)
	ctx := testCtx(t)

	tests := []struct {
		name   string
		blocks []slack.Block
		ok     bool
	}{
		{"50 blocks", sections(50), true},
		{"51 blocks", sections(51), false},
		{"section text 3000", []slack.Block{slack.NewSectionBlock(mrkdwn(strings.Repeat("a", 3000)), nil, nil)}, true},
		{"section text 3001", []slack.Block{slack.NewSectionBlock(mrkdwn(strings.Repeat("a", 3001)), nil, nil)}, false},
		{"header 150", []slack.Block{slack.NewHeaderBlock(plain(strings.Repeat("h", 150)))}, true},
		{"header 151", []slack.Block{slack.NewHeaderBlock(plain(strings.Repeat("h", 151)))}, false},
		{"25 elements", []slack.Block{slack.NewActionBlock("a", buttons(25)...)}, true},
		{"26 elements", []slack.Block{slack.NewActionBlock("a", buttons(26)...)}, false},
		{"10 radio options", []slack.Block{slack.NewActionBlock("a", slack.NewRadioButtonsBlockElement("r", options(10, 5)...))}, true},
		{"11 radio options", []slack.Block{slack.NewActionBlock("a", slack.NewRadioButtonsBlockElement("r", options(11, 5)...))}, false},
		{"11 checkboxes", []slack.Block{slack.NewActionBlock("a", slack.NewCheckboxGroupsBlockElement("c", options(11, 5)...))}, false},
		{"100 select options", []slack.Block{slack.NewActionBlock("a", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("pick"), "s", options(100, 5)...))}, true},
		{"101 select options", []slack.Block{slack.NewActionBlock("a", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("pick"), "s", options(101, 5)...))}, false},
		{"option text 75", []slack.Block{slack.NewActionBlock("a", slack.NewRadioButtonsBlockElement("r", options(2, 75)...))}, true},
		{"option text 76", []slack.Block{slack.NewActionBlock("a", slack.NewRadioButtonsBlockElement("r", options(2, 76)...))}, false},
		{"button text 76", []slack.Block{slack.NewActionBlock("a", slack.NewButtonBlockElement("b", "v", plain(strings.Repeat("b", 76))))}, false},
		{"duplicate action_id in block", []slack.Block{slack.NewActionBlock("a",
			slack.NewButtonBlockElement("same", "1", plain("1")), slack.NewButtonBlockElement("same", "2", plain("2")))}, false},
		{"same action_id in two blocks", []slack.Block{
			slack.NewActionBlock("a", slack.NewButtonBlockElement("vote", "1", plain("1"))),
			slack.NewActionBlock("b", slack.NewButtonBlockElement("vote", "2", plain("2")))}, true},
		{"duplicate block_id", []slack.Block{slack.NewActionBlock("a", buttons(1)...), slack.NewActionBlock("a", buttons(1)...)}, false},
		{"block_id 255", []slack.Block{slack.NewActionBlock(strings.Repeat("i", 255), buttons(1)...)}, true},
		{"block_id 256", []slack.Block{slack.NewActionBlock(strings.Repeat("i", 256), buttons(1)...)}, false},
		{"action_id 256", []slack.Block{slack.NewActionBlock("a", slack.NewButtonBlockElement(strings.Repeat("a", 256), "v", plain("B")))}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(tc.blocks...))
			if tc.ok {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			var se slack.SlackErrorResponse
			if !errors.As(err, &se) || se.Err != "invalid_blocks" {
				t.Fatalf("want invalid_blocks, got %v", err)
			}
			if len(se.ResponseMetadata.Messages) == 0 {
				t.Errorf("invalid_blocks without response_metadata.messages")
			}
		})
	}
}

func TestStrictActionIDs(t *testing.T) {
	_, api := newWorkspace(t, WithStrictActionIDs())
	_, _, err := api.PostMessageContext(testCtx(t), "U1", slack.MsgOptionText("x", false), slack.MsgOptionBlocks(
		slack.NewActionBlock("a", slack.NewButtonBlockElement("vote", "1", plain("1"))),
		slack.NewActionBlock("b", slack.NewButtonBlockElement("vote", "2", plain("2")))))
	if got := slackErr(t, err); got != "invalid_blocks" {
		t.Errorf("error = %q, want invalid_blocks", got)
	}
}

func TestRateLimits(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)

	srv.FailNext("chat.postMessage", 1, Fault{Status: http.StatusTooManyRequests, RetryAfter: 7})
	_, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("x", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("injected 429: got %v", err)
	}

	srv.SetRateLimit("chat.postMessage", 0.5, 2)
	for i := range 2 {
		if _, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("burst", false)); err != nil {
			t.Fatalf("post %d within burst: %v", i, err)
		}
	}
	_, _, err = api.PostMessageContext(ctx, "D1", slack.MsgOptionText("over", false))
	if !errors.As(err, &rl) || rl.RetryAfter < time.Second {
		t.Fatalf("over the limit: got %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "U2", slack.MsgOptionText("other channel", false)); err != nil {
		t.Fatalf("other channel has its own bucket: %v", err)
	}
	if n := srv.RateLimited("chat.postMessage"); n != 1 {
		t.Errorf("RateLimited = %d, want 1", n)
	}
	calls := srv.Calls("chat.postMessage")
	if last := calls[len(calls)-1]; last.Status != http.StatusOK || calls[len(calls)-2].Status != http.StatusTooManyRequests {
		t.Errorf("recorded statuses wrong: %+v", calls)
	}

	// Per-method bucket for other methods.
	srv.SetRateLimit("users.info", 0.1, 1)
	if _, err := api.GetUserInfoContext(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	if _, err := api.GetUserInfoContext(ctx, "U2"); !errors.As(err, &rl) {
		t.Fatalf("users.info over the limit: got %v", err)
	}
	srv.SetRateLimit("users.info", 0, 0)
	if _, err := api.GetUserInfoContext(ctx, "U2"); err != nil {
		t.Fatalf("limit removed: %v", err)
	}
}

func TestFaults(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)

	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, err error)
	}{
		{"500", Fault{Status: 500}, func(t *testing.T, err error) {
			var sc slack.StatusCodeError
			if !errors.As(err, &sc) || sc.Code != 500 {
				t.Errorf("got %v", err)
			}
		}},
		{"503", Fault{Status: 503}, func(t *testing.T, err error) {
			var sc slack.StatusCodeError
			if !errors.As(err, &sc) || sc.Code != 503 {
				t.Errorf("got %v", err)
			}
		}},
		{"429 without Retry-After", Fault{Status: 429}, func(t *testing.T, err error) {
			var sc slack.StatusCodeError
			if !errors.As(err, &sc) || sc.Code != 429 {
				t.Errorf("got %v", err)
			}
		}},
		{"ok false", Fault{Error: "internal_error"}, func(t *testing.T, err error) {
			if got := slackErr(t, err); got != "internal_error" {
				t.Errorf("got %q", got)
			}
		}},
		{"closed connection", Fault{CloseConn: true}, func(t *testing.T, err error) {
			if err == nil {
				t.Error("want an error")
			}
		}},
		{"delay only", Fault{Delay: 100 * time.Millisecond}, func(t *testing.T, err error) {
			if err != nil {
				t.Errorf("got %v", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.FailNext("chat.postMessage", 1, tc.fault)
			start := time.Now()
			_, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("x", false))
			if time.Since(start) < tc.fault.Delay {
				t.Errorf("answered before the delay")
			}
			tc.check(t, err)
			// The fault is used up.
			if _, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("x", false)); err != nil {
				t.Errorf("next call: %v", err)
			}
		})
	}
}

func TestUsers(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)

	u, err := api.GetUserInfoContext(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if u.TZ != "Europe/Berlin" || (u.TZOffset != 3600 && u.TZOffset != 7200) || u.RealName != "Alice Anders" || u.Name != "alice" {
		t.Errorf("users.info = %+v", u)
	}
	u2, err := api.GetUserInfoContext(ctx, "U2")
	if err != nil || u2.TZOffset != -18000 {
		t.Errorf("users.info U2 = %+v, %v", u2, err)
	}
	if u3, err := api.GetUserInfoContext(ctx, "U3"); err != nil || !u3.Deleted {
		t.Errorf("deleted user = %+v, %v", u3, err)
	}
	_, err = api.GetUserInfoContext(ctx, "U404")
	if got := slackErr(t, err); got != "user_not_found" {
		t.Errorf("error = %q", got)
	}

	all, err := api.GetUsersContext(ctx, slack.GetUsersOptionLimit(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 { // bot + 3
		t.Errorf("users.list returned %d users", len(all))
	}
	if len(srv.Calls("users.list")) != 2 {
		t.Errorf("users.list not paginated: %d calls", len(srv.Calls("users.list")))
	}
	if byEmail, err := api.GetUserByEmailContext(ctx, "ALICE@example.com"); err != nil || byEmail.ID != "U1" {
		t.Errorf("lookupByEmail = %+v, %v", byEmail, err)
	}
}

func TestConversationsMembersPagination(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	var want []string
	for _, id := range []string{"U10", "U11", "U12", "U13", "U14", "U15", "U16"} {
		srv.AddUser(User{ID: id})
		want = append(want, id)
	}
	srv.AddChannel("C2", "big", want...)

	var got []string
	cursor := ""
	pages := 0
	for {
		members, next, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "C2", Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, members...)
		if next == "" {
			break
		}
		cursor = next
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v in %d pages", got, pages)
	}
	if calls := srv.Calls("conversations.members"); calls[1].Params["limit"] != "3" || calls[1].Params["cursor"] == "" {
		t.Errorf("params not recorded: %+v", calls[1].Params)
	}

	for _, tc := range []struct {
		name   string
		params slack.GetUsersInConversationParameters
		want   string
	}{
		{"unknown channel", slack.GetUsersInConversationParameters{ChannelID: "C404"}, "channel_not_found"},
		{"bad cursor", slack.GetUsersInConversationParameters{ChannelID: "C2", Cursor: "%%%"}, "invalid_cursor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := api.GetUsersInConversationContext(ctx, &tc.params)
			if got := slackErr(t, err); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
		})
	}

	dm, _, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "D1"})
	if err != nil || len(dm) != 2 {
		t.Errorf("DM members = %v, %v", dm, err)
	}
}

func TestConversationsOpen(t *testing.T) {
	_, api := newWorkspace(t)
	ctx := testCtx(t)
	ch, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U2"}})
	if err != nil || ch.ID != "D2" {
		t.Fatalf("conversations.open = %+v, %v", ch, err)
	}
	ch, _, _, err = api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}, ReturnIM: true})
	if err != nil || ch.ID != "D1" || !ch.IsIM || ch.User != "U1" {
		t.Fatalf("conversations.open return_im = %+v, %v", ch, err)
	}
	mp, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1", "U2"}})
	if err != nil || !strings.HasPrefix(mp.ID, "G") {
		t.Fatalf("mpim = %+v, %v", mp, err)
	}
	mp2, _, _, _ := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U2", "U1"}})
	if mp2 == nil || mp2.ID != mp.ID {
		t.Errorf("mpim not stable: %v vs %v", mp, mp2)
	}
	_, _, _, err = api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U404"}})
	if got := slackErr(t, err); got != "user_not_found" {
		t.Errorf("error = %q", got)
	}
}

func TestUsergroups(t *testing.T) {
	_, api := newWorkspace(t)
	ctx := testCtx(t)
	members, err := api.GetUserGroupMembersContext(ctx, "S1")
	if err != nil || strings.Join(members, ",") != "U1,U2" {
		t.Fatalf("usergroups.users.list = %v, %v", members, err)
	}
	_, err = api.GetUserGroupMembersContext(ctx, "S404")
	if got := slackErr(t, err); got != "no_such_subteam" {
		t.Errorf("error = %q", got)
	}
	groups, err := api.GetUserGroupsContext(ctx, slack.GetUserGroupsOptionIncludeUsers(true))
	if err != nil || len(groups) != 1 || groups[0].Handle != "team" || len(groups[0].Users) != 2 {
		t.Errorf("usergroups.list = %+v, %v", groups, err)
	}
}

func TestViewsWebAPI(t *testing.T) {
	srv, api := newWorkspace(t, WithTriggerTTL(300*time.Millisecond))
	ctx := testCtx(t)

	modal := slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain("Survey"),
		Submit:          plain("Send"),
		Close:           plain("Cancel"),
		CallbackID:      "survey",
		PrivateMetadata: "round=1",
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("answer", plain("Answer"), nil, slack.NewPlainTextInputBlockElement(nil, "text")),
		}},
	}
	trigger := srv.TriggerID("U1")
	resp, err := api.OpenViewContext(ctx, trigger, modal)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.ID, "V") || resp.Hash == "" || resp.CallbackID != "survey" || resp.RootViewID != resp.ID {
		t.Errorf("views.open = %+v", resp.View)
	}
	views := srv.Views("U1")
	if len(views) != 1 || views[0].ID != resp.ID || views[0].PrivateMetadata != "round=1" || views[0].Type != "modal" {
		t.Fatalf("Views = %+v", views)
	}

	// A trigger is single-use and expires.
	_, err = api.OpenViewContext(ctx, trigger, modal)
	if got := slackErr(t, err); got != "exchanged_trigger_id" {
		t.Errorf("reused trigger: %q", got)
	}
	late := srv.TriggerID("U1")
	time.Sleep(350 * time.Millisecond)
	_, err = api.OpenViewContext(ctx, late, modal)
	if got := slackErr(t, err); got != "expired_trigger_id" {
		t.Errorf("expired trigger: %q", got)
	}
	_, err = api.OpenViewContext(ctx, "1.2.nonsense", modal)
	if got := slackErr(t, err); got != "invalid_trigger_id" {
		t.Errorf("unknown trigger: %q", got)
	}

	modal.PrivateMetadata = "round=2"
	upd, err := api.UpdateViewContext(ctx, modal, "", resp.Hash, resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if upd.Hash == resp.Hash {
		t.Error("hash not changed by views.update")
	}
	if v := srv.Views("U1"); v[0].PrivateMetadata != "round=2" {
		t.Errorf("after update: %+v", v[0])
	}
	_, err = api.UpdateViewContext(ctx, modal, "", resp.Hash, resp.ID)
	if got := slackErr(t, err); got != "hash_conflict" {
		t.Errorf("stale hash: %q", got)
	}
	_, err = api.UpdateViewContext(ctx, modal, "", "", "V404")
	if got := slackErr(t, err); got != "not_found" {
		t.Errorf("unknown view: %q", got)
	}

	pushed, err := api.PushViewContext(ctx, srv.TriggerID("U1"), modal)
	if err != nil {
		t.Fatal(err)
	}
	if pushed.PreviousViewID != resp.ID || len(srv.Views("U1")) != 2 {
		t.Errorf("views.push: %+v", pushed.View)
	}

	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: sections(3)}}
	pub, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U2", View: home})
	if err != nil {
		t.Fatal(err)
	}
	h, ok := srv.Home("U2")
	if !ok || h.ID != pub.ID || h.Type != "home" {
		t.Errorf("Home = %+v, %v", h, ok)
	}
	_, err = api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U404", View: home})
	if got := slackErr(t, err); got != "user_not_found" {
		t.Errorf("publish for unknown user: %q", got)
	}
}

func TestViewLimits(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	base := func() slack.ModalViewRequest {
		return slack.ModalViewRequest{Type: slack.VTModal, Title: plain("Title"), Submit: plain("OK"), Close: plain("Cancel")}
	}
	tests := []struct {
		name   string
		modify func(*slack.ModalViewRequest)
		ok     bool
	}{
		{"valid", func(*slack.ModalViewRequest) {}, true},
		{"title 24", func(v *slack.ModalViewRequest) { v.Title = plain(strings.Repeat("t", 24)) }, true},
		{"title 25", func(v *slack.ModalViewRequest) { v.Title = plain(strings.Repeat("t", 25)) }, false},
		{"submit 25", func(v *slack.ModalViewRequest) { v.Submit = plain(strings.Repeat("s", 25)) }, false},
		{"close 25", func(v *slack.ModalViewRequest) { v.Close = plain(strings.Repeat("c", 25)) }, false},
		{"private_metadata 3000", func(v *slack.ModalViewRequest) { v.PrivateMetadata = strings.Repeat("m", 3000) }, true},
		{"private_metadata 3001", func(v *slack.ModalViewRequest) { v.PrivateMetadata = strings.Repeat("m", 3001) }, false},
		{"100 blocks", func(v *slack.ModalViewRequest) { v.Blocks.BlockSet = sections(100) }, true},
		{"101 blocks", func(v *slack.ModalViewRequest) { v.Blocks.BlockSet = sections(101) }, false},
		{"option text 76", func(v *slack.ModalViewRequest) {
			v.Blocks.BlockSet = []slack.Block{slack.NewInputBlock("b", plain("L"), nil, slack.NewRadioButtonsBlockElement("r", options(2, 76)...))}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := base()
			tc.modify(&v)
			_, err := api.OpenViewContext(ctx, srv.TriggerID("U1"), v)
			if tc.ok {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			var se slack.SlackErrorResponse
			if !errors.As(err, &se) || se.Err != "invalid_arguments" || len(se.ResponseMetadata.Messages) == 0 {
				t.Fatalf("want invalid_arguments with messages, got %v (%+v)", err, se)
			}
		})
	}
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: sections(101)}}
	_, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home})
	if got := slackErr(t, err); got != "invalid_arguments" {
		t.Errorf("101-block home: %q", got)
	}
}

func TestUploadFile(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	content := "name,score\nalice,3\n"
	sum, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
		Content: content, FileSize: len(content), Filename: "report.csv", Title: "Report",
		Channel: "C1", InitialComment: "Here you go", ThreadTimestamp: "",
	})
	if err != nil {
		t.Fatal(err)
	}
	files := srv.Files()
	if len(files) != 1 || files[0].ID != sum.ID || string(files[0].Content) != content || !files[0].Completed ||
		files[0].Title != "Report" || files[0].Name != "report.csv" || files[0].Channel != "C1" {
		t.Fatalf("Files = %+v", files)
	}
	msgs := srv.ChannelMessages("C1")
	if len(msgs) != 1 || msgs[0].Text != "Here you go" || len(msgs[0].Files) != 1 || msgs[0].Files[0] != sum.ID {
		t.Errorf("shared message = %+v", msgs)
	}
	for _, m := range []string{"files.getUploadURLExternal", "upload_url", "files.completeUploadExternal"} {
		if len(srv.Calls(m)) != 1 {
			t.Errorf("%s called %d times", m, len(srv.Calls(m)))
		}
	}
	_, err = api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: "F404"}}})
	if got := slackErr(t, err); got != "file_not_found" {
		t.Errorf("unknown file: %q", got)
	}
}

func TestCallsRecorded(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	_, _, _ = api.PostMessageContext(ctx, "U1", slack.MsgOptionText("hi", false))
	_, _ = api.GetUserInfoContext(ctx, "U404")
	_, _ = api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: slack.HomeTabViewRequest{Type: slack.VTHomeTab}})

	calls := srv.Calls()
	if len(calls) != 3 {
		t.Fatalf("%d calls", len(calls))
	}
	if c := calls[0]; c.Method != "chat.postMessage" || c.Params["channel"] != "U1" || c.Params["text"] != "hi" || c.Status != 200 || c.Err != "" {
		t.Errorf("call 0 = %+v", c)
	}
	if c := calls[1]; c.Method != "users.info" || c.Err != "user_not_found" {
		t.Errorf("call 1 = %+v", c)
	}
	if c := calls[2]; c.Method != "views.publish" || c.Params["user_id"] != "U1" || !strings.HasPrefix(c.Params["view"], "{") {
		t.Errorf("call 2 (JSON body) = %+v", c)
	}
	if n := len(srv.Calls("users.info", "views.publish")); n != 2 {
		t.Errorf("filtered calls = %d", n)
	}
	srv.ClearCalls()
	if len(srv.Calls()) != 0 {
		t.Error("ClearCalls")
	}
}

func TestUnknownMethod(t *testing.T) {
	srv, _ := newWorkspace(t)
	resp, err := http.Post(srv.APIURL()+"nope.nothing", "application/x-www-form-urlencoded", strings.NewReader("token="+srv.BotToken()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.OK || body.Error != "unknown_method" {
		t.Errorf("got %+v, %v", body, err)
	}
}

// TestImageOfAnUnsharedFileAndMetadata: a file uploaded without a channel
// can be shown by an image block naming it (slack_file), a file never
// completed cannot, and message metadata is kept and checked.
func TestImageOfAnUnsharedFileAndMetadata(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	png := "\x89PNG fake"
	sum, err := api.UploadFileContext(ctx, slack.UploadFileParameters{Content: png, FileSize: len(png), Filename: "chart.png", Title: "Chart"})
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.ChannelMessages("C1")) != 0 {
		t.Fatal("a file uploaded without a channel was shared")
	}
	img := func(id string) slack.MsgOption {
		return slack.MsgOptionBlocks(slack.NewImageBlockSlackFile(&slack.SlackFileObject{ID: id}, "the chart", "", nil))
	}
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "assessbot_digest_posted", EventPayload: map[string]any{"review": "r1", "alignment": 0.5}})
	_, ts, err := api.PostMessageContext(ctx, "C1", img(sum.ID), meta, slack.MsgOptionText("digest", false))
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.ChannelMessages("C1")
	if len(msgs) != 1 || msgs[0].TS != ts || !strings.Contains(string(msgs[0].Blocks), sum.ID) {
		t.Fatalf("messages = %+v", msgs)
	}
	var m struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal(msgs[0].Metadata, &m); err != nil || m.EventType != "assessbot_digest_posted" || m.EventPayload["review"] != "r1" {
		t.Errorf("metadata = %s (%v)", msgs[0].Metadata, err)
	}
	_, _, err = api.PostMessageContext(ctx, "C1", img("F404"))
	if got := slackErr(t, err); got != "invalid_blocks" {
		t.Errorf("image of an unknown file: %q, want invalid_blocks", got)
	}
	bad := slack.MsgOptionMetadata(slack.SlackMetadata{EventPayload: map[string]any{"a": 1}})
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false), bad)
	if got := slackErr(t, err); got != "invalid_metadata_format" {
		t.Errorf("metadata without event_type: %q", got)
	}
}

// A status set mid-test reaches users.info and users.list in profile, with
// its expiration in unix seconds (0: none); a zero status clears it.
func TestUserStatus(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	back := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	srv.SetStatus("U1", Status{Text: "Vacation", Emoji: ":palm_tree:", Expiration: back})
	u, err := api.GetUserInfoContext(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if p := u.Profile; p.StatusText != "Vacation" || p.StatusEmoji != ":palm_tree:" || int64(p.StatusExpiration) != back.Unix() {
		t.Errorf("users.info profile status = %q %q %d", p.StatusText, p.StatusEmoji, p.StatusExpiration)
	}
	srv.SetStatus("U2", Status{Text: "OOO"})
	all, err := api.GetUsersContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		if u.ID == "U2" && (u.Profile.StatusText != "OOO" || u.Profile.StatusExpiration != 0) {
			t.Errorf("users.list U2 status = %q %d", u.Profile.StatusText, u.Profile.StatusExpiration)
		}
	}
	srv.SetStatus("U1", Status{})
	if u, err := api.GetUserInfoContext(ctx, "U1"); err != nil || u.Profile.StatusText != "" || u.Profile.StatusEmoji != "" {
		t.Errorf("cleared status = %+v, %v", u.Profile, err)
	}
}

// conversations.replies gives a thread's parent and its replies, oldest
// first, and nothing of another thread; an unknown thread is an error.
func TestConversationsReplies(t *testing.T) {
	_, api := newWorkspace(t)
	ctx := testCtx(t)
	_, parent, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("parent", false))
	if err != nil {
		t.Fatal(err)
	}
	_, other, _ := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("other", false))
	for _, text := range []string{"one", "two"} {
		if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(text, false), slack.MsgOptionTS(parent)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("elsewhere", false), slack.MsgOptionTS(other)); err != nil {
		t.Fatal(err)
	}
	msgs, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: parent})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text)
	}
	if strings.Join(texts, ",") != "parent,one,two" {
		t.Fatalf("replies = %v", texts)
	}
	if _, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: "1.000001"}); slackErr(t, err) != "thread_not_found" {
		t.Fatalf("an unknown thread: %v", err)
	}
}
