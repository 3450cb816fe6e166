package store

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
)

// A review's segment membership ({r:<id>}:segm) maps each member to the
// segments they were in at the start, one field per person, so that
// Forget drops a person with one HDEL and Delink the whole with the rest
// of what ties people to the review. What the digest published of the
// segments ({r:<id>}:segcells) is figures and names only.

// MembershipGrace is how long a membership written for a review that does
// not exist yet lives: Start writes it just before CreateReview, whose
// script makes it permanent (until Delink); a start that fails or dies
// between the two leaves an orphan that expires by itself.
const MembershipGrace = time.Hour

// setMembership writes KEYS[2] (the membership) from ARGV[2..] (user,
// segments pairs) with a life of ARGV[1] ms, unless the review KEYS[1]
// (its meta) exists: a review's membership is frozen once it is created,
// and a retried start of a review that exists (even one de-linked) must
// not write it again.
var setMembership = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
if #ARGV > 1 then
  for i = 2, #ARGV, 1000 do
    redis.call('HSET', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
  end
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
return 1
`)

// SetMembership keeps who was in each segment of a review when it
// started. It is written before the review (CreateReview makes it
// permanent) and expires after MembershipGrace if the review is never
// created; once the review exists it changes nothing.
func (s *Redis) SetMembership(ctx context.Context, reviewID string, m assessment.Membership) error {
	byUser := map[string][]string{}
	for seg, users := range m {
		for _, u := range users {
			byUser[u] = append(byUser[u], seg)
		}
	}
	users := make([]string, 0, len(byUser))
	for u := range byUser {
		users = append(users, u)
	}
	sort.Strings(users)
	args := make([]any, 0, 1+2*len(users))
	args = append(args, MembershipGrace.Milliseconds())
	for _, u := range users {
		segs := byUser[u]
		sort.Strings(segs)
		args = append(args, u, strings.Join(segs, ","))
	}
	keys := []string{s.rkey(reviewID, "meta"), s.rkey(reviewID, "segm")}
	return wrap("set membership "+reviewID, setMembership.Run(ctx, s.rdb, keys, args...).Err())
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

// A posted review's team record ({r:<id>}:segtrend) is its shown teams'
// answerers as keyed hashes under a key the store never holds
// (review.TeamTrendKey): no user id, and nothing in Redis tests one. It
// expires at until; the next review of the series drops it once compared.
// Delink leaves it (it names nobody), and so does Forget: taking a hash
// out would make a run without that person look unchanged.

// KeepTeamAnswerers keeps a review's team record until until.
func (s *Redis) KeepTeamAnswerers(ctx context.Context, reviewID string, rec assessment.TeamAnswerers, until time.Time) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	err = s.rdb.SetArgs(ctx, s.rkey(reviewID, "segtrend"), raw, redis.SetArgs{ExpireAt: until}).Err()
	return wrap("keep team answerers "+reviewID, err)
}

// TeamAnswerers returns a review's team record; ok is false when none is
// kept.
func (s *Redis) TeamAnswerers(ctx context.Context, reviewID string) (rec assessment.TeamAnswerers, ok bool, err error) {
	raw, err := s.rdb.Get(ctx, s.rkey(reviewID, "segtrend")).Bytes()
	if errors.Is(err, redis.Nil) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, wrap("team answerers "+reviewID, err)
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return rec, false, wrap("team answerers "+reviewID, err)
	}
	return rec, true, nil
}

// DropTeamAnswerers deletes a review's team record.
func (s *Redis) DropTeamAnswerers(ctx context.Context, reviewID string) error {
	return wrap("drop team answerers "+reviewID, s.rdb.Del(ctx, s.rkey(reviewID, "segtrend")).Err())
}
