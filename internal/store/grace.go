package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// A review whose respondents have all submitted closes early: at the end
// of its grace period. Its key "closes" holds that time (unix seconds) for
// display; the deadline sweep finds it because its member in the open
// reviews' index is moved to that time. The review's stored Deadline
// stays as it was.

// closeEarly keeps the earlier of the stored and the given close time in
// one key of the review's slot and returns the one kept.
var closeEarly = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and tonumber(cur) <= tonumber(ARGV[1]) then return cur end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`)

// SetCloseAt makes an open review close at at, or keeps an earlier close
// time already set, and returns the close time in force. The index move is
// a single-key ZADD XX LT: it never re-adds a review that has closed
// meanwhile, nor moves one later; a crash between the two steps is mended
// by calling again.
func (s *Redis) SetCloseAt(ctx context.Context, reviewID string, at time.Time) (time.Time, error) {
	raw, err := closeEarly.Run(ctx, s.rdb, []string{s.rkey(reviewID, "closes")}, at.Unix()).Text()
	if err != nil {
		return time.Time{}, wrap("set close time "+reviewID, err)
	}
	unix, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return time.Time{}, wrap("set close time "+reviewID, err)
	}
	err = s.rdb.ZAddArgs(ctx, s.ikey("reviews:open"), redis.ZAddArgs{XX: true, LT: true,
		Members: []redis.Z{{Score: float64(unix), Member: reviewID}}}).Err()
	if err != nil {
		return time.Time{}, wrap("move close time "+reviewID, err)
	}
	return time.Unix(unix, 0), nil
}

// CloseAt returns when a review closes early because everyone submitted,
// or the zero time when it has not been set.
func (s *Redis) CloseAt(ctx context.Context, reviewID string) (time.Time, error) {
	unix, err := s.rdb.Get(ctx, s.rkey(reviewID, "closes")).Int64()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, wrap("close time "+reviewID, err)
	}
	return time.Unix(unix, 0), nil
}
