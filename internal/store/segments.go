package store

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
)

// A review's segment membership ({r:<id>}:segm) maps each member to the
// segments they were in at the start, one field per person, so that
// Forget drops a person with one HDEL and Delink the whole with the rest
// of what ties people to the review. What the digest published of the
// segments ({r:<id>}:segcells) is figures and names only.

// SetMembership keeps who was in each segment of a review when it started.
func (s *Redis) SetMembership(ctx context.Context, reviewID string, m assessment.Membership) error {
	byUser := map[string][]string{}
	for seg, users := range m {
		for _, u := range users {
			byUser[u] = append(byUser[u], seg)
		}
	}
	key := s.rkey(reviewID, "segm")
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, key)
		if len(byUser) == 0 {
			return nil
		}
		fields := make([]any, 0, 2*len(byUser))
		for u, segs := range byUser {
			sort.Strings(segs)
			fields = append(fields, u, strings.Join(segs, ","))
		}
		p.HSet(ctx, key, fields...)
		return nil
	})
	return wrap("set membership "+reviewID, err)
}

// Membership is who was in each segment of a review when it started;
// empty once the review is de-linked.
func (s *Redis) Membership(ctx context.Context, reviewID string) (assessment.Membership, error) {
	vals, err := s.rdb.HGetAll(ctx, s.rkey(reviewID, "segm")).Result()
	if err != nil {
		return nil, wrap("membership "+reviewID, err)
	}
	out := assessment.Membership{}
	users := make([]string, 0, len(vals))
	for u := range vals {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		for _, seg := range strings.Split(vals[u], ",") {
			if seg != "" {
				out[seg] = append(out[seg], u)
			}
		}
	}
	return out, nil
}

// KeepSegments keeps the segments a digest published (their cells as
// shown), which outlive the membership.
func (s *Redis) KeepSegments(ctx context.Context, reviewID string, segs []digest.Segment) error {
	raw, err := json.Marshal(segs)
	if err != nil {
		return err
	}
	return wrap("keep segments "+reviewID, s.rdb.Set(ctx, s.rkey(reviewID, "segcells"), raw, 0).Err())
}

// KeptSegments returns what KeepSegments kept; ok is false when nothing
// was.
func (s *Redis) KeptSegments(ctx context.Context, reviewID string) (segs []digest.Segment, ok bool, err error) {
	raw, err := s.rdb.Get(ctx, s.rkey(reviewID, "segcells")).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap("kept segments "+reviewID, err)
	}
	if err := json.Unmarshal(raw, &segs); err != nil {
		return nil, false, wrap("kept segments "+reviewID, err)
	}
	return segs, true, nil
}
