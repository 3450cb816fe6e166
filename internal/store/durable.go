package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// runAcked runs a script that writes a person's click (an answer or a
// submission) and, when the store waits for replicas, sends WAIT right
// behind it on the same connection, in one round trip. WAIT cannot run
// inside a script or a MULTI (there it never blocks), and it has no key, so
// a cluster client would send it to any node: on a cluster the pipeline
// goes to the master of the review's slot itself (MasterForKey), and a
// MOVED, ASK or lost connection (a failover under way) re-reads the slot
// map and tries again, a few times within about a second. Saving an answer
// again is harmless: the scripts are idempotent.
//
// The script's own refusals (closed, not a respondent) come back in the
// command; err is set only when the click was written but fewer replicas
// than asked acknowledged it in time.
func (s *Redis) runAcked(ctx context.Context, script *redis.Script, keys []string, args ...any) (*redis.Cmd, error) {
	if s.waitReplicas == 0 {
		return script.Run(ctx, s.rdb, keys, args...), nil
	}
	cluster, _ := s.rdb.(*redis.ClusterClient)
	var cmd *redis.Cmd
	var acked int64
	for attempt := 0; ; attempt++ {
		var c redis.Cmdable = s.rdb
		var err error
		if cluster != nil {
			var node *redis.Client
			if node, err = cluster.MasterForKey(ctx, keys[0]); err == nil {
				c = node
			}
		}
		if err == nil {
			cmd, acked = s.evalWait(ctx, c, script, keys, args)
			err = cmd.Err()
		} else {
			cmd = redis.NewCmd(ctx)
			cmd.SetErr(err)
		}
		if cluster == nil || attempt >= 4 || !rerouted(err) || ctx.Err() != nil {
			break
		}
		cluster.ReloadState(ctx)
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(50<<attempt) * time.Millisecond):
		}
	}
	if cmd.Err() != nil {
		return cmd, nil
	}
	if acked < int64(s.waitReplicas) {
		return cmd, errUnavailable.Because(fmt.Errorf("%d of %d replicas had the write within %v", acked, s.waitReplicas, s.waitTimeout))
	}
	return cmd, nil
}

// writeAcked is runAcked for a write whose reply does not matter: the
// script's error or, when it ran, the replicas' shortfall.
func (s *Redis) writeAcked(ctx context.Context, op string, script *redis.Script, keys []string, args ...any) error {
	cmd, waitErr := s.runAcked(ctx, script, keys, args...)
	if err := cmd.Err(); err != nil {
		return wrap(op, err)
	}
	return wrap(op, waitErr)
}

// evalWait sends EVALSHA and WAIT in one pipeline on one connection of c,
// loading the script first if the server does not know it.
func (s *Redis) evalWait(ctx context.Context, c redis.Cmdable, script *redis.Script, keys []string, args []any) (*redis.Cmd, int64) {
	for try := 0; ; try++ {
		p := c.Pipeline()
		ev := p.EvalSha(ctx, script.Hash(), keys, args...)
		w := p.Do(ctx, "WAIT", s.waitReplicas, s.waitTimeout.Milliseconds())
		_, _ = p.Exec(ctx)
		if try == 0 && ev.Err() != nil && strings.HasPrefix(ev.Err().Error(), "NOSCRIPT") {
			if err := script.Load(ctx, c).Err(); err != nil {
				ev.SetErr(err)
				return ev, 0
			}
			continue
		}
		n, _ := w.Int64()
		return ev, n
	}
}

// rerouted reports whether err says the slot lives elsewhere now or the
// node could not be reached: worth re-reading the slot map and retrying.
func rerouted(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, p := range []string{"MOVED ", "ASK ", "CLUSTERDOWN ", "TRYAGAIN ", "LOADING ", "READONLY ", "MASTERDOWN "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, net.ErrClosed) || strings.Contains(msg, "connection refused") ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "EOF")
}

// Replicas reports how many replicas the deployment keeps of every write:
// INFO replication's connected_slaves of the one master (single server,
// Sentinel), or the smallest count among a cluster's masters.
func Replicas(ctx context.Context, rdb redis.UniversalClient) (int, error) {
	count := func(ctx context.Context, c *redis.Client) (int, error) {
		info, err := c.Info(ctx, "replication").Result()
		if err != nil {
			return 0, err
		}
		var n int
		for _, line := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "connected_slaves:"); ok {
				_, _ = fmt.Sscan(v, &n)
			}
		}
		return n, nil
	}
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		least := -1
		var mu sync.Mutex
		err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			n, err := count(ctx, m)
			if err != nil {
				return err
			}
			mu.Lock()
			if least < 0 || n < least {
				least = n
			}
			mu.Unlock()
			return nil
		})
		return max(least, 0), err
	case *redis.Client:
		return count(ctx, c)
	}
	return 0, fmt.Errorf("store: replicas: unsupported client %T", rdb)
}
