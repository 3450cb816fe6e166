package review_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/store"
)

// seg is a shown segment with a cell per section score (nil: withheld).
func seg(id string, scores ...*float64) digest.Segment {
	s := digest.Segment{ID: id, N: 5}
	for i, sc := range scores {
		c := digest.Cell{Section: fmt.Sprint("s", i+1), Score: sc, N: 5}
		if sc == nil {
			c.Why = digest.SegTooFew
		}
		s.Cells = append(s.Cells, c)
	}
	return s
}

func f64(v float64) *float64 { return &v }

// users is n user ids from a prefix.
func users(prefix string, from, n int) []string {
	var out []string
	for i := from; i < from+n; i++ {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

// TestTeamTrendsHandComputed: a team's change shows, section by section in
// points, when its answerers then and now are the same or differ by at
// least the detail threshold (5), counted both ways; by 1 to 4 it is
// withheld with the reason; a record under another key (a rotated secret)
// compares with nothing.
func TestTeamTrendsHandComputed(t *testing.T) {
	key, other := review.TeamTrendKey("xoxb-one"), review.TeamTrendKey("xoxb-two")
	prev := []digest.Segment{seg("SEMEA", f64(0.50), f64(0.80), f64(0.4)), seg("SAMER", f64(0.3), f64(0.3), nil)}
	now := []digest.Segment{seg("SEMEA", f64(0.62), f64(0.80), f64(0.9)), seg("SAMER", f64(0.2), f64(0.3), f64(0.3))}
	five := users("U", 0, 5)
	cases := []struct {
		name    string
		now     []string // EMEA's answerers now; then: five
		thenKey []byte
		why     digest.SegmentWhy
	}{
		{"the same five", five, key, ""},
		{"one more (differ by 1)", append(users("U", 0, 5), "UNEW"), key, digest.TrendFewChanged},
		{"one left (1)", users("U", 0, 4), key, digest.TrendFewChanged},
		{"one replaced (2)", append(users("U", 0, 4), "UNEW"), key, digest.TrendFewChanged},
		{"two replaced (4)", append(users("U", 0, 3), "UNEW", "UNEW2"), key, digest.TrendFewChanged},
		{"five more (5)", append(users("U", 0, 5), users("V", 0, 5)...), key, ""},
		{"all new (10)", users("V", 0, 5), key, ""},
		{"the same five, another key", five, other, digest.TrendUncomparable},
	}
	for _, c := range cases {
		then := review.TeamRecord(c.thenKey, prev, map[string][]string{"SEMEA": five})
		cur := review.TeamRecord(key, now, map[string][]string{"SEMEA": c.now, "SAMER": users("A", 0, 5)})
		got := review.TeamTrends(now, prev, then, cur, 5)
		emea, amer := got[0], got[1]
		if emea.TrendWhy != c.why {
			t.Errorf("%s: EMEA's trend withheld for %q, want %q", c.name, emea.TrendWhy, c.why)
		}
		if c.why == "" {
			want := map[string]float64{"s1": 12, "s2": 0, "s3": 50}
			if len(emea.Trend) != 3 {
				t.Errorf("%s: EMEA's trend %v, want %v", c.name, emea.Trend, want)
			}
			for sec, v := range want {
				if math.Abs(emea.Trend[sec]-v) > 1e-9 {
					t.Errorf("%s: EMEA's change on %s = %v, want %v", c.name, sec, emea.Trend[sec], v)
				}
			}
		} else if emea.Trend != nil {
			t.Errorf("%s: a withheld trend has figures: %v", c.name, emea.Trend)
		}
		// AMER kept no record then: no trend, and nothing to say.
		if amer.Trend != nil || amer.TrendWhy != "" {
			t.Errorf("%s: AMER, unrecorded then, has a trend: %+v", c.name, amer)
		}
	}
	// A team withheld now, or then, has no trend.
	withheld := append([]digest.Segment(nil), now...)
	withheld[0] = digest.Segment{ID: "SEMEA", Why: digest.SegTooFew}
	then := review.TeamRecord(key, prev, map[string][]string{"SEMEA": five})
	if got := review.TeamTrends(withheld, prev, then, then, 5); got[0].Trend != nil || got[0].TrendWhy != "" {
		t.Errorf("a team withheld now: %+v", got[0])
	}
	if rec := review.TeamRecord(key, withheld, map[string][]string{"SEMEA": five}); len(rec.Teams) != 0 {
		t.Errorf("a withheld team is recorded: %+v", rec)
	}
	if review.TeamTrendKey("") != nil {
		t.Error("no secret, yet a key")
	}
}

// TestTeamTrendsThroughTheStore: three runs of one schedule by two user
// groups of seven, eight days apart. The second shows each team's change
// (the same people answered); the third withholds EMEA's (one of them did
// not answer) and shows AMER's; a bot whose secret changed withholds
// both. After each digest Redis holds the posted run's record only, with
// no user id in it, expiring with the retention period.
func TestTeamTrendsThroughTheStore(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	cat, _ := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	f, _ := cat.Get("cs-checklist")
	emea, amer := users("UEMEA", 0, 7), users("UAMER", 0, 7)
	dir := groupDirectory{directory{people: map[string]assessment.Person{}}, map[string][]string{"SEMEA": emea, "SAMER": amer}}
	dir.addAdmins(admins...)
	now := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	service := func(secret string) *review.Service {
		return review.New(onStore(st, review.Config{Messenger: newRecorder(), Directory: dir, Frameworks: cat,
			Now: func() time.Time { return now }, Owner: "t", Lease: time.Minute, Tick: time.Hour, AdminUsers: admins,
			TeamTrendSecret: secret}))
	}
	segs := []assessment.Segment{{ID: "SEMEA", Name: "cs-emea"}, {ID: "SAMER", Name: "cs-amer"}}
	run := func(svc *review.Service, emeaHigh bool, skip string) digest.Digest {
		t.Helper()
		now = now.Add(8 * 24 * time.Hour)
		r, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Groups: []string{"SEMEA", "SAMER"}},
			DigestChannel: "CLEADS", Deadline: now.Add(time.Hour), CreatedBy: "UADMIN", ScheduleID: "strend", Segments: segs})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range emea {
			if u != skip {
				answerAll(t, svc, f, r.ID, u, emeaHigh)
			}
		}
		for _, u := range amer {
			answerAll(t, svc, f, r.ID, u, false)
		}
		if c, err := svc.CloseNow(ctx, r.ID, "UADMIN"); err != nil || !c.Posted {
			t.Fatalf("close: %+v, %v", c, err)
		}
		d, _, err := svc.Digest(ctx, r.ID)
		if err != nil || len(d.Segments) != 2 || !d.Segments[0].Shown() || !d.Segments[1].Shown() {
			t.Fatalf("digest: %+v, %v", d.Segments, err)
		}
		// Only the posted run's record is left, and it names nobody.
		records := 0
		for k, v := range keysAndValues(t, rdb, prefix) {
			if !strings.HasSuffix(k, "}:segtrend") {
				continue
			}
			records++
			if !strings.Contains(k, r.ID) {
				t.Errorf("a previous run's record outlives the next digest: %s", k)
			}
			for _, u := range append(append([]string(nil), emea...), amer...) {
				if strings.Contains(v, u) {
					t.Errorf("%s holds the user id %s: %.300s", k, u, v)
				}
			}
			if ttl := rdb.PTTL(ctx, k).Val(); ttl <= 0 || ttl > review.DefaultRetention {
				t.Errorf("%s expires in %v, want within the retention period", k, ttl)
			}
		}
		if records != 1 {
			t.Errorf("%d team records after the digest, want the posted run's", records)
		}
		return d
	}
	svc := service("xoxb-first")
	if d := run(svc, true, ""); d.Segments[0].Trend != nil || d.Segments[0].TrendWhy != "" {
		t.Errorf("a first run has a trend: %+v", d.Segments[0])
	}
	d := run(svc, false, "")
	emeaTrend, amerTrend := d.Segments[0].Trend, d.Segments[1].Trend
	if len(emeaTrend) != len(f.Sections) || len(amerTrend) != len(f.Sections) {
		t.Fatalf("second run: trends %v and %v, want one per section", emeaTrend, amerTrend)
	}
	for _, sec := range f.Sections {
		if emeaTrend[sec.ID] != -100 || amerTrend[sec.ID] != 0 {
			t.Errorf("%s: EMEA %v, AMER %v; want -100 and 0", sec.ID, emeaTrend[sec.ID], amerTrend[sec.ID])
		}
	}
	d = run(svc, false, emea[0])
	if s := d.Segments[0]; s.Trend != nil || s.TrendWhy != digest.TrendFewChanged {
		t.Errorf("third run, one EMEA answerer fewer: %+v", s)
	}
	if s := d.Segments[1]; len(s.Trend) != len(f.Sections) || s.TrendWhy != "" {
		t.Errorf("third run, AMER the same: %+v", s)
	}
	d = run(service("xoxb-rotated"), false, emea[0])
	for _, s := range d.Segments {
		if s.Trend != nil || s.TrendWhy != digest.TrendUncomparable {
			t.Errorf("after the secret changed: %+v", s)
		}
	}
}
