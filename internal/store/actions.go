package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Improvement actions live with their review, in its slot:
//
//	P{r:<id>}:act:<aid>    hash {d: the action's encoding, v: its version}
//	P{r:<id>}:acts         set of the review's action ids
//	Puser:<u>:actions      zset "review|aid" by creation (listing: an owner's actions)
//	Pactions               zset "review|aid" by creation (listing: every action)
//
// CreateAction: (1) the listings (ZADD NX), (2) one script on the
// review's slot writes the action and its id unless it exists. A crash
// after 1 leaves entries naming no action, which readers skip; a retry
// with the same id repeats both steps harmlessly. SaveAction is one
// script: it writes over the version it read, or not at all; it lists the
// action under its owner first, so an owner taking one over finds it (a
// stale entry under the previous owner is skipped by readers).

// storedAction is an action's encoding in the store, apart from the
// domain type.
type storedAction struct {
	ID        string   `json:"id"`
	Review    string   `json:"review"`
	Framework string   `json:"fw"`
	Schedule  string   `json:"sched,omitempty"`
	Section   string   `json:"section"`
	What      string   `json:"what"`
	Owner     string   `json:"owner"`
	Proposer  string   `json:"proposer"`
	Due       string   `json:"due"`
	Questions []string `json:"qs,omitempty"`
	Status    string   `json:"status"`
	Created   int64    `json:"created"`
	Changed   int64    `json:"changed"`
	Thread    string   `json:"thread,omitempty"`
	Since     int64    `json:"since,omitempty"`
	Shown     int      `json:"shown,omitempty"`
	Rev       int      `json:"rev"`
	Told      []string `json:"told,omitempty"`
	Reminded  []string `json:"reminded,omitempty"`
	Snoozed   int64    `json:"snoozed,omitempty"`
	Snoozes   int      `json:"snoozes,omitempty"`
	LastRem   int64    `json:"lastrem,omitempty"`
	NoRemind  bool     `json:"noremind,omitempty"`
}

func toStored(a *assessment.Action) storedAction {
	s := storedAction{ID: a.ID, Review: a.Review, Framework: a.Framework, Schedule: a.Schedule, Section: a.Section,
		What: a.What, Owner: a.Owner, Proposer: a.Proposer, Due: a.Due.Format("2006-01-02"), Questions: a.Questions,
		Status: string(a.Status), Created: a.Created.Unix(), Changed: a.Changed.Unix(), Shown: a.Shown, Rev: a.Rev,
		Told: a.Told, Reminded: a.Reminded, NoRemind: a.NoReminders, Snoozes: a.Snoozes}
	if !a.Thread.IsZero() {
		s.Thread = encodeRef(a.Thread)
	}
	if !a.ThreadSince.IsZero() {
		s.Since = a.ThreadSince.UnixMilli()
	}
	if !a.SnoozedUntil.IsZero() {
		s.Snoozed = a.SnoozedUntil.Unix()
	}
	if !a.RemindedAt.IsZero() {
		s.LastRem = a.RemindedAt.Unix()
	}
	return s
}

func fromStored(s storedAction, version int) *assessment.Action {
	due, _ := time.Parse("2006-01-02", s.Due)
	a := &assessment.Action{ID: s.ID, Review: s.Review, Framework: s.Framework, Schedule: s.Schedule, Section: s.Section,
		What: s.What, Owner: s.Owner, Proposer: s.Proposer, Due: due, Questions: s.Questions,
		Status: assessment.ActionStatus(s.Status), Created: time.Unix(s.Created, 0), Changed: time.Unix(s.Changed, 0),
		Shown: s.Shown, Rev: s.Rev, Told: s.Told, Reminded: s.Reminded, NoReminders: s.NoRemind, Snoozes: s.Snoozes, Version: version}
	if s.Thread != "" {
		a.Thread, _ = decodeRef(s.Thread)
	}
	if s.Since != 0 {
		a.ThreadSince = time.UnixMilli(s.Since)
	}
	if s.Snoozed != 0 {
		a.SnoozedUntil = time.Unix(s.Snoozed, 0)
	}
	if s.LastRem != 0 {
		a.RemindedAt = time.Unix(s.LastRem, 0)
	}
	return a
}

// actionMember is an action's member in the listings: "review|aid".
func actionMember(reviewID, id string) string { return reviewID + "|" + id }

var createAction = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', '1')
redis.call('SADD', KEYS[2], ARGV[2])
return 1
`)

// saveAction writes an action over the version the caller read:
// 1 saved, 0 changed meanwhile, -1 no such action.
var saveAction = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if v ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', tostring(tonumber(v) + 1))
return 1
`)

// CreateAction stores a new action (version 1) unless one with its id
// exists; created is false when it did.
func (s *Redis) CreateAction(ctx context.Context, a *assessment.Action) (created bool, err error) {
	data, err := json.Marshal(toStored(a))
	if err != nil {
		return false, fmt.Errorf("store: create action: %w", err)
	}
	if err := s.listAction(ctx, a); err != nil {
		return false, err
	}
	cmd, waitErr := s.runAcked(ctx, createAction, []string{s.rkey(a.Review, "act:"+a.ID), s.rkey(a.Review, "acts")}, string(data), a.ID)
	n, err := cmd.Int64()
	if err != nil {
		return false, wrap("create action", err)
	}
	if waitErr != nil {
		return false, wrap("create action", waitErr)
	}
	return n == 1, nil
}

// listAction writes an action's listings (idempotent).
func (s *Redis) listAction(ctx context.Context, a *assessment.Action) error {
	m := redis.Z{Score: float64(a.Created.Unix()), Member: actionMember(a.Review, a.ID)}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAddNX(ctx, s.gkey("user:"+a.Owner+":actions"), m)
		p.ZAddNX(ctx, s.gkey("actions"), m)
		return nil
	})
	return wrap("list action", err)
}

// Action reads one action, with the version it is at.
func (s *Redis) Action(ctx context.Context, reviewID, id string) (*assessment.Action, error) {
	vals, err := s.rdb.HMGet(ctx, s.rkey(reviewID, "act:"+id), "d", "v").Result()
	if err != nil {
		return nil, wrap("action", err)
	}
	a, ok := decodeAction(vals)
	if !ok {
		return nil, assessment.NewError(assessment.ENOTFOUND, assessment.ActionNotFound{ID: id})
	}
	return a, nil
}

func decodeAction(vals []any) (*assessment.Action, bool) {
	d, _ := vals[0].(string)
	vs, _ := vals[1].(string)
	v, err := strconv.Atoi(vs)
	if d == "" || err != nil {
		return nil, false
	}
	var st storedAction
	if json.Unmarshal([]byte(d), &st) != nil {
		return nil, false
	}
	return fromStored(st, v), true
}

// SaveAction writes a changed action over a.Version, the version it was
// read at; saved is false when someone changed it since (read it again).
// On success a.Version is the new version.
func (s *Redis) SaveAction(ctx context.Context, a *assessment.Action) (saved bool, err error) {
	data, err := json.Marshal(toStored(a))
	if err != nil {
		return false, fmt.Errorf("store: save action: %w", err)
	}
	if err := s.listAction(ctx, a); err != nil {
		return false, err
	}
	cmd, waitErr := s.runAcked(ctx, saveAction, []string{s.rkey(a.Review, "act:"+a.ID)}, string(data), strconv.Itoa(a.Version))
	n, err := cmd.Int64()
	if err != nil {
		return false, wrap("save action", err)
	}
	if waitErr != nil {
		return false, wrap("save action", waitErr)
	}
	switch n {
	case -1:
		return false, assessment.NewError(assessment.ENOTFOUND, assessment.ActionNotFound{ID: a.ID})
	case 1:
		a.Version++
		return true, nil
	}
	return false, nil
}

// ReviewActions reads every action of a review, oldest first.
func (s *Redis) ReviewActions(ctx context.Context, reviewID string) ([]*assessment.Action, error) {
	ids, err := s.rdb.SMembers(ctx, s.rkey(reviewID, "acts")).Result()
	if err != nil {
		return nil, wrap("review actions", err)
	}
	members := make([]string, len(ids))
	for i, id := range ids {
		members[i] = actionMember(reviewID, id)
	}
	return s.actionsOf(ctx, members)
}

// ListedActions reads the newest n actions listed under an owner ("" for
// every action), oldest first; entries naming no action, or an action now
// owned by someone else, are left out.
func (s *Redis) ListedActions(ctx context.Context, owner string, n int64) ([]*assessment.Action, error) {
	key := s.gkey("actions")
	if owner != "" {
		key = s.gkey("user:" + owner + ":actions")
	}
	members, err := s.rdb.ZRevRange(ctx, key, 0, n-1).Result()
	if err != nil {
		return nil, wrap("listed actions", err)
	}
	all, err := s.actionsOf(ctx, members)
	if err != nil || owner == "" {
		return all, err
	}
	out := all[:0]
	for _, a := range all {
		if a.Owner == owner {
			out = append(out, a)
		}
	}
	return out, nil
}

// actionsOf reads the actions named "review|aid", pipelined by node.
func (s *Redis) actionsOf(ctx context.Context, members []string) ([]*assessment.Action, error) {
	p := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, 0, len(members))
	for _, m := range members {
		rid, aid, ok := strings.Cut(m, "|")
		if !ok {
			continue
		}
		cmds = append(cmds, p.HMGet(ctx, s.rkey(rid, "act:"+aid), "d", "v"))
	}
	if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
		return nil, wrap("actions", err)
	}
	var out []*assessment.Action
	for _, c := range cmds {
		if a, ok := decodeAction(c.Val()); ok {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// forgetActions takes a person out of every action that names them (as
// owner or proposer): their name goes, an open action they owned is
// dropped, and a job is queued to edit its message in the digest's thread
// to match. Then their listing goes.
func (s *Redis) forgetActions(ctx context.Context, user string) error {
	members, err := s.rdb.ZRange(ctx, s.gkey("actions"), 0, -1).Result()
	if err != nil {
		return wrap("forget actions", err)
	}
	all, err := s.actionsOf(ctx, members)
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.Owner != user && a.Proposer != user {
			continue
		}
		if err := s.forgetInAction(ctx, a.Review, a.ID, user); err != nil {
			return err
		}
	}
	return wrap("forget actions", s.rdb.Del(ctx, s.gkey("user:"+user+":actions")).Err())
}

// forgetInAction is forgetActions for one action, over its version,
// again from a fresh read when it changed meanwhile.
func (s *Redis) forgetInAction(ctx context.Context, reviewID, id, user string) error {
	for attempt := 0; attempt < 10; attempt++ {
		a, err := s.Action(ctx, reviewID, id)
		if err != nil {
			return err
		}
		if a.Owner == user {
			a.Owner = ""
			if a.Open() {
				a.Status = assessment.ActionDropped
			}
		}
		if a.Proposer == user {
			a.Proposer = ""
		}
		a.Rev++
		data, err := json.Marshal(toStored(a))
		if err != nil {
			return fmt.Errorf("store: forget in action: %w", err)
		}
		n, err := saveAction.Run(ctx, s.rdb, []string{s.rkey(reviewID, "act:"+id)}, string(data), strconv.Itoa(a.Version)).Int64()
		if err != nil {
			return wrap("forget in action", err)
		}
		if n == 1 {
			return s.AddJobs(ctx, []assessment.Job{{Kind: assessment.JobActionNotify, Review: reviewID, N: a.Rev, Action: id, At: time.Now()}})
		}
		if n == -1 {
			return nil
		}
	}
	return fmt.Errorf("store: forget in action %s: it keeps changing", id)
}
