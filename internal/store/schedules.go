package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
)

// SaveSchedule stores a schedule and its next run (none while paused).
func (s *Redis) SaveSchedule(ctx context.Context, sc *assessment.Schedule) error {
	raw, err := json.Marshal(toDBSchedule(sc))
	if err != nil {
		return err
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.skey("schedules"), sc.ID, raw)
		if sc.Paused || sc.Next.IsZero() {
			p.ZRem(ctx, s.skey("due"), sc.ID)
		} else {
			p.ZAdd(ctx, s.skey("due"), redis.Z{Score: float64(sc.Next.Unix()), Member: sc.ID})
		}
		return nil
	})
	return wrap("save schedule "+sc.ID, err)
}

// Schedule loads one schedule.
func (s *Redis) Schedule(ctx context.Context, id string) (*assessment.Schedule, error) {
	raw, err := s.rdb.HGet(ctx, s.skey("schedules"), id).Result()
	if errors.Is(err, redis.Nil) {
		return nil, assessment.NewError(assessment.ENOTFOUND, assessment.ScheduleNotFound{ID: id})
	}
	if err != nil {
		return nil, wrap("load schedule", err)
	}
	var sc dbSchedule
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		return nil, fmt.Errorf("store: decode schedule %s: %w", id, err)
	}
	return sc.toSchedule(), nil
}

// Schedules lists every schedule, by id.
func (s *Redis) Schedules(ctx context.Context) ([]*assessment.Schedule, error) {
	all, err := s.rdb.HGetAll(ctx, s.skey("schedules")).Result()
	if err != nil {
		return nil, wrap("list schedules", err)
	}
	var out []*assessment.Schedule
	for _, raw := range all {
		var sc dbSchedule
		if json.Unmarshal([]byte(raw), &sc) == nil {
			out = append(out, sc.toSchedule())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// DeleteSchedule removes a schedule; its reviews stay.
func (s *Redis) DeleteSchedule(ctx context.Context, id string) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, s.skey("schedules"), id)
		p.ZRem(ctx, s.skey("due"), id)
		return nil
	})
	return wrap("delete schedule", err)
}

// DueSchedules returns schedules whose next run is at or before now, with
// that run's time.
func (s *Redis) DueSchedules(ctx context.Context, now time.Time) (map[string]time.Time, error) {
	zs, err := s.rdb.ZRangeByScoreWithScores(ctx, s.skey("due"), &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now.Unix(), 10)}).Result()
	if err != nil {
		return nil, wrap("due schedules", err)
	}
	out := map[string]time.Time{}
	for _, z := range zs {
		out[z.Member.(string)] = time.Unix(int64(z.Score), 0)
	}
	return out, nil
}

// advance moves a schedule from the run at ARGV[2] to the run at ARGV[3]
// and queues the occurrence, only if the schedule is still due at ARGV[2]:
// of several replicas seeing the same run, exactly one queues it. It also
// updates the stored copy's next run (ARGV[5]), but only if the copy is
// still the one the caller read (ARGV[4]): a schedule deleted or edited
// meanwhile is not brought back or overwritten. All keys are in {sched}.
var advance = redis.NewScript(`
local cur = redis.call('ZSCORE', KEYS[1], ARGV[1])
if (not cur) or tonumber(cur) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1] .. '|' .. ARGV[2])
if ARGV[4] ~= '' and redis.call('HGET', KEYS[3], ARGV[1]) == ARGV[4] then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
end
return 1
`)

// Advance claims the run at `at` of a schedule: it queues the occurrence
// and moves the schedule to `next`. It reports whether this caller did it.
func (s *Redis) Advance(ctx context.Context, id string, at, next time.Time) (bool, error) {
	old, err := s.rdb.HGet(ctx, s.skey("schedules"), id).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, wrap("advance schedule", err)
	}
	var updated []byte
	var sc dbSchedule
	if old != "" && json.Unmarshal([]byte(old), &sc) == nil {
		sc.Next = next
		updated, _ = json.Marshal(sc)
	}
	if updated == nil {
		old = ""
	}
	keys := []string{s.skey("due"), s.skey("occurrences"), s.skey("schedules")}
	n, err := advance.Run(ctx, s.rdb, keys, id, at.Unix(), next.Unix(), old, string(updated)).Int()
	if err != nil {
		return false, wrap("advance schedule", err)
	}
	return n == 1, nil
}

// PendingOccurrences lists queued occurrences, oldest first.
func (s *Redis) PendingOccurrences(ctx context.Context) ([]assessment.Occurrence, error) {
	ms, err := s.rdb.ZRange(ctx, s.skey("occurrences"), 0, -1).Result()
	if err != nil {
		return nil, wrap("pending occurrences", err)
	}
	var out []assessment.Occurrence
	for _, m := range ms {
		if o, ok := parseOccurrence(m); ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// OccurrenceDone takes an occurrence off the queue.
func (s *Redis) OccurrenceDone(ctx context.Context, o assessment.Occurrence) error {
	return wrap("occurrence done", s.rdb.ZRem(ctx, s.skey("occurrences"), occurrenceMember(o)).Err())
}

// OccurrencePending reports whether an occurrence is still queued.
func (s *Redis) OccurrencePending(ctx context.Context, o assessment.Occurrence) (bool, error) {
	err := s.rdb.ZScore(ctx, s.skey("occurrences"), occurrenceMember(o)).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, wrap("occurrence pending", err)
}
