package redistest_test

import (
	"context"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/redistest"
)

func TestSentinelFailover(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	s := redistest.StartSentinel(t)
	t.Logf("master, replica and 3 sentinels ready in %v", time.Since(start).Round(time.Millisecond))

	rdb := s.Client()
	master := s.Master()
	if master != s.DataAddrs()[0] {
		t.Fatalf("sentinels name %s as master, want %s", master, s.DataAddrs()[0])
	}
	if err := rdb.Set(ctx, "k", "before", 0).Err(); err != nil {
		t.Fatalf("write through sentinel: %v", err)
	}
	// WAIT on the same connection: the replica has the write before the kill.
	conn := rdb.Conn()
	defer conn.Close()
	if err := conn.Set(ctx, "acked", "yes", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := conn.Wait(ctx, 1, 2*time.Second).Result(); err != nil || n != 1 {
		t.Fatalf("WAIT 1: %d, %v", n, err)
	}
	if got, err := rdb.Get(ctx, "k").Result(); err != nil || got != "before" {
		t.Fatalf("read k = %q, %v", got, err)
	}

	s.Kill(master)
	killed := time.Now()
	promoted := s.WaitFailover()
	t.Logf("killed master %s; sentinels promoted %s in %v", master, promoted, time.Since(killed).Round(time.Millisecond))
	if promoted != s.DataAddrs()[1] {
		t.Errorf("promoted %s, want the replica %s", promoted, s.DataAddrs()[1])
	}

	var tries int
	for {
		tries++
		err := rdb.Set(ctx, "k", "after", 0).Err()
		if err == nil {
			break
		}
		if time.Since(killed) > 20*time.Second {
			t.Fatalf("write after failover: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("first write through the same client after the kill: %v (%d tries)", time.Since(killed).Round(time.Millisecond), tries)
	if got, err := rdb.Get(ctx, "acked").Result(); err != nil || got != "yes" {
		t.Errorf("acknowledged write after failover = %q, %v; want yes", got, err)
	}
	if got, err := rdb.Get(ctx, "k").Result(); err != nil || got != "after" {
		t.Errorf("k after failover = %q, %v", got, err)
	}
}
