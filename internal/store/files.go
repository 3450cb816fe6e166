package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Delink leaves nothing in the dataset that ties a person to an answer,
// but the append-only file Redis keeps still holds the past: every
// HSET …:ans:<user> of the review, and the RENAME that gave each sheet its
// random id. Redis rewrites that file on its own only when it has grown
// (by default, past 64 MB), which a small bot may never reach. So every
// de-linking is counted (Pfiles, field asked) and CompactFiles rewrites the
// append-only file of every server that keeps one (BGREWRITEAOF), once for
// all the de-linkings counted when it started, and records them as done:
// from then on the files Redis writes hold the dataset as it is, in which
// nothing names a person next to an answer. Snapshots (RDB) need nothing:
// each holds the dataset as it was when it was taken.
//
//	Pfiles  hash  any slot  asked: de-linkings so far (Delink);
//	                        done: those covered by a finished rewrite

// filesKey is the hash of de-linkings asked and covered by a rewrite.
func (s *Redis) filesKey() string { return s.gkey("files") }

// filesDone records that a rewrite covered ARGV[1] de-linkings, unless a
// later one recorded more.
var filesDone = redis.NewScript(`
local done = tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
if tonumber(ARGV[1]) > done then redis.call('HSET', KEYS[1], 'done', ARGV[1]) end
return 1
`)

// CompactFiles rewrites the append-only file of every server of the
// deployment that keeps one, when a review was de-linked since the last
// rewrite; it waits until each rewrite is over. That is every master (of a
// Cluster, of a Sentinel group, or the one server) and every replica a
// master lists (INFO replication), reached at the address it announces
// with the client's options, once it has every write its master had when
// this began. A server that does not report its persistence (INFO) keeps
// no file this can rewrite and is passed over. rewrote is false when there
// was nothing to do. On an error nothing is recorded, and the next call
// tries again.
func (s *Redis) CompactFiles(ctx context.Context) (rewrote bool, err error) {
	vals, err := s.rdb.HMGet(ctx, s.filesKey(), "asked", "done").Result()
	if err != nil {
		return false, wrap("compact files", err)
	}
	asked, _ := strconv.ParseInt(fmt.Sprint(vals[0]), 10, 64)
	done, _ := strconv.ParseInt(fmt.Sprint(vals[1]), 10, 64)
	if asked <= done {
		return false, nil
	}
	var mu sync.Mutex
	var errs []error
	each := func(ctx context.Context, master *redis.Client) error {
		did, err := compactMaster(ctx, master)
		mu.Lock()
		defer mu.Unlock()
		rewrote = rewrote || did
		if err != nil {
			errs = append(errs, err)
		}
		return nil
	}
	switch c := s.rdb.(type) {
	case *redis.ClusterClient:
		if err := c.ForEachMaster(ctx, each); err != nil {
			return rewrote, wrap("compact files", err)
		}
	case *redis.Client:
		_ = each(ctx, c)
	default:
		return false, fmt.Errorf("store: compact files: unsupported client %T", s.rdb)
	}
	if err := errors.Join(errs...); err != nil {
		return rewrote, fmt.Errorf("store: compact files: %w", err)
	}
	return rewrote, wrap("compact files", filesDone.Run(ctx, s.rdb, []string{s.filesKey()}, asked).Err())
}

// compactMaster rewrites a master's append-only file, then those of the
// replicas it lists, each once it has caught up with the master.
func compactMaster(ctx context.Context, master *redis.Client) (rewrote bool, err error) {
	info, err := master.Info(ctx, "replication").Result()
	var reply redis.Error
	if err != nil && !errors.As(err, &reply) {
		return false, fmt.Errorf("master: %w", err)
	}
	repl := fields(info)
	offset, _ := strconv.ParseInt(repl["master_repl_offset"], 10, 64)
	rewrote, err = rewriteAOF(ctx, master)
	if err != nil {
		return rewrote, fmt.Errorf("master: %w", err)
	}
	var errs []error
	for _, addr := range replicaAddrs(repl) {
		opt := *master.Options()
		opt.Addr, opt.Dialer = addr, nil // a Sentinel client's dialer always finds the master
		r := redis.NewClient(&opt)
		did, err := caughtUp(ctx, r, offset)
		if err == nil {
			did, err = rewriteAOF(ctx, r)
		}
		_ = r.Close()
		rewrote = rewrote || did
		if err != nil {
			errs = append(errs, fmt.Errorf("replica %s: %w", addr, err))
		}
	}
	return rewrote, errors.Join(errs...)
}

// fields reads an INFO reply into its fields.
func fields(info string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(info, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			out[k] = v
		}
	}
	return out
}

// replicaAddrs lists the replicas a master reports (INFO replication's
// slave<n>:ip=…,port=…).
func replicaAddrs(repl map[string]string) []string {
	var out []string
	for i := 0; ; i++ {
		line, ok := repl["slave"+strconv.Itoa(i)]
		if !ok {
			return out
		}
		var ip, port string
		for _, kv := range strings.Split(line, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "ip":
				ip = v
			case "port":
				port = v
			}
		}
		if ip != "" && port != "" {
			out = append(out, net.JoinHostPort(ip, port))
		}
	}
}

// caughtUp waits until a replica has processed its master's stream up to
// offset, so that its rewrite holds the de-linkings.
func caughtUp(ctx context.Context, r *redis.Client, offset int64) (bool, error) {
	read := func() (map[string]string, error) {
		info, err := r.Info(ctx, "replication").Result()
		return fields(info), err
	}
	_, err := waitPersistence(ctx, read, func(p map[string]string) bool {
		got, err := strconv.ParseInt(p["slave_repl_offset"], 10, 64)
		return err == nil && p["master_link_status"] == "up" && got >= offset
	})
	return false, err
}

// rewriteAOF rewrites one server's append-only file, if it keeps one, and
// waits until a rewrite that started after the call is over. A rewrite
// already under way may have started before the de-linkings: it is waited
// for, and another one asked.
func rewriteAOF(ctx context.Context, c *redis.Client) (bool, error) {
	persistence := func() (map[string]string, error) {
		info, err := c.Info(ctx, "persistence").Result()
		return fields(info), err
	}
	idle := func(p map[string]string) bool {
		return p["aof_rewrite_in_progress"] != "1" && p["aof_rewrite_scheduled"] != "1"
	}
	p, err := persistence()
	var reply redis.Error
	if errors.As(err, &reply) {
		return false, nil // no INFO persistence (an in-memory stand-in): no files
	}
	if err != nil {
		return false, err
	}
	if p["aof_enabled"] != "1" {
		return false, nil
	}
	for {
		if !idle(p) {
			if p, err = waitPersistence(ctx, persistence, idle); err != nil {
				return false, err
			}
		}
		err := c.BgRewriteAOF(ctx).Err()
		if err != nil && strings.Contains(err.Error(), "already in progress") {
			if p, err = persistence(); err != nil {
				return false, err
			}
			continue // one began since: wait for it, then ask again
		}
		if err != nil {
			return false, fmt.Errorf("BGREWRITEAOF: %w", err)
		}
		break
	}
	// Started now, or scheduled after the child under way: either way it
	// reads the dataset after the call.
	if p, err = waitPersistence(ctx, persistence, idle); err != nil {
		return false, err
	}
	if st := p["aof_last_bgrewrite_status"]; st != "ok" {
		return false, fmt.Errorf("the append-only file rewrite ended with status %q (see the Redis log)", st)
	}
	return true, nil
}

// waitPersistence polls an INFO section (read) until done says so, backing off
// from 10 ms to a second, or until ctx ends.
func waitPersistence(ctx context.Context, read func() (map[string]string, error), done func(map[string]string) bool) (map[string]string, error) {
	wait := 10 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		p, err := read()
		if err != nil {
			return nil, err
		}
		if done(p) {
			return p, nil
		}
		wait = min(2*wait, time.Second)
	}
}
