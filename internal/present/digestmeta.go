package present

import (
	"encoding/json"
	"math"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
)

// DigestEventType is the event_type of the metadata a digest message
// carries, for workflows and other apps (README, "Message metadata").
const DigestEventType = "assessbot_digest_posted"

// maxMetadataPayload bounds the payload: Slack refuses large metadata, and
// section titles are what can make it large.
const maxMetadataPayload = 7000

// DigestMetadata is the message metadata of a digest: the review, its
// response rate and thresholds, and the figures the message shows, as
// numbers rounded as the message shows them. It is built from the digest,
// which holds only what the disclosure model allows (review.Disclose):
// no question figures, no counts below the detail threshold, and, when the
// differencing check withheld the review, no figures at all. Withheld says
// what is left out and from how many respondents it would show.
func DigestMetadata(d digest.Digest, r *assessment.Review) slack.SlackMetadata {
	res := d.Result
	p := map[string]any{
		"review_id":   r.ID,
		"framework":   r.FrameworkID,
		"respondents": res.Respondents,
		"thresholds":  map[string]any{"threshold": res.Threshold, "detail": d.Detail},
	}
	if d.Framework != nil {
		p["framework"], p["framework_title"] = d.Framework.ID, d.Framework.Title
	}
	if !d.Closed.IsZero() {
		p["closed_at"] = d.Closed.UTC().Format(time.RFC3339)
	}
	if d.Invited > 0 {
		p["invited"], p["submitted"] = d.Invited, res.Submitted
		if d.Away > 0 {
			p["away"] = d.Away
		}
		p["response_rate"] = roundTo(float64(res.Respondents)/float64(max(d.Asked(), 1)), 2)
	}
	if w := metaWithheld(d); len(w) > 0 {
		p["withheld"] = w
	}
	if d.Withholds(digest.FigAll) {
		return slack.SlackMetadata{EventType: DigestEventType, EventPayload: p}
	}
	if b := res.Band; b != nil {
		band := map[string]any{"label": b.Label, "mean_points": roundTo(b.MeanPoints, 1), "max_points": b.MaxPoints}
		if b.Counts != nil && res.Respondents >= d.Detail {
			var counts []map[string]any
			for _, c := range b.Counts {
				counts = append(counts, map[string]any{"label": c.Label, "count": c.Count})
			}
			band["counts"] = counts
		}
		p["band"] = band
	}
	if res.Alignment != nil {
		p["alignment"] = roundTo(*res.Alignment, 2)
	}
	p["sections"] = metaSections(d, true)
	if b, err := json.Marshal(p); err == nil && len(b) > maxMetadataPayload {
		p["sections"] = metaSections(d, false)
	}
	if len(d.Segments) > 0 {
		p["segments"] = metaSegments(d)
		if b, err := json.Marshal(p); err == nil && len(b) > maxMetadataPayload {
			delete(p, "segments") // the thread and the export have them
		}
	}
	return slack.SlackMetadata{EventType: DigestEventType, EventPayload: p}
}

// metaSections are the sections' figures, with their titles or not.
func metaSections(d digest.Digest, titles bool) []map[string]any {
	out := []map[string]any{}
	for _, s := range d.Result.Sections {
		m := map[string]any{"id": s.ID}
		if titles {
			m["title"] = s.Title
		}
		if s.Withheld {
			m["withheld"] = true
		}
		if s.Score != nil && !s.Withheld {
			m["score"] = roundTo(*s.Score, 2)
		}
		if s.Agreement != nil && !s.Withheld {
			m["agreement"] = roundTo(*s.Agreement, 2)
		}
		if s.AgreementBand != "" && !s.Withheld {
			m["agreement_band"] = string(s.AgreementBand)
		}
		out = append(out, m)
	}
	return out
}

// metaWithheld says what the digest withholds: the figure, why, and from
// how many respondents it would show (never who, nor which review it was
// compared with).
func metaWithheld(d digest.Digest) []map[string]any {
	var out []map[string]any
	for _, w := range d.Withheld {
		m := map[string]any{"figure": string(w.Figure), "why": string(w.Why)}
		if w.Need > 0 {
			m["need"] = w.Need
		}
		if len(w.Sections) > 0 {
			m["sections"] = w.Sections
		}
		out = append(out, m)
	}
	return out
}

func roundTo(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
