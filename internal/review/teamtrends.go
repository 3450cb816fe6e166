package review

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"slices"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
)

// Team trends (issue 20). A team's change since the previous review of
// its series is differencing too: when the people who answered in it
// differ by a few, the change is largely theirs. So a team's trend shows
// only when its answerers then and now are the same or differ by at least
// the detail threshold (SegmentTrendShown), and the digest says in one
// line when it is withheld, never who changed.
//
// To compare the answerers of two runs once the first is de-linked, a
// posted review keeps, per shown team, its answerers as HMAC-SHA256 of
// their user ids (assessment.TeamAnswerers) under a key derived from a
// secret the bot holds outside Redis (Config.TeamTrendSecret, the Slack
// bot token): with Redis alone nobody can test whether someone was in a
// team. The record lives until the next review of the series posts its
// digest, which drops it after comparing, and at most for the retention
// period. A record made under another key (a rotated token) compares with
// nothing: the trend is withheld, which is the safe way to fail. Forget
// leaves it alone, as it does the differencing record: taking a person's
// hash out would make a run without them look unchanged.

// teamTrendLabel is what the team trend key is derived for.
const teamTrendLabel = "assessbot team trends"

// TeamTrendKey derives the key of the team record from a secret the bot
// holds outside the store; nil for no secret (no team trends).
func TeamTrendKey(secret string) []byte {
	if secret == "" {
		return nil
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(teamTrendLabel))
	return m.Sum(nil)
}

// TeamRecord is the record of the shown teams' answerers under key:
// answerers maps a team's id to the user ids who answered in it.
func TeamRecord(key []byte, segs []digest.Segment, answerers map[string][]string) assessment.TeamAnswerers {
	rec := assessment.TeamAnswerers{Check: answererHash(key, teamTrendLabel), Teams: map[string][]string{}}
	for _, s := range segs {
		if !s.Shown() || len(answerers[s.ID]) == 0 {
			continue
		}
		hs := make([]string, 0, len(answerers[s.ID]))
		for _, u := range answerers[s.ID] {
			hs = append(hs, answererHash(key, u))
		}
		slices.Sort(hs)
		rec.Teams[s.ID] = slices.Compact(hs)
	}
	return rec
}

// TeamTrends sets the trend of every team shown both now and in prev (the
// previous run's published segments) whose answerers were recorded then:
// the change of each section shown both times, in percentage points, when
// the answerers then and now (the records then and cur) are the same or
// differ by at least detail people; otherwise why it is withheld.
func TeamTrends(now, prev []digest.Segment, then, cur assessment.TeamAnswerers, detail int) []digest.Segment {
	before := map[string]digest.Segment{}
	for _, p := range prev {
		if p.Shown() {
			before[p.ID] = p
		}
	}
	out := slices.Clone(now)
	for i, s := range out {
		p, shown := before[s.ID]
		hashes, recorded := then.Teams[s.ID]
		if !s.Shown() || !shown || !recorded {
			continue
		}
		switch {
		case then.Check != cur.Check:
			out[i].TrendWhy = digest.TrendUncomparable
		case !SegmentTrendShown(hashes, cur.Teams[s.ID], detail):
			out[i].TrendWhy = digest.TrendFewChanged
		default:
			out[i].Trend = cellChanges(s, p)
		}
	}
	return out
}

// cellChanges is the change of each section shown in both, in points.
func cellChanges(now, then digest.Segment) map[string]float64 {
	was := map[string]float64{}
	for _, c := range then.Cells {
		if c.Score != nil && c.Why == "" {
			was[c.Section] = *c.Score
		}
	}
	out := map[string]float64{}
	for _, c := range now.Cells {
		if w, ok := was[c.Section]; ok && c.Score != nil && c.Why == "" {
			out[c.Section] = (*c.Score - w) * 100
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// teamAnswerers is who answered in each of a review's segments (and
// everyone else), by segment id; ok is false once the responses are no
// longer tied to their respondents.
func teamAnswerers(responses []assessment.Response, segs []assessment.Segment, members assessment.Membership) (map[string][]string, bool) {
	var answerers []string
	in := map[string]bool{}
	for _, r := range responses {
		if !r.HasAnswers() {
			continue
		}
		if r.Respondent == "" {
			return nil, false
		}
		answerers = append(answerers, r.Respondent)
		in[r.Respondent] = true
	}
	sets := make([]SegmentSet, len(segs))
	for i, s := range segs {
		sets[i] = SegmentSet{ID: s.ID, Members: members[s.ID]}
	}
	out := map[string][]string{}
	for _, set := range WithEveryoneElse(answerers, sets) {
		for _, u := range set.Members {
			if in[u] {
				out[set.ID] = append(out[set.ID], u)
			}
		}
	}
	return out, true
}

// withTeamTrends sets the trends of a review's freshly scored segments
// against the previous review of its series, when that one kept a record
// of its teams' answerers.
func (s *Service) withTeamTrends(ctx context.Context, r *assessment.Review, segs []digest.Segment, responses []assessment.Response,
	members assessment.Membership, detail int) ([]digest.Segment, error) {
	if s.teamKey == nil || len(segs) == 0 {
		return segs, nil
	}
	prevID, err := s.reviews.Previous(ctx, r)
	if err != nil || prevID == "" {
		return segs, err
	}
	then, ok, err := s.segments.TeamAnswerers(ctx, prevID)
	if err != nil || !ok {
		return segs, err
	}
	prev, ok, err := s.segments.KeptSegments(ctx, prevID)
	if err != nil || !ok {
		return segs, err
	}
	if pr, _, err := s.reviews.Review(ctx, prevID); err == nil {
		detail = max(detail, ThresholdsOf(pr).Detail)
	}
	who, linked := teamAnswerers(responses, r.Segments, members)
	if !linked {
		return segs, nil
	}
	return TeamTrends(segs, prev, then, TeamRecord(s.teamKey, segs, who), detail), nil
}

// keepTeamAnswerers keeps a just-posted review's record of its shown
// teams' answerers for the next review of its series, and drops the
// previous review's, which has served.
func (s *Service) keepTeamAnswerers(ctx context.Context, r *assessment.Review, segs []digest.Segment) {
	if s.teamKey == nil || s.segments == nil || len(r.Segments) == 0 {
		return
	}
	prevID, err := s.reviews.Previous(ctx, r)
	if err != nil {
		s.log.Warn("previous review unknown; its team record stays until it expires", "review", r.ID, "err", err)
	}
	if prevID != "" {
		if err := s.segments.DropTeamAnswerers(ctx, prevID); err != nil {
			s.log.Warn("previous team record not dropped; it expires by itself", "review", prevID, "err", err)
		}
	}
	responses, err := s.answers.Responses(ctx, r)
	if err != nil {
		s.log.Warn("team record not kept: the next run shows no team trends", "review", r.ID, "err", err)
		return
	}
	m, err := s.segments.Membership(ctx, r.ID)
	who, linked := teamAnswerers(responses, r.Segments, m)
	if err != nil || !linked {
		return
	}
	rec := TeamRecord(s.teamKey, segs, who)
	if len(rec.Teams) == 0 {
		return
	}
	if err := s.segments.KeepTeamAnswerers(ctx, r.ID, rec, s.now().Add(s.retention)); err != nil {
		s.log.Warn("team record not kept: the next run shows no team trends", "review", r.ID, "err", err)
	}
}
