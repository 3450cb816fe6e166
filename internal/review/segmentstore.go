package review

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// Segmentation keeps a review's segments: who was in each at the start
// (until the review is de-linked: Privacy.Delink drops it with the rest
// of what ties people to the review), and what the digest published of
// them, which outlives it.
type Segmentation interface {
	SetMembership(ctx context.Context, reviewID string, m assessment.Membership) error
	Membership(ctx context.Context, reviewID string) (assessment.Membership, error)
	KeepSegments(ctx context.Context, reviewID string, segs []digest.Segment) error
	KeptSegments(ctx context.Context, reviewID string) (segs []digest.Segment, ok bool, err error)
	// KeepTeamAnswerers keeps a posted review's record of its shown
	// teams' answerers (keyed hashes, teamtrends.go) until until.
	KeepTeamAnswerers(ctx context.Context, reviewID string, rec assessment.TeamAnswerers, until time.Time) error
	// TeamAnswerers returns what KeepTeamAnswerers kept; ok is false when
	// nothing is kept (never, dropped, or expired).
	TeamAnswerers(ctx context.Context, reviewID string) (rec assessment.TeamAnswerers, ok bool, err error)
	// DropTeamAnswerers deletes a review's record.
	DropTeamAnswerers(ctx context.Context, reviewID string) error
}

// nameChannels gives each channel segment without a name (picked in a
// form, whose submission carries only ids) its name as Slack knows it, so
// the digest says #cs-emea rather than an id; one Slack cannot name keeps
// its id.
func (s *Service) nameChannels(ctx context.Context, segs []assessment.Segment) []assessment.Segment {
	out := slices.Clone(segs)
	for i, seg := range out {
		if seg.Name != "" || !seg.IsChannel() {
			continue
		}
		if name, err := s.dir.ChannelName(ctx, seg.ID); err == nil && name != "" {
			out[i].Name = name
		}
	}
	return out
}

// freezeSegments reads who is in each of a starting review's segments,
// keeps those of its respondents, and stores them. A person in none of
// them is in "everyone else"; one in several is in each.
func (s *Service) freezeSegments(ctx context.Context, reviewID string, segs []assessment.Segment, people []string) error {
	if len(segs) == 0 {
		return nil
	}
	if len(segs) > assessment.MaxSegments {
		return assessment.NewError(assessment.EINVALID, assessment.TooManySegments{Segments: len(segs), Max: assessment.MaxSegments})
	}
	if s.segments == nil {
		return errors.New("review: segments named, but no store keeps them")
	}
	asked := map[string]bool{}
	for _, u := range people {
		asked[u] = true
	}
	m := assessment.Membership{}
	for _, seg := range segs {
		var members []string
		var err error
		if seg.IsChannel() {
			members, err = s.dir.ChannelMembers(ctx, seg.ID)
		} else {
			members, err = s.dir.GroupMembers(ctx, seg.ID)
		}
		if err != nil {
			reason, _ := refusal(err)
			if seg.IsChannel() {
				return assessment.NewError(assessment.EUNAVAILABLE, assessment.ChannelUnreadable{Channel: seg.ID, SlackError: reason}).Because(err)
			}
			return assessment.NewError(assessment.EUNAVAILABLE, assessment.GroupUnreadable{Group: seg.ID, SlackError: reason}).Because(err)
		}
		for _, u := range members {
			if asked[u] {
				m[seg.ID] = append(m[seg.ID], u)
			}
		}
	}
	return s.segments.SetMembership(ctx, reviewID, m)
}

// segmentsOf are a review's segments for its digest: those its digest
// kept once it was out, else scored now from the membership and the
// responses, still tied to their respondents (nil when they are not: a
// review de-linked before segments were kept shows none).
func (s *Service) segmentsOf(ctx context.Context, r *assessment.Review, f *assessment.Framework, responses []assessment.Response, whole scoring.Result, detail int) ([]digest.Segment, error) {
	if len(r.Segments) == 0 || s.segments == nil {
		return nil, nil
	}
	if kept, ok, err := s.segments.KeptSegments(ctx, r.ID); err != nil || ok {
		return kept, err
	}
	if responses == nil {
		return nil, nil // past retention, and nothing kept
	}
	for _, resp := range responses {
		if resp.HasAnswers() && resp.Respondent == "" {
			return nil, nil
		}
	}
	m, err := s.segments.Membership(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	return s.withTeamTrends(ctx, r, ScoreSegments(f, responses, r.Segments, m, whole, detail, r.ID), responses, m, detail)
}

// keepSegments keeps what a digest published of its segments before the
// membership goes with the de-linking.
func (s *Service) keepSegments(ctx context.Context, reviewID string, segs []digest.Segment) {
	if s.segments == nil || segs == nil {
		return
	}
	if err := s.segments.KeepSegments(ctx, reviewID, segs); err != nil {
		s.log.Warn("digest segments not kept", "review", reviewID, "err", err)
	}
}
