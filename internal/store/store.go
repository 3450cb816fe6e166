// Package store keeps reviews, frozen frameworks, answers, deliveries,
// schedules, the job queue and leases in Redis: it implements the storage
// ports of internal/review. Every key lives under one prefix; a review's
// keys share the hash tag {r:<id>} so its multi-key scripts stay atomic on
// Redis Cluster. Its encodings (message refs, delivery states, job ids,
// stored answers) are private to it. It returns assessment errors with a
// code and a reason, never words for people. It may import internal/
// assessment and go-redis, nothing of Slack and nothing of internal/review.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Redis is the Redis-backed store.
type Redis struct {
	rdb    redis.UniversalClient
	prefix string

	mu    sync.Mutex
	cache map[string]cached // a review's meta and frozen framework never change: cache them
}

type cached struct {
	r *assessment.Review
	f *assessment.Framework
}

// New returns a store using rdb with every key under prefix (e.g. "assessbot:").
func New(rdb redis.UniversalClient, prefix string) *Redis {
	return &Redis{rdb: rdb, prefix: prefix, cache: map[string]cached{}}
}

func (s *Redis) rkey(id, suffix string) string { return s.prefix + "{r:" + id + "}:" + suffix }
func (s *Redis) gkey(suffix string) string     { return s.prefix + suffix }

// Ping checks that Redis answers.
func (s *Redis) Ping(ctx context.Context) error {
	return wrap("ping", s.rdb.Ping(ctx).Err())
}

var errUnavailable = assessment.NewError(assessment.EUNAVAILABLE, assessment.RStoreUnavailable)

// wrap prefixes an operation to err and turns Redis failures into
// EUNAVAILABLE (so the person is told their click was not kept) and a
// missing key into ENOTFOUND.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae *assessment.Error
	switch {
	case errors.As(err, &ae):
		return fmt.Errorf("store: %s: %w", op, err)
	case errors.Is(err, redis.Nil):
		return fmt.Errorf("store: %s: %w", op, assessment.NewError(assessment.ENOTFOUND, assessment.RReviewNotFound, ""))
	}
	return fmt.Errorf("store: %s: %w", op, errUnavailable.Because(err))
}

// scriptError returns the error code a Lua script raised with
// redis.error_reply (e.g. "ERR_CLOSED"), or "".
func scriptError(err error) string {
	var re redis.Error
	if !errors.As(err, &re) {
		return ""
	}
	// Redis 7 puts its generic "ERR " before a code that has no space.
	code := strings.TrimPrefix(re.Error(), "ERR ")
	if strings.HasPrefix(code, "ERR_") && !strings.Contains(code, " ") {
		return code
	}
	return ""
}

// reviewError translates a review script's refusal into a domain error.
func reviewError(op, reviewID string, err error) error {
	switch scriptError(err) {
	case "ERR_NOT_FOUND":
		return assessment.NewError(assessment.ENOTFOUND, assessment.RReviewNotFound, reviewID)
	case "ERR_CLOSED":
		return assessment.ErrClosed
	case "ERR_NOT_RESPONDENT":
		return assessment.ErrNotRespondent
	}
	return wrap(op, err)
}

// createReview writes a review's own keys (all in its hash slot) unless it
// exists; it returns 1 when it created it, else 0.
var createReview = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], 'open')
local i = 3
while i <= #ARGV do
  local j = math.min(i + 999, #ARGV)
  redis.call('SADD', KEYS[4], unpack(ARGV, i, j))
  i = j + 1
end
return 1
`)

// CreateReview stores a new open review with its frozen framework copy and
// its respondents, then indexes it (deadline, fan-out queue, each
// respondent's list, its series). Creating the same review id twice creates
// it once; the indexes are idempotent and re-applied while it is open, so a
// crash between the two steps heals on the next attempt.
func (s *Redis) CreateReview(ctx context.Context, r *assessment.Review, f *assessment.Framework) (created bool, err error) {
	meta, err := json.Marshal(toDBReview(r))
	if err != nil {
		return false, err
	}
	fw, err := json.Marshal(f)
	if err != nil {
		return false, err
	}
	args := make([]any, 0, len(r.Respondents)+2)
	args = append(args, meta, fw)
	for _, u := range r.Respondents {
		args = append(args, u)
	}
	keys := []string{s.rkey(r.ID, "meta"), s.rkey(r.ID, "fw"), s.rkey(r.ID, "status"), s.rkey(r.ID, "who")}
	n, err := createReview.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return false, wrap("create review "+r.ID, err)
	}
	if n == 0 {
		st, err := s.rdb.Get(ctx, s.rkey(r.ID, "status")).Result()
		if err != nil || st != string(assessment.StatusOpen) {
			return false, wrap("create review "+r.ID, err)
		}
	}
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, s.gkey("reviews:open"), redis.Z{Score: float64(r.Deadline.Unix()), Member: r.ID})
		p.ZAdd(ctx, s.gkey("reviews:all"), redis.Z{Score: float64(r.CreatedAt.UnixNano()), Member: r.ID})
		p.ZAdd(ctx, s.gkey("series:"+r.Series()), redis.Z{Score: float64(r.CreatedAt.UnixNano()), Member: r.ID})
		p.SAdd(ctx, s.gkey("fanout:pending"), r.ID)
		for _, u := range r.Respondents {
			p.ZAdd(ctx, s.gkey("user:"+u+":reviews"), redis.Z{Score: float64(r.CreatedAt.Unix()), Member: r.ID})
		}
		return nil
	})
	return n == 1, wrap("index review "+r.ID, err)
}

// Previous returns the review before reviewID in its series whose digest
// was posted, or "".
func (s *Redis) Previous(ctx context.Context, r *assessment.Review) (string, error) {
	ids, err := s.rdb.ZRevRangeByScore(ctx, s.gkey("series:"+r.Series()), &redis.ZRangeBy{
		Min: "-inf", Max: "(" + strconv.FormatInt(r.CreatedAt.UnixNano(), 10), Count: 20}).Result()
	if err != nil {
		return "", wrap("previous review", err)
	}
	for _, id := range ids {
		if st, err := s.DigestState(ctx, id); err == nil && st.Kind == assessment.Sent {
			return id, nil
		}
	}
	return "", nil
}

// Review loads a review, with its current status, and its frozen framework.
func (s *Redis) Review(ctx context.Context, id string) (*assessment.Review, *assessment.Framework, error) {
	if !assessment.IDPattern.MatchString(id) {
		return nil, nil, assessment.NewError(assessment.ENOTFOUND, assessment.RReviewNotFound, id)
	}
	s.mu.Lock()
	c, ok := s.cache[id]
	s.mu.Unlock()
	if ok {
		st, err := s.rdb.Get(ctx, s.rkey(id, "status")).Result()
		if err != nil {
			return nil, nil, wrap("load review "+id, err)
		}
		r := *c.r
		r.Status = assessment.Status(st)
		return &r, c.f, nil
	}
	vals, err := s.rdb.MGet(ctx, s.rkey(id, "meta"), s.rkey(id, "status"), s.rkey(id, "fw")).Result()
	if err != nil {
		return nil, nil, wrap("load review "+id, err)
	}
	if vals[0] == nil {
		return nil, nil, assessment.NewError(assessment.ENOTFOUND, assessment.RReviewNotFound, id)
	}
	var dr dbReview
	if err := json.Unmarshal([]byte(vals[0].(string)), &dr); err != nil {
		return nil, nil, fmt.Errorf("store: decode review %s: %w", id, err)
	}
	r := dr.toReview()
	raw, _ := vals[2].(string)
	f := new(assessment.Framework)
	if err := json.Unmarshal([]byte(raw), f); err != nil {
		return nil, nil, fmt.Errorf("store: decode framework of review %s: %w", id, err)
	}
	s.mu.Lock()
	s.cache[id] = cached{r: &r, f: f}
	s.mu.Unlock()
	out := r
	if st, ok := vals[1].(string); ok {
		out.Status = assessment.Status(st)
	}
	return &out, f, nil
}

// ReviewStatic is Review without reading the status when the review is
// cached: for the answer path, where the save itself checks the status
// atomically. Its Status may be stale.
func (s *Redis) ReviewStatic(ctx context.Context, id string) (*assessment.Review, *assessment.Framework, error) {
	s.mu.Lock()
	c, ok := s.cache[id]
	s.mu.Unlock()
	if ok {
		r := *c.r
		return &r, c.f, nil
	}
	return s.Review(ctx, id)
}

// saveAnswer checks, atomically with the write, that the review is open and
// the user is one of its respondents; then writes (or deletes) one field and
// returns the respondent's whole answer hash and whether they submitted.
var saveAnswer = redis.NewScript(`
local st = redis.call('GET', KEYS[1])
if not st then return redis.error_reply('ERR_NOT_FOUND') end
if st ~= 'open' then return redis.error_reply('ERR_CLOSED') end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return redis.error_reply('ERR_NOT_RESPONDENT') end
if ARGV[3] == '' then redis.call('HDEL', KEYS[3], ARGV[2]) else redis.call('HSET', KEYS[3], ARGV[2], ARGV[3]) end
return {redis.call('HGETALL', KEYS[3]), redis.call('SISMEMBER', KEYS[4], ARGV[1]), redis.call('HGETALL', KEYS[5])}
`)

// SaveAnswer stores one answer (option or text) or, with comment true, the
// comment on a question, in one round trip that also checks the review is
// open and the user is its respondent, and returns the respondent's
// response and the bot's messages in their DM after the write. An empty
// answer clears it.
func (s *Redis) SaveAnswer(ctx context.Context, reviewID, user, questionID string, a assessment.Answer, comment bool) (assessment.Response, map[string]assessment.MessageRef, error) {
	field, value := encodeAnswer(questionID, a, comment)
	keys := []string{s.rkey(reviewID, "status"), s.rkey(reviewID, "who"), s.rkey(reviewID, "ans:"+user),
		s.rkey(reviewID, "submitted"), s.rkey(reviewID, "msg:"+user)}
	res, err := saveAnswer.Run(ctx, s.rdb, keys, user, field, value).Slice()
	if err != nil {
		return assessment.Response{}, nil, reviewError("save answer "+reviewID, reviewID, err)
	}
	flat, _ := res[0].([]any)
	sub, _ := res[1].(int64)
	msgs := map[string]assessment.MessageRef{}
	if m, ok := res[2].([]any); ok {
		for i := 0; i+1 < len(m); i += 2 {
			k, _ := m[i].(string)
			v, _ := m[i+1].(string)
			if ref, ok := decodeRef(v); ok {
				msgs[k] = ref
			}
		}
	}
	return assessment.Response{Respondent: user, Answers: decodeSheet(flat), Submitted: sub == 1}, msgs, nil
}

// Response returns one respondent's answers.
func (s *Redis) Response(ctx context.Context, reviewID, user string) (assessment.Response, error) {
	p := s.rdb.Pipeline()
	all := p.HGetAll(ctx, s.rkey(reviewID, "ans:"+user))
	sub := p.SIsMember(ctx, s.rkey(reviewID, "submitted"), user)
	if _, err := p.Exec(ctx); err != nil {
		return assessment.Response{}, wrap("load answers "+reviewID, err)
	}
	out := map[string]assessment.Answer{}
	for k, v := range all.Val() {
		decodeField(out, k, v)
	}
	return assessment.Response{Respondent: user, Answers: out, Submitted: sub.Val()}, nil
}

// submit marks a respondent as submitted if the review is open; returns
// {submitted count, respondent count}.
var submit = redis.NewScript(`
local st = redis.call('GET', KEYS[1])
if not st then return redis.error_reply('ERR_NOT_FOUND') end
if st ~= 'open' then return redis.error_reply('ERR_CLOSED') end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return redis.error_reply('ERR_NOT_RESPONDENT') end
redis.call('SADD', KEYS[3], ARGV[1])
return {redis.call('SCARD', KEYS[3]), redis.call('SCARD', KEYS[2])}
`)

// Submit records that a respondent submitted and reports whether everyone has.
func (s *Redis) Submit(ctx context.Context, reviewID, user string) (all bool, err error) {
	keys := []string{s.rkey(reviewID, "status"), s.rkey(reviewID, "who"), s.rkey(reviewID, "submitted")}
	res, err := submit.Run(ctx, s.rdb, keys, user).Int64Slice()
	if err != nil {
		return false, reviewError("submit "+reviewID, reviewID, err)
	}
	return res[0] >= res[1], nil
}

// Responses loads every respondent's answers (pipelined, one round trip).
func (s *Redis) Responses(ctx context.Context, r *assessment.Review) ([]assessment.Response, error) {
	if anon, ok, err := s.anonymousResponses(ctx, r.ID); ok || err != nil {
		return anon, err
	}
	submittedList, err := s.rdb.SMembers(ctx, s.rkey(r.ID, "submitted")).Result()
	if err != nil {
		return nil, wrap("load responses "+r.ID, err)
	}
	submitted := make(map[string]bool, len(submittedList))
	for _, u := range submittedList {
		submitted[u] = true
	}
	// Large reviews are read in chunks, a few at once over separate
	// connections, each decoded while the others are still on the wire.
	const chunk = 1000
	out := make([]assessment.Response, len(r.Respondents))
	errs := make(chan error, (len(r.Respondents)+chunk-1)/chunk)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for start := 0; start < len(r.Respondents); start += chunk {
		end := min(start+chunk, len(r.Respondents))
		wg.Add(1)
		sem <- struct{}{}
		go func(start, end int) {
			defer func() { <-sem; wg.Done() }()
			p := s.rdb.Pipeline()
			sheets := make([]*redis.MapStringStringCmd, end-start)
			for i, u := range r.Respondents[start:end] {
				sheets[i] = p.HGetAll(ctx, s.rkey(r.ID, "ans:"+u))
			}
			if _, err := p.Exec(ctx); err != nil {
				errs <- err
				return
			}
			for i, u := range r.Respondents[start:end] {
				vals := sheets[i].Val()
				ans := make(map[string]assessment.Answer, len(vals))
				for k, v := range vals {
					decodeField(ans, k, v)
				}
				out[start+i] = assessment.Response{Respondent: u, Answers: ans, Submitted: submitted[u]}
			}
		}(start, end)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, wrap("load responses "+r.ID, err)
	}
	return out, nil
}

// Submitted returns the set of respondents who submitted.
func (s *Redis) Submitted(ctx context.Context, reviewID string) (map[string]bool, error) {
	us, err := s.rdb.SMembers(ctx, s.rkey(reviewID, "submitted")).Result()
	if err != nil {
		return nil, wrap("load submitted "+reviewID, err)
	}
	out := map[string]bool{}
	for _, u := range us {
		out[u] = true
	}
	return out, nil
}

// closeReview flips an open review to closed and queues its digest; it
// returns 1 only to the caller that closed it.
var closeReview = redis.NewScript(`
local st = redis.call('GET', KEYS[1])
if not st then return redis.error_reply('ERR_NOT_FOUND') end
if st ~= 'open' then return 0 end
redis.call('SET', KEYS[1], 'closed')
redis.call('SET', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
return 1
`)

// Close closes an open review and queues its digest. closed is true only
// for the one caller that closed it; later calls are no-ops.
func (s *Redis) Close(ctx context.Context, reviewID, by string, at time.Time) (closed bool, err error) {
	info, _ := json.Marshal(map[string]any{"by": by, "at": at})
	keys := []string{s.rkey(reviewID, "status"), s.rkey(reviewID, "closed"), s.gkey("reviews:open"), s.gkey("digest:pending")}
	n, err := closeReview.Run(ctx, s.rdb, keys, reviewID, string(info), at.Unix()).Int()
	if err != nil {
		return false, reviewError("close "+reviewID, reviewID, err)
	}
	return n == 1, nil
}

// ClosedInfo returns who closed a review and when.
func (s *Redis) ClosedInfo(ctx context.Context, reviewID string) (by string, at time.Time, err error) {
	raw, err := s.rdb.Get(ctx, s.rkey(reviewID, "closed")).Result()
	if errors.Is(err, redis.Nil) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, wrap("closed info", err)
	}
	var v struct {
		By string    `json:"by"`
		At time.Time `json:"at"`
	}
	_ = json.Unmarshal([]byte(raw), &v)
	return v.By, v.At, nil
}

// DueReviews returns open reviews whose deadline is at or before now.
func (s *Redis) DueReviews(ctx context.Context, now time.Time) ([]string, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.gkey("reviews:open"), &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now.Unix(), 10)}).Result()
	return ids, wrap("due reviews", err)
}

// OpenReviews returns the ids of open reviews, soonest deadline first.
func (s *Redis) OpenReviews(ctx context.Context) ([]string, error) {
	ids, err := s.rdb.ZRange(ctx, s.gkey("reviews:open"), 0, -1).Result()
	return ids, wrap("open reviews", err)
}

// RecentReviews returns the ids of the n most recently created reviews.
func (s *Redis) RecentReviews(ctx context.Context, n int64) ([]string, error) {
	ids, err := s.rdb.ZRevRange(ctx, s.gkey("reviews:all"), 0, n-1).Result()
	return ids, wrap("recent reviews", err)
}

// PendingDigests returns closed reviews whose digest is not yet posted.
func (s *Redis) PendingDigests(ctx context.Context) ([]string, error) {
	ids, err := s.rdb.ZRange(ctx, s.gkey("digest:pending"), 0, -1).Result()
	return ids, wrap("pending digests", err)
}

// Claim takes the lease name for owner for ttl, on Redis's clock, if
// nobody holds it; it reports whether owner now holds it.
func (s *Redis) Claim(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.gkey("lock:"+name), owner, ttl).Result()
	return ok, wrap("claim "+name, err)
}

var release = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// Release gives back a lease held by owner.
func (s *Redis) Release(ctx context.Context, name, owner string) error {
	return wrap("release "+name, release.Run(ctx, s.rdb, []string{s.gkey("lock:" + name)}, owner).Err())
}

// DigestPosted records where the digest went and takes it off the queue.
func (s *Redis) DigestPosted(ctx context.Context, reviewID string, ref assessment.MessageRef) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.rkey(reviewID, "digest"), encodeRef(ref), 0)
		p.ZRem(ctx, s.gkey("digest:pending"), reviewID)
		return nil
	})
	return wrap("digest posted "+reviewID, err)
}

// DigestState says whether a review's digest is posted (Sent, with where),
// being posted (Sending, since when) or neither.
func (s *Redis) DigestState(ctx context.Context, reviewID string) (assessment.DeliveryState, error) {
	v, err := s.rdb.Get(ctx, s.rkey(reviewID, "digest")).Result()
	if errors.Is(err, redis.Nil) {
		return assessment.DeliveryState{}, nil
	}
	if err != nil {
		return assessment.DeliveryState{}, wrap("digest state", err)
	}
	return decodeDelivery(v), nil
}

// DigestPosting marks a digest post as under way, so that a crash inside
// the Slack call leaves a trace.
func (s *Redis) DigestPosting(ctx context.Context, reviewID string, at time.Time) error {
	return wrap("digest posting", s.rdb.Set(ctx, s.rkey(reviewID, "digest"),
		encodeDelivery(assessment.DeliveryState{Kind: assessment.Sending, Since: at}), 0).Err())
}

// FanoutPending returns reviews whose intro DMs are not all delivered.
func (s *Redis) FanoutPending(ctx context.Context) ([]string, error) {
	ids, err := s.rdb.SMembers(ctx, s.gkey("fanout:pending")).Result()
	return ids, wrap("fanout pending", err)
}

// SetDelivery records how far a respondent's intro DM has come.
func (s *Redis) SetDelivery(ctx context.Context, reviewID, user string, st assessment.DeliveryState) error {
	return wrap("set delivery", s.rdb.HSet(ctx, s.rkey(reviewID, "delivered"), user, encodeDelivery(st)).Err())
}

// FanoutDone takes a review off the fan-out queue.
func (s *Redis) FanoutDone(ctx context.Context, reviewID string) error {
	return wrap("fanout done", s.rdb.SRem(ctx, s.gkey("fanout:pending"), reviewID).Err())
}

// SetMessage remembers a bot message in a respondent's DM under a name
// (e.g. "intro", or "s:2:0" for the third section's first page).
func (s *Redis) SetMessage(ctx context.Context, reviewID, user, name string, ref assessment.MessageRef) error {
	return wrap("set message", s.rdb.HSet(ctx, s.rkey(reviewID, "msg:"+user), name, encodeRef(ref)).Err())
}

// Messages returns the remembered bot messages of a respondent, by name.
func (s *Redis) Messages(ctx context.Context, reviewID, user string) (map[string]assessment.MessageRef, error) {
	m, err := s.rdb.HGetAll(ctx, s.rkey(reviewID, "msg:"+user)).Result()
	if err != nil {
		return nil, wrap("messages", err)
	}
	out := make(map[string]assessment.MessageRef, len(m))
	for k, v := range m {
		if ref, ok := decodeRef(v); ok {
			out[k] = ref
		}
	}
	return out, nil
}

// FirstDelivery marks an envelope id as seen; it returns false when the
// envelope (or a retry of it) was already processed.
func (s *Redis) FirstDelivery(ctx context.Context, envelopeID string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.gkey("env:"+envelopeID), 1, ttl).Result()
	return ok, wrap("dedupe envelope", err)
}

// UserReviews returns the ids of the n most recent reviews user was asked
// to answer.
func (s *Redis) UserReviews(ctx context.Context, user string, n int64) ([]string, error) {
	ids, err := s.rdb.ZRevRange(ctx, s.gkey("user:"+user+":reviews"), 0, n-1).Result()
	return ids, wrap("user reviews", err)
}

// Delivery returns what is recorded of a respondent's intro DM.
func (s *Redis) Delivery(ctx context.Context, reviewID, user string) (assessment.DeliveryState, error) {
	v, err := s.rdb.HGet(ctx, s.rkey(reviewID, "delivered"), user).Result()
	if errors.Is(err, redis.Nil) {
		return assessment.DeliveryState{}, nil
	}
	if err != nil {
		return assessment.DeliveryState{}, wrap("delivery state", err)
	}
	return decodeDelivery(v), nil
}

// SetSummary keeps a one-line summary of a closed review's digest (its
// band), for lists that should not recompute it.
func (s *Redis) SetSummary(ctx context.Context, reviewID, summary string) error {
	return wrap("set summary", s.rdb.Set(ctx, s.rkey(reviewID, "summary"), summary, 0).Err())
}

// Summary returns a review's digest summary, or "".
func (s *Redis) Summary(ctx context.Context, reviewID string) (string, error) {
	v, err := s.rdb.Get(ctx, s.rkey(reviewID, "summary")).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return v, wrap("summary", err)
}
