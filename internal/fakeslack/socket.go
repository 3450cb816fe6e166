package fakeslack

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const ticketTTL = 30 * time.Second

type sockConn struct {
	id    int
	ws    *websocket.Conn
	wmu   sync.Mutex
	done  chan struct{}
	once  sync.Once
	hello bool // guarded by Server.mu
}

func (c *sockConn) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// close closes the socket abruptly (no close frame).
func (c *sockConn) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

func (s *Server) appsConnectionsOpen(*apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, at := range s.tickets {
		if time.Since(at) > ticketTTL {
			delete(s.tickets, t)
		}
	}
	if len(s.conns)+len(s.tickets) >= s.cfg.maxConnections {
		return errResp("too_many_websockets")
	}
	ticket := randHex(32)
	s.tickets[ticket] = time.Now()
	u := "ws" + strings.TrimPrefix(s.base, "http") + "/link/?ticket=" + ticket + "&app_id=" + s.cfg.appID
	return okResp("url", u)
}

func (s *Server) handleSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	_, valid := s.tickets[ticket]
	delete(s.tickets, ticket)
	closed := s.closed
	full := len(s.conns) >= s.cfg.maxConnections
	s.mu.Unlock()
	switch {
	case closed:
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	case !valid:
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &sockConn{ws: ws, done: make(chan struct{})}
	if full {
		_ = c.write(map[string]any{"type": "disconnect", "reason": "too_many_websockets", "debug_info": map[string]any{"host": "fake"}})
		c.close()
		return
	}
	ws.SetReadLimit(1 << 20)

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.close()
		return
	}
	s.connSeq++
	c.id = s.connSeq
	s.conns = append(s.conns, c)
	n := len(s.conns)
	s.wg.Add(2) // the pinger and this handler's read loop
	s.mu.Unlock()

	go s.pinger(c)
	defer s.wg.Done()
	defer s.removeConn(c)
	defer c.close()

	err = c.write(map[string]any{
		"type":            "hello",
		"num_connections": n,
		"connection_info": map[string]any{"app_id": s.cfg.appID},
		"debug_info":      map[string]any{"host": "fake", "approximate_connection_time": 3600},
	})
	if err != nil {
		return
	}
	s.mu.Lock()
	c.hello = true
	s.mu.Unlock()
	s.ping(c)

	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		s.handleAck(c, data)
	}
}

func (s *Server) removeConn(c *sockConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.conns {
		if x == c {
			s.conns = append(s.conns[:i], s.conns[i+1:]...)
			return
		}
	}
}

func (s *Server) ping(c *sockConn) {
	s.mu.Lock()
	on := s.pingsOn
	s.mu.Unlock()
	if on {
		if err := c.ws.WriteControl(websocket.PingMessage, []byte(strconv.FormatInt(time.Now().UnixNano(), 10)), time.Now().Add(2*time.Second)); err != nil {
			c.close()
		}
	}
}

func (s *Server) pinger(c *sockConn) {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-s.done:
			return
		case <-t.C:
			s.ping(c)
		}
	}
}

// SetPings turns the periodic websocket pings on or off (default on).
// slack-go's client reconnects when no ping arrives within its ping interval.
func (s *Server) SetPings(enabled bool) {
	s.mu.Lock()
	s.pingsOn = enabled
	s.mu.Unlock()
}

// SetRedeliver turns the redelivery of un-acked envelopes on or off (default
// on). When off, Send waits for the ack until its context ends.
func (s *Server) SetRedeliver(enabled bool) {
	s.mu.Lock()
	s.redeliver = enabled
	s.mu.Unlock()
}

func (s *Server) liveConns() []*sockConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*sockConn
	for _, c := range s.conns {
		if c.hello {
			out = append(out, c)
		}
	}
	return out
}

// Connections returns the number of open sockets that have received hello.
func (s *Server) Connections() int { return len(s.liveConns()) }

// SocketsOpened returns how many sockets were ever opened.
func (s *Server) SocketsOpened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connSeq
}

// WaitConnected waits until at least n open sockets have received hello.
func (s *Server) WaitConnected(ctx context.Context, n int) error {
	return s.WaitFor(ctx, func() bool { return s.Connections() >= n })
}

// Disconnect sends {"type":"disconnect","reason":reason} to every socket, as
// Slack does before it recycles a connection (e.g. "refresh_requested").
// Unless reason is "warning", sockets still open after a grace period are
// closed.
func (s *Server) Disconnect(reason string) {
	msg := map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "fake"}}
	for _, c := range s.liveConns() {
		if c.write(msg) != nil {
			c.close()
			continue
		}
		if reason == "warning" {
			continue
		}
		c := c
		s.goTracked(func() {
			t := time.NewTimer(s.cfg.disconnectGrace)
			defer t.Stop()
			select {
			case <-t.C:
				c.close()
			case <-c.done:
			case <-s.done:
			}
		})
	}
}

// SendFrame writes frame as it is, a text frame, to every open socket: a
// frame Slack would never send (not JSON, nested too deep, an unknown type),
// for testing that the bot drops it and keeps its connection. It returns how
// many sockets it reached.
func (s *Server) SendFrame(frame []byte) int {
	n := 0
	for _, c := range s.liveConns() {
		c.wmu.Lock()
		_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
		err := c.ws.WriteMessage(websocket.TextMessage, frame)
		c.wmu.Unlock()
		if err != nil {
			c.close()
			continue
		}
		n++
	}
	return n
}

// DropSockets closes every socket abruptly, without a close frame.
func (s *Server) DropSockets() {
	s.mu.Lock()
	conns := append([]*sockConn(nil), s.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// ---- envelopes ----

// Ack is the bot's acknowledgement of an envelope.
type Ack struct {
	// EnvelopeID is the acked envelope's ID.
	EnvelopeID string
	// Payload is the ack's payload as sent (nil when the ack had none).
	Payload json.RawMessage
	// Latency is the time from the envelope's first delivery to the ack.
	Latency time.Duration
	// Attempts is how many times the envelope had been delivered when the
	// ack arrived (redeliveries and duplicates included).
	Attempts int
}

// Delivery records one envelope written to a socket.
type Delivery struct {
	// EnvelopeID and Type identify the envelope.
	EnvelopeID string
	Type       string
	// RetryAttempt and RetryReason are the envelope's fields.
	RetryAttempt int
	RetryReason  string
	// Redelivery marks deliveries made because an ack was overdue.
	Redelivery bool
	// Conn numbers the socket (1 for the first socket ever opened).
	Conn int
	// At is when the envelope was written.
	At time.Time
}

// EnvelopeOption changes an envelope sent by Send and the helpers built on it.
type EnvelopeOption func(*envelopeOpts)

type envelopeOpts struct {
	id        string
	attempt   int
	reason    string
	duplicate bool
	// team and enterprise, when set, replace the workspace's in the
	// payload (FromTeam).
	team, enterprise string
}

// WithRetryAttempt sets the envelope's retry_attempt (and retry_reason
// "timeout" when n > 0).
func WithRetryAttempt(n int) EnvelopeOption {
	return func(o *envelopeOpts) {
		o.attempt = n
		if n > 0 && o.reason == "" {
			o.reason = "timeout"
		}
	}
}

// WithRetryReason sets the envelope's retry_reason.
func WithRetryReason(reason string) EnvelopeOption {
	return func(o *envelopeOpts) { o.reason = reason }
}

// WithEnvelopeID sets the envelope's ID instead of a random one.
func WithEnvelopeID(id string) EnvelopeOption { return func(o *envelopeOpts) { o.id = id } }

// FromTeam sends the envelope as if it came from another workspace (team)
// and, when enterprise is not "", from an Enterprise Grid organisation:
// as a Slack Connect channel or an org-wide install would. It replaces the
// payload's team_id, team.id, user.team_id and enterprise fields.
func FromTeam(team, enterprise string) EnvelopeOption {
	return func(o *envelopeOpts) { o.team, o.enterprise = team, enterprise }
}

// stampTeam writes the envelope's workspace into a payload built by the
// helpers: another team's (FromTeam), or the workspace's organisation.
func (s *Server) stampTeam(payload map[string]any, eo envelopeOpts) {
	team, enterprise := eo.team, eo.enterprise
	if team == "" {
		if s.cfg.enterpriseID == "" {
			return
		}
		team, enterprise = s.cfg.teamID, s.cfg.enterpriseID
	}
	if _, ok := payload["team_id"]; ok {
		payload["team_id"] = team
		if enterprise != "" {
			payload["enterprise_id"] = enterprise
		}
	}
	if t, ok := payload["team"].(map[string]any); ok {
		t["id"] = team
		if enterprise != "" {
			t["enterprise_id"] = enterprise
		}
	}
	if _, ok := payload["enterprise"]; ok && enterprise != "" {
		payload["enterprise"] = map[string]any{"id": enterprise, "name": enterprise}
	}
	if u, ok := payload["user"].(map[string]any); ok && eo.team != "" {
		u["team_id"] = team
	}
}

// Duplicate delivers the envelope twice with the same envelope_id, to two
// different sockets when there are several.
func Duplicate() EnvelopeOption { return func(o *envelopeOpts) { o.duplicate = true } }

type pendingEnv struct {
	id       string
	start    time.Time
	attempts int
	ch       chan Ack
}

func (s *Server) handleAck(c *sockConn, data []byte) {
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
		return
	}
	now := time.Now()
	ack := Ack{EnvelopeID: a.EnvelopeID, Payload: nullToNil(a.Payload)}
	s.mu.Lock()
	p := s.pending[a.EnvelopeID]
	if p != nil {
		ack.Latency, ack.Attempts = now.Sub(p.start), p.attempts
	}
	s.acks = append(s.acks, ack)
	s.mu.Unlock()
	if p != nil {
		select {
		case p.ch <- ack:
		default:
		}
	}
}

// Acks returns every ack received, oldest first, including acks of
// duplicate or redelivered envelopes that arrived after Send returned.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// Deliveries returns every envelope delivery, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// Redeliveries returns the deliveries made because an ack was overdue.
func (s *Server) Redeliveries() []Delivery {
	var out []Delivery
	for _, d := range s.Deliveries() {
		if d.Redelivery {
			out = append(out, d)
		}
	}
	return out
}

// Send delivers an envelope of type typ ("slash_commands", "interactive",
// "events_api") with payload (marshalled to JSON; json.RawMessage and []byte
// are sent as they are) to one socket, round-robin, waiting for a socket if
// none is connected. It returns the bot's ack. An envelope not acked within
// the ack timeout (3s) is redelivered with retry_attempt+1 and retry_reason
// "timeout", at most 3 times, after which Send fails with ErrNotAcked; see
// SetRedeliver. A slash command's ack payload with text or blocks is shown
// to the user like a response_url post.
func (s *Server) Send(ctx context.Context, typ string, payload any, o ...EnvelopeOption) (Ack, error) {
	var eo envelopeOpts
	for _, f := range o {
		f(&eo)
	}
	var raw json.RawMessage
	switch p := payload.(type) {
	case json.RawMessage:
		raw = p
	case []byte:
		raw = p
	default:
		if m, ok := payload.(map[string]any); ok {
			s.stampTeam(m, eo)
		}
		b, err := json.Marshal(payload)
		if err != nil {
			return Ack{}, err
		}
		raw = b
	}
	id := eo.id
	if id == "" {
		id = newEnvelopeID()
	}
	p := &pendingEnv{id: id, ch: make(chan Ack, 8)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Ack{EnvelopeID: id}, ErrClosed
	}
	s.pending[id] = p
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.pending[id] == p {
			delete(s.pending, id)
		}
		s.mu.Unlock()
	}()

	attempt, reason := eo.attempt, eo.reason
	retries := 0
	redelivery := false
	for {
		env := map[string]any{
			"envelope_id":              id,
			"type":                     typ,
			"payload":                  raw,
			"accepts_response_payload": typ != "events_api",
			"retry_attempt":            attempt,
			"retry_reason":             reason,
		}
		if err := s.deliver(ctx, p, env, eo.duplicate && !redelivery, redelivery); err != nil {
			return Ack{EnvelopeID: id}, err
		}
		s.mu.Lock()
		redeliverOn := s.redeliver
		s.mu.Unlock()
		var timeout <-chan time.Time
		var timer *time.Timer
		if redeliverOn {
			timer = time.NewTimer(s.cfg.ackTimeout)
			timeout = timer.C
		}
		select {
		case a := <-p.ch:
			stopTimer(timer)
			if typ == "slash_commands" {
				s.applySlashAck(raw, a.Payload)
			}
			return a, nil
		case <-ctx.Done():
			stopTimer(timer)
			return Ack{EnvelopeID: id}, ctx.Err()
		case <-s.done:
			stopTimer(timer)
			return Ack{EnvelopeID: id}, ErrClosed
		case <-timeout:
			if retries >= s.cfg.maxRetries {
				return Ack{EnvelopeID: id}, ErrNotAcked
			}
			retries++
			attempt++
			reason = "timeout"
			redelivery = true
		}
	}
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

// deliver writes env to one socket (two for a duplicate), waiting for a
// socket if there is none.
func (s *Server) deliver(ctx context.Context, p *pendingEnv, env map[string]any, dup, redelivery bool) error {
	for {
		conns := s.pickConns(dup)
		delivered := false
		for _, c := range conns {
			// Book the delivery before writing: the ack can beat the
			// return of the write.
			now := time.Now()
			d := Delivery{
				EnvelopeID: p.id, Type: str(env["type"]), RetryAttempt: env["retry_attempt"].(int),
				RetryReason: str(env["retry_reason"]), Redelivery: redelivery, Conn: c.id, At: now,
			}
			s.mu.Lock()
			start := p.start
			if p.attempts == 0 {
				p.start = now
			}
			p.attempts++
			s.deliveries = append(s.deliveries, d)
			s.mu.Unlock()
			if err := c.write(env); err != nil {
				c.close()
				s.mu.Lock()
				p.attempts--
				p.start = start
				for i := len(s.deliveries) - 1; i >= 0; i-- {
					if s.deliveries[i] == d {
						s.deliveries = append(s.deliveries[:i], s.deliveries[i+1:]...)
						break
					}
				}
				s.mu.Unlock()
				continue
			}
			delivered = true
		}
		if delivered {
			return nil
		}
		t := time.NewTimer(5 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-s.done:
			t.Stop()
			return ErrClosed
		case <-t.C:
		}
	}
}

// pickConns chooses the next socket round-robin (and the one after it for a
// duplicate; the same socket twice when it is the only one).
func (s *Server) pickConns(dup bool) []*sockConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var live []*sockConn
	for _, c := range s.conns {
		if c.hello {
			live = append(live, c)
		}
	}
	if len(live) == 0 {
		return nil
	}
	first := live[s.rr%len(live)]
	s.rr++
	if !dup {
		return []*sockConn{first}
	}
	second := live[s.rr%len(live)]
	if len(live) > 1 {
		s.rr++
	}
	return []*sockConn{first, second}
}

// applySlashAck shows a slash command's ack payload (text or blocks) to the
// user, as Slack does.
func (s *Server) applySlashAck(payload, ack json.RawMessage) {
	if len(ack) == 0 {
		return
	}
	var b responseBody
	if json.Unmarshal(ack, &b) != nil || (b.Text == nil && nullToNil(b.Blocks) == nil && nullToNil(b.Attachments) == nil) {
		return
	}
	var cmd struct {
		ChannelID string `json:"channel_id"`
		UserID    string `json:"user_id"`
	}
	_ = json.Unmarshal(payload, &cmd)
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := cmd.ChannelID
	if r, ok := s.resolveChannelLocked(ch); ok {
		ch = r
	}
	ru := &responseURL{kind: "slash_commands", channel: ch, user: cmd.UserID, created: time.Now()}
	post := ResponsePost{URL: "ack", Kind: ru.kind, User: ru.user, Channel: ch, Body: ack,
		Blocks: nullToNil(b.Blocks), ResponseType: b.ResponseType, ThreadTS: b.ThreadTS,
		Status: http.StatusOK, At: time.Now()}
	if b.Text != nil {
		post.Text = *b.Text
	}
	post.Err = s.applyResponseLocked(ru, b)
	s.responses = append(s.responses, post)
}
