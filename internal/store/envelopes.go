package store

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Envelope states under env:<id>. FirstDelivery's older value "1" counts as
// handled.
const (
	envHandling = "handling"
	envHandled  = "handled"
)

// claimEnvelope returns the envelope's state, or takes it for ARGV[1]
// milliseconds and returns false: one round trip, and Redis 6.2 has no
// SET NX GET.
var claimEnvelope = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], 'handling', 'PX', ARGV[1])
return false
`)

// ClaimEnvelope starts handling a Socket Mode envelope. It takes the
// envelope for lease and returns claimed when no delivery of it was handled
// or is being handled; otherwise handled tells whether one was handled
// (false: another delivery holds it right now). A process that dies while
// holding an envelope lets its redelivery through once the lease expires.
func (s *Redis) ClaimEnvelope(ctx context.Context, envelopeID string, lease time.Duration) (claimed, handled bool, err error) {
	v, err := claimEnvelope.Run(ctx, s.rdb, []string{s.gkey("env:" + envelopeID)}, lease.Milliseconds()).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return true, false, nil
	case err != nil:
		return false, false, wrap("claim envelope", err)
	}
	return false, v != envHandling, nil
}

// EnvelopeHandled records that an envelope was handled, for ttl: its
// redeliveries and duplicates are then ignored.
func (s *Redis) EnvelopeHandled(ctx context.Context, envelopeID string, ttl time.Duration) error {
	return wrap("envelope handled", s.rdb.Set(ctx, s.gkey("env:"+envelopeID), envHandled, ttl).Err())
}

// EnvelopeState returns "handling", "handled" or "" (unknown) for an
// envelope: for tests and operators.
func (s *Redis) EnvelopeState(ctx context.Context, envelopeID string) (string, error) {
	v, err := s.rdb.Get(ctx, s.gkey("env:"+envelopeID)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", nil
	case err != nil:
		return "", wrap("envelope state", err)
	case v == envHandling:
		return envHandling, nil
	}
	return envHandled, nil
}
