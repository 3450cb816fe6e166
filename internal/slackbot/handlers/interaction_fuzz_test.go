package handlers

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// goldens are the golden messages of internal/present.
var goldens = filepath.Join("..", "..", "present", "testdata", "*.golden.json")

// goldenActions collects the (action_id, value) pairs of the rendered
// golden messages: the buttons the bot really sends.
func goldenActions(tb testing.TB) [][2]string {
	tb.Helper()
	files, _ := filepath.Glob(goldens)
	var out [][2]string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["action_id"].(string); ok {
				if val, ok := v["value"].(string); ok {
					out = append(out, [2]string{id, val})
				}
				for _, o := range list(v["options"]) {
					if om, ok := o.(map[string]any); ok {
						if val, ok := om["value"].(string); ok {
							out = append(out, [2]string{id, val}) // a menu choice
						}
					}
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		walk(v)
	}
	return out
}

// TestDecodeActionGolden: every button the bot renders decodes, and
// encodes back to the value it carries.
func TestDecodeActionGolden(t *testing.T) {
	acts := goldenActions(t)
	if len(acts) == 0 {
		t.Fatalf("no actions in %s", goldens)
	}
	for _, a := range acts {
		got, ok := codec.Decode(a[0], a[1])
		if !ok {
			t.Errorf("codec.Decode(%q, %q) refused a rendered button", a[0], a[1])
			continue
		}
		if back := codec.Encode(got); back != a[1] {
			t.Errorf("codec.Decode(%q, %q) = %+v, which encodes to %q", a[0], a[1], got, back)
		}
	}
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func blockActionsPayload(actionID, value string) []byte {
	return blockActionPayload(map[string]any{
		"type": "button", "action_id": actionID, "block_id": "a|q1", "value": value,
		"text":      map[string]any{"type": "plain_text", "text": "Yes"},
		"action_ts": "1.000002",
	})
}

// menuPayload is a choice in a static_select: the value is the option's.
func menuPayload(actionID, value string) []byte {
	return blockActionPayload(map[string]any{
		"type": "static_select", "action_id": actionID, "block_id": "a|q1",
		"selected_option": map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": "Seven"}},
		"action_ts":       "1.000002",
	})
}

func blockActionPayload(act map[string]any) []byte {
	raw, _ := json.Marshal(map[string]any{
		"type":         "block_actions",
		"user":         map[string]any{"id": "U1", "username": "ada", "team_id": "T1"},
		"team":         map[string]any{"id": "T1", "domain": "acme"},
		"channel":      map[string]any{"id": "D1", "name": "directmessage"},
		"trigger_id":   "1.2.abc",
		"response_url": "https://hooks.slack.test/actions/1",
		"container":    map[string]any{"type": "message", "message_ts": "1.000001", "channel_id": "D1"},
		"actions":      []any{act},
	})
	return raw
}

func viewSubmissionPayload(callbackID string, values map[string]map[string]any) []byte {
	view := map[string]any{"id": "V1", "type": "modal", "callback_id": callbackID, "private_metadata": "C1"}
	if values != nil {
		view["state"] = map[string]any{"values": values}
	}
	raw, _ := json.Marshal(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": "T1"},
		"trigger_id": "1.2.abc", "view": view,
	})
	return raw
}

func FuzzInteractionPayload(f *testing.F) {
	for _, a := range goldenActions(f) {
		f.Add(blockActionsPayload(a[0], a[1]))
		f.Add(menuPayload(a[0], a[1]))
	}
	f.Add(menuPayload("answer|q1", "r4k9x2mq|q1|o7"))
	f.Add(menuPayload("answer|q1", ""))
	for _, a := range [][2]string{
		{"start", "r4k9x2mq"},
		{"next|1", "r4k9x2mq|1"},
		{"back", "r4k9x2mq|-1"},
		{"back", "r4k9x2mq|99999999999999999999"},
		{"answer|q1|yes", "r4k9x2mq|q1|yes"},
		{"answer|q1|yes", "r4k9x2mq|q1"},
		{"comment|q1", "r4k9x2mq|q1"},
		{"text|notes", "r4k9x2mq|notes"},
		{"submit", "r4k9x2mq"},
		{"snooze", "r4k9x2mq"},
		{"optout", "r4k9x2mq"},
		{"answer", ""},
		{"answer", "|q1|yes"},
		{"answer", "|"},
		{"", "r1"},
		{"forged", "r4k9x2mq|x"},
		{"answer|q1|yes", "r" + strings.Repeat("x", 399)},
		{"answer|q1|yes", "r" + strings.Repeat("x", 400)},
		{"answer|q1|yes", strings.Repeat("|", 400)},
	} {
		f.Add(blockActionsPayload(a[0], a[1]))
	}
	sel := func(k string, v any) map[string]any { return map[string]any{"v": map[string]any{"type": "x", k: v}} }
	good := map[string]map[string]any{
		"framework": sel("selected_option", map[string]any{"value": "cs-excellence", "text": map[string]any{"type": "plain_text", "text": "CS"}}),
		"people":    sel("selected_users", []string{"U1", "U2"}),
		"channels":  sel("selected_conversations", []string{"C1"}),
		"groups":    sel("selected_options", []any{map[string]any{"value": "S1"}}),
		"digest":    sel("selected_conversation", "C2"),
		"threshold": sel("value", "3"),
		"deadline":  sel("selected_date", "2026-12-01"),
		"spec":      sel("value", "0 9 1 */3 *"),
		"tz":        sel("value", "Europe/Berlin"),
		"window":    sel("value", "7"),
		"reminders": sel("value", "50%,24h"),
		"delivery":  sel("selected_options", []any{map[string]any{"value": "now"}}),
	}
	f.Add(viewSubmissionPayload(codec.CbStart, good))
	f.Add(viewSubmissionPayload(codec.CbSchedule, good))
	f.Add(viewSubmissionPayload(codec.CbSchedule, nil))
	f.Add(viewSubmissionPayload(codec.CbStart, map[string]map[string]any{}))
	for _, spec := range []string{"TZ=", "CRON_TZ=Local 0 9 * * *", "@every 1s", "0 0 30 2 *"} {
		bad := map[string]map[string]any{}
		for k, v := range good {
			bad[k] = v
		}
		bad["spec"] = sel("value", spec)
		bad["threshold"] = sel("value", "51")
		f.Add(viewSubmissionPayload(codec.CbSchedule, bad))
	}
	f.Add(viewSubmissionPayload(codec.CbText, map[string]map[string]any{"answer": sel("value", strings.Repeat("x", 5000))}))
	f.Add([]byte(`{"type":"block_actions","actions":[null]}`))
	f.Add([]byte(`{"type":"block_actions","actions":[{"block_id":"b","action_id":"answer|q","value":"r1|q|yes"}]}`))
	f.Add([]byte(`{"type":"block_actions","actions":[]}`))
	f.Add([]byte(`{"type":"block_actions","actions":{}}`))
	f.Add([]byte(`{"type":"view_submission","view":{"callback_id":"start_review","state":null}}`))
	f.Add([]byte(`{"type":"view_submission","view":{"callback_id":"schedule_review","state":{"values":{"spec":null}}}}`))
	f.Add([]byte(`{"type":"view_submission","view":{"blocks":[{"type":"section"},{"type":"nope"},null]}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{}`))

	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, payload []byte) {
		var cb slack.InteractionCallback
		if err := json.Unmarshal(payload, &cb); err != nil {
			return // the socket mode client drops what does not decode
		}
		for _, act := range cb.ActionCallback.BlockActions {
			if act == nil {
				t.Fatalf("a nil block action from %q", payload)
			}
			val := act.Value
			if val == "" {
				val = act.SelectedOption.Value
			}
			a, ok := codec.Decode(act.ActionID, val)
			if !ok {
				continue
			}
			if a.Review == "" || len(val) > codec.MaxValue || strings.Contains(a.Kind, "|") || !strings.HasPrefix(act.ActionID, a.Kind) {
				t.Fatalf("codec.Decode(%q, %q) = %+v", act.ActionID, val, a)
			}
			// What decodes was written by the codec: it encodes back to itself.
			if back := codec.Encode(a); back != val {
				t.Fatalf("codec.Decode(%q, %q) = %+v, which encodes to %q", act.ActionID, val, a, back)
			}
		}
		// A view submission is validated in the ack, outside the workers'
		// recover: these must never panic on any payload.
		for _, errs := range []map[string]string{validateStartForm(cb.View.State, now), validateScheduleForm(cb.View.State)} {
			for field, msg := range errs {
				if msg == "" {
					t.Fatalf("empty error for field %s from %q", field, payload)
				}
			}
		}
	})
}
