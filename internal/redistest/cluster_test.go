package redistest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/redistest"
)

func TestClusterFailover(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	c := redistest.StartCluster(t)
	t.Logf("cluster of 6 nodes ready in %v", time.Since(start).Round(time.Millisecond))

	rdb := c.Client()
	masters := c.Masters()
	if len(masters) != 3 {
		t.Fatalf("masters = %v, want 3", masters)
	}
	const n = 200
	if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range n {
			p.Set(ctx, fmt.Sprintf("k%d", i), i, 0)
		}
		return nil
	}); err != nil {
		t.Fatalf("write through the cluster: %v", err)
	}
	readAll(t, rdb, n)

	master := masters[0]
	replica := c.ReplicaOf(master)
	if replica == "" {
		t.Fatalf("no replica of %s", master)
	}
	// A write the replica acknowledged (WAIT) must survive the failover.
	key := keyOn(t, rdb, master)
	node, err := rdb.MasterForKey(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	var wait *redis.Cmd
	if _, err := node.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, key, "acked", 0)
		wait = p.Do(ctx, "WAIT", 1, 2000)
		return nil
	}); err != nil || wait.Val() != int64(1) {
		t.Fatalf("SET+WAIT on %s: %v, replicas acked = %v", master, err, wait.Val())
	}

	c.Kill(master)
	killed := time.Now()
	promoted := c.WaitFailover(master)
	t.Logf("killed master %s; replica %s promoted and cluster_state:ok in %v", master, promoted,
		time.Since(killed).Round(time.Millisecond))
	if promoted != replica {
		t.Errorf("promoted %s, want its replica %s", promoted, replica)
	}
	if got := c.Masters(); len(got) != 3 {
		t.Errorf("masters after failover = %v, want 3", got)
	}

	// The client finds the new master by itself; count how long it takes.
	var tries int
	for {
		tries++
		err := rdb.Set(ctx, key, "after", 0).Err()
		if err == nil {
			break
		}
		if time.Since(killed) > 20*time.Second {
			t.Fatalf("write after failover: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("first write through the same client after the kill: %v (%d tries)", time.Since(killed).Round(time.Millisecond), tries)
	if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range n {
			p.Set(ctx, fmt.Sprintf("k%d", i), i, 0)
		}
		return nil
	}); err != nil {
		t.Fatalf("write through the cluster after failover: %v", err)
	}
	readAll(t, rdb, n)
}

// keyOn returns a key whose slot master serves.
func keyOn(t *testing.T, rdb *redis.ClusterClient, master string) string {
	t.Helper()
	for i := range 1000 {
		k := fmt.Sprintf("acked%d", i)
		node, err := rdb.MasterForKey(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		if node.Options().Addr == master {
			return k
		}
	}
	t.Fatalf("no key found on %s", master)
	return ""
}

func readAll(t *testing.T, rdb redis.UniversalClient, n int) {
	t.Helper()
	ctx := context.Background()
	cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range n {
			p.Get(ctx, fmt.Sprintf("k%d", i))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	for i, cmd := range cmds {
		if got := cmd.(*redis.StringCmd).Val(); got != fmt.Sprint(i) {
			t.Fatalf("k%d = %q, want %d", i, got, i)
		}
	}
}
