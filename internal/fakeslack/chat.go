package fakeslack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Message is a message as a person would see it, in its current state.
type Message struct {
	// Channel is the conversation ID ("D…" for the bot's DMs).
	Channel string
	// TS is the message timestamp (for ephemerals, the message_ts answered).
	TS string
	// User is the poster's user ID (the bot user for the bot's messages).
	User string
	// Text is the message's text.
	Text string
	// Blocks is the message's Block Kit blocks (with the block_ids and
	// action_ids Slack fills in), nil if none.
	Blocks json.RawMessage
	// Attachments is the message's legacy attachments, nil if none.
	Attachments json.RawMessage
	// ThreadTS is the parent's timestamp for a thread reply.
	ThreadTS string
	// Ephemeral marks messages only To can see.
	Ephemeral bool
	// To is the recipient of an ephemeral message.
	To string
	// Updated counts the edits (chat.update or replace_original).
	Updated int
	// Files lists the IDs of files shared with the message.
	Files []string
	// Metadata is the message's metadata ({"event_type", "event_payload"}),
	// nil if none.
	Metadata json.RawMessage
}

func (m Message) clone() Message {
	m.Blocks = bytes.Clone(m.Blocks)
	m.Attachments = bytes.Clone(m.Attachments)
	m.Files = append([]string(nil), m.Files...)
	m.Metadata = bytes.Clone(m.Metadata)
	return m
}

type msgRec struct {
	Message
	deleted bool
}

// messageJSON renders a message the way Slack returns it.
func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{
		"type": "message",
		"user": m.User,
		"text": m.Text,
		"ts":   m.TS,
		"team": s.cfg.teamID,
	}
	if m.User == s.cfg.botUserID {
		out["bot_id"] = s.cfg.botID
		out["app_id"] = s.cfg.appID
		out["bot_profile"] = map[string]any{"id": s.cfg.botID, "app_id": s.cfg.appID, "name": s.cfg.botName, "team_id": s.cfg.teamID, "deleted": false}
	}
	if m.Blocks != nil {
		out["blocks"] = json.RawMessage(m.Blocks)
	}
	if m.Attachments != nil {
		out["attachments"] = json.RawMessage(m.Attachments)
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.Updated > 0 {
		out["edited"] = map[string]any{"user": m.User, "ts": m.TS}
	}
	if len(m.Files) > 0 {
		var files []map[string]any
		for _, id := range m.Files {
			files = append(files, map[string]any{"id": id})
		}
		out["files"] = files
	}
	if m.Metadata != nil {
		out["metadata"] = json.RawMessage(m.Metadata)
	}
	return out
}

// msgContent is the content fields of a chat call or a response_url post.
type msgContent struct {
	text           string
	hasText        bool
	blocks         json.RawMessage // normalized
	hasBlocks      bool
	attachments    json.RawMessage
	hasAttachments bool
	metadata       json.RawMessage // valid, or nil
}

func (c msgContent) empty() bool {
	return c.text == "" && len(c.blocks) == 0 && len(c.attachments) == 0
}

// parseContent reads and validates text, blocks and attachments; blocks and
// attachments are JSON (strings in forms, arrays in JSON bodies).
func (s *Server) parseContent(text *string, blocks, attachments json.RawMessage) (msgContent, apiResponse) {
	var c msgContent
	if text != nil {
		c.text, c.hasText = *text, true
	}
	if runes(c.text) > maxMessageText {
		return c, errResp("msg_too_long")
	}
	if blocks != nil {
		c.hasBlocks = true
		v, err := decodeJSON(blocks)
		list, isList := v.([]any)
		if err != nil || (!isList && v != nil) {
			return c, errResp("invalid_blocks_format")
		}
		if errs := checkBlocks(list, maxMessageBlocks, s.cfg.strictActionIDs, "/blocks"); len(errs) > 0 {
			return c, errResp("invalid_blocks", errs...)
		}
		if errs := s.checkSlackFilesLocked(list); len(errs) > 0 {
			return c, errResp("invalid_blocks", errs...)
		}
		if len(list) > 0 {
			normalizeBlocks(list)
			c.blocks = mustJSON(list)
		}
	}
	if attachments != nil {
		c.hasAttachments = true
		v, err := decodeJSON(attachments)
		list, isList := v.([]any)
		if err != nil || (!isList && v != nil) {
			return c, errResp("invalid_attachments")
		}
		if len(list) > 0 {
			c.attachments = mustJSON(list)
		}
	}
	return c, nil
}

func (s *Server) contentFromRequest(q *apiRequest) (msgContent, apiResponse) {
	var text *string
	if q.has("text") {
		t := q.str("text")
		text = &t
	}
	blocks, _ := q.json("blocks")
	atts, _ := q.json("attachments")
	c, er := s.parseContent(text, blocks, atts)
	if er != nil {
		return c, er
	}
	if raw, ok := q.json("metadata"); ok {
		if c.metadata, er = checkMetadata(raw); er != nil {
			return c, er
		}
	}
	return c, nil
}

// maxMetadata is the most bytes of message metadata Slack takes.
const maxMetadata = 8 << 10

// checkMetadata validates message metadata as Slack does: an object with a
// non-empty event_type and an object event_payload.
func checkMetadata(raw json.RawMessage) (json.RawMessage, apiResponse) {
	var m struct {
		EventType    string          `json:"event_type"`
		EventPayload json.RawMessage `json:"event_payload"`
	}
	if len(raw) > maxMetadata {
		return nil, errResp("metadata_too_large")
	}
	if err := json.Unmarshal(raw, &m); err != nil || m.EventType == "" {
		return nil, errResp("invalid_metadata_format")
	}
	if v, err := decodeJSON(m.EventPayload); err != nil || obj(v) == nil {
		return nil, errResp("invalid_metadata_schema")
	}
	return bytes.Clone(raw), nil
}

// checkSlackFilesLocked checks that every image block naming a slack_file
// by id names an image uploaded, completed and processed here, as Slack
// does.
func (s *Server) checkSlackFilesLocked(blocks []any) []string {
	var errs []string
	for i, b := range blocks {
		m := obj(b)
		if str(m["type"]) != "image" || m["slack_file"] == nil {
			continue
		}
		sf := obj(m["slack_file"])
		id, u := str(sf["id"]), str(sf["url"])
		ptr := fmt.Sprintf("/blocks/%d/slack_file", i)
		switch {
		case id == "" && u == "":
			errs = append(errs, "must provide either id or url [json-pointer:"+ptr+"]")
		case id != "" && u != "":
			errs = append(errs, "must provide either id or url, not both [json-pointer:"+ptr+"]")
		case id != "":
			if !s.usableImageLocked(id) {
				errs = append(errs, "invalid slack file [json-pointer:"+ptr+"]")
			}
		}
	}
	return errs
}

func (s *Server) postLocked(m Message) *msgRec {
	m.TS = s.newTSLocked()
	rec := &msgRec{Message: m}
	if m.Ephemeral {
		s.ephemerals = append(s.ephemerals, rec)
	} else {
		s.msgs[m.Channel] = append(s.msgs[m.Channel], rec)
	}
	return rec
}

func (s *Server) findLocked(channel, ts string) *msgRec {
	for _, m := range s.msgs[channel] {
		if m.TS == ts && !m.deleted {
			return m
		}
	}
	return nil
}

func (s *Server) findEphemeralLocked(ts string) *msgRec {
	for _, m := range s.ephemerals {
		if m.TS == ts && !m.deleted {
			return m
		}
	}
	return nil
}

func (s *Server) chatPostMessage(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.resolveChannelLocked(q.str("channel"))
	if !ok {
		return errResp("channel_not_found")
	}
	c, er := s.contentFromRequest(q)
	if er != nil {
		return er
	}
	if c.empty() {
		return errResp("no_text")
	}
	rec := s.postLocked(Message{
		Channel: ch, User: s.cfg.botUserID, Text: c.text, Blocks: c.blocks,
		Attachments: c.attachments, ThreadTS: q.str("thread_ts"), Metadata: c.metadata,
	})
	return okResp("channel", ch, "ts", rec.TS, "message", s.messageJSON(&rec.Message))
}

func (s *Server) chatUpdate(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.resolveChannelLocked(q.str("channel"))
	if !ok {
		return errResp("channel_not_found")
	}
	rec := s.findLocked(ch, q.str("ts"))
	if rec == nil {
		return errResp("message_not_found")
	}
	if rec.User != s.cfg.botUserID {
		return errResp("cant_update_message")
	}
	c, er := s.contentFromRequest(q)
	if er != nil {
		return er
	}
	if c.hasText {
		rec.Text = c.text
	}
	if c.hasBlocks {
		rec.Blocks = c.blocks
	}
	if c.hasAttachments {
		rec.Attachments = c.attachments
	}
	if c.metadata != nil {
		rec.Metadata = c.metadata
	}
	if rec.Text == "" && rec.Blocks == nil && rec.Attachments == nil {
		return errResp("no_text")
	}
	rec.Updated++
	return okResp("channel", ch, "ts", rec.TS, "text", rec.Text, "message", s.messageJSON(&rec.Message))
}

func (s *Server) chatPostEphemeral(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.resolveChannelLocked(q.str("channel"))
	if !ok {
		return errResp("channel_not_found")
	}
	user := q.str("user")
	if _, ok := s.users[user]; !ok {
		return errResp("user_not_found")
	}
	if members, ok := s.membersLocked(ch); ok && len(members) > 0 && !contains(members, user) {
		return errResp("user_not_in_channel")
	}
	c, er := s.contentFromRequest(q)
	if er != nil {
		return er
	}
	if c.empty() {
		return errResp("no_text")
	}
	rec := s.postLocked(Message{
		Channel: ch, User: s.cfg.botUserID, Text: c.text, Blocks: c.blocks, Attachments: c.attachments,
		ThreadTS: q.str("thread_ts"), Ephemeral: true, To: user,
	})
	return okResp("message_ts", rec.TS)
}

func (s *Server) chatDelete(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.resolveChannelLocked(q.str("channel"))
	if !ok {
		return errResp("channel_not_found")
	}
	rec := s.findLocked(ch, q.str("ts"))
	if rec == nil {
		return errResp("message_not_found")
	}
	if rec.User != s.cfg.botUserID {
		return errResp("cant_delete_message")
	}
	rec.deleted = true
	return okResp("channel", ch, "ts", rec.TS)
}

func (s *Server) chatGetPermalink(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.resolveChannelLocked(q.str("channel"))
	if !ok {
		return errResp("channel_not_found")
	}
	ts := q.str("message_ts")
	if s.findLocked(ch, ts) == nil {
		return errResp("message_not_found")
	}
	return okResp("channel", ch, "permalink",
		"https://"+s.cfg.teamDomain+".slack.com/archives/"+ch+"/p"+strings.ReplaceAll(ts, ".", ""))
}

// ---- what people see ----

func (s *Server) channelMessagesLocked(ch string) []Message {
	var out []Message
	for _, m := range s.msgs[ch] {
		if !m.deleted {
			out = append(out, m.Message.clone())
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].TS < out[j].TS })
	return out
}

// DMs returns the messages, in their current state, of the bot's DM with
// userID, oldest first (thread replies included, deleted messages left out).
func (s *Server) DMs(userID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.channelMessagesLocked(DMChannelID(userID))
}

// ChannelMessages returns the messages of a conversation (a user ID means
// the bot's DM with that user), oldest first.
func (s *Server) ChannelMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.resolveChannelLocked(channelID); ok {
		channelID = ch
	}
	return s.channelMessagesLocked(channelID)
}

// Ephemerals returns the ephemeral messages shown to userID, oldest first.
func (s *Server) Ephemerals(userID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.ephemerals {
		if m.To == userID && !m.deleted {
			out = append(out, m.Message.clone())
		}
	}
	return out
}

// LastDM returns the most recent message the bot posted in its DM with
// userID.
func (s *Server) LastDM(userID string) (Message, bool) {
	msgs := s.DMs(userID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].User == s.cfg.botUserID {
			return msgs[i], true
		}
	}
	return Message{}, false
}

// Message returns the current state of the message at channel and ts
// (ephemeral messages included).
func (s *Server) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.resolveChannelLocked(channel); ok {
		channel = ch
	}
	if m := s.findLocked(channel, ts); m != nil {
		return m.Message.clone(), true
	}
	if m := s.findEphemeralLocked(ts); m != nil {
		return m.Message.clone(), true
	}
	return Message{}, false
}

// ---- response URLs ----

const (
	responseURLUses = 5
	responseURLTTL  = 30 * time.Minute
)

type responseURL struct {
	id        string
	kind      string // "slash_commands", "block_actions"
	channel   string
	user      string
	messageTS string // the message an interaction came from
	ephemeral bool   // whether that message is ephemeral
	uses      int
	created   time.Time
}

// ResponsePost is one POST to a response_url (or an ack payload that Slack
// treats like one, with URL "ack").
type ResponsePost struct {
	// URL is the response_url posted to.
	URL string
	// Kind is the kind of request the URL came with: "slash_commands" or
	// "block_actions".
	Kind string
	// User and Channel are where the request came from.
	User, Channel string
	// Body is the posted JSON.
	Body json.RawMessage
	// Text, Blocks, ResponseType, ReplaceOriginal, DeleteOriginal and ThreadTS
	// are the body's fields.
	Text            string
	Blocks          json.RawMessage
	ResponseType    string
	ReplaceOriginal bool
	DeleteOriginal  bool
	ThreadTS        string
	// Status and Err are the HTTP status and error answered.
	Status int
	Err    string
	// At is when the post arrived.
	At time.Time
}

// ResponsePosts returns every response_url post, oldest first.
func (s *Server) ResponsePosts() []ResponsePost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ResponsePost(nil), s.responses...)
}

func (s *Server) newResponseURLLocked(kind, channel, user, messageTS string, ephemeral bool) string {
	id := randHex(24)
	s.responseURLs[id] = &responseURL{id: id, kind: kind, channel: channel, user: user,
		messageTS: messageTS, ephemeral: ephemeral, created: time.Now()}
	return s.base + "/response/" + id
}

type responseBody struct {
	Text            *string         `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	Attachments     json.RawMessage `json:"attachments"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal any             `json:"replace_original"`
	DeleteOriginal  any             `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}

// applyResponseLocked carries out a response_url post (or a slash command's
// ack payload): replace or delete the original message, or post a new
// message, ephemeral unless response_type is "in_channel". It returns an
// error code or "".
func (s *Server) applyResponseLocked(ru *responseURL, b responseBody) string {
	if truthy(b.DeleteOriginal) {
		if ru.messageTS == "" {
			return "no_original_message"
		}
		rec := s.findLocked(ru.channel, ru.messageTS)
		if ru.ephemeral {
			rec = s.findEphemeralLocked(ru.messageTS)
		}
		if rec == nil {
			return "message_not_found"
		}
		rec.deleted = true
		return ""
	}
	c, er := s.parseContent(b.Text, nullToNil(b.Blocks), nullToNil(b.Attachments))
	if er != nil {
		return er["error"].(string)
	}
	if c.empty() {
		return "no_text"
	}
	if truthy(b.ReplaceOriginal) && ru.messageTS != "" {
		rec := s.findLocked(ru.channel, ru.messageTS)
		if ru.ephemeral {
			rec = s.findEphemeralLocked(ru.messageTS)
		}
		if rec == nil {
			return "message_not_found"
		}
		rec.Text, rec.Blocks, rec.Attachments = c.text, c.blocks, c.attachments
		rec.Updated++
		return ""
	}
	m := Message{Channel: ru.channel, User: s.cfg.botUserID, Text: c.text, Blocks: c.blocks,
		Attachments: c.attachments, ThreadTS: b.ThreadTS}
	if b.ResponseType != "in_channel" {
		m.Ephemeral, m.To = true, ru.user
	}
	s.postLocked(m)
	return ""
}

func nullToNil(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || string(r) == "null" {
		return nil
	}
	return r
}

func (s *Server) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	call := Call{Method: "response_url", Body: body, At: time.Now(), Params: map[string]string{}}
	s.waitLatency(r, "response_url")
	if f, ok := s.takeFault("response_url"); ok && s.applyFault(w, r, f, &call) {
		s.record(call)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/response/")
	post := ResponsePost{URL: s.base + r.URL.Path, Body: bytes.Clone(body), At: call.At}

	var b responseBody
	jsonErr := json.Unmarshal(body, &b)
	if jsonErr == nil {
		if b.Text != nil {
			post.Text = *b.Text
		}
		post.Blocks = nullToNil(b.Blocks)
		post.ResponseType = b.ResponseType
		post.ReplaceOriginal = truthy(b.ReplaceOriginal)
		post.DeleteOriginal = truthy(b.DeleteOriginal)
		post.ThreadTS = b.ThreadTS
		if raw, err := decodeJSON(body); err == nil {
			for k, v := range obj(raw) {
				if sv, ok := v.(string); ok {
					call.Params[k] = sv
				} else {
					call.Params[k] = string(mustJSON(v))
				}
			}
		}
	}

	s.mu.Lock()
	ru := s.responseURLs[id]
	status, code := http.StatusOK, ""
	switch {
	case ru == nil:
		status, code = http.StatusNotFound, "invalid_url"
	case time.Since(ru.created) > responseURLTTL:
		status, code = http.StatusNotFound, "expired_url"
	case ru.uses >= responseURLUses:
		status, code = http.StatusNotFound, "used_url"
	case jsonErr != nil:
		status, code = http.StatusBadRequest, "invalid_payload"
	default:
		ru.uses++
		code = s.applyResponseLocked(ru, b)
	}
	if ru != nil {
		post.Kind, post.User, post.Channel = ru.kind, ru.user, ru.channel
	}
	post.Status, post.Err = status, code
	s.responses = append(s.responses, post)
	s.mu.Unlock()

	call.Status, call.Err = status, code
	switch {
	case status != http.StatusOK:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, code)
	case code != "":
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": code})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	}
	s.record(call)
}

// conversationsHistory returns a conversation's top-level messages, newest
// first, like Slack: `limit` (default 100), `oldest` and `latest` bound by ts.
func (s *Server) conversationsHistory(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.resolveChannelLocked(q.str("channel"))
	if !ok {
		return errResp("channel_not_found")
	}
	limit := 100
	if n, err := strconv.Atoi(q.str("limit")); err == nil && n > 0 && n < 1000 {
		limit = n
	}
	oldest, latest := q.str("oldest"), q.str("latest")
	all := s.channelMessagesLocked(ch)
	var out []map[string]any
	for i := len(all) - 1; i >= 0 && len(out) < limit; i-- {
		m := all[i]
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			continue
		}
		if (oldest != "" && m.TS <= oldest) || (latest != "" && m.TS >= latest) {
			continue
		}
		out = append(out, s.messageJSON(&m))
	}
	if out == nil {
		out = []map[string]any{}
	}
	return okResp("messages", out, "has_more", false)
}

// conversationsReplies answers conversations.replies: a thread's parent
// and its replies, oldest first, after oldest when given.
func (s *Server) conversationsReplies(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.resolveChannelLocked(q.str("channel"))
	if !ok {
		return errResp("channel_not_found")
	}
	ts := q.str("ts")
	limit := 1000
	if n, err := strconv.Atoi(q.str("limit")); err == nil && n > 0 && n < 1000 {
		limit = n
	}
	oldest := q.str("oldest")
	var out []map[string]any
	found := false
	for _, m := range s.channelMessagesLocked(ch) {
		if m.TS != ts && m.ThreadTS != ts {
			continue
		}
		found = true
		if len(out) >= limit || (oldest != "" && m.TS != ts && m.TS <= oldest) {
			continue
		}
		out = append(out, s.messageJSON(&m))
	}
	if !found {
		return errResp("thread_not_found")
	}
	return okResp("messages", out, "has_more", false)
}
