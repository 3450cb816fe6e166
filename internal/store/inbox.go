package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The inbox keeps each envelope the bot acks before handling it (a slash
// command, a form) from its ack until it is handled, so that a process
// killed with it queued leaves it to the next one instead of losing it.
// Its keys share the {inbox} slot, so every step is one script:
//
//	{inbox}:e:<id>  hash: state (handling|handled), kind, payload; TTL
//	{inbox}:lease   zset: envelope id → end of its handler's lease (ms,
//	                Redis's clock); an entry past its end is a handler that
//	                died, and InboxDue hands it to another.
//
// Envelopes that go through the inbox are told apart by their type, the
// same for every delivery of one envelope, so its state here is also what
// drops a redelivery.

// InboxEntry is an envelope taken from the inbox for handling again.
type InboxEntry struct {
	ID, Kind string
	Payload  []byte
}

// inboxTTL bounds how long an envelope stays in the inbox: a command
// older than this is not worth running any more (Slack's response_url
// lasts 30 minutes), and a handled one need not be recognised after it.
const inboxTTL = time.Hour

func (s *Redis) inboxKey(id string) string { return s.prefix + "{inbox}:e:" + id }
func (s *Redis) inboxLeases() string       { return s.prefix + "{inbox}:lease" }

// inboxAdd takes a new envelope for lease (ARGV[3] ms) and keeps its
// payload; for an envelope seen before it returns that one's state.
var inboxAdd = redis.NewScript(`
local st = redis.call('HGET', KEYS[1], 'state')
if st then return st end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'state', 'handling', 'kind', ARGV[1], 'payload', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4])
return false
`)

// InboxAdd keeps an envelope in the inbox before it is acked and takes it
// for lease. claimed is false for an envelope seen before: handled tells
// whether it was handled (false: it is in the inbox, with a handler or
// waiting for one). When the store waits for replicas the envelope is on
// them before this returns, as an answer is.
func (s *Redis) InboxAdd(ctx context.Context, id, kind string, payload []byte, lease time.Duration) (claimed, handled bool, err error) {
	cmd, waitErr := s.runAcked(ctx, inboxAdd, []string{s.inboxKey(id), s.inboxLeases()},
		kind, payload, lease.Milliseconds(), id, inboxTTL.Milliseconds())
	v, err := cmd.Text()
	switch {
	case errors.Is(err, redis.Nil):
		if waitErr != nil {
			return true, false, wrap("inbox add", waitErr)
		}
		return true, false, nil
	case err != nil:
		return false, false, wrap("inbox add", err)
	}
	return false, v == envHandled, nil
}

// inboxDone marks an envelope handled: its payload goes, its state stays
// for the rest of its TTL to drop redeliveries.
var inboxDone = redis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', 'handled')
redis.call('HDEL', KEYS[1], 'kind', 'payload')
return 1
`)

// InboxDone records that an envelope of the inbox was handled.
func (s *Redis) InboxDone(ctx context.Context, id string) error {
	return wrap("inbox done", inboxDone.Run(ctx, s.rdb, []string{s.inboxKey(id), s.inboxLeases()}, id).Err())
}

// inboxRenew extends the leases of envelopes still in the inbox.
var inboxRenew = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
end
return 0
`)

// InboxRenew extends the leases of the envelopes this process holds.
func (s *Redis) InboxRenew(ctx context.Context, ids []string, lease time.Duration) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, lease.Milliseconds())
	for _, id := range ids {
		args = append(args, id)
	}
	return wrap("inbox renew", inboxRenew.Run(ctx, s.rdb, []string{s.inboxLeases()}, args...).Err())
}

// inboxTake takes an envelope whose lease has ended for a new lease and
// returns its kind and payload; nil when another process took it first or
// it is gone (handled, or past its TTL).
var inboxTake = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not until_ or tonumber(until_) > now then return false end
local e = redis.call('HMGET', KEYS[1], 'state', 'kind', 'payload')
if e[1] ~= 'handling' or not e[3] then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return false
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
return {e[2], e[3]}
`)

// InboxDue takes up to max envelopes whose handler's lease ended (the
// process died, or was stopped before handling them), each for lease.
func (s *Redis) InboxDue(ctx context.Context, lease time.Duration, max int) ([]InboxEntry, error) {
	t, err := s.rdb.Time(ctx).Result()
	if err != nil {
		return nil, wrap("inbox due", err)
	}
	ids, err := s.rdb.ZRangeByScore(ctx, s.inboxLeases(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(t.UnixMilli(), 10), Count: int64(max)}).Result()
	if err != nil {
		return nil, wrap("inbox due", err)
	}
	var out []InboxEntry
	for _, id := range ids {
		v, err := inboxTake.Run(ctx, s.rdb, []string{s.inboxKey(id), s.inboxLeases()}, id, lease.Milliseconds()).Slice()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return out, wrap("inbox due", err)
		}
		kind, _ := v[0].(string)
		payload, _ := v[1].(string)
		out = append(out, InboxEntry{ID: id, Kind: kind, Payload: []byte(payload)})
	}
	return out, nil
}
