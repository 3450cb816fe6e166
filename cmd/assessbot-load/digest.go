package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/framework"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/scoring"
	"github.com/assessbot/assessbot/internal/store"
)

// DigestResult is step 3: the digest of a big review, from Redis.
type DigestResult struct {
	Respondents int     `json:"respondents"`
	Questions   int     `json:"questions"`
	Answers     int     `json:"answers_stored"`
	Runs        int     `json:"runs"`
	WriteSec    float64 `json:"write_s"` // pipelined HSETs to set it up (not a product path)
	// Medians over the runs.
	RawReadSec   float64 `json:"raw_hgetall_s"` // pipelined HGETALL of every sheet, go-redis maps, no decoding
	ResponsesSec float64 `json:"responses_s"`   // store.Responses: the same read + decoding into answers
	AggregateSec float64 `json:"aggregate_s"`   // scoring.Aggregate alone
	DigestSec    float64 `json:"digest_s"`      // review.Service.Digest end to end (fresh store: meta read too)
	VsResponses  float64 `json:"digest_vs_responses"`
	VsRawRead    float64 `json:"digest_vs_raw_hgetall"`
	DigestAllocs uint64  `json:"digest_mallocs"`
	DigestBytes  uint64  `json:"digest_alloc_bytes"`
	Scored       int     `json:"respondents_scored"`
	CleanRuns    int     `json:"clean_runs"` // runs while no other process was busy (medians use only these, if any)
}

type digestConfig struct {
	respondents, sections, perSection, runs int
	prefix                                  string
	profileDir                              string
}

// digestFramework has sections × perSection questions, alternately yes/no
// and on a five-level scale (the shape of internal/scoring's benchmark).
func digestFramework(sections, perSection int) (*assessment.Framework, error) {
	return framework.Synthetic("load-digest", sections, perSection)
}

func runDigest(ctx context.Context, c digestConfig, rdb redis.UniversalClient) (DigestResult, error) {
	res := DigestResult{Respondents: c.respondents, Questions: c.sections * c.perSection, Runs: c.runs}
	f, err := digestFramework(c.sections, c.perSection)
	if err != nil {
		return res, err
	}
	st := store.New(rdb, c.prefix)
	now := time.Now()
	users := make([]string, c.respondents)
	for i := range users {
		users[i] = fmt.Sprintf("UD%05d", i)
	}
	r := &assessment.Review{ID: assessment.NewReviewID(), FrameworkID: f.ID, Title: f.Title, Respondents: users,
		DigestChannel: leads, CreatedBy: admin, CreatedAt: now, Deadline: now.Add(72 * time.Hour),
		Threshold: assessment.DefaultThreshold, Status: assessment.StatusOpen, Reminders: []string{}}
	if _, err := st.CreateReview(ctx, r, f); err != nil {
		return res, err
	}

	// Answers as respondents leave them: 5% skipped, 10% "not sure", the
	// rest an option picked at random; three in four submitted.
	logf("digest: writing %d × %d answers", c.respondents, res.Questions)
	t0 := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	refs := f.Questions()
	rs := make([]assessment.Response, len(users))
	for i, u := range users {
		ans := make(map[string]assessment.Answer, len(refs))
		for _, ref := range refs {
			switch x := rng.IntN(100); {
			case x < 5:
			case x < 15:
				ans[ref.Question.ID] = assessment.Answer{Option: assessment.NotSure}
				res.Answers++
			default:
				ans[ref.Question.ID] = assessment.Answer{Option: ref.Scale.Options[rng.IntN(len(ref.Scale.Options))].ID}
				res.Answers++
			}
		}
		rs[i] = assessment.Response{Respondent: u, Answers: ans, Submitted: rng.IntN(4) != 0}
	}
	if err := st.ImportResponses(ctx, r.ID, rs); err != nil {
		return res, err
	}
	rs = nil
	res.WriteSec = time.Since(t0).Seconds()
	logf("digest: %d answers written in %.1fs", res.Answers, res.WriteSec)

	var raw, resp, agg, total []time.Duration
	var cpuFile *os.File
	if c.profileDir != "" {
		if f, err := os.Create(filepath.Join(c.profileDir, "cpu-digest.pprof")); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				cpuFile = f
			}
		}
	}
	var dirty [4][]time.Duration
	clean := 0
	for i := 0; clean < c.runs && i < 2*c.runs; i++ {
		settleGC()
		c0 := sampleCPU(ctx, rdb)
		t := time.Now()
		if _, err := st.ReadRaw(ctx, r); err != nil {
			return res, err
		}
		raw = append(raw, time.Since(t))

		settleGC()
		t = time.Now()
		responses, err := st.Responses(ctx, r)
		if err != nil {
			return res, err
		}
		resp = append(resp, time.Since(t))

		t = time.Now()
		out := scoring.Aggregate(f, responses, scoring.Options{Threshold: r.Threshold, Seed: r.ID})
		agg = append(agg, time.Since(t))
		res.Scored = out.Respondents
		responses = nil

		settleGC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		fresh := store.New(rdb, c.prefix) // nothing cached: the digest reads the review's meta too
		// Digest reads reviews, answers and the figures kept past retention.
		svc := review.New(review.Config{Reviews: fresh, Answers: fresh, Privacy: fresh, Now: time.Now})
		t = time.Now()
		d, _, err := svc.Digest(ctx, r.ID)
		if err != nil {
			return res, err
		}
		total = append(total, time.Since(t))
		runtime.ReadMemStats(&m1)
		res.DigestAllocs, res.DigestBytes = m1.Mallocs-m0.Mallocs, m1.TotalAlloc-m0.TotalAlloc
		if d.Result.Respondents != out.Respondents {
			return res, fmt.Errorf("digest scored %d respondents, Aggregate %d", d.Result.Respondents, out.Respondents)
		}
		sh := cpuShare(c0, sampleCPU(ctx, rdb))
		n := len(raw) - 1
		logf("digest: run %d: raw %.2fs, Responses %.2fs, Aggregate %.2fs, Digest %.2fs (other processes: %.2f cores)", i+1,
			raw[n].Seconds(), resp[n].Seconds(), agg[n].Seconds(), total[n].Seconds(), sh.Others)
		if sh.Others >= 0.15 { // not clean: keep it aside
			for k, l := range []*[]time.Duration{&raw, &resp, &agg, &total} {
				dirty[k] = append(dirty[k], (*l)[n])
				*l = (*l)[:n]
			}
			continue
		}
		clean++
	}
	res.CleanRuns = clean
	if clean == 0 {
		raw, resp, agg, total = dirty[0], dirty[1], dirty[2], dirty[3]
	}
	if cpuFile != nil {
		pprof.StopCPUProfile()
		cpuFile.Close()
	}
	res.RawReadSec = median(raw).Seconds()
	res.ResponsesSec = median(resp).Seconds()
	res.AggregateSec = median(agg).Seconds()
	res.DigestSec = median(total).Seconds()
	res.VsResponses = res.DigestSec / res.ResponsesSec
	res.VsRawRead = res.DigestSec / res.RawReadSec
	return res, nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
