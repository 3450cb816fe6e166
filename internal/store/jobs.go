package store

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
)

// AddJobs queues jobs; a job already queued keeps its time.
func (s *Redis) AddJobs(ctx context.Context, jobs []assessment.Job) error {
	for start := 0; start < len(jobs); start += 1000 {
		end := min(start+1000, len(jobs))
		zs := make([]redis.Z, 0, end-start)
		for _, j := range jobs[start:end] {
			zs = append(zs, redis.Z{Score: float64(j.At.Unix()), Member: jobMember(j)})
		}
		if err := s.rdb.ZAddNX(ctx, s.gkey("jobs"), zs...).Err(); err != nil {
			return wrap("add jobs", err)
		}
	}
	return nil
}

// claimJobs hands out due jobs, pushing each one lease seconds into the
// future, so another replica does not take it while it runs; if the
// claimer dies, the job comes due again when the lease runs out.
var claimJobs = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
local out = {}
for i = 1, #due, 2 do
  redis.call('ZADD', KEYS[1], ARGV[2], due[i])
  table.insert(out, due[i])
  table.insert(out, due[i+1])
end
return out
`)

// ClaimJobs claims up to limit due jobs for lease.
func (s *Redis) ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]assessment.Job, error) {
	res, err := claimJobs.Run(ctx, s.rdb, []string{s.gkey("jobs")}, now.Unix(), now.Add(lease).Unix(), limit).StringSlice()
	if err != nil {
		return nil, wrap("claim jobs", err)
	}
	var out []assessment.Job
	for i := 0; i+1 < len(res); i += 2 {
		score, _ := strconv.ParseFloat(res[i+1], 64)
		if j, ok := parseJob(res[i], score); ok {
			out = append(out, j)
		}
	}
	return out, nil
}

// JobDone removes a finished (or dropped) job.
func (s *Redis) JobDone(ctx context.Context, j assessment.Job) error {
	return wrap("job done", s.rdb.ZRem(ctx, s.gkey("jobs"), jobMember(j)).Err())
}

// RescheduleJob moves a job to a new time.
func (s *Redis) RescheduleJob(ctx context.Context, j assessment.Job, at time.Time) error {
	return wrap("reschedule job", s.rdb.ZAdd(ctx, s.gkey("jobs"), redis.Z{Score: float64(at.Unix()), Member: jobMember(j)}).Err())
}

// PendingJobs counts queued jobs of a review by kind (for status).
func (s *Redis) PendingJobs(ctx context.Context, reviewID string) (map[string]int, error) {
	ms, err := s.rdb.ZRange(ctx, s.gkey("jobs"), 0, -1).Result()
	if err != nil {
		return nil, wrap("pending jobs", err)
	}
	out := map[string]int{}
	for _, m := range ms {
		if j, ok := parseJob(m, 0); ok && j.Review == reviewID {
			out[j.Kind]++
		}
	}
	return out, nil
}

// TimeZones returns the cached time zone of each user that has one.
func (s *Redis) TimeZones(ctx context.Context, users []string) (map[string]string, error) {
	out := map[string]string{}
	if len(users) == 0 {
		return out, nil
	}
	vals, err := s.rdb.HMGet(ctx, s.gkey("tz"), users...).Result()
	if err != nil {
		return nil, wrap("time zones", err)
	}
	for i, v := range vals {
		if tz, ok := v.(string); ok && tz != "" {
			out[users[i]] = tz
		}
	}
	return out, nil
}

// SetTimeZones caches users' time zones.
func (s *Redis) SetTimeZones(ctx context.Context, tz map[string]string) error {
	if len(tz) == 0 {
		return nil
	}
	return wrap("set time zones", s.rdb.HSet(ctx, s.gkey("tz"), tz).Err())
}

// remind marks a reminder if the person is in the audience and their last
// reminder is still the one the caller read (ARGV[3], "" for none):
// 1 marked, 0 not a respondent, -1 someone marked one meanwhile.
var remind = redis.NewScript(`
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
local cur = redis.call('HGET', KEYS[2], ARGV[1])
if (cur or '') ~= ARGV[3] then return -1 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`)

// Reminded records a reminder, before it is sent, if the person's last
// reminder is still prev (zero: none); LastReminded says when the last
// was. marked is false when another job or replica marked one since, or
// the person left the audience: then nobody sends this one. The mark is on
// the replicas before it returns when the store waits for them
// (EUNAVAILABLE otherwise), so that no failover lets a second replica send
// the same reminder. Unremind takes a mark back (the send failed).
func (s *Redis) Reminded(ctx context.Context, reviewID, user string, prev, at time.Time) (marked bool, err error) {
	was := ""
	if !prev.IsZero() {
		was = strconv.FormatInt(prev.Unix(), 10)
	}
	cmd, waitErr := s.runAcked(ctx, remind, []string{s.rkey(reviewID, "who"), s.rkey(reviewID, "reminded")},
		user, at.Unix(), was)
	n, err := cmd.Int64()
	if err != nil {
		return false, wrap("reminded", err)
	}
	if waitErr != nil {
		return false, wrap("reminded", waitErr)
	}
	return n == 1, nil
}

// Unremind puts back the previous reminder time (zero: none) after a
// reminder marked with Reminded could not be sent.
func (s *Redis) Unremind(ctx context.Context, reviewID, user string, prev time.Time) error {
	if prev.IsZero() {
		return wrap("unremind", s.rdb.HDel(ctx, s.rkey(reviewID, "reminded"), user).Err())
	}
	return wrap("unremind", setIfRespondent.Run(ctx, s.rdb, []string{s.rkey(reviewID, "who"), s.rkey(reviewID, "reminded")},
		user, user, prev.Unix()).Err())
}

// ReminderState reads a respondent's reminder state in one round trip.
func (s *Redis) ReminderState(ctx context.Context, reviewID, user string) (assessment.ReminderState, error) {
	p := s.rdb.Pipeline()
	sub := p.SIsMember(ctx, s.rkey(reviewID, "submitted"), user)
	out := p.SIsMember(ctx, s.rkey(reviewID, "optout"), user)
	snooze := p.HGet(ctx, s.rkey(reviewID, "snooze"), user)
	last := p.HGet(ctx, s.rkey(reviewID, "reminded"), user)
	if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
		return assessment.ReminderState{}, wrap("reminder state", err)
	}
	st := assessment.ReminderState{Submitted: sub.Val(), OptedOut: out.Val()}
	if n, err := strconv.ParseInt(snooze.Val(), 10, 64); err == nil {
		st.SnoozedUntil = time.Unix(n, 0)
	}
	if n, err := strconv.ParseInt(last.Val(), 10, 64); err == nil {
		st.LastReminded = time.Unix(n, 0)
	}
	return st, nil
}

// Snooze stops reminders to a respondent until a time.
func (s *Redis) Snooze(ctx context.Context, reviewID, user string, until time.Time) error {
	return wrap("snooze", s.rdb.HSet(ctx, s.rkey(reviewID, "snooze"), user, until.Unix()).Err())
}

// OptOut stops reminders to a respondent for one review.
func (s *Redis) OptOut(ctx context.Context, reviewID, user string) error {
	return wrap("opt out", s.rdb.SAdd(ctx, s.rkey(reviewID, "optout"), user).Err())
}
