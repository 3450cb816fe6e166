package fakeslack

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// View is a modal or App Home view as it is currently shown.
type View struct {
	// ID is the view ID ("V…").
	ID string
	// Type is "modal" or "home".
	Type string
	// CallbackID and PrivateMetadata are the view's fields.
	CallbackID      string
	PrivateMetadata string
	// User is the user the view is shown to.
	User string
	// ExternalID, Hash and RootViewID are the view's fields.
	ExternalID string
	Hash       string
	RootViewID string
	// Errors holds the errors the bot answered the last submission with
	// (response_action "errors"), keyed by block_id.
	Errors map[string]string
	// JSON is the full view as Slack returns it.
	JSON json.RawMessage
}

type viewRec struct {
	id, user, typ string
	hash          string
	rootID        string
	previousID    string
	view          map[string]any            // as the bot sent it, normalized
	state         map[string]map[string]any // the user's input so far
	errors        map[string]string
}

type trigger struct {
	user    string
	expires time.Time
	used    bool
}

func (s *Server) newTriggerLocked(user string) string {
	id := fmt.Sprintf("%d.%d.%s", s.nextSeqLocked(), time.Now().Unix(), randHex(32))
	s.triggers[id] = &trigger{user: user, expires: time.Now().Add(s.cfg.triggerTTL)}
	return id
}

// useTriggerLocked exchanges a trigger_id, returning its user or an error code.
func (s *Server) useTriggerLocked(id string) (string, string) {
	t, ok := s.triggers[id]
	switch {
	case id == "":
		return "", "invalid_arguments"
	case !ok:
		return "", "invalid_trigger_id"
	case t.used:
		return "", "exchanged_trigger_id"
	case time.Now().After(t.expires):
		return "", "expired_trigger_id"
	}
	t.used = true
	return t.user, ""
}

func newHash() string { return fmt.Sprintf("%d.%s", time.Now().Unix(), randString(8)) }

// readView decodes and validates the "view" argument.
func (s *Server) readView(q *apiRequest, home bool) (map[string]any, apiResponse) {
	raw, ok := q.json("view")
	if !ok {
		return nil, errResp("invalid_arguments", "missing required field: view [json-pointer:/view]")
	}
	return s.checkViewJSON(raw, home)
}

func (s *Server) checkViewJSON(raw json.RawMessage, home bool) (map[string]any, apiResponse) {
	v, err := decodeJSON(raw)
	m := obj(v)
	if err != nil || m == nil {
		return nil, errResp("invalid_arguments", "must be an object [json-pointer:/view]")
	}
	if len(raw) > 250*1024 {
		return nil, errResp("view_too_large")
	}
	if errs := checkView(m, home, s.cfg.strictActionIDs); len(errs) > 0 {
		return nil, errResp("invalid_arguments", errs...)
	}
	normalizeBlocks(arr(m["blocks"]))
	return m, nil
}

func (s *Server) externalIDTakenLocked(ext, except string) bool {
	if ext == "" {
		return false
	}
	for id, r := range s.views {
		if id != except && str(r.view["external_id"]) == ext {
			return true
		}
	}
	return false
}

func (s *Server) newViewLocked(user string, v map[string]any) *viewRec {
	rec := &viewRec{
		id: s.newIDLocked("V"), user: user, typ: str(v["type"]), hash: newHash(),
		view: v, state: map[string]map[string]any{},
	}
	rec.rootID = rec.id
	s.views[rec.id] = rec
	return rec
}

// viewJSONLocked renders a view as Slack returns it; withState adds the
// user's current input as state.values.
func (s *Server) viewJSONLocked(rec *viewRec, withState bool) map[string]any {
	out := map[string]any{
		"private_metadata": "", "callback_id": "", "external_id": "",
		"clear_on_close": false, "notify_on_close": false,
	}
	for k, v := range rec.view {
		out[k] = v
	}
	if out["blocks"] == nil {
		out["blocks"] = []any{}
	}
	values := map[string]any{}
	if withState {
		for b, acts := range s.viewStateLocked(rec) {
			values[b] = acts
		}
	}
	var prev any
	if rec.previousID != "" {
		prev = rec.previousID
	}
	out["id"] = rec.id
	out["team_id"] = s.cfg.teamID
	out["state"] = map[string]any{"values": values}
	out["hash"] = rec.hash
	out["root_view_id"] = rec.rootID
	out["previous_view_id"] = prev
	out["app_id"] = s.cfg.appID
	out["app_installed_team_id"] = s.cfg.teamID
	out["bot_id"] = s.cfg.botID
	return out
}

// viewStateLocked returns the state.values a submission of rec would carry:
// the elements' initial values overlaid with the user's input.
func (s *Server) viewStateLocked(rec *viewRec) map[string]map[string]any {
	st := initialState(arr(rec.view["blocks"]))
	for b, acts := range rec.state {
		if st[b] == nil {
			st[b] = map[string]any{}
		}
		for a, v := range acts {
			st[b][a] = v
		}
	}
	return st
}

func (s *Server) exportViewLocked(rec *viewRec) View {
	errs := map[string]string(nil)
	if len(rec.errors) > 0 {
		errs = make(map[string]string, len(rec.errors))
		for k, v := range rec.errors {
			errs[k] = v
		}
	}
	return View{
		ID: rec.id, Type: rec.typ, User: rec.user,
		CallbackID: str(rec.view["callback_id"]), PrivateMetadata: str(rec.view["private_metadata"]),
		ExternalID: str(rec.view["external_id"]), Hash: rec.hash, RootViewID: rec.rootID,
		Errors: errs, JSON: mustJSON(s.viewJSONLocked(rec, true)),
	}
}

// closeViewLocked closes view id and the views pushed on top of it.
func (s *Server) closeViewLocked(user, id string) {
	stack := s.stacks[user]
	for i, v := range stack {
		if v == id {
			for _, c := range stack[i:] {
				delete(s.views, c)
			}
			s.stacks[user] = stack[:i]
			return
		}
	}
}

func (s *Server) clearStackLocked(user string) {
	for _, c := range s.stacks[user] {
		delete(s.views, c)
	}
	delete(s.stacks, user)
}

func (s *Server) viewsOpen(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, er := s.readView(q, false)
	if er != nil {
		return er
	}
	if s.externalIDTakenLocked(str(v["external_id"]), "") {
		return errResp("duplicate_external_id")
	}
	tid := q.str("trigger_id")
	if tid == "" {
		tid = q.str("interactivity_pointer")
	}
	user, code := s.useTriggerLocked(tid)
	if code != "" {
		return errResp(code)
	}
	s.clearStackLocked(user)
	rec := s.newViewLocked(user, v)
	s.stacks[user] = []string{rec.id}
	return okResp("view", s.viewJSONLocked(rec, false))
}

func (s *Server) viewsPush(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, er := s.readView(q, false)
	if er != nil {
		return er
	}
	if s.externalIDTakenLocked(str(v["external_id"]), "") {
		return errResp("duplicate_external_id")
	}
	tid := q.str("trigger_id")
	if tid == "" {
		tid = q.str("interactivity_pointer")
	}
	user, code := s.useTriggerLocked(tid)
	if code != "" {
		return errResp(code)
	}
	stack := s.stacks[user]
	if len(stack) >= 3 {
		return errResp("push_limit_reached")
	}
	rec := s.newViewLocked(user, v)
	if len(stack) > 0 {
		rec.rootID, rec.previousID = stack[0], stack[len(stack)-1]
	}
	s.stacks[user] = append(stack, rec.id)
	return okResp("view", s.viewJSONLocked(rec, false))
}

func (s *Server) viewsUpdate(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rec *viewRec
	if id := q.str("view_id"); id != "" {
		rec = s.views[id]
	} else if ext := q.str("external_id"); ext != "" {
		for _, r := range s.views {
			if str(r.view["external_id"]) == ext {
				rec = r
			}
		}
	} else {
		return errResp("invalid_arguments")
	}
	if rec == nil {
		return errResp("not_found")
	}
	if h := q.str("hash"); h != "" && h != rec.hash {
		return errResp("hash_conflict")
	}
	v, er := s.readView(q, rec.typ == "home")
	if er != nil {
		return er
	}
	if s.externalIDTakenLocked(str(v["external_id"]), rec.id) {
		return errResp("duplicate_external_id")
	}
	rec.view, rec.hash, rec.errors = v, newHash(), nil
	return okResp("view", s.viewJSONLocked(rec, false))
}

func (s *Server) viewsPublish(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	user := q.str("user_id")
	if _, ok := s.users[user]; !ok {
		return errResp("user_not_found")
	}
	v, er := s.readView(q, true)
	if er != nil {
		return er
	}
	rec := s.homes[user]
	if h := q.str("hash"); h != "" && rec != nil && h != rec.hash {
		return errResp("hash_conflict")
	}
	if rec == nil {
		rec = s.newViewLocked(user, v)
		s.homes[user] = rec
	} else {
		rec.view, rec.hash = v, newHash()
	}
	return okResp("view", s.viewJSONLocked(rec, false))
}

// Views returns the modals open for userID, root first.
func (s *Server) Views(userID string) []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []View
	for _, id := range s.stacks[userID] {
		out = append(out, s.exportViewLocked(s.views[id]))
	}
	return out
}

// Home returns the App Home view published for userID.
func (s *Server) Home(userID string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.homes[userID]
	if !ok {
		return View{}, false
	}
	return s.exportViewLocked(rec), true
}

// ViewByID returns the open modal or published home view with the given ID.
func (s *Server) ViewByID(id string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.views[id]
	if !ok {
		return View{}, false
	}
	return s.exportViewLocked(rec), true
}

// ---- element state ----

// statefulElement reports whether an element's value appears in state.values.
func statefulElement(typ string) bool {
	return interactiveTypes[typ] && typ != "button" && typ != "overflow" && typ != "workflow_button"
}

// initialState returns state.values for blocks before the user touched them.
func initialState(blocks []any) map[string]map[string]any {
	st := map[string]map[string]any{}
	for _, b := range blocks {
		bm := obj(b)
		bid := str(bm["block_id"])
		for _, e := range blockElements(bm) {
			typ := str(e["type"])
			if !statefulElement(typ) {
				continue
			}
			if st[bid] == nil {
				st[bid] = map[string]any{}
			}
			st[bid][str(e["action_id"])] = initialElementState(e)
		}
	}
	return st
}

func initialElementState(e map[string]any) map[string]any {
	typ := str(e["type"])
	out := map[string]any{"type": typ}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		out["value"] = e["initial_value"]
	case "static_select", "external_select", "radio_buttons":
		out["selected_option"] = e["initial_option"]
	case "multi_static_select", "multi_external_select", "checkboxes":
		out["selected_options"] = orEmpty(e["initial_options"])
	case "users_select":
		out["selected_user"] = e["initial_user"]
	case "multi_users_select":
		out["selected_users"] = orEmpty(e["initial_users"])
	case "conversations_select":
		out["selected_conversation"] = e["initial_conversation"]
	case "multi_conversations_select":
		out["selected_conversations"] = orEmpty(e["initial_conversations"])
	case "channels_select":
		out["selected_channel"] = e["initial_channel"]
	case "multi_channels_select":
		out["selected_channels"] = orEmpty(e["initial_channels"])
	case "datepicker":
		out["selected_date"] = e["initial_date"]
	case "timepicker":
		out["selected_time"] = e["initial_time"]
	case "datetimepicker":
		out["selected_date_time"] = e["initial_date_time"]
	case "rich_text_input":
		out["rich_text_value"] = e["initial_value"]
	}
	return out
}

func orEmpty(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

func findOption(e map[string]any, value string) (map[string]any, error) {
	for _, o := range allOptions(e) {
		if str(o["value"]) == value {
			return o, nil
		}
	}
	return nil, fmt.Errorf("%w: no option with value %q in %s %q", ErrNotFound, value, str(e["type"]), str(e["action_id"]))
}

func toStrings(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return []string{}, true
		}
		return strings.Split(x, ","), true
	case []string:
		return x, true
	case []any:
		out := make([]string, 0, len(x))
		for _, i := range x {
			s, ok := i.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// elementState turns what a user chose for an element into its state entry.
// v may be a full state object (a map, used as given), or shorthand: a
// string (text, date, option value, user or conversation ID) or a list of
// strings for multi-selects and checkboxes.
func elementState(e map[string]any, v any) (map[string]any, error) {
	typ := str(e["type"])
	if m, ok := v.(map[string]any); ok {
		out := make(map[string]any, len(m)+1)
		for k, x := range m {
			out[k] = x
		}
		if out["type"] == nil {
			out["type"] = typ
		}
		return out, nil
	}
	out := map[string]any{"type": typ}
	one := func() (string, error) {
		if s, ok := v.(string); ok {
			return s, nil
		}
		return "", fmt.Errorf("fakeslack: %s %q needs a string, got %T", typ, str(e["action_id"]), v)
	}
	many := func() ([]string, error) {
		if l, ok := toStrings(v); ok {
			return l, nil
		}
		return nil, fmt.Errorf("fakeslack: %s %q needs strings, got %T", typ, str(e["action_id"]), v)
	}
	switch typ {
	case "static_select", "radio_buttons", "overflow":
		val, err := one()
		if err != nil {
			return nil, err
		}
		o, err := findOption(e, val)
		if err != nil {
			return nil, err
		}
		out["selected_option"] = o
	case "external_select":
		val, err := one()
		if err != nil {
			return nil, err
		}
		out["selected_option"] = map[string]any{"text": map[string]any{"type": "plain_text", "text": val}, "value": val}
	case "multi_static_select", "checkboxes":
		vals, err := many()
		if err != nil {
			return nil, err
		}
		opts := []any{}
		for _, val := range vals {
			o, err := findOption(e, val)
			if err != nil {
				return nil, err
			}
			opts = append(opts, o)
		}
		out["selected_options"] = opts
	case "multi_external_select":
		vals, err := many()
		if err != nil {
			return nil, err
		}
		opts := []any{}
		for _, val := range vals {
			opts = append(opts, map[string]any{"text": map[string]any{"type": "plain_text", "text": val}, "value": val})
		}
		out["selected_options"] = opts
	case "multi_users_select", "multi_conversations_select", "multi_channels_select":
		vals, err := many()
		if err != nil {
			return nil, err
		}
		key := map[string]string{"multi_users_select": "selected_users",
			"multi_conversations_select": "selected_conversations", "multi_channels_select": "selected_channels"}[typ]
		out[key] = vals
	case "datetimepicker":
		val, err := one()
		if err != nil {
			return nil, err
		}
		out["selected_date_time"] = json.Number(val)
	case "rich_text_input":
		val, err := one()
		if err != nil {
			return nil, err
		}
		out["rich_text_value"] = map[string]any{"type": "rich_text", "elements": []any{
			map[string]any{"type": "rich_text_section", "elements": []any{map[string]any{"type": "text", "text": val}}},
		}}
	default:
		val, err := one()
		if err != nil {
			return nil, err
		}
		key := map[string]string{
			"users_select": "selected_user", "conversations_select": "selected_conversation",
			"channels_select": "selected_channel", "datepicker": "selected_date",
			"timepicker": "selected_time",
		}[typ]
		if key == "" {
			key = "value"
		}
		out[key] = val
	}
	return out, nil
}

// findElement finds the element with actionID (in block blockID, if given).
// For buttons sharing an action_id, the one whose value is value wins.
func findElement(blocks []any, blockID, actionID, value string) (string, map[string]any, bool) {
	var firstBlock string
	var first map[string]any
	for _, b := range blocks {
		bm := obj(b)
		bid := str(bm["block_id"])
		if blockID != "" && bid != blockID {
			continue
		}
		for _, e := range blockElements(bm) {
			if str(e["action_id"]) != actionID {
				continue
			}
			if value != "" && str(e["type"]) == "button" && str(e["value"]) == value {
				return bid, e, true
			}
			if first == nil {
				firstBlock, first = bid, e
			}
		}
	}
	return firstBlock, first, first != nil
}

// TriggerID mints a fresh trigger_id for userID, as an interaction would
// carry, valid for views.open or views.push until the trigger TTL (3s) passes.
func (s *Server) TriggerID(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newTriggerLocked(userID)
}
