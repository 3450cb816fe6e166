package review

import (
	"context"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/scoring"
)

// Close closes a review; closed is true for the one caller that closed it.
func (s *Service) Close(ctx context.Context, reviewID, by string) (closed bool, err error) {
	return s.reviews.Close(ctx, reviewID, by, s.now())
}

// Closing is the outcome of an admin's close.
type Closing struct {
	Review *assessment.Review
	// Closed is true when this call closed it; Posted when the digest is
	// out (now or before).
	Closed, Posted bool
}

// CloseNow closes a review (the asker's given one, or the latest) and
// posts its digest; only an admin may.
func (s *Service) CloseNow(ctx context.Context, reviewID, by string) (Closing, error) {
	if err := s.requireAdmin(ctx, by, "close"); err != nil {
		return Closing{}, err
	}
	r, _, err := s.latest(ctx, reviewID, by)
	if err != nil {
		return Closing{}, err
	}
	out := Closing{Review: r}
	if out.Closed, err = s.Close(ctx, r.ID, by); err != nil {
		return out, err
	}
	if !out.Closed {
		st, _ := s.digests.DigestState(ctx, r.ID)
		out.Posted = st.Kind == assessment.Sent
		return out, nil
	}
	s.log.Info("review closed", "review", r.ID, "by", by)
	out.Posted = s.PostDigest(ctx, r.ID)
	return out, nil
}

// PostDigest posts a closed review's digest exactly once: a lease keeps
// replicas apart, a "sending" mark before the post leaves a trace of a
// crash inside it, and the stored ref makes later attempts no-ops. It
// reports whether the digest is out.
func (s *Service) PostDigest(ctx context.Context, reviewID string) bool {
	// Once begun, a digest is finished even while the process shuts down:
	// a post cut off half-way could reach Slack without being recorded.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	posted := false
	s.withLease(ctx, "digest:"+reviewID, func() { posted = s.postDigest(ctx, reviewID) })
	return posted
}

func (s *Service) postDigest(ctx context.Context, reviewID string) bool {
	state, err := s.digests.DigestState(ctx, reviewID)
	if err != nil {
		return false
	}
	if state.Kind == assessment.Sent {
		_ = s.digests.DigestPosted(ctx, reviewID, state.Ref) // a crash left it queued
		return true
	}
	d, r, err := s.Digest(ctx, reviewID)
	if err != nil {
		s.log.Error("cannot build digest", "review", reviewID, "err", err)
		return false
	}
	if state.Kind == assessment.Sending {
		// A process died while posting it: Slack may have it already.
		if ref, ok := s.msg.FindDigest(ctx, r, state.Since); ok {
			s.log.Info("digest found after a crash; not posting it again", "review", reviewID)
			_ = s.digests.DigestPosted(ctx, reviewID, ref)
			return true
		}
		if s.postingNow(state) {
			return false
		}
	}
	if err := s.digests.DigestPosting(ctx, reviewID, time.Now()); err != nil {
		return false
	}
	ref, err := s.msg.PostDigest(ctx, r.DigestChannel, d, r, "")
	if reason, refused := refusal(err); refused {
		// The channel refuses us: give the digest to the person who started it.
		s.log.Error("digest channel refused the digest; sending it to the review's creator", "review", reviewID, "channel", r.DigestChannel, "err", err)
		ref, err = s.msg.PostDigest(ctx, r.CreatedBy, d, r, reason)
	}
	if err != nil {
		s.log.Warn("digest not posted; will retry", "review", reviewID, "err", err)
		return false
	}
	if band := d.Result.Band; band != nil {
		_ = s.digests.SetSummary(ctx, reviewID, "band: "+band.Label)
	}
	if err := s.digests.DigestPosted(ctx, reviewID, ref); err != nil {
		s.log.Error("digest posted but not recorded", "review", reviewID, "err", err)
		return true
	}
	s.keepSegments(ctx, r.ID, d.Segments)
	s.keepTeamAnswerers(ctx, r, d.Segments)
	s.afterDigest(ctx, r, d.Result)
	s.log.Info("digest posted", "review", reviewID, "channel", ref.Channel, "respondents", d.Result.Respondents)
	return true
}

// Digest aggregates a review's responses into its digest, holding only
// the figures the disclosure model allows (Disclose).
func (s *Service) Digest(ctx context.Context, reviewID string) (digest.Digest, *assessment.Review, error) {
	r, f, err := s.reviews.Review(ctx, reviewID)
	if err != nil {
		return digest.Digest{}, nil, err
	}
	th := ThresholdsOf(r)
	if gone, err := s.privacy.Expired(ctx, reviewID); err != nil {
		return digest.Digest{}, r, err
	} else if gone {
		// Past its retention: the answers are gone, the figures stay.
		res, _, err := s.privacy.Result(ctx, reviewID)
		if err != nil {
			return digest.Digest{}, r, err
		}
		_, closedAt, _ := s.reviews.ClosedInfo(ctx, reviewID)
		v, err := s.verdict(ctx, r, nil, th)
		shown, withheld := discloseUnder(f, res, th, v)
		out := digest.Build(f, shown, digest.Meta{ReviewID: r.ID, Opened: r.CreatedAt, Closed: closedAt, Invited: len(r.Respondents),
			Away: s.awayCount(ctx, r.ID), Detail: th.Detail, Withheld: withheld})
		if err == nil {
			out.Segments, err = s.segmentsOf(ctx, r, f, nil, shown, th.Detail)
		}
		return out, r, err
	}
	responses, err := s.answers.Responses(ctx, r)
	if err != nil {
		return digest.Digest{}, r, err
	}
	// The chart's spread is a second pass over the same answers: run it
	// beside the aggregation. It is detail, so it needs the detail threshold.
	spread := make(chan map[string]scoring.Quantiles, 1)
	go func() { spread <- scoring.Spread(f, responses, th.Detail) }()
	res := scoring.Aggregate(f, responses, scoring.Options{Threshold: th.Mean, Seed: r.ID})
	d := <-spread
	_, closedAt, err := s.reviews.ClosedInfo(ctx, reviewID)
	if err != nil {
		return digest.Digest{}, r, err
	}
	if closedAt.IsZero() {
		closedAt = s.now()
	}
	// Before its figures are first shown, a closed review is compared with
	// the published reviews of its framework (differencing.go).
	var v assessment.Verdict
	if r.Status != assessment.StatusOpen {
		if v, err = s.verdict(ctx, r, responses, th); err != nil {
			return digest.Digest{}, r, err
		}
	}
	shown, withheld := discloseUnder(f, res, th, v)
	meta := digest.Meta{ReviewID: r.ID, Opened: r.CreatedAt, Closed: closedAt, Invited: len(r.Respondents), Away: s.awayCount(ctx, r.ID),
		Detail: th.Detail, Withheld: withheld}
	if v.Against != "" {
		return digest.Build(f, shown, meta), r, nil
	}
	if prev, at, err := s.previous(ctx, r); err != nil {
		return digest.Digest{}, r, err
	} else if prev != nil && res.Respondents >= th.Mean {
		// A trend only when both reviews meet their thresholds.
		meta.Previous, meta.PreviousClosed = prev, at
	}
	meta.Actions = s.followThrough(ctx, r)
	out := digest.Build(f, shown, meta)
	if res.Respondents >= th.Detail {
		out.Spread = d
	}
	if out.Segments, err = s.segmentsOf(ctx, r, f, responses, shown, th.Detail); err != nil {
		return digest.Digest{}, r, err
	}
	return out, r, nil
}

// discloseUnder is Disclose, or nothing at all when the differencing
// verdict withholds the review.
func discloseUnder(f *assessment.Framework, res scoring.Result, th Thresholds, v assessment.Verdict) (scoring.Result, []digest.Withheld) {
	if v.Against == "" {
		return Disclose(f, res, th)
	}
	return WithholdAll(res, th), []digest.Withheld{{Figure: digest.FigAll, Why: digest.WhyDifferencing, Review: v.Against, Differ: v.Differ}}
}

// previous scores the review this one is compared with: the last one of
// the same series whose digest was posted, holding only the figures its
// own digest showed.
func (s *Service) previous(ctx context.Context, r *assessment.Review) (*scoring.Result, time.Time, error) {
	id, err := s.reviews.Previous(ctx, r)
	if err != nil || id == "" {
		return nil, time.Time{}, err
	}
	pr, pf, err := s.reviews.Review(ctx, id)
	if err != nil {
		return nil, time.Time{}, err
	}
	th := ThresholdsOf(pr)
	res, kept, err := s.privacy.Result(ctx, id)
	if err != nil {
		return nil, time.Time{}, err
	}
	if !kept {
		responses, err := s.answers.Responses(ctx, pr)
		if err != nil {
			return nil, time.Time{}, err
		}
		res = scoring.Aggregate(pf, responses, scoring.Options{Threshold: th.Mean, Seed: pr.ID})
	}
	if res.Respondents < th.Mean {
		return nil, time.Time{}, nil
	}
	shown, _ := Disclose(pf, res, th)
	_, at, err := s.reviews.ClosedInfo(ctx, id)
	return &shown, at, err
}
