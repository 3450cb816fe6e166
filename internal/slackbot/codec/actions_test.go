package codec

import "testing"

// The actions' values read back as written; anything else is refused.
func TestDecodeActionValues(t *testing.T) {
	for _, c := range []struct {
		id, value string
		want      Action
		ok        bool
	}{
		{ActionID(ActPlan, "sec"), PlanValue("r1", "sec"), Action{Kind: ActPlan, Review: "r1", SectionID: "sec"}, true},
		{ActionID(ActPlan, ""), PlanValue("r1", ""), Action{Kind: ActPlan, Review: "r1"}, true},
		{ActAccept, ActionValue("r1", "a1"), Action{Kind: ActAccept, Review: "r1", ActionID: "a1"}, true},
		{ActionID(ActDone, "a1"), ActionValue("r1", "a1"), Action{Kind: ActDone, Review: "r1", ActionID: "a1"}, true},
		{ActActNoRemind, ActionValue("r1", "a1"), Action{Kind: ActActNoRemind, Review: "r1", ActionID: "a1"}, true},
		{ActAccept, "r1|", Action{Kind: ActAccept, Review: "r1"}, false},
		{ActDrop, "r1", Action{Kind: ActDrop, Review: "r1"}, false},
		{ActPlan, "r1|a|b", Action{Kind: ActPlan, Review: "r1"}, false},
	} {
		got, ok := Decode(c.id, c.value)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("Decode(%q, %q) = %+v, %v; want %+v, %v", c.id, c.value, got, ok, c.want, c.ok)
		}
	}
	for _, kind := range []string{ActAccept, ActDecline, ActDone, ActDrop, ActUpdate, ActActSnooze, ActActNoRemind} {
		if !SavesClick(kind) == (kind != ActUpdate) {
			t.Errorf("SavesClick(%s) = %v", kind, SavesClick(kind))
		}
	}
	if SavesClick(ActPlan) {
		t.Error("Plan an action only opens a modal; it is not acked once stored")
	}
	if m, ok := DecodeActionMeta(EncodeActionMeta(ActionMeta{Review: "r1", Target: "a1", Channel: "C1"})); !ok || m != (ActionMeta{Review: "r1", Target: "a1", Channel: "C1"}) {
		t.Errorf("action meta round trip: %+v %v", m, ok)
	}
}

// What Decode accepts, Encode writes back the same.
func FuzzActionValues(f *testing.F) {
	f.Add(ActAccept, "r1|a1")
	f.Add(ActPlan, "r1|")
	f.Fuzz(func(t *testing.T, id, value string) {
		a, ok := Decode(id, value)
		if ok && Encode(a) != value {
			t.Fatalf("Decode(%q, %q) = %+v, which encodes as %q", id, value, a, Encode(a))
		}
		if m, ok := DecodeActionMeta(value); ok && EncodeActionMeta(m) != value {
			t.Fatalf("action meta %q reads as %+v, which encodes as %q", value, m, EncodeActionMeta(m))
		}
	})
}
