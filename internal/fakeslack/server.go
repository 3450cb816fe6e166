package fakeslack

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Errors returned by the Server's helpers.
var (
	// ErrClosed is returned by helpers called on, or interrupted by, a closed Server.
	ErrClosed = errors.New("fakeslack: server closed")
	// ErrNotAcked is returned by Send when the bot never acked an envelope,
	// not even after the last redelivery.
	ErrNotAcked = errors.New("fakeslack: envelope not acked")
	// ErrNotFound is returned by interaction helpers when the message, view or
	// element they should act on does not exist (any more).
	ErrNotFound = errors.New("fakeslack: not found")
)

// Option configures a Server created by New or NewServer.
type Option func(*config)

type config struct {
	botToken, appToken           string
	teamID, teamDomain, teamName string
	enterpriseID                 string // "" unless the workspace is part of an Enterprise Grid organisation
	appID, botID                 string
	botUserID, botName           string
	pingInterval                 time.Duration
	ackTimeout                   time.Duration
	maxRetries                   int
	maxConnections               int
	triggerTTL                   time.Duration
	disconnectGrace              time.Duration
	strictActionIDs              bool
}

func defaultConfig() config {
	return config{
		botToken:        "xoxb-test",
		appToken:        "xapp-test",
		teamID:          "T0FAKE",
		teamDomain:      "fake",
		teamName:        "Fake Workspace",
		appID:           "A1",
		botID:           "B0BOT",
		botUserID:       "U0BOT",
		botName:         "bot",
		pingInterval:    5 * time.Second,
		ackTimeout:      3 * time.Second,
		maxRetries:      3,
		maxConnections:  10,
		triggerTTL:      3 * time.Second,
		disconnectGrace: time.Second,
	}
}

// WithBotToken sets the bot token every Web API call but
// apps.connections.open must carry (default "xoxb-test").
func WithBotToken(token string) Option { return func(c *config) { c.botToken = token } }

// WithAppToken sets the app-level token apps.connections.open must carry
// (default "xapp-test").
func WithAppToken(token string) Option { return func(c *config) { c.appToken = token } }

// WithTeam sets the workspace's team ID and domain (default "T0FAKE", "fake").
func WithTeam(id, domain string) Option {
	return func(c *config) { c.teamID, c.teamDomain = id, domain }
}

// WithEnterprise makes the workspace part of an Enterprise Grid
// organisation: auth.test answers with its enterprise_id, and every
// envelope carries it.
func WithEnterprise(id string) Option { return func(c *config) { c.enterpriseID = id } }

// WithBotUser sets the bot's user ID and name (default "U0BOT", "bot"); the
// bot user is added to the workspace and is the poster of the bot's messages.
func WithBotUser(id, name string) Option {
	return func(c *config) { c.botUserID, c.botName = id, name }
}

// WithAppID sets the app ID sent in hello messages and payloads (default "A1").
func WithAppID(id string) Option { return func(c *config) { c.appID = id } }

// WithPingInterval sets how often each socket is pinged (default 5s).
func WithPingInterval(d time.Duration) Option { return func(c *config) { c.pingInterval = d } }

// WithAckTimeout sets how long an envelope may stay un-acked before it is
// redelivered (default 3s, as on Slack).
func WithAckTimeout(d time.Duration) Option { return func(c *config) { c.ackTimeout = d } }

// WithMaxRetries sets how many times an un-acked envelope is redelivered
// (default 3).
func WithMaxRetries(n int) Option { return func(c *config) { c.maxRetries = n } }

// WithMaxConnections sets how many Socket Mode connections may be open at
// once (default 10, as on Slack).
func WithMaxConnections(n int) Option { return func(c *config) { c.maxConnections = n } }

// WithTriggerTTL sets how long a trigger_id stays valid (default 3s).
func WithTriggerTTL(d time.Duration) Option { return func(c *config) { c.triggerTTL = d } }

// WithDisconnectGrace sets how long after a disconnect message (other than
// "warning") the server closes the socket itself (default 1s).
func WithDisconnectGrace(d time.Duration) Option { return func(c *config) { c.disconnectGrace = d } }

// WithStrictActionIDs makes duplicate action_ids anywhere in a message or view
// invalid_blocks. By default, as on Slack, action_ids need only be unique
// within their block.
func WithStrictActionIDs() Option { return func(c *config) { c.strictActionIDs = true } }

// Server is a fake Slack workspace serving the Web API, response URLs, file
// upload URLs and Socket Mode on one local HTTP server.
type Server struct {
	cfg      config
	hs       *httptest.Server
	base     string // http://127.0.0.1:PORT
	upgrader websocket.Upgrader
	handlers map[string]apiHandler

	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once

	mu           sync.Mutex
	closed       bool
	seq          int64
	lastTS       int64
	users        map[string]*User
	userOrder    []string
	channels     map[string]*channel
	groups       map[string]*usergroup
	groupOrder   []string
	msgs         map[string][]*msgRec // by channel, in posting order
	ephemerals   []*msgRec
	views        map[string]*viewRec
	stacks       map[string][]string // user -> open modal view IDs, root first
	homes        map[string]*viewRec // user -> home view
	triggers     map[string]*trigger
	responseURLs map[string]*responseURL
	responses    []ResponsePost
	files        map[string]*File
	fileOrder    []string
	// fileProcessing is how long after completion a file becomes usable
	// in an image block (SetFileProcessing).
	fileProcessing time.Duration
	calls          []Call
	faults         map[string][]Fault
	latency        map[string]time.Duration // SetLatency
	limits         map[string]rateLimit
	buckets        map[string]*bucket
	limited        map[string]int
	conns          []*sockConn
	connSeq        int
	tickets        map[string]time.Time
	rr             int
	pingsOn        bool
	redeliver      bool
	pending        map[string]*pendingEnv
	acks           []Ack
	deliveries     []Delivery
}

// New starts a Server listening on 127.0.0.1 on a free port. It panics if it
// cannot listen; use NewServer to get the error instead.
func New(opts ...Option) *Server {
	s, err := NewServer(opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// NewServer starts a Server listening on 127.0.0.1 on a free port.
func NewServer(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakeslack: listen: %w", err)
	}
	s := &Server{
		cfg:          cfg,
		done:         make(chan struct{}),
		users:        map[string]*User{},
		channels:     map[string]*channel{},
		groups:       map[string]*usergroup{},
		msgs:         map[string][]*msgRec{},
		views:        map[string]*viewRec{},
		stacks:       map[string][]string{},
		homes:        map[string]*viewRec{},
		triggers:     map[string]*trigger{},
		responseURLs: map[string]*responseURL{},
		files:        map[string]*File{},
		faults:       map[string][]Fault{},
		latency:      map[string]time.Duration{},
		limits:       map[string]rateLimit{},
		buckets:      map[string]*bucket{},
		limited:      map[string]int{},
		tickets:      map[string]time.Time{},
		pending:      map[string]*pendingEnv{},
		pingsOn:      true,
		redeliver:    true,
	}
	s.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.addUserLocked(User{ID: cfg.botUserID, Name: cfg.botName, RealName: cfg.botName, IsBot: true, TZ: "America/Los_Angeles"})
	s.registerHandlers()

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleSocket)
	mux.HandleFunc("/upload/", s.handleUpload)
	mux.HandleFunc("/response/", s.handleResponseURL)
	s.hs = &httptest.Server{Listener: l, Config: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	s.hs.Start()
	s.base = s.hs.URL
	return s, nil
}

// URL returns the server's base URL, e.g. "http://127.0.0.1:PORT".
func (s *Server) URL() string { return s.base }

// APIURL returns the Web API base URL for slack.OptionAPIURL; it ends in "/".
func (s *Server) APIURL() string { return s.base + "/api/" }

// BotToken returns the bot token the server accepts.
func (s *Server) BotToken() string { return s.cfg.botToken }

// AppToken returns the app-level token the server accepts for
// apps.connections.open.
func (s *Server) AppToken() string { return s.cfg.appToken }

// TeamID returns the workspace's team ID.
func (s *Server) TeamID() string { return s.cfg.teamID }

// EnterpriseID returns the workspace's Enterprise Grid organisation, or "".
func (s *Server) EnterpriseID() string { return s.cfg.enterpriseID }

// BotUserID returns the bot's user ID, the poster of the bot's messages.
func (s *Server) BotUserID() string { return s.cfg.botUserID }

// Close stops the server: it closes every socket, ends pending Sends with
// ErrClosed, shuts the HTTP server down and waits for its goroutines.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		conns := append([]*sockConn(nil), s.conns...)
		s.mu.Unlock()
		close(s.done)
		for _, c := range conns {
			c.close()
		}
		s.hs.Close()
		s.wg.Wait()
	})
}

// goTracked runs f in a goroutine Close waits for; it reports false, without
// running f, once the server is closed.
func (s *Server) goTracked(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// WaitFor polls cond every few milliseconds until it reports true, ctx ends
// or the server closes.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(3 * time.Millisecond)
	defer t.Stop()
	for {
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		case <-t.C:
		}
	}
}

// ---- identifiers ----

func (s *Server) nextSeqLocked() int64 {
	s.seq++
	return s.seq
}

// newTSLocked returns a message timestamp: wall-clock microseconds, strictly
// increasing.
func (s *Server) newTSLocked() string {
	now := time.Now().UnixMicro()
	if now <= s.lastTS {
		now = s.lastTS + 1
	}
	s.lastTS = now
	return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
}

func (s *Server) newIDLocked(prefix string) string {
	return fmt.Sprintf("%s%08X", prefix, s.nextSeqLocked())
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[rand.IntN(len(alnum))]
	}
	return string(b)
}

func randHex(n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[rand.IntN(16)]
	}
	return string(b)
}

func newEnvelopeID() string {
	h := randHex(32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ---- recording ----

// Call is one request received by the Web API (or by an upload URL, recorded
// as method "upload_url", or a response URL, recorded as "response_url").
type Call struct {
	// Method is the Web API method, e.g. "chat.postMessage".
	Method string
	// Params holds the form fields, or the top-level JSON fields (strings
	// as-is, other values as JSON text).
	Params map[string]string
	// Body is the raw request body.
	Body []byte
	// Status is the HTTP status answered (0 if the connection was closed).
	Status int
	// Err is the Slack error answered with ok:false, if any.
	Err string
	// At is when the request arrived.
	At time.Time
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
}

// Calls returns every call received, oldest first, filtered by method if any
// are given.
func (s *Server) Calls(method ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if len(method) > 0 && !contains(method, c.Method) {
			continue
		}
		c.Params = cloneMap(c.Params)
		out = append(out, c)
	}
	return out
}

// ClearCalls forgets the recorded calls.
func (s *Server) ClearCalls() {
	s.mu.Lock()
	s.calls = nil
	s.mu.Unlock()
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---- faults and rate limits ----

// Fault describes how a Web API call fails. Delay is applied first; then the
// first of CloseConn, Status and Error that is set decides the answer. With
// only Delay set, the call is answered normally after the delay.
type Fault struct {
	// Status is an HTTP status to answer with, e.g. 429, 500, 503.
	Status int
	// RetryAfter, in seconds, is sent as Retry-After with a 429.
	RetryAfter int
	// Error is a Slack error to answer with {"ok":false,"error":Error}.
	Error string
	// Needed and Provided go with Error as Slack sends them with
	// missing_scope: the scope the method needs and those the token has
	// (comma-separated), e.g. "connections:write" and "authorizations:read".
	Needed, Provided string
	// Delay holds the answer back this long.
	Delay time.Duration
	// CloseConn hijacks the TCP connection and closes it without an answer.
	CloseConn bool
}

// FailNext makes the next n calls to method fail with f.
func (s *Server) FailNext(method string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], f)
	}
}

// ClearFaults drops the faults still queued for method: its calls succeed
// again.
func (s *Server) ClearFaults(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, method)
}

func (s *Server) takeFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	s.faults[method] = q[1:]
	return f, true
}

// applyFault answers according to f and reports whether it did; false means
// the call should be handled normally (a pure delay).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault, call *Call) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		case <-s.done:
			t.Stop()
		}
	}
	switch {
	case f.CloseConn:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
			}
		}
		call.Status, call.Err = 0, "connection closed"
		return true
	case f.Status != 0:
		call.Status = f.Status
		if f.Status == http.StatusTooManyRequests && f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		if f.Error != "" {
			call.Err = f.Error
			writeJSON(w, f.Status, f.errorBody())
		} else {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(f.Status)
			_, _ = fmt.Fprintf(w, "<html><body>%d %s</body></html>", f.Status, http.StatusText(f.Status))
		}
		return true
	case f.Error != "":
		call.Status, call.Err = http.StatusOK, f.Error
		writeJSON(w, http.StatusOK, f.errorBody())
		return true
	}
	return false
}

func (f Fault) errorBody() map[string]any {
	body := map[string]any{"ok": false, "error": f.Error}
	if f.Needed != "" {
		body["needed"] = f.Needed
	}
	if f.Provided != "" {
		body["provided"] = f.Provided
	}
	return body
}

type rateLimit struct {
	perSecond float64
	burst     int
}

type bucket struct {
	tokens float64
	last   time.Time
}

// SetRateLimit limits method to perSecond calls with bursts of burst, with a
// token bucket per channel for chat.postMessage and per method otherwise.
// Calls over the limit get HTTP 429 with Retry-After. perSecond <= 0 removes
// the limit.
func (s *Server) SetRateLimit(method string, perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		delete(s.limits, method)
	} else {
		s.limits[method] = rateLimit{perSecond: perSecond, burst: max(burst, 1)}
	}
	for k := range s.buckets {
		if k == method || strings.HasPrefix(k, method+"#") {
			delete(s.buckets, k)
		}
	}
}

// RateLimited returns how many calls to method were answered 429 by the rate
// limiter (injected faults are not counted).
func (s *Server) RateLimited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited[method]
}

// allow takes a token for key; when there is none it returns how long until
// there will be.
func (s *Server) allow(method, key string) (bool, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lim, ok := s.limits[method]
	if !ok {
		return true, 0
	}
	now := time.Now()
	b := s.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(lim.burst), last: now}
		s.buckets[key] = b
	}
	b.tokens = math.Min(float64(lim.burst), b.tokens+now.Sub(b.last).Seconds()*lim.perSecond)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	s.limited[method]++
	wait := time.Duration((1 - b.tokens) / lim.perSecond * float64(time.Second))
	return false, wait
}

// ---- Web API plumbing ----

type apiRequest struct {
	params map[string]string
	raw    map[string]json.RawMessage // top-level JSON fields, nil for forms
}

// str returns a parameter.
func (q *apiRequest) str(name string) string { return q.params[name] }

// has reports whether a parameter was sent.
func (q *apiRequest) has(name string) bool {
	_, ok := q.params[name]
	return ok
}

// json returns a parameter holding JSON: a JSON-body field as sent, or a form
// field's text.
func (q *apiRequest) json(name string) (json.RawMessage, bool) {
	if q.raw != nil {
		if v, ok := q.raw[name]; ok {
			var str string
			if json.Unmarshal(v, &str) == nil {
				return json.RawMessage(str), true
			}
			return v, true
		}
		return nil, false
	}
	v, ok := q.params[name]
	if !ok {
		return nil, false
	}
	return json.RawMessage(v), true
}

// apiResponse is what a handler answers: a JSON object written with HTTP 200.
type apiResponse map[string]any

func okResp(fields ...any) apiResponse {
	r := apiResponse{"ok": true}
	for i := 0; i+1 < len(fields); i += 2 {
		r[fields[i].(string)] = fields[i+1]
	}
	return r
}

func errResp(code string, messages ...string) apiResponse {
	r := apiResponse{"ok": false, "error": code}
	if len(messages) > 0 {
		errs := make([]string, len(messages))
		meta := make([]string, len(messages))
		for i, m := range messages {
			errs[i] = m
			meta[i] = "[ERROR] " + m
		}
		r["errors"] = errs
		r["response_metadata"] = map[string]any{"messages": meta}
	}
	return r
}

type apiHandler func(q *apiRequest) apiResponse

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"ok":false,"error":"fatal_error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

const maxBody = 32 << 20

// parseParams reads form fields (query and urlencoded or multipart body) or a
// JSON body's top-level fields.
func parseParams(r *http.Request, body []byte) (map[string]string, map[string]json.RawMessage, error) {
	params := map[string]string{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "application/json":
		if len(bytes.TrimSpace(body)) == 0 {
			return params, map[string]json.RawMessage{}, nil
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(body, &raw); err != nil {
			return params, nil, err
		}
		if raw == nil {
			raw = map[string]json.RawMessage{}
		}
		for k, v := range raw {
			var str string
			if json.Unmarshal(v, &str) == nil {
				params[k] = str
			} else {
				params[k] = string(v)
			}
		}
		return params, raw, nil
	case ct == "multipart/form-data":
		mr, err := newMultipartReader(body, ctParams["boundary"])
		if err != nil {
			return params, nil, err
		}
		form, err := mr.ReadForm(maxBody)
		if err != nil {
			return params, nil, err
		}
		defer func() { _ = form.RemoveAll() }()
		for k, v := range form.Value {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
		return params, nil, nil
	default:
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return params, nil, err
		}
		for k, v := range vals {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
		return params, nil, nil
	}
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	call := Call{Method: method, Body: body, At: time.Now()}
	params, raw, perr := parseParams(r, body)
	call.Params = params

	s.waitLatency(r, method)
	if f, ok := s.takeFault(method); ok && s.applyFault(w, r, f, &call) {
		s.record(call)
		return
	}

	resp := s.serveAPI(w, r, method, params, raw, perr, &call)
	if resp == nil { // already written (429)
		s.record(call)
		return
	}
	call.Status = http.StatusOK
	if ok, _ := resp["ok"].(bool); !ok {
		call.Err, _ = resp["error"].(string)
	}
	writeJSON(w, http.StatusOK, resp)
	s.record(call)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, method string, params map[string]string, raw map[string]json.RawMessage, perr error, call *Call) apiResponse {
	if perr != nil {
		return errResp("invalid_form_data")
	}
	token := bearer(r)
	if token == "" {
		token = params["token"]
	}
	want := s.cfg.botToken
	if method == "apps.connections.open" {
		want = s.cfg.appToken
	}
	switch {
	case token == "":
		return errResp("not_authed")
	case token != want:
		return errResp("invalid_auth")
	}

	key := method
	if method == "chat.postMessage" {
		s.mu.Lock()
		ch, _ := s.resolveChannelLocked(params["channel"])
		s.mu.Unlock()
		if ch == "" {
			ch = params["channel"]
		}
		key = method + "#" + ch
	}
	if ok, wait := s.allow(method, key); !ok {
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		call.Status, call.Err = http.StatusTooManyRequests, "ratelimited"
		return nil
	}

	h, ok := s.handlers[method]
	if !ok {
		return errResp("unknown_method")
	}
	return h(&apiRequest{params: params, raw: raw})
}

func (s *Server) registerHandlers() {
	s.handlers = map[string]apiHandler{
		"api.test":                     s.apiTest,
		"auth.test":                    s.authTest,
		"apps.connections.open":        s.appsConnectionsOpen,
		"chat.postMessage":             s.chatPostMessage,
		"chat.update":                  s.chatUpdate,
		"chat.postEphemeral":           s.chatPostEphemeral,
		"chat.delete":                  s.chatDelete,
		"chat.getPermalink":            s.chatGetPermalink,
		"views.open":                   s.viewsOpen,
		"views.push":                   s.viewsPush,
		"views.update":                 s.viewsUpdate,
		"views.publish":                s.viewsPublish,
		"users.info":                   s.usersInfo,
		"users.list":                   s.usersList,
		"users.lookupByEmail":          s.usersLookupByEmail,
		"conversations.members":        s.conversationsMembers,
		"conversations.open":           s.conversationsOpen,
		"conversations.info":           s.conversationsInfo,
		"conversations.join":           s.conversationsJoin,
		"conversations.history":        s.conversationsHistory,
		"conversations.replies":        s.conversationsReplies,
		"usergroups.users.list":        s.usergroupsUsersList,
		"usergroups.list":              s.usergroupsList,
		"files.getUploadURLExternal":   s.filesGetUploadURLExternal,
		"files.completeUploadExternal": s.filesCompleteUploadExternal,
		"files.delete":                 s.filesDelete,
	}
}

func (s *Server) apiTest(q *apiRequest) apiResponse {
	return okResp("args", q.params)
}

func (s *Server) authTest(*apiRequest) apiResponse {
	kv := []any{
		"url", "https://" + s.cfg.teamDomain + ".slack.com/",
		"team", s.cfg.teamName,
		"user", s.cfg.botName,
		"team_id", s.cfg.teamID,
		"user_id", s.cfg.botUserID,
		"bot_id", s.cfg.botID,
		"is_enterprise_install", false,
	}
	if s.cfg.enterpriseID != "" {
		kv = append(kv, "enterprise_id", s.cfg.enterpriseID)
	}
	return okResp(kv...)
}

// ---- pagination ----

func encodeCursor(offset int) string {
	return base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, bool) {
	if c == "" {
		return 0, true
	}
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// page cuts items by the limit and cursor parameters.
func page[T any](q *apiRequest, items []T, defLimit int) ([]T, string, bool) {
	off, ok := decodeCursor(q.str("cursor"))
	if !ok {
		return nil, "", false
	}
	limit := defLimit
	if l, err := strconv.Atoi(q.str("limit")); err == nil && l > 0 {
		limit = min(l, 1000)
	}
	if off > len(items) {
		off = len(items)
	}
	end := len(items)
	if limit > 0 {
		end = min(off+limit, len(items))
	}
	next := ""
	if end < len(items) {
		next = encodeCursor(end)
	}
	return items[off:end], next, true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
