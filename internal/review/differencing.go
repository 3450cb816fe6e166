package review

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Differencing on who answered, at publish time. The start-time audience
// check (checkOverlap) is an early warning: an audience padded with people
// who never answer passes it, and forget rewrites the audiences it reads.
// What gives answers away is two published reviews whose *answerers*
// differ by a few people. So before a review's figures are first shown,
// the people who answered it are compared with those who answered every
// review of the same framework published within DifferencingWindow; when
// the two differ by 1 to detail−1 people, none of the later review's
// figures are shown, and its digest says which earlier review and by how
// many people (never who). Runs of one schedule at least TrendGap apart
// are a trend, compared as before: answers change between runs.
//
// The record the check reads keeps, per published review, its answerers
// as HMAC-SHA256 of their user ids under a secret kept in the store, for
// DifferencingWindow. It names nobody, so forget leaves it alone: forget
// removes what names a person, never what protects the others.

// TrendGap is how far apart two runs of one schedule must be to be a trend
// rather than a differencing attack.
const TrendGap = 7 * 24 * time.Hour

// Answerers is the differencing record.
type Answerers interface {
	// AnswererKey returns the secret of the keyed hash, made once.
	AnswererKey(ctx context.Context) ([]byte, error)
	// RecordAnswerers keeps a published review's answerers until until.
	RecordAnswerers(ctx context.Context, set assessment.AnswererSet, until time.Time) error
	// PublishedAnswerers lists the records of a framework's reviews
	// published since a time.
	PublishedAnswerers(ctx context.Context, frameworkID string, since time.Time) ([]assessment.AnswererSet, error)
	// SetVerdict stores a review's verdict unless one is stored already,
	// and returns the one in force.
	SetVerdict(ctx context.Context, reviewID string, v assessment.Verdict) (assessment.Verdict, error)
	// Verdict returns a review's verdict; ok is false when none is stored.
	Verdict(ctx context.Context, reviewID string) (v assessment.Verdict, ok bool, err error)
}

// verdict decides, once, whether a closed review's figures may be shown.
// responses are its responses, still tied to their respondents; once they
// are not (the digest is out) or are gone (nil: past retention), the
// verdict stored then stands, and a review published before this check
// existed has none and is shown.
func (s *Service) verdict(ctx context.Context, r *assessment.Review, responses []assessment.Response, th Thresholds) (assessment.Verdict, error) {
	if s.answerers == nil {
		return assessment.Verdict{}, nil
	}
	if v, ok, err := s.answerers.Verdict(ctx, r.ID); err != nil || ok {
		return v, err
	}
	if responses == nil {
		return assessment.Verdict{}, nil
	}
	var who []string
	for _, resp := range responses {
		if !resp.HasAnswers() {
			continue
		}
		if resp.Respondent == "" {
			return assessment.Verdict{}, nil // unlinked: too late to check
		}
		who = append(who, resp.Respondent)
	}
	if len(who) < th.Mean {
		// Too few to show any figure: nothing to compare, nothing to keep.
		return assessment.Verdict{}, nil
	}
	key, err := s.answerers.AnswererKey(ctx)
	if err != nil {
		return assessment.Verdict{}, err
	}
	mine := make(map[string]bool, len(who))
	for _, u := range who {
		mine[answererHash(key, u)] = true
	}
	now := s.now()
	sets, err := s.answerers.PublishedAnswerers(ctx, r.FrameworkID, now.Add(-DifferencingWindow))
	if err != nil {
		return assessment.Verdict{}, err
	}
	var v assessment.Verdict
	for _, set := range sets {
		if set.ReviewID == r.ID || isTrend(r, set) {
			continue
		}
		if d := difference(mine, set.Hashes); d >= 1 && d < th.Detail {
			v = assessment.Verdict{Against: set.ReviewID, Differ: d}
			break
		}
	}
	if v, err = s.answerers.SetVerdict(ctx, r.ID, v); err != nil || v.Against != "" {
		if v.Against != "" {
			s.log.Info("figures withheld: the answerers differ from an earlier review's by too few", "review", r.ID, "earlier", v.Against, "differ", v.Differ)
		}
		return v, err
	}
	set := assessment.AnswererSet{ReviewID: r.ID, FrameworkID: r.FrameworkID, ScheduleID: r.ScheduleID, Created: r.CreatedAt, Published: now}
	for h := range mine {
		set.Hashes = append(set.Hashes, h)
	}
	return v, s.answerers.RecordAnswerers(ctx, set, now.Add(DifferencingWindow))
}

// isTrend reports whether an earlier published review is a run of the same
// schedule at least TrendGap before r.
func isTrend(r *assessment.Review, set assessment.AnswererSet) bool {
	gap := r.CreatedAt.Sub(set.Created)
	return r.ScheduleID != "" && set.ScheduleID == r.ScheduleID && (gap >= TrendGap || -gap >= TrendGap)
}

// answererHash is a person's keyed hash in the differencing record.
func answererHash(key []byte, user string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(user))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
