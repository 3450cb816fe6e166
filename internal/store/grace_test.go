package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/store"
)

// An early close time moves the review earlier in the deadline index, never
// later, and never puts a closed review back into it.
func TestSetCloseAt(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newReview(t, s, "U1")
	if at, err := s.CloseAt(ctx, r.ID); err != nil || !at.IsZero() {
		t.Fatalf("close time before any is set: %v, %v", at, err)
	}
	soon := time.Now().Add(10 * time.Minute).Truncate(time.Second)
	got, err := s.SetCloseAt(ctx, r.ID, soon)
	if err != nil || !got.Equal(soon) {
		t.Fatalf("set close time: %v, %v; want %v", got, err, soon)
	}
	if got, err := s.SetCloseAt(ctx, r.ID, soon.Add(30*time.Minute)); err != nil || !got.Equal(soon) {
		t.Fatalf("a later close time: %v, %v; want the earlier %v kept", got, err, soon)
	}
	if at, err := s.CloseAt(ctx, r.ID); err != nil || !at.Equal(soon) {
		t.Fatalf("close time = %v, %v; want %v", at, err, soon)
	}
	due := func(at time.Time) bool {
		ids, err := s.DueReviews(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(ids, r.ID)
	}
	if due(soon.Add(-time.Second)) || !due(soon) {
		t.Fatal("the review is not due exactly at its early close time")
	}
	if _, err := s.Close(ctx, r.ID, "test", soon); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCloseAt(ctx, r.ID, soon.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if due(soon.Add(time.Hour)) {
		t.Fatal("setting a close time put a closed review back into the open index")
	}
}

func newStore(t *testing.T) *store.Redis {
	rdb, prefix := redistest.New(t)
	return store.New(rdb, prefix)
}
