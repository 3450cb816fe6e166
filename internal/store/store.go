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

	// waitReplicas is how many replicas must have an answer before
	// SaveAnswer and Submit return (WAIT); 0 does not wait.
	waitReplicas int
	waitTimeout  time.Duration
	onSave       func(reviewID, user string)

	mu      sync.Mutex
	cache   map[string]cached // a review's meta and frozen framework never change: cache them
	logKeys map[string][]byte // LogKey's keys, until the review is de-linked
}

type cached struct {
	r *assessment.Review
	f *assessment.Framework
}

// Option changes how a store works.
type Option func(*Redis)

// WithSaveHook calls fn after every answer saved (and acknowledged by the
// replicas it waits for): the load tool counts saves through it.
func WithSaveHook(fn func(reviewID, user string)) Option {
	return func(s *Redis) { s.onSave = fn }
}

// WithWait makes every answer save and submission wait (Redis WAIT) until
// replicas replicas have it, at most timeout; when fewer acknowledge in
// time the call fails with EUNAVAILABLE, although the master kept the
// write, so that nobody is told an answer is safe that a failover could
// still lose. replicas 0 (the default) does not wait.
func WithWait(replicas int, timeout time.Duration) Option {
	return func(s *Redis) {
		s.waitReplicas = max(replicas, 0)
		s.waitTimeout = timeout
		if s.waitTimeout <= 0 {
			s.waitTimeout = DefaultWaitTimeout
		}
	}
}

// DefaultWaitTimeout is how long an answer save waits for its replicas
// when WithWait is given no timeout.
const DefaultWaitTimeout = 500 * time.Millisecond

// New returns a store using rdb with every key under prefix (e.g. "assessbot:").
func New(rdb redis.UniversalClient, prefix string, opts ...Option) *Redis {
	s := &Redis{rdb: rdb, prefix: prefix, cache: map[string]cached{}, logKeys: map[string][]byte{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// WaitReplicas is how many replicas an answer save waits for (0: none).
func (s *Redis) WaitReplicas() int { return s.waitReplicas }

// rkey names one of a review's own keys: all of them share its hash slot.
func (s *Redis) rkey(id, suffix string) string { return s.prefix + "{r:" + id + "}:" + suffix }

// ikey names a review queue: all of them share the {idx} slot, so a step
// that moves a review from one queue to another is one MULTI.
func (s *Redis) ikey(suffix string) string { return s.prefix + "{idx}:" + suffix }

// skey names a schedule key: all of them share the {sched} slot.
func (s *Redis) skey(suffix string) string { return s.prefix + "{sched}:" + suffix }

// gkey names a key that no script or MULTI combines with another: any slot.
func (s *Redis) gkey(suffix string) string { return s.prefix + suffix }

// Ping checks that Redis answers.
func (s *Redis) Ping(ctx context.Context) error {
	return wrap("ping", s.rdb.Ping(ctx).Err())
}

var errUnavailable = assessment.NewError(assessment.EUNAVAILABLE, assessment.StoreUnavailable{})

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
		return fmt.Errorf("store: %s: %w", op, assessment.NewError(assessment.ENOTFOUND, assessment.ReviewNotFound{ID: ""}))
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
func (s *Redis) reviewError(op, reviewID string, err error) error {
	switch scriptError(err) {
	case "ERR_NOT_FOUND":
		if s.known(reviewID) {
			// A review is never deleted; this process has read it. The
			// server that answered lacks it: during a failover, a dead
			// master restarted empty answers for a moment as a master.
			return wrap(op, lostReview(reviewID))
		}
		return assessment.NewError(assessment.ENOTFOUND, assessment.ReviewNotFound{ID: reviewID})
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
redis.call('PERSIST', KEYS[5])
return 1
`)

// CreateReview stores a new open review with its frozen framework copy and
// its respondents, and indexes it, in three steps of one slot each (see the
// package doc): the queues in {idx} first, then the review's own keys, then
// the listings. Creating the same review id twice creates it once. A crash
// after the first step leaves queue entries without a review, which the
// readers of the queues skip and drop after orphanGrace; a crash after the
// second leaves listings missing, which FanoutDone writes before it takes
// the review off the fan-out queue.
func (s *Redis) CreateReview(ctx context.Context, r *assessment.Review, f *assessment.Framework) (created bool, err error) {
	meta, err := json.Marshal(toDBReview(r))
	if err != nil {
		return false, err
	}
	fw, err := json.Marshal(f)
	if err != nil {
		return false, err
	}
	exists, err := s.rdb.Exists(ctx, s.rkey(r.ID, "meta")).Result()
	if err != nil {
		return false, wrap("create review "+r.ID, err)
	}
	if exists == 0 {
		if err := s.queueNew(ctx, r); err != nil {
			return false, err
		}
	}
	args := make([]any, 0, len(r.Respondents)+2)
	args = append(args, meta, fw)
	for _, u := range r.Respondents {
		args = append(args, u)
	}
	// KEYS[5], the segment membership SetMembership wrote just before,
	// lives from now on as long as the review's other ties (until Delink).
	keys := []string{s.rkey(r.ID, "meta"), s.rkey(r.ID, "fw"), s.rkey(r.ID, "status"), s.rkey(r.ID, "who"), s.rkey(r.ID, "segm")}
	n, err := createReview.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return false, wrap("create review "+r.ID, err)
	}
	if n == 1 {
		// Again, now that the review exists: a reaper that judged the
		// first entries orphans between the two steps may have dropped them.
		if err := s.queueNew(ctx, r); err != nil {
			return false, err
		}
	} else {
		st, err := s.rdb.Get(ctx, s.rkey(r.ID, "status")).Result()
		if err != nil || st != string(assessment.StatusOpen) {
			return false, wrap("create review "+r.ID, err)
		}
	}
	return n == 1, s.list(ctx, r)
}

// queueNew is CreateReview's first step: the review into the deadline and
// fan-out queues, together (one MULTI on {idx}). The fan-out entry's score
// is when this ran, in milliseconds, so that an orphan shows its age.
func (s *Redis) queueNew(ctx context.Context, r *assessment.Review) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAddNX(ctx, s.ikey("reviews:open"), redis.Z{Score: float64(r.Deadline.Unix()), Member: r.ID})
		p.ZAdd(ctx, s.ikey("fanout:pending"), redis.Z{Score: float64(time.Now().UnixMilli()), Member: r.ID})
		return nil
	})
	return wrap("queue review "+r.ID, err)
}

// list is CreateReview's last step: the listings (recent reviews, the
// series, each respondent's reviews), each one key, idempotent; then the
// mark that says they are complete.
func (s *Redis) list(ctx context.Context, r *assessment.Review) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, s.gkey("reviews:all"), redis.Z{Score: float64(r.CreatedAt.UnixNano()), Member: r.ID})
		p.ZAdd(ctx, s.gkey("series:"+r.Series()), redis.Z{Score: float64(r.CreatedAt.UnixNano()), Member: r.ID})
		p.ZAdd(ctx, s.gkey("framework:"+r.FrameworkID+":reviews"), redis.Z{Score: float64(r.CreatedAt.UnixNano()), Member: r.ID})
		for _, u := range r.Respondents {
			p.ZAdd(ctx, s.gkey("user:"+u+":reviews"), redis.Z{Score: float64(r.CreatedAt.Unix()), Member: r.ID})
		}
		return nil
	})
	if err == nil {
		err = s.rdb.Set(ctx, s.rkey(r.ID, "listed"), 1, 0).Err()
	}
	return wrap("list review "+r.ID, err)
}

// orphanGrace is how long a queue entry may name a review that does not
// exist before a reader drops it: far longer than the milliseconds between
// CreateReview's first two steps.
const orphanGrace = 10 * time.Minute

// dropOrphan takes a review that does not exist off the deadline and
// fan-out queues, unless its fan-out entry is younger than ARGV[3] ms: its
// creator may be between its first two steps. The age is read in the
// script, after the caller saw no review, so that a creator's second
// queueNew (which refreshes the score) either comes first and is seen, or
// comes after and puts the entries back.
var dropOrphan = redis.NewScript(`
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if s and tonumber(ARGV[2]) - tonumber(s) < tonumber(ARGV[3]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`)

func (s *Redis) dropOrphan(ctx context.Context, id string) error {
	return dropOrphan.Run(ctx, s.rdb, []string{s.ikey("reviews:open"), s.ikey("fanout:pending")},
		id, time.Now().UnixMilli(), orphanGrace.Milliseconds()).Err()
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
		return nil, nil, assessment.NewError(assessment.ENOTFOUND, assessment.ReviewNotFound{ID: id})
	}
	if c, ok := s.cached(id); ok {
		st, err := s.rdb.Get(ctx, s.rkey(id, "status")).Result()
		if errors.Is(err, redis.Nil) {
			// Read before, and never deleted: see reviewError.
			err = lostReview(id)
		}
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
		return nil, nil, assessment.NewError(assessment.ENOTFOUND, assessment.ReviewNotFound{ID: id})
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

// lostReview is the error for a review this process has read that the
// server now lacks.
func lostReview(id string) error {
	return errUnavailable.Because(fmt.Errorf("review %s is missing from the server that answered; a failover may be under way", id))
}

// cached returns review id as this process read it, if it has.
func (s *Redis) cached(id string) (cached, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cache[id]
	return c, ok
}

// known reports whether this process has read review id.
func (s *Redis) known(id string) bool {
	_, ok := s.cached(id)
	return ok
}

// ReviewStatic is Review without reading the status when the review is
// cached: for the answer path, where the save itself checks the status
// atomically. Its Status may be stale.
func (s *Redis) ReviewStatic(ctx context.Context, id string) (*assessment.Review, *assessment.Framework, error) {
	if c, ok := s.cached(id); ok {
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
	cmd, waitErr := s.runAcked(ctx, saveAnswer, keys, user, field, value)
	res, err := cmd.Slice()
	if err != nil {
		return assessment.Response{}, nil, s.reviewError("save answer "+reviewID, reviewID, err)
	}
	if waitErr != nil {
		return assessment.Response{}, nil, wrap("save answer "+reviewID, waitErr)
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
	if s.onSave != nil {
		s.onSave(reviewID, user)
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
	cmd, waitErr := s.runAcked(ctx, submit, keys, user)
	res, err := cmd.Int64Slice()
	if err != nil {
		return false, s.reviewError("submit "+reviewID, reviewID, err)
	}
	if waitErr != nil {
		return false, wrap("submit "+reviewID, waitErr)
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
	// A de-linking between the check above and these reads moved the
	// sheets away (the digest was just posted): read them where they went.
	if anon, ok, err := s.anonymousResponses(ctx, r.ID); ok || err != nil {
		return anon, err
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

// closeReview flips an open review to closed and records who closed it,
// on the review's slot only. It returns {1} only to the caller that closed
// it, else {0, the digest's state} so the caller knows whether the digest
// still needs queuing.
var closeReview = redis.NewScript(`
local st = redis.call('GET', KEYS[1])
if not st then return redis.error_reply('ERR_NOT_FOUND') end
if st ~= 'open' then return {0, redis.call('GET', KEYS[3]) or ''} end
redis.call('SET', KEYS[1], 'closed')
redis.call('SET', KEYS[2], ARGV[1])
return {1}
`)

// Close closes an open review and queues its digest. closed is true only
// for the one caller that closed it; later calls are no-ops, except that
// they finish the queuing a crash may have cut short. It is two steps: the
// review's status (its own slot: the one decision), then one MULTI on
// {idx} that moves it from the deadline queue to the digest queue. When
// the second step fails, closed is still true and the error nil: the
// review is closed, and the next sweep finds it in the deadline queue with
// a closed status and repeats the second step (DueReviews).
func (s *Redis) Close(ctx context.Context, reviewID, by string, at time.Time) (closed bool, err error) {
	info, _ := json.Marshal(map[string]any{"by": by, "at": at})
	keys := []string{s.rkey(reviewID, "status"), s.rkey(reviewID, "closed"), s.rkey(reviewID, "digest")}
	res, err := closeReview.Run(ctx, s.rdb, keys, string(info)).Slice()
	if err != nil {
		return false, s.reviewError("close "+reviewID, reviewID, err)
	}
	n, _ := res[0].(int64)
	digestState := ""
	if len(res) > 1 {
		digestState, _ = res[1].(string)
	}
	posted := decodeDelivery(digestState).Kind == assessment.Sent
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if !posted {
			p.ZAddNX(ctx, s.ikey("digest:pending"), redis.Z{Score: float64(at.Unix()), Member: reviewID})
		}
		p.ZRem(ctx, s.ikey("reviews:open"), reviewID)
		return nil
	})
	if n == 1 {
		return true, nil
	}
	return false, wrap("close "+reviewID, err)
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

// DueReviews returns the reviews to close now: those in the deadline queue
// whose deadline is at or before now, and those in it that are closed
// already (a crash or failover cut Close short: closing them again
// finishes it). It drops entries that name no review, after orphanGrace.
func (s *Redis) DueReviews(ctx context.Context, now time.Time) ([]string, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, s.ikey("reviews:open"), 0, -1).Result()
	if err != nil {
		return nil, wrap("due reviews", err)
	}
	sts, err := s.statuses(ctx, zs)
	if err != nil {
		return nil, wrap("due reviews", err)
	}
	var out []string
	for i, z := range zs {
		id, _ := z.Member.(string)
		switch {
		case sts[i] == "":
			if err := s.dropOrphan(ctx, id); err != nil {
				return out, wrap("due reviews", err)
			}
		case sts[i] != string(assessment.StatusOpen) || int64(z.Score) <= now.Unix():
			out = append(out, id)
		}
	}
	return out, nil
}

// statuses reads the status of each review in zs (pipelined; on a cluster
// go-redis sends each node its part), "" where there is none.
func (s *Redis) statuses(ctx context.Context, zs []redis.Z) ([]string, error) {
	cmds := make([]*redis.StringCmd, len(zs))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, z := range zs {
			cmds[i] = p.Get(ctx, s.rkey(z.Member.(string), "status"))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	out := make([]string, len(zs))
	for i, c := range cmds {
		out[i] = c.Val()
	}
	return out, nil
}

// OpenReviews returns the ids of open reviews, soonest deadline first.
func (s *Redis) OpenReviews(ctx context.Context) ([]string, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, s.ikey("reviews:open"), 0, -1).Result()
	if err != nil {
		return nil, wrap("open reviews", err)
	}
	sts, err := s.statuses(ctx, zs)
	if err != nil {
		return nil, wrap("open reviews", err)
	}
	var out []string
	for i, z := range zs {
		if sts[i] == string(assessment.StatusOpen) {
			out = append(out, z.Member.(string))
		}
	}
	return out, nil
}

// RecentReviews returns the ids of the n most recently created reviews.
func (s *Redis) RecentReviews(ctx context.Context, n int64) ([]string, error) {
	ids, err := s.rdb.ZRevRange(ctx, s.gkey("reviews:all"), 0, n-1).Result()
	return ids, wrap("recent reviews", err)
}

// FrameworkReviews returns the reviews of one framework created at or
// after since, newest first: every one, however many other reviews there
// are (the audience check must not miss one).
func (s *Redis) FrameworkReviews(ctx context.Context, frameworkID string, since time.Time) ([]string, error) {
	ids, err := s.rdb.ZRevRangeByScore(ctx, s.gkey("framework:"+frameworkID+":reviews"), &redis.ZRangeBy{
		Min: strconv.FormatInt(since.UnixNano(), 10), Max: "+inf"}).Result()
	return ids, wrap("framework reviews", err)
}

// PendingDigests returns closed reviews whose digest is not yet posted, and
// possibly some whose digest is posted but whose queue entry a crash left
// behind: the digest's own state (DigestState) is the truth.
func (s *Redis) PendingDigests(ctx context.Context) ([]string, error) {
	ids, err := s.rdb.ZRange(ctx, s.ikey("digest:pending"), 0, -1).Result()
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

// DigestPosted records where the digest went (the review's slot: the
// truth), then takes it off the digest queue ({idx}). If the second step
// fails the entry stays; the next attempt reads the state, finds the
// digest posted and calls DigestPosted again, so it is not an error here.
func (s *Redis) DigestPosted(ctx context.Context, reviewID string, ref assessment.MessageRef) error {
	if err := s.rdb.Set(ctx, s.rkey(reviewID, "digest"), encodeRef(ref), 0).Err(); err != nil {
		return wrap("digest posted "+reviewID, err)
	}
	_ = s.rdb.ZRem(ctx, s.ikey("digest:pending"), reviewID).Err()
	return nil
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
// the Slack call leaves a trace. When the store waits for replicas, the
// mark is on them before this returns (EUNAVAILABLE otherwise), so a
// failover right after the post cannot lose the trace and post again.
func (s *Redis) DigestPosting(ctx context.Context, reviewID string, at time.Time) error {
	return s.writeAcked(ctx, "digest posting", setValue, []string{s.rkey(reviewID, "digest")},
		encodeDelivery(assessment.DeliveryState{Kind: assessment.Sending, Since: at}))
}

// setValue is SET as a script, for runAcked.
var setValue = redis.NewScript(`return redis.call('SET', KEYS[1], ARGV[1])`)

// FanoutPending returns reviews whose intro DMs are not all planned. An
// entry naming no review is left out, and dropped once older than
// orphanGrace.
func (s *Redis) FanoutPending(ctx context.Context) ([]string, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, s.ikey("fanout:pending"), 0, -1).Result()
	if err != nil {
		return nil, wrap("fanout pending", err)
	}
	sts, err := s.statuses(ctx, zs)
	if err != nil {
		return nil, wrap("fanout pending", err)
	}
	var out []string
	for i, z := range zs {
		id := z.Member.(string)
		if sts[i] != "" {
			out = append(out, id)
			continue
		}
		if time.Since(time.UnixMilli(int64(z.Score))) >= orphanGrace {
			if err := s.dropOrphan(ctx, id); err != nil {
				return out, wrap("fanout pending", err)
			}
		}
	}
	return out, nil
}

// SetDelivery records how far a respondent's intro DM has come. A Sending
// mark, written before the DM is posted, is on the replicas before this
// returns when the store waits for them (EUNAVAILABLE otherwise): after a
// failover the next attempt still finds it and looks for the DM in Slack
// before posting again.
func (s *Redis) SetDelivery(ctx context.Context, reviewID, user string, st assessment.DeliveryState) error {
	keys := []string{s.rkey(reviewID, "who"), s.rkey(reviewID, "delivered")}
	if st.Kind != assessment.Sending {
		return wrap("set delivery", setIfRespondent.Run(ctx, s.rdb, keys, user, user, encodeDelivery(st)).Err())
	}
	return s.writeAcked(ctx, "set delivery", setIfRespondent, keys, user, user, encodeDelivery(st))
}

// setIfRespondent sets a hash field about a person only while they are in
// the review's audience: a DM under way when they were forgotten, or after
// the review was delinked, leaves no trace of them.
var setIfRespondent = redis.NewScript(`
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
return redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
`)

// FanoutDone takes a review off the fan-out queue, after writing its
// listings if a crash inside CreateReview left them unfinished.
func (s *Redis) FanoutDone(ctx context.Context, reviewID string) error {
	n, err := s.rdb.Exists(ctx, s.rkey(reviewID, "listed")).Result()
	if err != nil {
		return wrap("fanout done", err)
	}
	if n == 0 {
		r, _, err := s.ReviewStatic(ctx, reviewID)
		if err == nil {
			err = s.list(ctx, r)
		}
		if err != nil && assessment.ErrorCode(err) != assessment.ENOTFOUND {
			return err
		}
	}
	return wrap("fanout done", s.rdb.ZRem(ctx, s.ikey("fanout:pending"), reviewID).Err())
}

// SetMessage remembers a bot message in a respondent's DM under a name
// (e.g. "intro", or "s:2:0" for the third section's first page).
func (s *Redis) SetMessage(ctx context.Context, reviewID, user, name string, ref assessment.MessageRef) error {
	return wrap("set message", setIfRespondent.Run(ctx, s.rdb,
		[]string{s.rkey(reviewID, "who"), s.rkey(reviewID, "msg:"+user)}, user, name, encodeRef(ref)).Err())
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
