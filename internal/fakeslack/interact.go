package fakeslack

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// verificationToken is the legacy token Slack puts in payloads.
const verificationToken = "fake-verification-token"

func actionTS() string {
	now := time.Now().UnixMicro()
	return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
}

func (s *Server) userRefLocked(userID string) map[string]any {
	name, team := userID, s.cfg.teamID
	if u, ok := s.users[userID]; ok {
		name = u.Name
		team, _ = s.teamOf(u)
	}
	return map[string]any{"id": userID, "username": name, "name": name, "team_id": team}
}

func (s *Server) teamRef() map[string]any {
	ref := map[string]any{"id": s.cfg.teamID, "domain": s.cfg.teamDomain}
	if s.cfg.enterpriseID != "" {
		ref["enterprise_id"] = s.cfg.enterpriseID
	}
	return ref
}

// SlashCommand sends a slash_commands envelope as if userID typed
// "command text" in channelID (a user ID means the bot's DM with that user),
// with a fresh trigger_id and response_url, and returns the bot's ack.
func (s *Server) SlashCommand(ctx context.Context, userID, channelID, command, text string, o ...EnvelopeOption) (Ack, error) {
	s.mu.Lock()
	if ch, ok := s.resolveChannelLocked(channelID); ok {
		channelID = ch
	}
	name := userID
	if u, ok := s.users[userID]; ok {
		name = u.Name
	}
	payload := map[string]any{
		"token":                 verificationToken,
		"team_id":               s.cfg.teamID,
		"team_domain":           s.cfg.teamDomain,
		"channel_id":            channelID,
		"channel_name":          s.channelNameLocked(channelID),
		"user_id":               userID,
		"user_name":             name,
		"command":               command,
		"text":                  text,
		"api_app_id":            s.cfg.appID,
		"is_enterprise_install": "false",
		"response_url":          s.newResponseURLLocked("slash_commands", channelID, userID, "", false),
		"trigger_id":            s.newTriggerLocked(userID),
	}
	s.mu.Unlock()
	return s.Send(ctx, "slash_commands", payload, o...)
}

// Click sends a block_actions interaction as if userID used the element with
// actionID in msg's current blocks: for a button, value may be "" (the
// button's own value is sent) or pick among buttons sharing the action_id;
// for radio_buttons, selects and overflow menus it is the option value to
// choose; for checkboxes and multi-selects a comma-separated list; for user,
// conversation and channel selects an ID; for date and time pickers the date
// or time; for text inputs the text.
func (s *Server) Click(ctx context.Context, userID string, msg Message, actionID, value string, o ...EnvelopeOption) (Ack, error) {
	return s.ClickBlock(ctx, userID, msg, "", actionID, value, o...)
}

// ClickBlock is Click restricted to the block with blockID ("" for any).
func (s *Server) ClickBlock(ctx context.Context, userID string, msg Message, blockID, actionID, value string, o ...EnvelopeOption) (Ack, error) {
	s.mu.Lock()
	ch := msg.Channel
	if r, ok := s.resolveChannelLocked(ch); ok {
		ch = r
	}
	rec := s.findLocked(ch, msg.TS)
	if msg.Ephemeral || rec == nil {
		if e := s.findEphemeralLocked(msg.TS); e != nil {
			rec = e
		}
	}
	if rec == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("%w: message %s/%s", ErrNotFound, msg.Channel, msg.TS)
	}
	// Copy what the payload needs and build it outside the lock: decoding
	// big messages under it would hold up every other call (and the acks).
	m := rec.Message.clone()
	user := s.userRefLocked(userID)
	trigger := s.newTriggerLocked(userID)
	channelName := s.channelNameLocked(m.Channel)
	responseURL := s.newResponseURLLocked("block_actions", m.Channel, userID, m.TS, m.Ephemeral)
	s.mu.Unlock()

	var blocks []any
	if m.Blocks != nil {
		v, _ := decodeJSON(m.Blocks)
		blocks = arr(v)
	}
	action, bid, sel, err := buildAction(blocks, blockID, actionID, value)
	if err != nil {
		return Ack{}, fmt.Errorf("message %s/%s: %w", m.Channel, m.TS, err)
	}
	state := initialState(blocks)
	if sel != nil {
		if state[bid] == nil {
			state[bid] = map[string]any{}
		}
		state[bid][actionID] = sel
	}
	payload := map[string]any{
		"type":       "block_actions",
		"user":       user,
		"api_app_id": s.cfg.appID,
		"token":      verificationToken,
		"container": map[string]any{
			"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": m.Ephemeral,
		},
		"trigger_id":            trigger,
		"team":                  s.teamRef(),
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               map[string]any{"id": m.Channel, "name": channelName},
		"state":                 map[string]any{"values": state},
		"response_url":          responseURL,
		"actions":               []any{action},
	}
	if m.ThreadTS != "" {
		payload["container"].(map[string]any)["thread_ts"] = m.ThreadTS
	}
	if !m.Ephemeral {
		payload["message"] = s.messageJSON(&m)
	}
	return s.Send(ctx, "interactive", payload, o...)
}

// buildAction finds the element and builds the action object Slack sends,
// plus the element's new state entry (nil for buttons and overflow menus).
func buildAction(blocks []any, blockID, actionID, value string) (map[string]any, string, map[string]any, error) {
	bid, e, ok := findElement(blocks, blockID, actionID, value)
	if !ok {
		return nil, "", nil, fmt.Errorf("%w: no element with action_id %q", ErrNotFound, actionID)
	}
	if bid == "" {
		bid = randString(5)
	}
	typ := str(e["type"])
	action := map[string]any{"type": typ, "action_id": actionID, "block_id": bid, "action_ts": actionTS()}
	switch typ {
	case "button", "workflow_button":
		action["text"] = e["text"]
		if value == "" {
			value = str(e["value"])
		}
		action["value"] = value
		if st := str(e["style"]); st != "" {
			action["style"] = st
		}
		return action, bid, nil, nil
	}
	var v any = value
	sel, err := elementState(e, v)
	if err != nil {
		return nil, "", nil, err
	}
	for k, x := range sel {
		if k != "type" {
			action[k] = x
		}
	}
	if typ == "overflow" {
		return action, bid, nil, nil
	}
	if io, ok := e["initial_option"]; ok {
		action["initial_option"] = io
	}
	return action, bid, sel, nil
}

// ClickInView sends a block_actions interaction as if userID used the element
// with actionID in view v (a modal or the App Home; v's ID is used to find
// its current state). value works as for Click; the choice is remembered
// in the view's state for later submissions.
func (s *Server) ClickInView(ctx context.Context, userID string, v View, actionID, value string, o ...EnvelopeOption) (Ack, error) {
	s.mu.Lock()
	rec, ok := s.views[v.ID]
	if !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("%w: view %s is not open", ErrNotFound, v.ID)
	}
	action, bid, sel, err := buildAction(arr(rec.view["blocks"]), "", actionID, value)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("view %s: %w", v.ID, err)
	}
	if sel != nil {
		if rec.state[bid] == nil {
			rec.state[bid] = map[string]any{}
		}
		rec.state[bid][actionID] = sel
	}
	payload := map[string]any{
		"type":                  "block_actions",
		"user":                  s.userRefLocked(userID),
		"api_app_id":            s.cfg.appID,
		"token":                 verificationToken,
		"container":             map[string]any{"type": "view", "view_id": rec.id},
		"trigger_id":            s.newTriggerLocked(userID),
		"team":                  s.teamRef(),
		"enterprise":            nil,
		"is_enterprise_install": false,
		"view":                  s.viewJSONLocked(rec, true),
		"actions":               []any{action},
	}
	s.mu.Unlock()
	return s.Send(ctx, "interactive", payload, o...)
}

// SubmitView sends a view_submission as if userID pressed the submit button
// of modal v (its ID is used to find its current state). values sets the
// inputs: block_id -> action_id -> element state, either a full state object
// such as {"type":"plain_text_input","value":"x"} or shorthand as for
// Click (a string, or a []string for multi-selects and checkboxes); inputs
// not set keep their initial or earlier chosen values.
//
// The bot's ack is then applied like Slack does: an empty ack closes the
// modal (and any pushed on top of it), "clear" closes the whole stack,
// "update" replaces it, "push" pushes a new one, "errors" keeps it open with
// the errors recorded in View.Errors.
func (s *Server) SubmitView(ctx context.Context, userID string, v View, values map[string]map[string]any, o ...EnvelopeOption) (Ack, error) {
	s.mu.Lock()
	rec, ok := s.views[v.ID]
	if !ok || rec.typ != "modal" {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("%w: modal %s is not open", ErrNotFound, v.ID)
	}
	blocks := arr(rec.view["blocks"])
	for bid, acts := range values {
		for aid, val := range acts {
			_, e, ok := findElement(blocks, bid, aid, "")
			if !ok {
				s.mu.Unlock()
				return Ack{}, fmt.Errorf("%w: view %s has no element %s/%s", ErrNotFound, v.ID, bid, aid)
			}
			st, err := elementState(e, val)
			if err != nil {
				s.mu.Unlock()
				return Ack{}, err
			}
			if rec.state[bid] == nil {
				rec.state[bid] = map[string]any{}
			}
			rec.state[bid][aid] = st
		}
	}
	payload := map[string]any{
		"type":                  "view_submission",
		"team":                  s.teamRef(),
		"user":                  s.userRefLocked(userID),
		"api_app_id":            s.cfg.appID,
		"token":                 verificationToken,
		"trigger_id":            s.newTriggerLocked(userID),
		"view":                  s.viewJSONLocked(rec, true),
		"response_urls":         []any{},
		"enterprise":            nil,
		"is_enterprise_install": false,
	}
	viewID, user := rec.id, rec.user
	s.mu.Unlock()

	ack, err := s.Send(ctx, "interactive", payload, o...)
	if err != nil {
		return ack, err
	}
	return ack, s.applySubmissionAck(user, viewID, ack.Payload)
}

// applySubmissionAck carries out a view_submission ack's response_action.
func (s *Server) applySubmissionAck(user, viewID string, payload json.RawMessage) error {
	var resp struct {
		ResponseAction string            `json:"response_action"`
		View           json.RawMessage   `json:"view"`
		Errors         map[string]string `json:"errors"`
	}
	if len(payload) > 0 {
		if err := json.Unmarshal(payload, &resp); err != nil {
			return fmt.Errorf("fakeslack: view_submission ack payload: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.views[viewID]
	if !ok {
		return nil // closed meanwhile
	}
	switch resp.ResponseAction {
	case "":
		s.closeViewLocked(user, viewID)
	case "clear":
		s.clearStackLocked(user)
	case "errors":
		rec.errors = resp.Errors
	case "update", "push":
		v, er := s.checkViewJSON(resp.View, false)
		if er != nil {
			return fmt.Errorf("fakeslack: response_action %q with invalid view: %v %v", resp.ResponseAction, er["error"], er["errors"])
		}
		if resp.ResponseAction == "update" {
			rec.view, rec.hash, rec.errors = v, newHash(), nil
			rec.state = map[string]map[string]any{}
			return nil
		}
		stack := s.stacks[user]
		if len(stack) >= 3 {
			return fmt.Errorf("fakeslack: response_action push: push_limit_reached")
		}
		n := s.newViewLocked(user, v)
		if len(stack) > 0 {
			n.rootID, n.previousID = stack[0], stack[len(stack)-1]
		}
		s.stacks[user] = append(stack, n.id)
	default:
		return fmt.Errorf("fakeslack: unknown response_action %q", resp.ResponseAction)
	}
	return nil
}

// CloseView closes modal v as if userID pressed its close button; when the
// view asked for notify_on_close, a view_closed interaction is sent and its
// ack returned.
func (s *Server) CloseView(ctx context.Context, userID string, v View, o ...EnvelopeOption) (Ack, error) {
	s.mu.Lock()
	rec, ok := s.views[v.ID]
	if !ok || rec.typ != "modal" {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("%w: modal %s is not open", ErrNotFound, v.ID)
	}
	notify, _ := rec.view["notify_on_close"].(bool)
	payload := map[string]any{
		"type":       "view_closed",
		"team":       s.teamRef(),
		"user":       s.userRefLocked(userID),
		"api_app_id": s.cfg.appID,
		"token":      verificationToken,
		"view":       s.viewJSONLocked(rec, true),
		"is_cleared": false,
	}
	s.closeViewLocked(rec.user, rec.id)
	s.mu.Unlock()
	if !notify {
		return Ack{}, nil
	}
	return s.Send(ctx, "interactive", payload, o...)
}

// SendEvent sends an events_api envelope wrapping event (the inner event
// object, e.g. {"type":"app_home_opened",...}) in an event_callback.
func (s *Server) SendEvent(ctx context.Context, event any, o ...EnvelopeOption) (Ack, error) {
	s.mu.Lock()
	eventID := s.newIDLocked("Ev")
	s.mu.Unlock()
	payload := map[string]any{
		"token":                 verificationToken,
		"team_id":               s.cfg.teamID,
		"api_app_id":            s.cfg.appID,
		"event":                 event,
		"type":                  "event_callback",
		"event_id":              eventID,
		"event_time":            time.Now().Unix(),
		"authorizations":        []any{map[string]any{"enterprise_id": nil, "team_id": s.cfg.teamID, "user_id": s.cfg.botUserID, "is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": false,
	}
	return s.Send(ctx, "events_api", payload, o...)
}

// AppHomeOpened sends an app_home_opened event for userID.
func (s *Server) AppHomeOpened(ctx context.Context, userID string, o ...EnvelopeOption) (Ack, error) {
	s.mu.Lock()
	ev := map[string]any{
		"type": "app_home_opened", "user": userID, "channel": DMChannelID(userID),
		"tab": "home", "event_ts": actionTS(),
	}
	if rec, ok := s.homes[userID]; ok {
		ev["view"] = s.viewJSONLocked(rec, true)
	}
	s.mu.Unlock()
	return s.SendEvent(ctx, ev, o...)
}

// UserMessage records a message userID posts in channelID (a user ID means
// the bot's DM with that user) and sends the matching message event.
func (s *Server) UserMessage(ctx context.Context, userID, channelID, text string, o ...EnvelopeOption) (Message, Ack, error) {
	s.mu.Lock()
	ch, ok := s.resolveChannelLocked(channelID)
	if !ok {
		s.mu.Unlock()
		return Message{}, Ack{}, fmt.Errorf("%w: channel %s", ErrNotFound, channelID)
	}
	rec := s.postLocked(Message{Channel: ch, User: userID, Text: text})
	m := rec.Message.clone()
	chType := "channel"
	switch c := s.channels[ch]; {
	case c == nil:
		chType = "im"
	case c.isMPIM:
		chType = "mpim"
	case c.isPrivate:
		chType = "group"
	}
	ev := map[string]any{
		"type": "message", "channel": ch, "user": userID, "text": text, "ts": m.TS,
		"event_ts": m.TS, "channel_type": chType, "team": s.cfg.teamID,
		"client_msg_id": newEnvelopeID(),
	}
	s.mu.Unlock()
	ack, err := s.SendEvent(ctx, ev, o...)
	return m, ack, err
}
