package store

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// Who is away, and how it is forgotten: while a review is open,
// {r:<id>}:away holds the respondents whose intro waits for them to come
// back (SetAway); Delink counts those among them who never answered into
// {r:<id>}:awaycount and deletes the set, in its one script, so that after
// the digest only the count says anyone was away; Forget takes a person
// out of it.

// setAway adds or removes a respondent in a review's away set, only while
// they are in its audience (a forgotten person, or a de-linked review,
// gets no new trace). KEYS: :who, :away; ARGV: user, "1" to add.
var setAway = redis.NewScript(`
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] == '1' then return redis.call('SADD', KEYS[2], ARGV[1]) end
return redis.call('SREM', KEYS[2], ARGV[1])
`)

// SetAway records whether a respondent's intro waits because they are
// away.
func (s *Redis) SetAway(ctx context.Context, reviewID, user string, away bool) error {
	flag := "0"
	if away {
		flag = "1"
	}
	return wrap("set away", setAway.Run(ctx, s.rdb, []string{s.rkey(reviewID, "who"), s.rkey(reviewID, "away")}, user, flag).Err())
}

// awayCount counts the away respondents who have not answered: from the
// away set until the review is de-linked, then the count Delink kept.
// KEYS[1] = the review's key prefix.
var awayCount = redis.NewScript(`
local p = KEYS[1]
if redis.call('EXISTS', p .. 'delinked') == 1 then
  return tonumber(redis.call('GET', p .. 'awaycount') or '0')
end
local n = 0
for _, u in ipairs(redis.call('SMEMBERS', p .. 'away')) do
  if redis.call('EXISTS', p .. 'ans:' .. u) == 0 then n = n + 1 end
end
return n
`)

// AwayCount is how many of a review's respondents are away and have not
// answered: their intro waits (or, once the review closed, never went
// out). It names nobody.
func (s *Redis) AwayCount(ctx context.Context, reviewID string) (int, error) {
	n, err := awayCount.Run(ctx, s.rdb, []string{s.rkey(reviewID, "")}).Int()
	return n, wrap("away count", err)
}
