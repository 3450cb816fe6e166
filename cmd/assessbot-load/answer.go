package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
	// Split is true when the bot ran in a child process (its CPU and
	// allocations are then its own), false when everything shared this one.
	Split       bool          `json:"bot_in_child_process"`
	Respondents int           `json:"respondents"`
	Framework   string        `json:"framework"`
	Saturation  PhaseResult   `json:"saturation"`
	Paced       []PhaseResult `json:"paced,omitempty"`
	SetRef      *SetRefResult `json:"set_reference,omitempty"`
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
	Name          string    `json:"name"`
	OfferedRate   float64   `json:"offered_per_s,omitempty"` // 0 = as fast as answers complete
	Window        float64   `json:"window_s"`
	Answers       int64     `json:"answers"`
	AnswersPerSec float64   `json:"answers_per_s"`
	Ack           latencies `json:"ack"`
	Done          latencies `json:"click_to_saved"` // click sent → answer saved in Redis
	RoundTrips    float64   `json:"redis_round_trips_per_answer"`
	RedisCommands float64   `json:"redis_commands_per_answer"` // INFO commandstats, server-wide, scripts' inner calls included
	// CPUPerAnswerUS is the CPU of this whole process per answer, or of the
	// bot's process alone when it runs in a child.
	CPUPerAnswerUS float64 `json:"cpu_us_per_answer"`
	// DriverCPUPerAnswerUS is this process's CPU (fakeslack + clickers) per
	// answer when the bot runs in a child.
	DriverCPUPerAnswerUS float64  `json:"driver_cpu_us_per_answer,omitempty"`
	CPUUtilization       float64  `json:"cpu_cores_used"`
	MallocsPerAnswr      float64  `json:"mallocs_per_answer"`
	BytesPerAnswer       float64  `json:"alloc_bytes_per_answer"`
	DialsPerAnswer       float64  `json:"new_http_connections_per_answer"` // the bot's
	CPU                  CPUShare `json:"cpu"`
	// CPUBySide is CPU seconds in the window by profiler label: bot,
	// slack (fakeslack), load (the clickers), unlabelled (GC, runtime).
	CPUBySide         map[string]float64 `json:"cpu_s_by_side,omitempty"`
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
	rates       []float64
	setClients  int
	setDuration time.Duration
	profileDir  string
	tries       int
	split       bool
	logPath     string
	bot         botOptions
}

// botStats are a bot's cumulative counters.
type botStats struct {
	Saves   int64  `json:"saves"`
	RTs     int64  `json:"round_trips"`
	Mallocs uint64 `json:"mallocs"`
	Bytes   uint64 `json:"bytes"`
	CPU     int64  `json:"cpu_ns"`
	Dials   int64  `json:"dials"`
}

// target is the bot under measurement: in this process or in a child.
type target interface {
	stats() botStats
	// cpuProfile profiles the bot for d (this process's profile, started by
	// the caller, when it runs here).
	cpuProfile(d time.Duration) []byte
}

type inProcess struct{ b *bot }

func (t inProcess) stats() botStats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return botStats{Saves: t.b.hook.saves.Load(), RTs: t.b.hook.roundTrips(), Mallocs: ms.Mallocs, Bytes: ms.TotalAlloc,
		CPU: int64(cpuTime()), Dials: dials.Load()}
}

func (t inProcess) cpuProfile(d time.Duration) []byte {
	var buf bytes.Buffer
	if pprof.StartCPUProfile(&buf) != nil {
		time.Sleep(d)
		return nil
	}
	time.Sleep(d)
	pprof.StopCPUProfile()
	return buf.Bytes()
}

type inChild struct{ c *child }

func (t inChild) stats() botStats {
	var st botStats
	resp, err := http.Get("http://" + t.c.pprof + "/load/stats")
	if err != nil {
		return st
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(&st)
	return st
}

func (t inChild) cpuProfile(d time.Duration) []byte {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", t.c.pprof, secs))
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

func runAnswer(ctx context.Context, c answerConfig, rdb redis.UniversalClient) (AnswerResult, error) {
	res := AnswerResult{Respondents: c.respondents, Framework: c.framework, Split: c.split}
	name := "answer"
	if c.split {
		name = "answer-split"
	}
	setupStart := time.Now()
	fs := newSlack(ctx)
	defer fs.Close()
	users := addPeople(fs, "UA", c.respondents, "CANSWER")
	var tg target
	var b *bot
	if c.split {
		ch, err := startChild(ctx, childConfig{APIURL: fs.APIURL(), BotToken: fs.BotToken(), AppToken: fs.AppToken(),
			RedisURL: c.bot.redisURL, Prefix: c.bot.prefix, LogPath: c.logPath, IdleConns: experimentIdleConns, SinkResponseURLs: sinkResponseURLs, WaitReplicas: waitReplicas})
		if err != nil {
			return res, err
		}
		defer ch.stop()
		if err := poll(ctx, 30*time.Second, 5*time.Millisecond, "the child bot's socket", func() bool { return fs.Connections() > 0 }); err != nil {
			return res, err
		}
		tg = inChild{ch}
	} else {
		var err error
		b, _, err = openBot(ctx, fs, c.bot)
		if err != nil {
			return res, err
		}
		defer b.close()
		tg = inProcess{b}
	}

	logf("%s: starting a review of %s for %d respondents", name, c.framework, c.respondents)
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
	logf("%s: %d respondents have their first section (%.1fs)", name, len(rs), res.SetupTime.Seconds())

	if b != nil {
		b.hook.notifySaves(rs)
		defer b.hook.notifySaves(nil)
		// The saves are recognised by the SaveAnswer script's keys: check
		// that one click is seen before relying on it.
		r := rs[0]
		if _, err := fs.Click(ctx, r.id, r.msg, r.actions[0], ""); err != nil {
			return res, err
		}
		select {
		case <-r.saved:
		case <-time.After(10 * time.Second):
			return res, errors.New("no answer save was reported by the bot (app.WithSaveHook)")
		}
	}

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

	pc := phaseConfig{name: name, fs: fs, tg: tg, rdb: rdb, rs: rs, warmup: c.warmup, window: c.window, tries: c.tries, hook: b != nil}
	if c.profileDir != "" {
		pc.cpuProfile = filepath.Join(c.profileDir, "cpu-"+name+".pprof")
		if b != nil {
			pc.heapDir = c.profileDir
		}
	}
	res.Saturation, err = clickPhase(ctx, pc)
	if err != nil {
		return res, err
	}
	logf("%s: saturation %.0f answers/s, ack p50 %.2f ms p99 %.2f ms", name, res.Saturation.AnswersPerSec, res.Saturation.Ack.P50, res.Saturation.Ack.P99)
	for _, rate := range c.rates {
		pc.rate, pc.heapDir, pc.cpuProfile = rate, "", ""
		if c.profileDir != "" {
			pc.cpuProfile = filepath.Join(c.profileDir, fmt.Sprintf("cpu-%s-%.0f.pprof", name, rate))
		}
		p, err := clickPhase(ctx, pc)
		if err != nil {
			return res, err
		}
		res.Paced = append(res.Paced, p)
		logf("%s: paced at %.0f/s: %.0f answers/s, ack p50 %.2f ms p99 %.2f ms", name, rate, p.AnswersPerSec, p.Ack.P50, p.Ack.P99)
	}
	res.ProcessRSS, res.ProcessHWM = procStatus("self")
	if b != nil {
		b.hook.notifySaves(nil)
		b.close()
	}
	fs.Close()
	settleGC()

	if c.setDuration > 0 {
		ref, err := setReference(ctx, rdb, c.bot.prefix, c.setClients, c.setDuration)
		if err != nil {
			return res, err
		}
		res.SetRef = &ref
		if ref.OpsPerS > 0 {
			res.Ratio = res.Saturation.AnswersPerSec / ref.OpsPerS
		}
		logf("%s: reference SET %.0f ops/s (%d clients)", name, ref.OpsPerS, c.setClients)
	}
	return res, nil
}

type snapshot struct {
	at     time.Time
	bot    botStats
	own    time.Duration // this process's CPU
	rcalls int64
	cpus   cpuSample
}

func snap(ctx context.Context, tg target, rdb redis.UniversalClient) snapshot {
	return snapshot{at: time.Now(), bot: tg.stats(), own: cpuTime(), rcalls: redisCalls(ctx, rdb), cpus: sampleCPU(ctx, rdb)}
}

type phaseConfig struct {
	name                string
	fs                  *fakeslack.Server
	tg                  target
	rdb                 redis.UniversalClient
	rs                  []*respondent
	rate                float64
	warmup, window      time.Duration
	tries               int
	hook                bool // saves are signalled on respondent.saved (else the ack, sent after the save, is the signal)
	cpuProfile, heapDir string
}

// clickPhase has every respondent click answers on their section message,
// each waiting for their previous answer to be saved before the next click
// (so a person never has more than one click in flight). With rate > 0 the
// clicks are paced to rate per second in total, else they go as fast as the
// bot saves them. After a warm-up it measures a window; when other
// processes kept the CPUs busy during it, it measures again (up to tries
// windows) and keeps the cleanest.
func clickPhase(ctx context.Context, pc phaseConfig) (PhaseResult, error) {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var errs, timeouts atomic.Int64
	type click struct {
		sent      int64
		ack, done time.Duration // done < 0: not saved
	}
	rs := pc.rs
	clicks := make([][]click, len(rs))

	var tokens chan struct{}
	if pc.rate > 0 {
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
					credit += pc.rate * now.Sub(last).Seconds()
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
				ack, err := pc.fs.Click(pctx, r.id, r.msg, act, "")
				if err != nil {
					if pctx.Err() != nil {
						return
					}
					errs.Add(1)
					time.Sleep(10 * time.Millisecond)
					continue
				}
				c := click{sent: sent.UnixNano(), ack: ack.Latency, done: time.Since(sent)}
				if pc.hook {
					c.done = -1
					timer.Reset(30 * time.Second)
					select {
					case <-r.saved:
						c.done = time.Since(sent)
					case <-timer.C:
						timeouts.Add(1)
					case <-pctx.Done():
					}
				}
				clicks[i] = append(clicks[i], c)
			}
		}()
	}

	time.Sleep(pc.warmup)
	var best PhaseResult
	var bestProfile []byte
	var bestOthers = 1e9
	for try := 0; try < max(pc.tries, 1); try++ {
		s0 := snap(ctx, pc.tg, pc.rdb)
		if pc.heapDir != "" && try == 0 {
			writeHeap(filepath.Join(pc.heapDir, "allocs-answer-start.pprof"))
			runtime.SetMutexProfileFraction(20)
		}
		prof := make(chan []byte, 1)
		go func() { prof <- pc.tg.cpuProfile(pc.window) }()
		time.Sleep(pc.window)
		s1 := snap(ctx, pc.tg, pc.rdb)
		profile := <-prof
		if pc.heapDir != "" && try == 0 {
			writeHeap(filepath.Join(pc.heapDir, "allocs-answer-end.pprof"))
			if f, err := os.Create(filepath.Join(pc.heapDir, "mutex-"+pc.name+".pprof")); err == nil {
				_ = pprof.Lookup("mutex").WriteTo(f, 0)
				f.Close()
			}
			runtime.SetMutexProfileFraction(0)
		}
		res := windowResult(pc.name, pc.rate, s0, s1, !pc.hook)
		if by, err := cpuBySide(profile); err == nil && pc.hook {
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
		if res.CPU.Others < bestOthers {
			best, bestProfile, bestOthers = res, profile, res.CPU.Others
			best.from, best.to = s0.at.UnixNano(), s1.at.UnixNano()
		}
		if res.CPU.Others < 0.15 {
			break
		}
		logf("%s: window %d: other processes kept %.2f cores busy; measuring again", pc.name, try+1, res.CPU.Others)
	}
	if pc.cpuProfile != "" && bestProfile != nil {
		_ = os.WriteFile(pc.cpuProfile, bestProfile, 0o644)
	}
	cancel()
	wg.Wait()

	// Let the clicks in flight finish, then forget their signals.
	last := pc.tg.stats().Saves
	for {
		time.Sleep(300 * time.Millisecond)
		n := pc.tg.stats().Saves
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
func windowResult(name string, rate float64, s0, s1 snapshot, split bool) PhaseResult {
	res := PhaseResult{Name: name, OfferedRate: rate}
	el := s1.at.Sub(s0.at)
	n := s1.bot.Saves - s0.bot.Saves
	res.Window = el.Seconds()
	res.Answers = n
	res.AnswersPerSec = float64(n) / el.Seconds()
	if n > 0 {
		res.RoundTrips = float64(s1.bot.RTs-s0.bot.RTs) / float64(n)
		res.RedisCommands = float64(s1.rcalls-s0.rcalls-1) / float64(n) // the INFO call itself
		res.CPUPerAnswerUS = float64(s1.bot.CPU-s0.bot.CPU) / 1e3 / float64(n)
		res.MallocsPerAnswr = float64(s1.bot.Mallocs-s0.bot.Mallocs) / float64(n)
		res.BytesPerAnswer = float64(s1.bot.Bytes-s0.bot.Bytes) / float64(n)
		res.DialsPerAnswer = float64(s1.bot.Dials-s0.bot.Dials) / float64(n)
		if split {
			res.DriverCPUPerAnswerUS = float64((s1.own - s0.own).Microseconds()) / float64(n)
			res.BotCPUPerAnswerUS = res.CPUPerAnswerUS
		}
	}
	res.CPUUtilization = float64(s1.bot.CPU-s0.bot.CPU) / 1e9 / el.Seconds()
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
func setReference(ctx context.Context, base redis.UniversalClient, prefix string, clients int, d time.Duration) (SetRefResult, error) {
	// A client of its own with a connection per goroutine (one server or
	// Sentinel); a cluster client already keeps a pool per node.
	rdb := base
	if c, ok := base.(*redis.Client); ok {
		opt := *c.Options()
		opt.PoolSize = clients + 8
		opt.MinIdleConns = clients
		own := redis.NewClient(&opt)
		defer own.Close()
		rdb = own
	}
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
