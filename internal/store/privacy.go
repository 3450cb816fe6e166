package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/scoring"
)

// What ties a person to their answers, and how it is undone:
//   - while a review is open, its sheets are keyed by user id
//     ({r:<id>}:ans:<user>), beside who submitted, the bot's messages in
//     each DM, deliveries, reminders, snoozes and opt-outs;
//   - once its digest is posted, Delink re-keys every sheet to a random id
//     ({r:<id>}:ans:~<random>, listed in {r:<id>}:sheets, with the
//     submitted flag inside the sheet) and deletes the rest, in one script
//     on the review's slot: a copy of Redis taken after that cannot say who
//     answered what;
//   - after the retention period, Expire deletes the sheets and trims the
//     review's result ({r:<id>}:result) to figures: the open answers and
//     comments it quoted go too;
//   - Forget removes a person from every review, queue and index;
//   - who was away (away.go) becomes a count in the same Delink script;
//   - log lines name a respondent by a pseudonym made with the review's log
//     key ({r:<id>}:logkey, LogKey), which Delink deletes: nothing maps
//     the pseudonyms back to people after the digest.

// delink re-keys the sheets of the respondents in ARGV[2..] to the random
// ids in the matching ARGV[n+2..] and deletes what names them. The ids go
// into the sheets set sorted, not in the respondents' order: a small set
// (a listpack, Redis ≥ 7.2) keeps the order it was filled in, in memory
// and in every snapshot.
// KEYS[1] = the review's key prefix ("P{r:<id>}:"), ARGV[1] = n.
var delink = redis.NewScript(`
local p = KEYS[1]
if redis.call('EXISTS', p .. 'delinked') == 1 then return 0 end
local n = tonumber(ARGV[1])
local away = 0
for _, u in ipairs(redis.call('SMEMBERS', p .. 'away')) do
  if redis.call('EXISTS', p .. 'ans:' .. u) == 0 then away = away + 1 end
end
redis.call('SET', p .. 'awaycount', away)
local ids = {}
for i = 1, n do
  local u, id = ARGV[1 + i], ARGV[1 + n + i]
  local from = p .. 'ans:' .. u
  if redis.call('EXISTS', from) == 1 then
    local to = p .. 'ans:~' .. id
    redis.call('RENAME', from, to)
    if redis.call('SISMEMBER', p .. 'submitted', u) == 1 then redis.call('HSET', to, '~submitted', '1') end
    ids[#ids + 1] = id
  end
  redis.call('DEL', p .. 'msg:' .. u)
end
table.sort(ids)
for i = 1, #ids, 1000 do
  redis.call('SADD', p .. 'sheets', unpack(ids, i, math.min(i + 999, #ids)))
end
local sheets = #ids
redis.call('DEL', p .. 'submitted', p .. 'who', p .. 'delivered', p .. 'reminded', p .. 'snooze', p .. 'optout', p .. 'logkey', p .. 'away', p .. 'segm')
redis.call('SET', p .. 'delinked', '1')
return sheets
`)

// Delink cuts every tie between a closed review's respondents and their
// answers (see above). It is idempotent.
func (s *Redis) Delink(ctx context.Context, r *assessment.Review) error {
	vals, err := s.rdb.MGet(ctx, s.rkey(r.ID, "status"), s.rkey(r.ID, "delinked")).Result()
	if err != nil {
		return wrap("delink "+r.ID, err)
	}
	if st, _ := vals[0].(string); st != string(assessment.StatusClosed) {
		return fmt.Errorf("store: delink %s: the review is %q", r.ID, st)
	}
	if done, _ := vals[1].(string); done == "done" {
		return nil // both steps finished before: the hourly retention sweep asks again
	}
	args := make([]any, 0, 1+2*len(r.Respondents))
	args = append(args, len(r.Respondents))
	for _, u := range r.Respondents {
		args = append(args, u)
	}
	for range r.Respondents {
		args = append(args, randomID())
	}
	if err := delink.Run(ctx, s.rdb, []string{s.rkey(r.ID, "")}, args...).Err(); err != nil {
		return wrap("delink "+r.ID, err)
	}
	s.mu.Lock()
	delete(s.logKeys, r.ID)
	s.mu.Unlock()
	// The per-person index of reviews: nothing needs it for a closed one.
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, u := range r.Respondents {
			p.ZRem(ctx, s.gkey("user:"+u+":reviews"), r.ID)
		}
		return nil
	})
	if err != nil {
		return wrap("delink "+r.ID, err)
	}
	// The append-only file still holds the past: count this de-linking for
	// CompactFiles (a crash after this line counts it twice, which costs at
	// most one rewrite more).
	if err := s.rdb.HIncrBy(ctx, s.filesKey(), "asked", 1).Err(); err != nil {
		return wrap("delink "+r.ID, err)
	}
	// Only now is all of it done; a crash before this line repeats the
	// index step (idempotent) on the next call.
	return wrap("delink "+r.ID, s.rdb.Set(ctx, s.rkey(r.ID, "delinked"), "done", 0).Err())
}

// logKey returns a review's log key, making it on first use (ARGV[1]),
// unless the review does not exist or is de-linked.
// KEYS: the log key, the delinked mark, the meta.
var logKey = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 0 then return false end
local k = redis.call('GET', KEYS[1])
if k then return k end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`)

// LogKey returns the random key with which log lines make a pseudonym of
// each respondent of a review, kept with the review until Delink deletes
// it. It is nil once the review is de-linked, or when there is no review.
func (s *Redis) LogKey(ctx context.Context, reviewID string) ([]byte, error) {
	s.mu.Lock()
	k, ok := s.logKeys[reviewID]
	s.mu.Unlock()
	if ok {
		return k, nil
	}
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh)
	keys := []string{s.rkey(reviewID, "logkey"), s.rkey(reviewID, "delinked"), s.rkey(reviewID, "meta")}
	v, err := logKey.Run(ctx, s.rdb, keys, fresh).Text()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap("log key "+reviewID, err)
	}
	k = []byte(v)
	s.mu.Lock()
	s.logKeys[reviewID] = k
	s.mu.Unlock()
	return k, nil
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// anonymousResponses reads a delinked review's sheets; ok is false when
// the review is not delinked (its sheets are still keyed by user).
func (s *Redis) anonymousResponses(ctx context.Context, reviewID string) (out []assessment.Response, ok bool, err error) {
	p := s.rdb.Pipeline()
	delinked := p.Exists(ctx, s.rkey(reviewID, "delinked"))
	ids := p.SMembers(ctx, s.rkey(reviewID, "sheets"))
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, false, wrap("load responses "+reviewID, err)
	}
	if delinked.Val() == 0 {
		return nil, false, nil
	}
	p = s.rdb.Pipeline()
	sheets := make([]*redis.MapStringStringCmd, len(ids.Val()))
	for i, id := range ids.Val() {
		sheets[i] = p.HGetAll(ctx, s.rkey(reviewID, "ans:~"+id))
	}
	if len(sheets) > 0 {
		if _, err := p.Exec(ctx); err != nil {
			return nil, true, wrap("load responses "+reviewID, err)
		}
	}
	out = make([]assessment.Response, 0, len(sheets))
	for _, c := range sheets {
		vals := c.Val()
		resp := assessment.Response{Answers: make(map[string]assessment.Answer, len(vals)), Submitted: vals["~submitted"] == "1"}
		for k, v := range vals {
			if k != "~submitted" {
				decodeField(resp.Answers, k, v)
			}
		}
		out = append(out, resp)
	}
	return out, true, nil
}

// SetResult keeps a closed review's figures, which outlive its sheets.
func (s *Redis) SetResult(ctx context.Context, reviewID string, res scoring.Result) error {
	raw, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return wrap("set result", s.rdb.Set(ctx, s.rkey(reviewID, "result"), raw, 0).Err())
}

// Result returns a closed review's kept figures; ok is false when none
// were kept.
func (s *Redis) Result(ctx context.Context, reviewID string) (res scoring.Result, ok bool, err error) {
	raw, err := s.rdb.Get(ctx, s.rkey(reviewID, "result")).Bytes()
	if errors.Is(err, redis.Nil) {
		return res, false, nil
	}
	if err != nil {
		return res, false, wrap("result", err)
	}
	return res, json.Unmarshal(raw, &res) == nil, nil
}

// Expire deletes a closed review's answers once its retention is over, and
// trims its kept result to figures only: the open answers and comments it
// quoted word for word go too. Its meta, digest ref and figures stay. It
// reports how many sheets went.
func (s *Redis) Expire(ctx context.Context, r *assessment.Review) (int, error) {
	ids, err := s.rdb.SMembers(ctx, s.rkey(r.ID, "sheets")).Result()
	if err != nil {
		return 0, wrap("expire "+r.ID, err)
	}
	figures, err := s.figures(ctx, r.ID)
	if err != nil {
		return 0, wrap("expire "+r.ID, err)
	}
	keys := []string{s.rkey(r.ID, "sheets")}
	for _, id := range ids {
		keys = append(keys, s.rkey(r.ID, "ans:~"+id))
	}
	// A review closed before delinking existed, or one whose delink
	// failed, still has sheets by user: those go too.
	for _, u := range r.Respondents {
		keys = append(keys, s.rkey(r.ID, "ans:"+u), s.rkey(r.ID, "msg:"+u))
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for start := 0; start < len(keys); start += 1000 {
			p.Unlink(ctx, keys[start:min(start+1000, len(keys))]...)
		}
		p.Del(ctx, s.rkey(r.ID, "submitted"), s.rkey(r.ID, "who"), s.rkey(r.ID, "delivered"), s.rkey(r.ID, "logkey"), s.rkey(r.ID, "away"), s.rkey(r.ID, "segm"))
		if figures != nil {
			p.Set(ctx, s.rkey(r.ID, "result"), figures, 0)
		}
		p.Set(ctx, s.rkey(r.ID, "expired"), expiredMark, 0)
		return nil
	})
	return len(ids), wrap("expire "+r.ID, err)
}

// expiredMark marks a review whose answers were deleted and whose result
// holds figures only. Reviews expired before results were trimmed carry
// "1": Expired trims their result the first time it is asked.
const expiredMark = "figures"

// figures reads a review's kept result and returns it as figures only
// (nil when none was kept).
func (s *Redis) figures(ctx context.Context, reviewID string) ([]byte, error) {
	res, kept, err := s.Result(ctx, reviewID)
	if err != nil || !kept {
		return nil, err
	}
	return json.Marshal(figuresOnly(res))
}

// figuresOnly is a result without the words people typed: the open
// answers and comments go, every count and score stays.
func figuresOnly(res scoring.Result) scoring.Result {
	qs := slices.Clone(res.Questions)
	for i := range qs {
		qs[i].Texts, qs[i].Comments = nil, nil
	}
	res.Questions = qs
	return res
}

// Expired reports whether a review's answers were deleted. A review
// expired before results were trimmed has its result trimmed now.
func (s *Redis) Expired(ctx context.Context, reviewID string) (bool, error) {
	v, err := s.rdb.Get(ctx, s.rkey(reviewID, "expired")).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, wrap("expired", err)
	}
	if v == expiredMark {
		return true, nil
	}
	figures, err := s.figures(ctx, reviewID)
	if err != nil {
		return true, wrap("expired", err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if figures != nil {
			p.Set(ctx, s.rkey(reviewID, "result"), figures, 0)
		}
		p.Set(ctx, s.rkey(reviewID, "expired"), expiredMark, 0)
		return nil
	})
	return true, wrap("expired", err)
}

// forget takes a user out of one review: its audience, their sheet, and
// everything else keyed by them. KEYS[1] = the review's key prefix,
// ARGV[1] = the user.
var forget = redis.NewScript(`
local p, u = KEYS[1], ARGV[1]
redis.call('SREM', p .. 'who', u)
redis.call('SREM', p .. 'submitted', u)
redis.call('SREM', p .. 'optout', u)
redis.call('SREM', p .. 'away', u)
redis.call('HDEL', p .. 'delivered', u)
redis.call('HDEL', p .. 'reminded', u)
redis.call('HDEL', p .. 'snooze', u)
redis.call('HDEL', p .. 'segm', u)
redis.call('DEL', p .. 'ans:' .. u, p .. 'msg:' .. u)
return 1
`)

// Forget removes a person from every review they were asked to answer (its
// audience and, while it is open, their answers), from the queue of DMs and
// reminders and from every index. A closed review keeps only unlinked
// sheets (Delink), which nothing ties to anyone.
func (s *Redis) Forget(ctx context.Context, user string) (reviews []string, jobs int, err error) {
	var out struct {
		Reviews []string
		Jobs    int
	}
	ids, err := s.rdb.ZRange(ctx, s.gkey("user:"+user+":reviews"), 0, -1).Result()
	if err != nil {
		return out.Reviews, out.Jobs, wrap("forget", err)
	}
	// Reviews whose index entry is gone (delinked) still name the person in
	// their audience: look at every review.
	all, err := s.RecentReviews(ctx, 1<<30)
	if err != nil {
		return out.Reviews, out.Jobs, err
	}
	for _, id := range all {
		if slices.Contains(ids, id) {
			continue
		}
		if r, _, err := s.Review(ctx, id); err == nil && r.IsRespondent(user) {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		if err := forget.Run(ctx, s.rdb, []string{s.rkey(id, "")}, user).Err(); err != nil {
			return out.Reviews, out.Jobs, wrap("forget", err)
		}
		if err := s.dropRespondent(ctx, id, user); err != nil {
			return out.Reviews, out.Jobs, err
		}
		s.mu.Lock()
		delete(s.cache, id)
		s.mu.Unlock()
		out.Reviews = append(out.Reviews, id)
	}
	if err := s.forgetActions(ctx, user); err != nil {
		return out.Reviews, out.Jobs, err
	}
	// Schedules that name the person would ask them again at their next run.
	schedules, err := s.Schedules(ctx)
	if err != nil {
		return out.Reviews, out.Jobs, err
	}
	for _, sc := range schedules {
		if !slices.Contains(sc.Users, user) && !strings.Contains(sc.Audience, user) {
			continue
		}
		sc.Users = slices.DeleteFunc(sc.Users, func(u string) bool { return u == user })
		sc.Audience = dropMention(sc.Audience, user)
		if err := s.SaveSchedule(ctx, sc); err != nil {
			return out.Reviews, out.Jobs, err
		}
	}
	queued, err := s.rdb.ZRange(ctx, s.gkey("jobs"), 0, -1).Result()
	if err != nil {
		return out.Reviews, out.Jobs, wrap("forget", err)
	}
	var drop []any
	for _, m := range queued {
		if j, ok := parseJob(m, 0); ok && j.User == user {
			drop = append(drop, m)
		}
	}
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		if len(drop) > 0 {
			p.ZRem(ctx, s.gkey("jobs"), drop...)
		}
		p.Del(ctx, s.gkey("user:"+user+":reviews"))
		p.HDel(ctx, s.gkey("tz"), user)
		return nil
	})
	out.Jobs = len(drop)
	return out.Reviews, out.Jobs, wrap("forget", err)
}

// dropRespondent takes a user out of a review's stored audience (its
// respondents and the audience as typed). It is a read-modify-write of the
// meta under WATCH, retried when another writer (another forget, in this
// process or another) changed the meta in between, so that forgets at once
// all take effect.
func (s *Redis) dropRespondent(ctx context.Context, reviewID, user string) error {
	key := s.rkey(reviewID, "meta")
	var bad error // a meta that does not decode: retrying cannot mend it
	drop := func(tx *redis.Tx) error {
		raw, err := tx.Get(ctx, key).Bytes()
		if errors.Is(err, redis.Nil) {
			return nil
		}
		if err != nil {
			return err
		}
		var d dbReview
		if err := json.Unmarshal(raw, &d); err != nil {
			bad = fmt.Errorf("store: decode review %s: %w", reviewID, err)
			return nil
		}
		audience := dropMention(d.Audience, user)
		if !slices.Contains(d.Respondents, user) && audience == d.Audience {
			return nil
		}
		d.Respondents = slices.DeleteFunc(d.Respondents, func(u string) bool { return u == user })
		d.Audience = audience
		if raw, err = json.Marshal(d); err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, raw, 0)
			return nil
		})
		return err
	}
	for range 100 {
		err := s.rdb.Watch(ctx, drop, key)
		if bad != nil {
			return bad
		}
		if !errors.Is(err, redis.TxFailedErr) {
			return wrap("forget", err)
		}
	}
	return wrap("forget", fmt.Errorf("the audience of review %s kept changing", reviewID))
}

// dropMention takes a user's mention (<@U…>, with or without a name) out of
// an audience as typed.
func dropMention(audience, user string) string {
	var kept []string
	for _, f := range strings.Fields(audience) {
		if !strings.HasPrefix(f, "<@"+user+">") && !strings.HasPrefix(f, "<@"+user+"|") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}
