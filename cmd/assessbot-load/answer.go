package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/fakeslack"
)

// AnswerResult is step 1: the answer path under load.
type AnswerResult struct {
	Respondents int           `json:"respondents"`
	Framework   string        `json:"framework"`
	Saturation  PhaseResult   `json:"saturation"`
	Paced       *PhaseResult  `json:"paced,omitempty"`
	SetRef      SetRefResult  `json:"set_reference"`
	Ratio       float64       `json:"answers_per_set"` // saturation answers/s ÷ SET/s
	SetupTime   time.Duration `json:"setup_ns"`
	// BlocksBytes is the size of a section message's blocks: every click's
	// payload carries the whole message, and the bot decodes all of it.
	BlocksBytes int `json:"section_blocks_bytes"`
	// ProcessRSS is this process's RSS (and peak) after the clicking:
	// fakeslack keeps every response_url post, ack and delivery.
	ProcessRSS int64 `json:"process_rss_after_bytes"`
	ProcessHWM int64 `json:"process_hwm_after_bytes"`
}

// PhaseResult is one measured window of clicking.
type PhaseResult struct {
	Name            string    `json:"name"`
	OfferedRate     float64   `json:"offered_per_s,omitempty"` // 0 = as fast as answers complete
	Window          float64   `json:"window_s"`
	Answers         int64     `json:"answers"`
	AnswersPerSec   float64   `json:"answers_per_s"`
	Ack             latencies `json:"ack"`
	Done            latencies `json:"click_to_saved"` // click sent → answer saved in Redis
	RoundTrips      float64   `json:"redis_round_trips_per_answer"`
	RedisCommands   float64   `json:"redis_commands_per_answer"` // INFO commandstats, server-wide, scripts' inner calls included
	CPUPerAnswerUS  float64   `json:"cpu_us_per_answer"`
	CPUUtilization  float64   `json:"cpu_cores_used"`
	MallocsPerAnswr float64   `json:"mallocs_per_answer"`
	BytesPerAnswer  float64   `json:"alloc_bytes_per_answer"`
	CPU             CPUShare  `json:"cpu"`
	// CPUBySide is CPU seconds in the window by profiler label: bot,
	// slack (fakeslack), load (the clickers), unlabelled (GC, runtime).
	CPUBySide         map[string]float64 `json:"cpu_s_by_side"`
	BotCPUPerAnswerUS float64            `json:"bot_cpu_us_per_answer"`
	Errors            int64              `json:"click_errors"`
	Timeouts          int64              `json:"save_timeouts"`
	from, to          int64
}

// SetRefResult is the go-redis SET reference.
type SetRefResult struct {
	Clients  int      `json:"clients"`
	Seconds  float64  `json:"seconds"`
	OpsPerS  float64  `json:"ops_per_s"`
	Pipeline bool     `json:"pipelining"`
	CPU      CPUShare `json:"cpu"`
}

type answerConfig struct {
	respondents int
	framework   string
	warmup      time.Duration
	window      time.Duration
	rate        float64
	setClients  int
	setDuration time.Duration
	profileDir  string
	tries       int
	bot         botOptions
}

func runAnswer(ctx context.Context, c answerConfig, rdb *redis.Client) (AnswerResult, error) {
	res := AnswerResult{Respondents: c.respondents, Framework: c.framework}
	setupStart := time.Now()
	fs := newSlack(ctx)
	defer fs.Close()
	users := addPeople(fs, "UA", c.respondents, "CANSWER")
	b, _, err := openBot(ctx, fs, c.bot)
	if err != nil {
		return res, err
	}
	defer b.close()

	logf("answer: starting a review of %s for %d respondents", c.framework, c.respondents)
	if _, err := fs.SlashCommand(ctx, admin, leads, "/review",
		fmt.Sprintf("start %s to <#CANSWER|answer-load> digest <#%s|cs-leadership> due 3d now", c.framework, leads)); err != nil {
		return res, err
	}
	rs, err := openSections(ctx, fs, users, 32)
	if err != nil {
		return res, err
	}
	fs.ClearCalls()
	res.SetupTime = time.Since(setupStart)
	res.BlocksBytes = len(rs[0].msg.Blocks)
	logf("answer: %d respondents have their first section (%.1fs)", len(rs), res.SetupTime.Seconds())

	byUser := make(map[string]*respondent, len(rs))
	for _, r := range rs {
		byUser[r.id] = r
	}
	onSave := func(u string) {
		if r := byUser[u]; r != nil {
			select {
			case r.saved <- struct{}{}:
			default:
			}
		}
	}
	b.hook.onSave.Store(&onSave)

	// fakeslack records every call; forget them as we go.
	stopClear := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopClear:
				return
			case <-t.C:
				fs.ClearCalls()
			}
		}
	}()
	defer close(stopClear)

	prof := ""
	if c.profileDir != "" {
		prof = filepath.Join(c.profileDir, "cpu-answer.pprof")
	}
	res.Saturation, err = clickPhase(ctx, "saturation", fs, b, rdb, rs, 0, c.warmup, c.window, c.tries, prof, c.profileDir)
	if err != nil {
		return res, err
	}
	logf("answer: saturation %.0f answers/s, ack p99 %.2f ms", res.Saturation.AnswersPerSec, res.Saturation.Ack.P99)
	if c.rate > 0 {
		prof = ""
		if c.profileDir != "" {
			prof = filepath.Join(c.profileDir, "cpu-answer-paced.pprof")
		}
		p, err := clickPhase(ctx, "paced", fs, b, rdb, rs, c.rate, c.warmup, c.window, c.tries, prof, "")
		if err != nil {
			return res, err
		}
		res.Paced = &p
		logf("answer: paced at %.0f/s: %.0f answers/s, ack p99 %.2f ms", c.rate, p.AnswersPerSec, p.Ack.P99)
	}
	b.hook.onSave.Store(nil)
	res.ProcessRSS, res.ProcessHWM = procStatus("self")
	b.close()
	fs.Close()
	settleGC()

	res.SetRef, err = setReference(ctx, rdb, c.bot.prefix, c.setClients, c.setDuration)
	if err != nil {
		return res, err
	}
	if res.SetRef.OpsPerS > 0 {
		res.Ratio = res.Saturation.AnswersPerSec / res.SetRef.OpsPerS
	}
	logf("answer: reference SET %.0f ops/s (%d clients)", res.SetRef.OpsPerS, c.setClients)
	return res, nil
}

type snapshot struct {
	at      time.Time
	cpu     time.Duration
	mallocs uint64
	bytes   uint64
	saves   int64
	rts     int64
	rcalls  int64
	cpus    cpuSample
}

func snap(ctx context.Context, b *bot, rdb *redis.Client) snapshot {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return snapshot{at: time.Now(), cpu: cpuTime(), mallocs: ms.Mallocs, bytes: ms.TotalAlloc,
		saves: b.hook.saves.Load(), rts: b.hook.roundTrips(), rcalls: redisCalls(ctx, rdb), cpus: sampleCPU(ctx, rdb)}
}

// clickPhase has every respondent click answers on their section message,
// each waiting for their previous answer to be saved before the next click
// (so a person never has more than one click in flight). With rate > 0 the
// clicks are paced to rate per second in total, else they go as fast as the
// bot saves them. After a warm-up it measures a window; when other
// processes kept the CPUs busy during it, it measures again (up to tries
// windows) and keeps the cleanest.
func clickPhase(ctx context.Context, name string, fs *fakeslack.Server, b *bot, rdb *redis.Client, rs []*respondent,
	rate float64, warmup, window time.Duration, tries int, cpuProfile, heapDir string) (PhaseResult, error) {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var errs, timeouts atomic.Int64
	type click struct {
		sent      int64
		ack, done time.Duration // done < 0: not saved
	}
	clicks := make([][]click, len(rs))

	var tokens chan struct{}
	if rate > 0 {
		tokens = make(chan struct{}, 32)
		go func() {
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			last := time.Now()
			credit := 0.0
			for {
				select {
				case <-pctx.Done():
					return
				case now := <-t.C:
					credit += rate * now.Sub(last).Seconds()
					last = now
				fill:
					for credit >= 1 {
						select {
						case tokens <- struct{}{}:
							credit--
						default:
							credit = 0 // everyone is busy: the bot is behind
							break fill
						}
					}
				}
			}
		}()
	}

	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			timer := time.NewTimer(time.Hour)
			defer timer.Stop()
			for pctx.Err() == nil {
				if tokens != nil {
					select {
					case <-tokens:
					case <-pctx.Done():
						return
					}
				}
				act := r.actions[r.k%len(r.actions)]
				r.k++
				sent := time.Now()
				ack, err := fs.Click(pctx, r.id, r.msg, act, "")
				if err != nil {
					if pctx.Err() != nil {
						return
					}
					errs.Add(1)
					time.Sleep(10 * time.Millisecond)
					continue
				}
				c := click{sent: sent.UnixNano(), ack: ack.Latency, done: -1}
				timer.Reset(30 * time.Second)
				select {
				case <-r.saved:
					c.done = time.Since(sent)
				case <-timer.C:
					timeouts.Add(1)
				case <-pctx.Done():
				}
				clicks[i] = append(clicks[i], c)
			}
		}()
	}

	time.Sleep(warmup)
	var best PhaseResult
	var bestProfile []byte
	var bestOthers = 1e9
	for try := 0; try < max(tries, 1); try++ {
		s0 := snap(ctx, b, rdb)
		var profBuf bytes.Buffer
		profiling := pprof.StartCPUProfile(&profBuf) == nil
		if heapDir != "" && try == 0 {
			writeHeap(filepath.Join(heapDir, "allocs-answer-start.pprof"))
		}
		time.Sleep(window)
		s1 := snap(ctx, b, rdb)
		if profiling {
			pprof.StopCPUProfile()
		}
		if heapDir != "" && try == 0 {
			writeHeap(filepath.Join(heapDir, "allocs-answer-end.pprof"))
		}
		res := windowResult(name, rate, s0, s1)
		if profiling {
			if by, err := cpuBySide(profBuf.Bytes()); err == nil {
				res.CPUBySide = map[string]float64{}
				for k, v := range by {
					if k == "" {
						k = "unlabelled (GC, runtime)"
					}
					res.CPUBySide[k] = round2(v)
				}
				if res.Answers > 0 {
					res.BotCPUPerAnswerUS = by["bot"] * 1e6 / float64(res.Answers)
				}
			}
		}
		if res.CPU.Others < bestOthers {
			best, bestProfile, bestOthers = res, profBuf.Bytes(), res.CPU.Others
			best.from, best.to = s0.at.UnixNano(), s1.at.UnixNano()
		}
		if res.CPU.Others < 0.15 {
			break
		}
		logf("answer: %s window %d: other processes kept %.2f cores busy; measuring again", name, try+1, res.CPU.Others)
	}
	if cpuProfile != "" && bestProfile != nil {
		_ = os.WriteFile(cpuProfile, bestProfile, 0o644)
	}
	cancel()
	wg.Wait()

	// Let the clicks in flight finish, then forget their signals.
	last := b.hook.saves.Load()
	for {
		time.Sleep(300 * time.Millisecond)
		n := b.hook.saves.Load()
		if n == last {
			break
		}
		last = n
	}
	for _, r := range rs {
		select {
		case <-r.saved:
		default:
		}
	}

	var acks, dones []time.Duration
	for i := range clicks {
		for _, c := range clicks[i] {
			if c.sent >= best.from && c.sent < best.to {
				acks = append(acks, c.ack)
				if c.done >= 0 {
					dones = append(dones, c.done)
				}
			}
		}
	}
	best.Ack = summarize(acks)
	best.Done = summarize(dones)
	best.Errors, best.Timeouts = errs.Load(), timeouts.Load()
	return best, nil
}

// windowResult computes a window's rates from its two snapshots.
func windowResult(name string, rate float64, s0, s1 snapshot) PhaseResult {
	res := PhaseResult{Name: name, OfferedRate: rate}
	el := s1.at.Sub(s0.at)
	n := s1.saves - s0.saves
	res.Window = el.Seconds()
	res.Answers = n
	res.AnswersPerSec = float64(n) / el.Seconds()
	if n > 0 {
		res.RoundTrips = float64(s1.rts-s0.rts) / float64(n)
		res.RedisCommands = float64(s1.rcalls-s0.rcalls-1) / float64(n) // the INFO call itself
		res.CPUPerAnswerUS = float64((s1.cpu - s0.cpu).Microseconds()) / float64(n)
		res.MallocsPerAnswr = float64(s1.mallocs-s0.mallocs) / float64(n)
		res.BytesPerAnswer = float64(s1.bytes-s0.bytes) / float64(n)
	}
	res.CPUUtilization = (s1.cpu - s0.cpu).Seconds() / el.Seconds()
	res.CPU = cpuShare(s0.cpus, s1.cpus)
	return res
}

func writeHeap(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup("allocs").WriteTo(f, 0)
}

// setReference runs SET from clients goroutines, no pipelining, for d.
func setReference(ctx context.Context, base *redis.Client, prefix string, clients int, d time.Duration) (SetRefResult, error) {
	opt := *base.Options()
	opt.PoolSize = clients + 8
	opt.MinIdleConns = clients
	rdb := redis.NewClient(&opt)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return SetRefResult{}, err
	}
	var ops atomic.Int64
	var wg sync.WaitGroup
	c0 := sampleCPU(ctx, base)
	start := time.Now()
	stop := start.Add(d)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("%sset:%d", prefix, i)
			for time.Now().Before(stop) {
				if err := rdb.Set(ctx, key, "xxx", 0).Err(); err == nil {
					ops.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	return SetRefResult{Clients: clients, Seconds: el.Seconds(), OpsPerS: float64(ops.Load()) / el.Seconds(),
		CPU: cpuShare(c0, sampleCPU(ctx, base))}, nil
}
