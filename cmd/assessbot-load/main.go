// Command assessbot-load measures assessbot under load: the real bot
// (internal/app's Main), internal/fakeslack driving it through the real
// slack-go clients, and a real Redis, in one process. It measures
//
//  1. the answer path: 1,000 respondents clicking answers at once, flat out
//     and paced (step "answer"; "answer-split" repeats it with the bot in a
//     child process of this program, so that its CPU and allocations are
//     its own), against a go-redis SET reference;
//  2. the fan-out of intro DMs to 5,000 people under Slack-like limits, with
//     others clicking meanwhile;
//  3. the digest of a 10,000 × 100 review straight from Redis;
//  4. memory: idle, and with 10,000 respondents mid-review (the bot runs in a
//     child process so its RSS is its own);
//  5. start-up: NewMain+Open until Socket Mode is connected;
//
// prints a table against the targets, and optionally writes JSON and CPU,
// heap and mutex profiles. Every key lives under a random prefix that is
// deleted at the end (SCAN + UNLINK, never FLUSHDB). It tells when other
// processes kept the CPUs busy during a step, and measures the answer path
// again when they did.
//
//	go run ./cmd/assessbot-load                      # everything, as in BENCHMARKS.md
//	go run ./cmd/assessbot-load -steps answer -respondents 2000 -duration 20s
//	go run ./cmd/assessbot-load -json load.json -profile-dir prof
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/app"
	"github.com/assessbot/assessbot/internal/store"
)

// Report is everything one run measured.
type Report struct {
	When     time.Time      `json:"when"`
	Machine  Machine        `json:"machine"`
	Settings map[string]any `json:"settings"`
	Startup  *StartupResult `json:"startup,omitempty"`
	Answer   *AnswerResult  `json:"answer,omitempty"`
	// AnswerSplit is step 1 again with the bot in a child process.
	AnswerSplit *AnswerResult `json:"answer_split,omitempty"`
	Fanout      *FanoutResult `json:"fanout,omitempty"`
	Digest      *DigestResult `json:"digest,omitempty"`
	Memory      *MemoryResult `json:"memory,omitempty"`
	Checks      []Check       `json:"checks"`
	// CPU says who kept the CPUs busy during each step: a step measured
	// while other processes were busy is not a clean measurement.
	CPU     map[string]CPUShare `json:"cpu_by_step"`
	Seconds float64             `json:"run_s"`
}

// Machine describes where it ran.
type Machine struct {
	CPUs  int    `json:"cpus"`
	Model string `json:"cpu_model"`
	Go    string `json:"go"`
	Redis string `json:"redis"`
	// Code is the commit measured, "+dirty" when files differ from it.
	Code string `json:"code"`
}

// Check is one figure against its target.
type Check struct {
	Step   string `json:"step"`
	What   string `json:"what"`
	Value  string `json:"value"`
	Target string `json:"target"`
	Met    string `json:"met"` // "yes", "NO", or "" when there is no target
}

var start = time.Now()

// experimentIdleConns is -experiment-idle-conns, passed on to child bots.
var experimentIdleConns int

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6.1fs] "+format+"\n", append([]any{time.Since(start).Seconds()}, args...)...)
}

func main() {
	childMode := flag.Bool("child", false, "internal: run only the bot (the child process of the answer-split and memory steps)")
	redisURL := flag.String("redis", envOr("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis URL in any of go-redis's forms: one server, a Cluster (redis://h1:7000?addr=h2:7001) or Sentinel (?master_name=…)")
	wait := flag.String("wait-replicas", "auto", "the bot's REDIS_WAIT_REPLICAS: auto, 0 (never wait) or a number of replicas")
	steps := flag.String("steps", "startup,answer,answer-split,fanout,digest,memory", "steps to run, comma-separated")
	workers := flag.Int("workers", 16, "the bot's WORKERS")
	fw := flag.String("framework", "cs-excellence", "framework of the bot-driven reviews")

	respondents := flag.Int("respondents", 1000, "answer: respondents clicking at once")
	duration := flag.Duration("duration", 10*time.Second, "answer: measured window of each phase")
	warmup := flag.Duration("warmup", 2*time.Second, "answer: warm-up before each window")
	rates := flag.String("rates", "500,1000,2000", "answer: clicks/s of the paced phases, comma-separated (\"\" = none)")
	setClients := flag.Int("set-clients", 50, "answer: clients of the SET reference")
	setDuration := flag.Duration("set-duration", 5*time.Second, "answer: length of the SET reference")
	tries := flag.Int("tries", 2, "answer: windows to measure at most while other processes are busy (the cleanest is kept)")

	fanoutN := flag.Int("fanout", 5000, "fanout: respondents")
	wsRate := flag.Float64("fanout-cap", 100, "fanout: workspace-wide chat.postMessage cap, messages/s (0 = none)")
	wsBurst := flag.Int("fanout-burst", 0, "fanout: burst of the workspace cap (0 = one second's worth)")
	chRate := flag.Float64("channel-rate", 1, "fanout: chat.postMessage per channel, messages/s")
	chBurst := flag.Int("channel-burst", 3, "fanout: chat.postMessage per channel, burst")
	sideUsers := flag.Int("side-users", 20, "fanout: people of another review clicking during the fan-out")
	sideRate := flag.Float64("side-rate", 20, "fanout: their clicks/s")
	fanoutTimeout := flag.Duration("fanout-timeout", 0, "fanout: give up after (0 = 2 × floor + 2 min)")

	digestN := flag.Int("digest-respondents", 10000, "digest: respondents")
	digestSections := flag.Int("digest-sections", 10, "digest: sections")
	digestPer := flag.Int("digest-questions", 10, "digest: questions per section")
	digestRuns := flag.Int("digest-runs", 3, "digest: runs (medians are reported)")

	memN := flag.Int("mem-respondents", 10000, "memory: respondents of the review")
	memAnswering := flag.Float64("mem-answering", 0.5, "memory: share of them who answer")
	memAnswers := flag.Int("mem-answers", 5, "memory: answers each of those clicks")

	startupRuns := flag.Int("startup-runs", 5, "startup: runs")
	jsonPath := flag.String("json", "", "write the report as JSON to this file")
	profileDir := flag.String("profile-dir", "", "write CPU and heap profiles of each step here")
	logPath := flag.String("log", "", "the bot's log file (default: discarded)")
	sink := flag.Bool("experiment-sink-response-urls", false, "experiment: answer the bot's response_url posts at once instead of passing them to fakeslack (finds the bot's own ceiling)")
	noTZ := flag.Bool("experiment-users-without-tz", false, "experiment: the simulated people have no time zone (the bot then loads none)")
	idleConns := flag.Int("experiment-idle-conns", 0, "experiment: keep this many idle HTTP connections per host in the bot's transport (0 = the bot's own setting, 64, as shipped)")
	quiet := flag.Duration("quiet-wait", 10*time.Second, "before each step, wait up to this long for other processes to leave the CPUs idle")
	flag.Parse()

	if *childMode {
		if err := runChild(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}

	experimentIdleConns, sinkResponseURLs, usersWithoutTZ = *idleConns, *sink, *noTZ
	switch *wait {
	case "auto":
	case "0", "none":
		waitReplicas = app.NoWait
	default:
		n, err := strconv.Atoi(*wait)
		if err != nil || n < 1 {
			fatal(fmt.Errorf("-wait-replicas %q: auto, 0 or a number of replicas", *wait))
		}
		waitReplicas = n
	}
	countDials(*idleConns)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = pprof.WithLabels(ctx, pprof.Labels("side", "load"))
	pprof.SetGoroutineLabels(ctx)

	rdb, mode, err := store.Dial(*redisURL, "")
	if err != nil {
		fatal(fmt.Errorf("-redis: %w", err))
	}
	defer rdb.Close()
	logf("redis: %s mode (%s)", mode, store.RedactURL(*redisURL))
	if err := rdb.Ping(ctx).Err(); err != nil {
		fatal(fmt.Errorf("redis at %s does not answer (%v); start one: redis-server --daemonize yes --save \"\" --appendonly no", *redisURL, err))
	}
	prefix := "load:" + randHex(4) + ":"
	logf("keys under %q (deleted at the end)", prefix)
	defer func() {
		n, err := deletePrefix(context.Background(), rdb, prefix)
		if err != nil {
			logf("cleanup of %s failed after %d keys: %v", prefix, n, err)
			return
		}
		logf("deleted %d keys under %s", n, prefix)
	}()
	if *profileDir != "" {
		if err := os.MkdirAll(*profileDir, 0o755); err != nil {
			fatal(err)
		}
	}
	var logs io.Writer = io.Discard
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		logs = f
	}

	rep := &Report{When: time.Now().UTC(), Machine: machine(ctx, rdb), Settings: map[string]any{}, CPU: map[string]CPUShare{}}
	flag.VisitAll(func(f *flag.Flag) {
		if f.Name != "child" {
			rep.Settings[f.Name] = f.Value.String()
		}
	})
	want := map[string]bool{}
	for _, s := range strings.Split(*steps, ",") {
		want[strings.TrimSpace(s)] = true
	}
	botOpts := func(sub string) botOptions {
		return botOptions{redisURL: *redisURL, prefix: prefix + sub + ":", logs: logs, workers: *workers}
	}
	failed := false
	step := func(name string, f func() error) {
		if !want[name] || ctx.Err() != nil {
			return
		}
		logf("== %s", name)
		waitQuiet(ctx, rdb, *quiet)
		c0 := sampleCPU(ctx, rdb)
		if err := f(); err != nil {
			logf("%s: FAILED: %v", name, err)
			failed = true
		}
		sh := cpuShare(c0, sampleCPU(ctx, rdb))
		rep.CPU[name] = sh
		logf("%s: CPU cores busy: this process and its child bot %.2f, redis %.2f, other processes %.2f", name, sh.Own, sh.Redis, sh.Others)
		settleGC()
		_, _ = deletePrefix(context.Background(), rdb, prefix+name+":")
	}

	step("startup", func() error {
		r, err := runStartup(ctx, *startupRuns, botOpts("startup"))
		rep.Startup = &r
		return err
	})
	var paced []float64
	for _, f := range strings.Split(*rates, ",") {
		if f = strings.TrimSpace(f); f != "" {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || v <= 0 {
				fatal(fmt.Errorf("-rates: %q is not a rate", f))
			}
			paced = append(paced, v)
		}
	}
	answerCfg := func(split bool) answerConfig {
		c := answerConfig{respondents: *respondents, framework: *fw, warmup: *warmup, window: *duration, rates: paced,
			setClients: *setClients, setDuration: *setDuration, profileDir: *profileDir, tries: *tries, split: split,
			bot: botOpts("answer")}
		if split {
			c.bot = botOpts("answer-split")
			c.setDuration = 0
			if *logPath != "" {
				c.logPath = *logPath + ".answer-split"
			}
		}
		return c
	}
	step("answer", func() error {
		r, err := runAnswer(ctx, answerCfg(false), rdb)
		rep.Answer = &r
		return err
	})
	step("answer-split", func() error {
		r, err := runAnswer(ctx, answerCfg(true), rdb)
		rep.AnswerSplit = &r
		return err
	})
	step("fanout", func() error {
		burst := *wsBurst
		if burst <= 0 {
			burst = max(1, int(*wsRate))
		}
		to := *fanoutTimeout
		if to <= 0 {
			to = time.Duration(2*fanoutFloor(*fanoutN, *chRate, *chBurst, *wsRate, burst)*float64(time.Second)) + 2*time.Minute
		}
		r, err := runFanout(ctx, fanoutConfig{respondents: *fanoutN, framework: *fw, channelRate: *chRate, channelBurst: *chBurst,
			workspaceRate: *wsRate, workspaceBurst: burst, sideUsers: *sideUsers, sideRate: *sideRate, timeout: to,
			profileDir: *profileDir, bot: botOpts("fanout")}, rdb)
		rep.Fanout = &r
		return err
	})
	step("digest", func() error {
		r, err := runDigest(ctx, digestConfig{respondents: *digestN, sections: *digestSections, perSection: *digestPer,
			runs: *digestRuns, prefix: prefix + "digest:", profileDir: *profileDir}, rdb)
		rep.Digest = &r
		return err
	})
	step("memory", func() error {
		childLog := ""
		if *logPath != "" {
			childLog = *logPath + ".memory"
		}
		r, err := runMemory(ctx, memoryConfig{respondents: *memN, answering: int(float64(*memN) * *memAnswering), answersEach: *memAnswers,
			framework: *fw, redisURL: *redisURL, prefix: prefix + "memory:", logPath: childLog, profileDir: *profileDir})
		if rep.Startup != nil {
			r.InProcessIdleRSS, r.InProcessIdleHeap = rep.Startup.IdleRSS, rep.Startup.IdleHeap
		}
		rep.Memory = &r
		return err
	})
	rep.Seconds = time.Since(start).Seconds()
	rep.Checks = checks(rep)
	printReport(os.Stdout, rep)
	if *jsonPath != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*jsonPath, append(b, '\n'), 0o644); err != nil {
			logf("writing %s: %v", *jsonPath, err)
			failed = true
		}
	}
	if *profileDir != "" {
		abs, _ := filepath.Abs(*profileDir)
		logf("profiles in %s (go tool pprof -top <file>; -tags splits CPU into bot/slack/load)", abs)
	}
	if failed || ctx.Err() != nil {
		defer os.Exit(1)
	}
}

func checks(r *Report) []Check {
	var cs []Check
	add := func(step, what, value, target string, met *bool) {
		m := ""
		if met != nil {
			m = "NO"
			if *met {
				m = "yes"
			}
		}
		cs = append(cs, Check{step, what, value, target, m})
	}
	b := func(v bool) *bool { return &v }
	if s := r.Startup; s != nil {
		add("5 start-up", "NewMain+Open → Bot.Connected() (median of runs; first)", fmt.Sprintf("%.1f ms; %.1f ms", s.MedianMS, s.FirstMS), "—", nil)
		add("4 memory", "RSS idle after start (one process: bot + empty fakeslack)", fmt.Sprintf("%.1f MiB", mib(s.IdleRSS)), "—", nil)
	}
	for _, a := range []*AnswerResult{r.Answer, r.AnswerSplit} {
		if a == nil {
			continue
		}
		st, where := "1 answers", "one process"
		if a.Split {
			st, where = "1 answers split", "bot in its own process"
		}
		s := a.Saturation
		add(st, fmt.Sprintf("answers/s sustained, %d respondents clicking flat out (%s)", a.Respondents, where), fmt.Sprintf("%.0f", s.AnswersPerSec), "≥ 2,000", b(s.AnswersPerSec >= 2000))
		add(st, "ack latency p50 / p99 / max, flat out", fmt.Sprintf("%.2f / %.2f / %.2f ms", s.Ack.P50, s.Ack.P99, s.Ack.Max), "p99 ≤ 5 ms", b(s.Ack.P99 <= 5))
		best := 0.0
		for _, p := range a.Paced {
			ok := p.AnswersPerSec >= 0.98*p.OfferedRate && p.Ack.P99 <= 5
			if ok {
				best = max(best, p.OfferedRate)
			}
			var met *bool
			target := "—"
			if p.OfferedRate >= 2000 {
				met, target = b(ok), "2,000/s with p99 ≤ 5 ms"
			}
			add(st, fmt.Sprintf("paced at %.0f clicks/s: answers/s; ack p50 / p99 / max", p.OfferedRate),
				fmt.Sprintf("%.0f/s; %.2f / %.2f / %.2f ms", p.AnswersPerSec, p.Ack.P50, p.Ack.P99, p.Ack.Max), target, met)
		}
		if len(a.Paced) > 0 {
			add(st, "highest paced rate kept up with at ack p99 ≤ 5 ms", fmt.Sprintf("%.0f/s", best), "≥ 2,000/s", b(best >= 2000))
		}
		add(st, "Redis round trips per answer (bot's client) / commands per answer (INFO commandstats)", fmt.Sprintf("%.2f / %.2f", s.RoundTrips, s.RedisCommands), "—", nil)
		if a.Split {
			add(st, "CPU per answer: bot process / fakeslack + clickers process; bot cores busy", fmt.Sprintf("%.0f µs / %.0f µs; %.2f of %d", s.CPUPerAnswerUS, s.DriverCPUPerAnswerUS, s.CPUUtilization, r.Machine.CPUs), "—", nil)
			add(st, "allocations per answer (bot process), bytes", fmt.Sprintf("%.0f, %.1f KB", s.MallocsPerAnswr, s.BytesPerAnswer/1024), "—", nil)
		} else {
			add(st, "CPU per answer (whole process: bot + fakeslack + clickers), cores busy", fmt.Sprintf("%.0f µs, %.2f of %d", s.CPUPerAnswerUS, s.CPUUtilization, r.Machine.CPUs), "—", nil)
			add(st, "  of which the bot (CPU profile labels; GC not included)", fmt.Sprintf("%.0f µs (%s)", s.BotCPUPerAnswerUS, sides(s.CPUBySide)), "—", nil)
			add(st, "allocations per answer (whole process), bytes", fmt.Sprintf("%.0f, %.0f KB", s.MallocsPerAnswr, s.BytesPerAnswer/1024), "—", nil)
		}
		add(st, "new HTTP connections opened by the bot per answer", fmt.Sprintf("%.2f", s.DialsPerAnswer), "—", nil)
		if ref := a.SetRef; ref != nil {
			add(st, fmt.Sprintf("reference: go-redis SET, %d clients, no pipelining", ref.Clients), fmt.Sprintf("%.0f ops/s", ref.OpsPerS), "—", nil)
			add(st, "answers/s (flat out) ÷ SET/s", fmt.Sprintf("%.3f", a.Ratio), "—", nil)
		}
	}
	if f := r.Fanout; f != nil {
		add("2 fan-out", fmt.Sprintf("%d intro DMs: time vs floor (cap %.0f/s burst %d; %.0f/s burst %d per channel)", f.Respondents, f.WorkspaceRate, f.WorkspaceBurst, f.ChannelRate, f.ChannelBurst),
			fmt.Sprintf("%.1f s vs %.1f s = %.2f×", f.Seconds, f.FloorSeconds, f.VsFloor), "≤ 1.1 × floor", b(f.FloorSeconds > 0 && f.VsFloor <= 1.1))
		add("2 fan-out", "intro DMs lost / duplicated", fmt.Sprintf("%d / %d", f.Lost, f.Duplicated), "0 / 0", b(f.Lost == 0 && f.Duplicated == 0))
		add("2 fan-out", "429s: workspace cap / per channel / retried by the bot", fmt.Sprintf("%d / %d / %.0f", f.Workspace429, f.Channel429, f.BotSaw429), "—", nil)
		add("2 fan-out", "ack p50 / p99 / max of clicks during the fan-out", fmt.Sprintf("%.2f / %.2f / %.2f ms (n=%d)", f.SideClicks.P50, f.SideClicks.P99, f.SideClicks.Max, f.SideClicks.N), "p99 ≤ 5 ms", b(f.SideClicks.N > 0 && f.SideClicks.P99 <= 5))
		add("2 fan-out", "Redis round trips per intro DM (the side clicks' 2 each taken out)", fmt.Sprintf("%.1f", f.RoundTripsPerDM), "—", nil)
	}
	if d := r.Digest; d != nil {
		add("3 digest", fmt.Sprintf("review.Service.Digest, %d × %d (median of %d)", d.Respondents, d.Questions, d.Runs), fmt.Sprintf("%.2f s", d.DigestSec), "≤ 1 s", b(d.DigestSec <= 1))
		add("3 digest", "Redis read alone: store.Responses / pipelined HGETALL without decoding", fmt.Sprintf("%.2f s / %.2f s", d.ResponsesSec, d.RawReadSec), "—", nil)
		add("3 digest", "scoring.Aggregate alone", fmt.Sprintf("%.2f s", d.AggregateSec), "—", nil)
		add("3 digest", "Digest ÷ store.Responses", fmt.Sprintf("%.2f", d.VsResponses), "≤ 1.3", b(d.VsResponses <= 1.3))
		add("3 digest", "Digest ÷ raw HGETALL (stricter reading of \"raw read\")", fmt.Sprintf("%.2f", d.VsRawRead), "≤ 1.3", b(d.VsRawRead <= 1.3))
	}
	if m := r.Memory; m != nil {
		add("4 memory", "bot RSS idle (child process)", fmt.Sprintf("%.1f MiB", mib(m.BotIdleRSS)), "—", nil)
		add("4 memory", fmt.Sprintf("bot RSS, %d respondents mid-review (%d answered %d each); peak", m.Respondents, m.Answering, m.AnswersEach),
			fmt.Sprintf("%.1f MiB; peak %.1f MiB", mib(m.BotMidRSS), mib(m.BotMidHWM)), "≤ 64 MiB", b(m.BotMidRSS <= 64<<20 && m.BotMidHWM <= 64<<20))
		add("4 memory", "bot RSS after /review status (reads every sheet); peak", fmt.Sprintf("%.1f MiB; peak %.1f MiB", mib(m.BotAfterStatusRSS), mib(m.BotAfterStatusHWM)), "≤ 64 MiB", b(m.BotAfterStatusHWM <= 64<<20))
		for _, p := range m.Peaks {
			if p.Phase != "start" {
				add("4 memory", "  bot peak RSS during: "+p.Phase, fmt.Sprintf("%.1f MiB", mib(p.RSS)), "—", nil)
			}
		}
		add("4 memory", "fakeslack + driver RSS (the rest of a one-process run)", fmt.Sprintf("%.1f MiB", mib(m.DriverRSS)), "—", nil)
		add("4 memory", fmt.Sprintf("unthrottled fan-out of the %d intro DMs", m.Respondents), fmt.Sprintf("%.1f s, %.0f DMs/s", m.FanoutSec, m.FanoutPerSec), "—", nil)
	}
	if a := r.Answer; a != nil && a.Saturation.Answers > 0 {
		add("4 memory", "allocations per answer (step 1, whole process)", fmt.Sprintf("%.0f", a.Saturation.MallocsPerAnswr), "—", nil)
	}
	return cs
}

func printReport(w io.Writer, r *Report) {
	fmt.Fprintf(w, "\nassessbot-load — %s, code %s, %d CPUs (%s), %s, Redis %s, %.0f s\n\n", r.When.Format("2006-01-02 15:04 UTC"), r.Machine.Code, r.Machine.CPUs, r.Machine.Model, r.Machine.Go, r.Machine.Redis, r.Seconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "step\tfigure\tvalue\ttarget\tmet")
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Step, c.What, c.Value, c.Target, c.Met)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nThe bot, fakeslack and the simulated people share this process and its CPUs, except in answer-split and memory,")
	fmt.Fprintln(w, "where the bot is a child process (still on the same CPUs).")
	fmt.Fprintln(w, "CPU cores kept busy during each step (this process and its child bot / redis-server / other processes):")
	for _, name := range []string{"startup", "answer", "answer-split", "fanout", "digest", "memory"} {
		if sh, ok := r.CPU[name]; ok {
			warn := ""
			if sh.Others > 0.15 {
				warn = "  <- other processes were busy: figures are not clean"
			}
			fmt.Fprintf(w, "  %-8s %.2f / %.2f / %.2f%s\n", name, sh.Own, sh.Redis, sh.Others, warn)
		}
	}
}

func machine(ctx context.Context, rdb redis.UniversalClient) Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "model name"); ok {
				m.Model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
		f.Close()
	}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Code = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
			m.Code += "+dirty"
		}
	}
	if s, err := rdb.Info(ctx, "server").Result(); err == nil {
		for _, l := range strings.Split(s, "\n") {
			if v, ok := strings.CutPrefix(l, "redis_version:"); ok {
				m.Redis = strings.TrimSpace(v)
			}
		}
	}
	return m
}

// waitQuiet waits (up to limit) for a second in which other processes
// keep less than a tenth of a core busy.
func waitQuiet(ctx context.Context, rdb redis.UniversalClient, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for {
		a := sampleCPU(ctx, rdb)
		time.Sleep(time.Second)
		sh := cpuShare(a, sampleCPU(ctx, rdb))
		if sh.Others < 0.1 || ctx.Err() != nil {
			return
		}
		if time.Now().After(deadline) {
			logf("other processes keep %.2f cores busy; measuring anyway", sh.Others)
			return
		}
		logf("other processes keep %.2f cores busy; waiting", sh.Others)
		time.Sleep(4 * time.Second)
	}
}

func sides(m map[string]float64) string {
	var total float64
	for _, v := range m {
		total += v
	}
	var parts []string
	for _, k := range []string{"bot", "slack", "load", "unlabelled (GC, runtime)"} {
		if total > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", strings.Fields(k)[0], 100*m[k]/total))
		}
	}
	return strings.Join(parts, ", ")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "assessbot-load:", err)
	os.Exit(1)
}
