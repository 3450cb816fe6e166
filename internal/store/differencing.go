package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
)

// The differencing record (review.Answerers). Keys:
//   - dset:key, the secret of the keyed hash of user ids (made once, kept);
//   - dset:r:<review>, a published review's answerers as keyed hashes
//     (assessment.AnswererSet), expiring at the end of the differencing
//     window;
//   - dset:fw:<framework>, the framework's published reviews scored by
//     when they were published (entries past the window are trimmed);
//   - {r:<id>}:differencing, the review's verdict, set once.
//
// Forget must not delete or rewrite any of them: they name nobody (a hash
// under a secret is no user id), and they are what stops a review whose
// answerers differ by a few people from an earlier one from showing
// figures. If forget rewrote them, as it rewrites a review's audience, the
// forget attack (forget @alice, then run the review without her) would get
// through. Retention leaves them too: the record expires by itself after
// the window, the verdict lives as long as the review's figures.

// setOnce sets KEYS[1] to ARGV[1] unless it is set, and returns the value
// in force.
var setOnce = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
`)

// recordSet keeps KEYS[1] = ARGV[1] until ARGV[2] (Unix ms).
var recordSet = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
`)

// listPublished adds ARGV[2] to the sorted set KEYS[1] at ARGV[1] and
// trims the entries scored below ARGV[3].
var listPublished = redis.NewScript(`
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
return 1
`)

// Every write of the record waits for the replicas, as an answer does: a
// record, a verdict or a key lost in a failover would let the check pass.

// AnswererKey returns the secret of the keyed hash, made on first use.
func (s *Redis) AnswererKey(ctx context.Context) ([]byte, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, err
	}
	v, err := s.setOnceAcked(ctx, "differencing key", s.gkey("dset:key"), hex.EncodeToString(fresh[:]))
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

// setOnceAcked runs setOnce, waiting for the replicas.
func (s *Redis) setOnceAcked(ctx context.Context, op, key string, value any) (string, error) {
	cmd, waitErr := s.runAcked(ctx, setOnce, []string{key}, value)
	if err := cmd.Err(); err != nil {
		return "", wrap(op, err)
	}
	if waitErr != nil {
		return "", wrap(op, waitErr)
	}
	v, _ := cmd.Val().(string)
	return v, nil
}

// RecordAnswerers keeps a published review's answerers until until, and
// lists the review among its framework's published reviews.
func (s *Redis) RecordAnswerers(ctx context.Context, set assessment.AnswererSet, until time.Time) error {
	raw, err := json.Marshal(set)
	if err != nil {
		return err
	}
	if err := s.writeAcked(ctx, "record answerers", recordSet, []string{s.gkey("dset:r:" + set.ReviewID)}, raw, until.UnixMilli()); err != nil {
		return err
	}
	window := until.Sub(set.Published)
	return s.writeAcked(ctx, "record answerers", listPublished, []string{s.gkey("dset:fw:" + set.FrameworkID)},
		set.Published.Unix(), set.ReviewID, set.Published.Add(-window).Unix())
}

// PublishedAnswerers lists the records of a framework's reviews published
// at or after since, oldest first.
func (s *Redis) PublishedAnswerers(ctx context.Context, frameworkID string, since time.Time) ([]assessment.AnswererSet, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.gkey("dset:fw:"+frameworkID), &redis.ZRangeBy{
		Min: strconv.FormatInt(since.Unix(), 10), Max: "+inf"}).Result()
	if err != nil || len(ids) == 0 {
		return nil, wrap("published answerers", err)
	}
	// One GET each: the records live on different slots.
	gets := make([]*redis.StringCmd, len(ids))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			gets[i] = p.Get(ctx, s.gkey("dset:r:"+id))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, wrap("published answerers", err)
	}
	var out []assessment.AnswererSet
	for _, g := range gets {
		raw, err := g.Bytes()
		if err != nil {
			continue // expired with the window
		}
		var set assessment.AnswererSet
		if err := json.Unmarshal(raw, &set); err != nil {
			return nil, err
		}
		out = append(out, set)
	}
	return out, nil
}

// SetVerdict stores a review's verdict unless one is stored, and returns
// the one in force.
func (s *Redis) SetVerdict(ctx context.Context, reviewID string, v assessment.Verdict) (assessment.Verdict, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return v, err
	}
	inForce, err := s.setOnceAcked(ctx, "differencing verdict", s.rkey(reviewID, "differencing"), raw)
	if err != nil {
		return v, err
	}
	var got assessment.Verdict
	return got, json.Unmarshal([]byte(inForce), &got)
}

// Verdict returns a review's verdict; ok is false when none is stored.
func (s *Redis) Verdict(ctx context.Context, reviewID string) (assessment.Verdict, bool, error) {
	var v assessment.Verdict
	raw, err := s.rdb.Get(ctx, s.rkey(reviewID, "differencing")).Bytes()
	if errors.Is(err, redis.Nil) {
		return v, false, nil
	}
	if err != nil {
		return v, false, wrap("differencing verdict", err)
	}
	return v, true, json.Unmarshal(raw, &v)
}
