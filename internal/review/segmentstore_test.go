package review_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/frameworks"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/store"
)

// groupDirectory is directory with user groups that list their members.
type groupDirectory struct {
	directory
	groups map[string][]string
}

func (d groupDirectory) GroupMembers(_ context.Context, g string) ([]string, error) {
	if m, ok := d.groups[g]; ok {
		return m, nil
	}
	return nil, &review.Refused{Reason: "no_such_subteam"}
}

// answerAll has user answer every scored question of f with its scale's
// first option (low) or last (high).
func answerAll(t *testing.T, svc *review.Service, f *assessment.Framework, reviewID, user string, high bool) {
	t.Helper()
	for _, s := range f.Sections {
		for _, q := range s.Questions {
			sc := f.Scales[q.Scale]
			if sc == nil || sc.Text || len(sc.Options) == 0 {
				continue
			}
			o := sc.Options[0]
			if high {
				o = sc.Options[len(sc.Options)-1]
			}
			if _, err := svc.Answer(context.Background(), reviewID, user, q.ID, assessment.Answer{Option: o.ID}, false); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestSegmentsThroughTheStore: a review by two user groups of six (EMEA
// answers every question with its best option, AMER with its worst)
// shows EMEA at 100% and AMER at 0% on every section; once the digest is
// out, the membership is gone from Redis, the published cells stay, and
// the two groups' members no longer appear next to a segment.
func TestSegmentsThroughTheStore(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	cat, _ := framework.Load(framework.Source{FS: frameworks.FS(), Label: "frameworks"})
	var emea, amer []string
	for i := range 6 {
		emea, amer = append(emea, fmt.Sprintf("UEMEA%d", i)), append(amer, fmt.Sprintf("UAMER%d", i))
	}
	dir := groupDirectory{directory{people: map[string]assessment.Person{}}, map[string][]string{"SEMEA": emea, "SAMER": append(amer, "UNOTASKED")}}
	dir.addAdmins(admins...)
	svc := review.New(onStore(st, review.Config{Messenger: newRecorder(), Directory: dir, Frameworks: cat,
		Now: time.Now, Owner: "t", Lease: time.Minute, Tick: time.Hour, AdminUsers: admins}))
	f, _ := cat.Get("cs-checklist")
	segs := []assessment.Segment{{ID: "SEMEA", Name: "cs-emea"}, {ID: "SAMER", Name: "cs-amer"}}
	r, err := svc.Start(ctx, review.StartRequest{Framework: f, Audience: review.Audience{Users: append(append([]string(nil), emea...), amer...)},
		DigestChannel: "CLEADS", Deadline: time.Now().Add(time.Hour), CreatedBy: "UADMIN", DeliverNow: true, Segments: segs})
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.Membership(ctx, r.ID)
	if err != nil || len(m["SEMEA"]) != 6 || len(m["SAMER"]) != 6 {
		t.Fatalf("membership at the start: %v, %v (UNOTASKED is not asked: left out)", m, err)
	}
	for _, u := range emea {
		answerAll(t, svc, f, r.ID, u, true)
	}
	for _, u := range amer {
		answerAll(t, svc, f, r.ID, u, false)
	}
	if c, err := svc.CloseNow(ctx, r.ID, "UADMIN"); err != nil || !c.Posted {
		t.Fatalf("close: %+v, %v", c, err)
	}
	d, _, err := svc.Digest(ctx, r.ID)
	if err != nil || len(d.Segments) != 2 {
		t.Fatalf("digest after the post: %d segments, %v", len(d.Segments), err)
	}
	for i, want := range []float64{1, 0} {
		s := d.Segments[i]
		if !s.Shown() || s.N != 6 || s.ID != segs[i].ID || s.Name != segs[i].Name {
			t.Errorf("segment %d: %+v", i, s)
		}
		for _, c := range s.Cells {
			if c.Score == nil || *c.Score != want || c.N != 6 {
				t.Errorf("%s on %s: %+v, want %v of 6", s.Name, c.Section, c, want)
			}
		}
	}
	if gap, ok := d.LargestGap(); !ok || gap.Low.ID != "SAMER" || gap.High.ID != "SEMEA" || gap.Section.ID != f.Sections[0].ID {
		t.Errorf("largest gap %+v, want AMER 0%% vs EMEA 100%% on the first section", gap)
	}
	if m, err := st.Membership(ctx, r.ID); err != nil || len(m) != 0 {
		t.Errorf("membership after the digest: %v, %v", m, err)
	}
	// The review's record keeps who was asked and the segments' names, not
	// who was in which; no other key names both a person and a segment.
	for k, v := range keysAndValues(t, rdb, prefix) {
		if strings.HasSuffix(k, "}:meta") {
			if i := strings.Index(v, `"segments":`); i < 0 || strings.Contains(v[i:], `"U`) {
				t.Errorf("%s: the segments as named should be in it, with nobody in them: %.300s", k, v)
			}
			continue
		}
		for _, u := range append(emea, amer...) {
			if strings.Contains(k+v, u) && (strings.Contains(k+v, "SEMEA") || strings.Contains(k+v, "SAMER")) {
				t.Errorf("%s puts %s next to a segment after the digest: %.300s", k, u, v)
			}
		}
	}
}

// A review naming more segments than a heatmap holds does not start.
func TestTooManySegments(t *testing.T) {
	svc, _, _, cat := newService(t)
	f, _ := cat.Get("cs-checklist")
	var segs []assessment.Segment
	for i := range assessment.MaxSegments + 1 {
		segs = append(segs, assessment.Segment{ID: fmt.Sprint("S", i)})
	}
	_, err := svc.Start(context.Background(), review.StartRequest{Framework: f, Audience: review.Audience{Users: []string{"UAMY", "UBEN", "UCAT"}},
		DigestChannel: "C1", Deadline: time.Now().Add(time.Hour), CreatedBy: "UADMIN", Segments: segs})
	if reason, ok := assessment.ReasonAs[assessment.TooManySegments](err); !ok || reason.Max != assessment.MaxSegments {
		t.Fatalf("err = %v, want %s", err, assessment.TooManySegments{}.Name())
	}
}
