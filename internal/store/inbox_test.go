package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/store"
)

// The inbox keeps an envelope from its ack until it is handled: a second
// delivery is refused, a held lease is not taken, an ended one is taken
// once with its payload, renewing keeps it, and a handled envelope is
// never taken and still refuses redeliveries. Every step is one script on
// the {inbox} slot, so it runs on a cluster too.
func TestInbox(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			ctx := context.Background()
			rdb, prefix := clientOn(t, mode)
			s := store.New(rdb, prefix)
			const lease = 300 * time.Millisecond
			claimed, _, err := s.InboxAdd(ctx, "E1", "slash_commands", []byte(`{"text":"frameworks"}`), lease)
			if err != nil || !claimed {
				t.Fatalf("first delivery: claimed %v, %v", claimed, err)
			}
			if claimed, handled, err := s.InboxAdd(ctx, "E1", "slash_commands", []byte(`{}`), lease); err != nil || claimed || handled {
				t.Fatalf("second delivery while held: claimed %v handled %v, %v", claimed, handled, err)
			}
			if got, err := s.InboxDue(ctx, lease, 10); err != nil || len(got) != 0 {
				t.Fatalf("due while held: %v, %v", got, err)
			}
			// Renewed past its first end, it is still held.
			time.Sleep(lease / 2)
			if err := s.InboxRenew(ctx, []string{"E1"}, lease); err != nil {
				t.Fatal(err)
			}
			time.Sleep(lease / 2)
			if got, _ := s.InboxDue(ctx, lease, 10); len(got) != 0 {
				t.Fatalf("due after a renewal: %v", got)
			}
			time.Sleep(lease)
			got, err := s.InboxDue(ctx, time.Minute, 10)
			if err != nil || len(got) != 1 || got[0].ID != "E1" || got[0].Kind != "slash_commands" || string(got[0].Payload) != `{"text":"frameworks"}` {
				t.Fatalf("due after its lease: %+v, %v", got, err)
			}
			if again, _ := s.InboxDue(ctx, time.Minute, 10); len(again) != 0 {
				t.Fatalf("taken twice: %+v", again)
			}
			if err := s.InboxDone(ctx, "E1"); err != nil {
				t.Fatal(err)
			}
			if claimed, handled, err := s.InboxAdd(ctx, "E1", "slash_commands", []byte(`{}`), lease); err != nil || claimed || !handled {
				t.Fatalf("redelivery after it was handled: claimed %v handled %v, %v", claimed, handled, err)
			}
			time.Sleep(lease)
			if got, _ := s.InboxDue(ctx, lease, 10); len(got) != 0 {
				t.Fatalf("a handled envelope is due: %+v", got)
			}
		})
	}
}
