package present

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/scoring"
)

// metaDigest is a closed review of cs-excellence answered by n-1 people
// (excellenceResponses leaves the last one out), through the disclosure
// model with the default thresholds (3 and 5).
func metaDigest(t *testing.T, n int) (digest.Digest, *assessment.Review) {
	t.Helper()
	f := shipped(t, "cs-excellence")
	r := &assessment.Review{ID: "rmeta1", FrameworkID: f.ID, Threshold: 3, Status: assessment.StatusClosed,
		CreatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	for i := range n {
		r.Respondents = append(r.Respondents, "U"+string(rune('A'+i)))
	}
	res := scoring.Aggregate(f, excellenceResponses(f, n), scoring.Options{Threshold: 3, Seed: r.ID})
	th := review.ThresholdsOf(r)
	shown, withheld := review.Disclose(f, res, th)
	return digest.Build(f, shown, digest.Meta{ReviewID: r.ID, Opened: r.CreatedAt, Closed: r.CreatedAt.AddDate(0, 0, 14),
		Invited: n, Detail: th.Detail, Withheld: withheld}), r
}

// payload is the metadata's payload as another app reads it: JSON.
func payload(t *testing.T, m slack.SlackMetadata) (map[string]any, string) {
	t.Helper()
	b, err := json.Marshal(m.EventPayload)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p, string(b)
}

// noFinerFigures fails when a payload carries anything finer than a
// section mean and band: question figures, counts, ranges, spreads (its
// list of what is withheld aside, which names them).
func noFinerFigures(t *testing.T, p map[string]any) {
	t.Helper()
	shown := map[string]any{}
	for k, v := range p {
		if k != "withheld" {
			shown[k] = v
		}
	}
	b, _ := json.Marshal(shown)
	raw := string(b)
	for _, key := range []string{`"alignment"`, `"agreement"`, `"counts"`, `"answered"`, `"not_sure"`, `"options"`,
		`"questions"`, `"min"`, `"max"`, `"median"`, `"divergence"`, `"texts"`, `"comments"`} {
		if strings.Contains(raw, key) {
			t.Errorf("payload carries %s:\n%s", key, raw)
		}
	}
}

// TestDigestMetadata: from the detail threshold the metadata carries what
// the message shows, rounded as it shows it.
func TestDigestMetadata(t *testing.T) {
	d, r := metaDigest(t, 8) // seven answered
	m := DigestMetadata(d, r)
	if m.EventType != "assessbot_digest_posted" {
		t.Errorf("event_type %q", m.EventType)
	}
	p, raw := payload(t, m)
	if p["review_id"] != "rmeta1" || p["framework"] != "cs-excellence" || p["closed_at"] != "2026-03-16T09:00:00Z" ||
		p["respondents"] != 7.0 || p["invited"] != 8.0 || p["response_rate"] != 0.88 {
		t.Errorf("identity and response rate:\n%s", raw)
	}
	if th, _ := p["thresholds"].(map[string]any); th["threshold"] != 3.0 || th["detail"] != 5.0 {
		t.Errorf("thresholds %v", p["thresholds"])
	}
	band, _ := p["band"].(map[string]any)
	if band["label"] != d.Result.Band.Label || band["counts"] == nil {
		t.Errorf("band %v, want %s with its counts", band, d.Result.Band.Label)
	}
	if a, ok := p["alignment"].(float64); !ok || Percent(a) != Percent(*d.Result.Alignment) {
		t.Errorf("alignment %v, the message says %s", p["alignment"], Percent(*d.Result.Alignment))
	}
	secs, _ := p["sections"].([]any)
	if len(secs) != len(d.Result.Sections) {
		t.Fatalf("%d sections, want %d", len(secs), len(d.Result.Sections))
	}
	for i, x := range secs {
		s, want := x.(map[string]any), d.Result.Sections[i]
		if s["id"] != want.ID || s["title"] != want.Title || s["agreement_band"] != string(want.AgreementBand) {
			t.Errorf("section %d: %v", i, s)
		}
		if sc, ok := s["score"].(float64); !ok || Percent(sc) != Percent(*want.Score) {
			t.Errorf("section %s: score %v, the message says %s", want.ID, s["score"], Percent(*want.Score))
		}
	}
}

// TestDigestMetadataBelowDetail: three respondents are enough for section
// means and bands, and the metadata carries them, but no question figure,
// no count, no alignment, no agreement value: only what the model allows,
// and what it withholds with the number it needs.
func TestDigestMetadataBelowDetail(t *testing.T) {
	d, r := metaDigest(t, 4) // three answered
	p, raw := payload(t, DigestMetadata(d, r))
	noFinerFigures(t, p)
	scored := 0
	for _, x := range p["sections"].([]any) {
		if _, ok := x.(map[string]any)["score"]; ok {
			scored++
		}
	}
	if scored == 0 {
		t.Errorf("no section score at three respondents:\n%s", raw)
	}
	found := false
	for _, x := range p["withheld"].([]any) {
		w := x.(map[string]any)
		if w["figure"] == string(digest.FigQuestion) && w["need"] == 5.0 {
			found = true
		}
	}
	if !found {
		t.Errorf("the payload does not say question figures show from 5:\n%s", raw)
	}
	// Two who answered: below the threshold, not even section means.
	d, r = metaDigest(t, 3)
	p, raw = payload(t, DigestMetadata(d, r))
	noFinerFigures(t, p)
	if strings.Contains(raw, `"score"`) || strings.Contains(raw, `"band"`) {
		t.Errorf("figures below the threshold:\n%s", raw)
	}
}

// TestDigestMetadataDifferencing: a review the differencing check
// withheld has no figures in its metadata either.
func TestDigestMetadataDifferencing(t *testing.T) {
	d, r := metaDigest(t, 8)
	d.Result = review.WithholdAll(d.Result, review.ThresholdsOf(r))
	d.Withheld = []digest.Withheld{{Figure: digest.FigAll, Why: digest.WhyDifferencing, Review: "rearlier", Differ: 2}}
	p, raw := payload(t, DigestMetadata(d, r))
	noFinerFigures(t, p)
	for _, key := range []string{`"sections"`, `"band"`, `"score"`, "rearlier"} {
		if strings.Contains(raw, key) {
			t.Errorf("a withheld review's metadata has %q:\n%s", key, raw)
		}
	}
	if p["review_id"] != "rmeta1" || p["withheld"] == nil {
		t.Errorf("payload %s", raw)
	}
}

// People away for the whole window leave the response rate's denominator
// in the metadata as in the message, which gives their number (and no
// more); without anyone away there is no "away" field.
func TestDigestMetadataAway(t *testing.T) {
	d, r := metaDigest(t, 6) // 5 responded of 6 invited
	if p, _ := payload(t, DigestMetadata(d, r)); p["response_rate"] != 0.83 || p["away"] != nil {
		t.Errorf("nobody away: response_rate %v, away %v; want 0.83 and none", p["response_rate"], p["away"])
	}
	d.Away = 1
	p, raw := payload(t, DigestMetadata(d, r))
	if p["response_rate"] != 1.0 || p["away"] != 1.0 || p["invited"] != 6.0 {
		t.Errorf("one away: response_rate %v, away %v, invited %v; want 1, 1, 6", p["response_rate"], p["away"], p["invited"])
	}
	for _, u := range r.Respondents {
		if strings.Contains(raw, `"`+u+`"`) {
			t.Errorf("the metadata names %s", u)
		}
	}
}
