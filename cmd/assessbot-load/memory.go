package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/assessbot/assessbot/internal/app"
	"github.com/assessbot/assessbot/internal/fakeslack"
)

// MemoryResult is step 4: the bot's memory, idle and mid-review. The bot
// runs in a child process of this program (the same app.Main), so that its
// RSS is not mixed with fakeslack's, which keeps every message and call.
type MemoryResult struct {
	Respondents          int     `json:"respondents"`
	Answering            int     `json:"answering"`
	AnswersEach          int     `json:"answers_each"`
	BotIdleRSS           int64   `json:"bot_idle_rss_bytes"`
	BotIdleHeap          float64 `json:"bot_idle_heap_inuse_bytes"`
	FanoutSec            float64 `json:"unthrottled_fanout_s"`
	FanoutPerSec         float64 `json:"unthrottled_intro_dms_per_s"`
	BotMidRSS            int64   `json:"bot_mid_review_rss_bytes"`
	BotMidHWM            int64   `json:"bot_mid_review_hwm_bytes"`
	BotMidHeap           float64 `json:"bot_mid_review_heap_inuse_bytes"`
	BotMidGoroutines     float64 `json:"bot_mid_review_goroutines"`
	StatusSec            float64 `json:"status_of_10k_s"`
	BotAfterStatusRSS    int64   `json:"bot_after_status_rss_bytes"`
	BotAfterStatusHWM    int64   `json:"bot_after_status_hwm_bytes"`
	DriverRSS            int64   `json:"fakeslack_and_driver_rss_bytes"`
	InProcessIdleRSS     int64   `json:"in_process_idle_rss_bytes"` // from the start-up step: bot + empty fakeslack in one process
	InProcessIdleHeap    uint64  `json:"in_process_idle_heap_inuse_bytes"`
	OneProcessMidReview  int64   `json:"one_process_equivalent_rss_bytes"` // bot + fakeslack + driver, as one process would hold
	AnswersSavedObserved float64 `json:"answers_saved"`
	// Peaks is the bot's highest RSS in each phase (sampled every 20 ms).
	Peaks []PhasePeak `json:"peaks"`
}

// PhasePeak is the highest RSS seen during one phase of step 4.
type PhasePeak struct {
	Phase string `json:"phase"`
	RSS   int64  `json:"rss_bytes"`
}

// rssSampler records a process's highest RSS per phase.
type rssSampler struct {
	mu    sync.Mutex
	peaks []PhasePeak
	stop  chan struct{}
	done  chan struct{}
}

func sampleRSS(pid string) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{}), peaks: []PhasePeak{{Phase: "start"}}}
	go func() {
		defer close(s.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
			rss, _ := procStatus(pid)
			s.mu.Lock()
			p := &s.peaks[len(s.peaks)-1]
			p.RSS = max(p.RSS, rss)
			s.mu.Unlock()
		}
	}()
	return s
}

func (s *rssSampler) phase(name string) {
	s.mu.Lock()
	s.peaks = append(s.peaks, PhasePeak{Phase: name})
	s.mu.Unlock()
}

func (s *rssSampler) finish() []PhasePeak {
	close(s.stop)
	<-s.done
	return s.peaks
}

// childConfig is how the parent tells its child bot what to connect to.
type childConfig struct {
	APIURL, BotToken, AppToken, RedisURL, Prefix, LogPath string
	IdleConns                                             int  // -experiment-idle-conns
	WaitReplicas                                          int  // -wait-replicas
	SinkResponseURLs                                      bool // -experiment-sink-response-urls
}

const childEnv = "ASSESSBOT_LOAD_CHILD"

// runChild is the bot-only child process: app.Main until stdin closes.
func runChild() error {
	var c childConfig
	if err := json.Unmarshal([]byte(os.Getenv(childEnv)), &c); err != nil {
		return fmt.Errorf("child: %s: %w", childEnv, err)
	}
	sinkResponseURLs = c.SinkResponseURLs
	waitReplicas = c.WaitReplicas
	countDials(c.IdleConns)
	var logs io.Writer = io.Discard
	if c.LogPath != "" {
		f, err := os.OpenFile(c.LogPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		logs = f
	}
	h := &rtHook{}
	m := app.NewMain(app.Config{
		SlackBotToken: c.BotToken, SlackAppToken: c.AppToken, SlackAPIURL: c.APIURL,
		RedisURL: c.RedisURL, RedisPrefix: c.Prefix, AdminUsers: []string{admin}, RedisWaitReplicas: waitReplicas,
		HTTPAddr: "127.0.0.1:0", LogLevel: "info", Workers: 16, Tick: 10 * time.Second,
	}, logs, hooks(h)...)
	if err := m.Open(context.Background()); err != nil {
		return err
	}
	defer m.Close()
	// The parent reads counters and profiles from a debug server of ours.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/load/stats", func(w http.ResponseWriter, r *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		_ = json.NewEncoder(w).Encode(botStats{Saves: h.saves.Load(), RTs: h.roundTrips(), Mallocs: ms.Mallocs,
			Bytes: ms.TotalAlloc, CPU: int64(cpuTime()), Dials: dials.Load()})
	})
	go func() { _ = http.Serve(ln, mux) }()
	pp := ln.Addr().String()
	fmt.Printf("ready %s %s\n", m.HTTPAddr(), pp)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// child is the running child bot.
type child struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	http    string
	pprof   string
	pid     string
	stopped bool
}

func startChild(ctx context.Context, c childConfig) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(c)
	cmd := exec.Command(exe, "-child")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ch := &child{cmd: cmd, stdin: in, pid: strconv.Itoa(cmd.Process.Pid)}
	children.Store(ch.pid, struct{}{})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case l, ok := <-line:
		f := strings.Fields(l)
		if !ok || len(f) != 3 || f[0] != "ready" {
			ch.stop()
			return nil, fmt.Errorf("the child bot did not start (said %q)", l)
		}
		ch.http, ch.pprof = f[1], f[2]
	case <-time.After(30 * time.Second):
		ch.stop()
		return nil, errors.New("the child bot did not start within 30s")
	case <-ctx.Done():
		ch.stop()
		return nil, ctx.Err()
	}
	return ch, nil
}

func (c *child) stop() {
	if c.stopped {
		return
	}
	c.stopped = true
	_ = c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill() // our own child, by its pid
		<-done
	}
	if ru, ok := c.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		reapedCPU.Add(ru.Utime.Nano() + ru.Stime.Nano())
	}
	children.Delete(c.pid)
}

// metrics returns the child's Prometheus text.
func (c *child) metrics() string {
	resp, err := http.Get("http://" + c.http + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// promValue sums the samples of series name whose label text contains
// every one of labels (e.g. `outcome="sent"`).
func promValue(text, name string, labels ...string) float64 {
	var sum float64
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, name) {
			continue
		}
		rest := l[len(name):]
		if rest == "" || (rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		ok := true
		for _, want := range labels {
			if !strings.Contains(rest, want) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}

type memoryConfig struct {
	respondents int
	answering   int
	answersEach int
	framework   string
	redisURL    string
	prefix      string
	logPath     string
	profileDir  string
}

func runMemory(ctx context.Context, c memoryConfig) (MemoryResult, error) {
	res := MemoryResult{Respondents: c.respondents, Answering: c.answering, AnswersEach: c.answersEach}
	fs := newSlack(ctx)
	defer fs.Close()
	users := addPeople(fs, "UM", c.respondents, "CMEMORY")
	ch, err := startChild(ctx, childConfig{APIURL: fs.APIURL(), BotToken: fs.BotToken(), AppToken: fs.AppToken(),
		RedisURL: c.redisURL, Prefix: c.prefix, LogPath: c.logPath, IdleConns: experimentIdleConns, SinkResponseURLs: sinkResponseURLs, WaitReplicas: waitReplicas})
	if err != nil {
		return res, err
	}
	defer ch.stop()
	if err := poll(ctx, 30*time.Second, 5*time.Millisecond, "the child bot's socket", func() bool { return fs.Connections() > 0 }); err != nil {
		return res, err
	}
	// fakeslack records every call; forget them as we go.
	stopClear := make(chan struct{})
	defer close(stopClear)
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
	rss := sampleRSS(ch.pid)
	defer func() {
		if res.Peaks == nil {
			res.Peaks = rss.finish()
		}
	}()
	rss.phase("idle")
	time.Sleep(2 * time.Second)
	res.BotIdleRSS, _ = procStatus(ch.pid)
	res.BotIdleHeap = promValue(ch.metrics(), "go_memstats_heap_inuse_bytes")
	logf("memory: child bot idle: RSS %.1f MiB", mib(res.BotIdleRSS))

	rss.phase(fmt.Sprintf("/review start: plan and %d intro DMs", c.respondents))
	// Keep the child's heap profile taken at the highest RSS of this phase.
	stopHeap := make(chan struct{})
	heapDone := make(chan struct{})
	go func() {
		defer close(heapDone)
		if c.profileDir == "" {
			return
		}
		var best []byte
		var bestRSS int64
		for {
			select {
			case <-stopHeap:
				if best != nil {
					_ = os.WriteFile(filepath.Join(c.profileDir, "heap-bot-fanout-peak.pprof"), best, 0o644)
				}
				return
			case <-time.After(200 * time.Millisecond):
			}
			r, _ := procStatus(ch.pid)
			if r > bestRSS {
				if resp, err := http.Get("http://" + ch.pprof + "/debug/pprof/heap"); err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					best, bestRSS = b, r
				}
			}
		}
	}()
	start := time.Now()
	if _, err := fs.SlashCommand(ctx, admin, leads, "/review",
		fmt.Sprintf("start %s to <#CMEMORY|memory> digest <#%s|cs-leadership> due 3d now", c.framework, leads)); err != nil {
		return res, err
	}
	if err := poll(ctx, 10*time.Minute, 50*time.Millisecond, "every intro DM", func() bool {
		return int(promValue(ch.metrics(), "assessbot_intro_dms_total", `outcome="sent"`)) >= c.respondents
	}); err != nil {
		return res, err
	}
	res.FanoutSec = time.Since(start).Seconds()
	close(stopHeap)
	<-heapDone
	res.FanoutPerSec = float64(c.respondents) / res.FanoutSec
	logf("memory: %d intro DMs in %.1fs (no rate limit)", c.respondents, res.FanoutSec)

	// Half the audience opens the review and answers a few questions.
	rss.phase("half open the review and answer")
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for _, u := range users[:c.answering] {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := answerSome(ctx, fs, u, c.answersEach)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	want := float64(c.answering * c.answersEach)
	if err := poll(ctx, 5*time.Minute, 50*time.Millisecond, "every answer saved", func() bool {
		res.AnswersSavedObserved = promValue(ch.metrics(), "assessbot_answers_total", `outcome="saved"`)
		return res.AnswersSavedObserved >= want
	}); err != nil {
		return res, err
	}
	rss.phase("idle mid-review")
	time.Sleep(time.Second)
	res.BotMidRSS, res.BotMidHWM = procStatus(ch.pid)
	mt := ch.metrics()
	res.BotMidHeap = promValue(mt, "go_memstats_heap_inuse_bytes")
	res.BotMidGoroutines = promValue(mt, "go_goroutines")
	res.DriverRSS, _ = procStatus("self")
	res.OneProcessMidReview = res.BotMidRSS + res.DriverRSS
	logf("memory: child bot mid-review: RSS %.1f MiB (peak %.1f MiB)", mib(res.BotMidRSS), mib(res.BotMidHWM))
	if c.profileDir != "" {
		fetch("http://"+ch.pprof+"/debug/pprof/heap", filepath.Join(c.profileDir, "heap-bot-mid-review.pprof"))
	}

	// An admin asks for the status: every sheet is read once.
	rss.phase("/review status")
	before := len(fs.Ephemerals(admin))
	t := time.Now()
	if _, err := fs.SlashCommand(ctx, admin, leads, "/review", "status"); err != nil {
		return res, err
	}
	if err := poll(ctx, time.Minute, 5*time.Millisecond, "the status reply", func() bool { return len(fs.Ephemerals(admin)) > before }); err != nil {
		return res, err
	}
	res.StatusSec = time.Since(t).Seconds()
	time.Sleep(500 * time.Millisecond)
	res.BotAfterStatusRSS, res.BotAfterStatusHWM = procStatus(ch.pid)
	res.Peaks = rss.finish()
	logf("memory: after /review status: RSS %.1f MiB (peak %.1f MiB)", mib(res.BotAfterStatusRSS), mib(res.BotAfterStatusHWM))
	return res, nil
}

// answerSome opens user's review and answers n questions of its first
// section (cycling if it has fewer).
func answerSome(ctx context.Context, fs *fakeslack.Server, user string, n int) error {
	var intro fakeslack.Message
	var ok bool
	if err := poll(ctx, time.Minute, 20*time.Millisecond, "the intro of "+user, func() bool {
		intro, ok = introOf(fs, user)
		return ok
	}); err != nil {
		return err
	}
	if _, err := fs.Click(ctx, user, intro, "start", ""); err != nil {
		return err
	}
	var msg fakeslack.Message
	var acts []string
	if err := poll(ctx, time.Minute, 10*time.Millisecond, "the section of "+user, func() bool {
		msg, acts, ok = sectionOf(fs, user)
		return ok
	}); err != nil {
		return err
	}
	// One option per question.
	seen := map[string]bool{}
	var per []string
	for _, a := range acts {
		q := strings.Split(a, "|")[1]
		if !seen[q] {
			seen[q] = true
			per = append(per, a)
		}
	}
	for i := range n {
		if _, err := fs.Click(ctx, user, msg, per[i%len(per)], ""); err != nil {
			return err
		}
	}
	return nil
}

func fetch(url, path string) {
	resp, err := http.Get(url)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = io.Copy(f, resp.Body)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
