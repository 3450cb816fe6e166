package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/app"
	"github.com/assessbot/assessbot/internal/fakeslack"
)

const (
	admin = "UADMIN"
	leads = "CLEADS"
)

// labelled runs f with the profiler label side=<side>; goroutines f starts
// inherit it, so a CPU profile splits into bot, slack (fakeslack and the
// rate-limit proxy) and load (the simulated people) with `go tool pprof -tags`.
func labelled(ctx context.Context, side string, f func(ctx context.Context)) {
	pprof.Do(ctx, pprof.Labels("side", side), f)
}

// newSlack starts a fakeslack workspace with the admin and the digest channel.
func newSlack(ctx context.Context) *fakeslack.Server {
	var fs *fakeslack.Server
	labelled(ctx, "slack", func(context.Context) { fs = fakeslack.New() })
	fs.AddUser(fakeslack.User{ID: admin, Name: "ada", TZ: "Europe/Berlin"})
	fs.AddChannel(leads, "cs-leadership", admin)
	return fs
}

// usersWithoutTZ is -experiment-users-without-tz: people get no time zone,
// so the bot never loads one (it then uses UTC).
var usersWithoutTZ bool

// addPeople adds n users named prefix%05d, in a channel of their own.
func addPeople(fs *fakeslack.Server, prefix string, n int, channel string) []string {
	users := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprintf("%s%05d", prefix, i)
		tz := "America/Los_Angeles"
		if usersWithoutTZ {
			tz = ""
		}
		fs.AddUser(fakeslack.User{ID: users[i], Name: strings.ToLower(users[i]), TZ: tz})
	}
	fs.AddChannel(channel, strings.ToLower(channel), users...)
	return users
}

// bot is the real assessbot (app.Main) running in this process.
type bot struct {
	main *app.Main
	reg  *prometheus.Registry
	hook *rtHook
}

type botOptions struct {
	apiURL   string // Web API base; "" = fakeslack's own
	redisURL string
	prefix   string
	logs     io.Writer
	workers  int
}

// waitReplicas is the bots' REDIS_WAIT_REPLICAS (-wait-replicas): 0 auto,
// app.NoWait never.
var waitReplicas int

// openBot starts app.Main against fs and returns once Socket Mode is up,
// with the time from NewMain to Bot.Connected().
func openBot(ctx context.Context, fs *fakeslack.Server, o botOptions) (*bot, time.Duration, error) {
	api := o.apiURL
	if api == "" {
		api = fs.APIURL()
	}
	reg := prometheus.NewRegistry()
	h := &rtHook{}
	cfg := app.Config{
		SlackBotToken: fs.BotToken(), SlackAppToken: fs.AppToken(), SlackAPIURL: api,
		RedisURL: o.redisURL, RedisPrefix: o.prefix, AdminUsers: []string{admin}, RedisWaitReplicas: waitReplicas,
		HTTPAddr: "127.0.0.1:0", LogLevel: "info", Workers: o.workers, Tick: 10 * time.Second,
	}
	var m *app.Main
	var err error
	start := time.Now()
	labelled(ctx, "bot", func(ctx context.Context) {
		m = app.NewMain(cfg, o.logs, hooks(h, app.WithRegistry(reg))...)
		err = m.Open(ctx)
	})
	if err != nil {
		return nil, 0, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for !m.Bot.Connected() {
		if time.Now().After(deadline) {
			m.Close()
			return nil, 0, errors.New("the bot did not connect to fakeslack within 30s")
		}
		time.Sleep(100 * time.Microsecond)
	}
	took := time.Since(start)
	return &bot{main: m, reg: reg, hook: h}, took, nil
}

func (b *bot) close() { b.main.Close() }

// hooks are the options every bot of the load tool runs with: h counts
// Redis round trips and answer saves, instrument the connections to Slack.
func hooks(h *rtHook, more ...app.Option) []app.Option {
	return append([]app.Option{app.WithRedisHook(h), app.WithSaveHook(h.saved), app.WithTransport(instrument)}, more...)
}

// metric sums the bot's Prometheus series name whose labels include want.
func (b *bot) metric(name string, want map[string]string) float64 {
	mfs, err := b.reg.Gather()
	if err != nil {
		return 0
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for k, v := range want {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == k && lp.GetValue() == v {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			if c := m.GetCounter(); c != nil {
				sum += c.GetValue()
			}
		}
	}
	return sum
}

// rtHook counts the bot's Redis round trips (a command or a whole pipeline
// is one) and reports every answer saved (the SaveAnswer script: keys
// status, who, ans:<user>, …; ARGV[1] = user) to onSave.
type rtHook struct {
	cmds      atomic.Int64 // single commands (one round trip each)
	pipelines atomic.Int64 // pipelines (one round trip each)
	piped     atomic.Int64 // commands inside pipelines
	saves     atomic.Int64
	onSave    atomic.Pointer[func(user string)]
}

// notifySaves routes each save to the respondent's saved channel (without
// blocking), until the next call; pass nil to stop.
func (h *rtHook) notifySaves(rs []*respondent) {
	if rs == nil {
		h.onSave.Store(nil)
		return
	}
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
	h.onSave.Store(&onSave)
}

func (h *rtHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *rtHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.cmds.Add(1)
		return err
	}
}

// saved counts an answer save and signals its respondent; the store calls
// it (app.WithSaveHook) once the answer is stored.
func (h *rtHook) saved(_, user string) {
	h.saves.Add(1)
	if f := h.onSave.Load(); f != nil {
		(*f)(user)
	}
}

func (h *rtHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.pipelines.Add(1)
		h.piped.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

func (h *rtHook) roundTrips() int64 { return h.cmds.Load() + h.pipelines.Load() }

// dials counts the TCP connections opened by the bot's HTTP transport, which
// carries the Web API and response_url posts (the bot's own HTTP traffic:
// fakeslack's clickers use websockets, the proxy its own transport).
var dials atomic.Int64

// idleConns is -experiment-idle-conns: with idle > 0 the bot keeps that many
// idle connections per host instead of its own setting (an experiment, not
// the bot as shipped).
var idleConns int

// countDials sets the experiment's idle connections for instrument.
func countDials(idle int) { idleConns = idle }

// instrument is the bots' app.WithTransport: it counts the connections the
// bot's transport opens and applies the experiments.
func instrument(t *http.Transport) http.RoundTripper {
	if idleConns > 0 {
		t.MaxIdleConnsPerHost = idleConns
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return d.DialContext(ctx, network, addr)
	}
	if sinkResponseURLs {
		return responseSink{t}
	}
	return t
}

// sinkResponseURLs is -experiment-sink-response-urls: the bot's posts to
// response_urls are answered "ok" at once instead of reaching fakeslack,
// whose handling of them (under its one lock) limits the answer path. The
// clicked messages then stay as first posted, which the clickers do not
// mind. An experiment to find the bot's own ceiling, off by default.
var sinkResponseURLs bool

type responseSink struct{ next http.RoundTripper }

func (s responseSink) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/response/") {
		return s.next.RoundTrip(r)
	}
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{"ok":true}`)), Request: r}, nil
}

// ---- waiting for what people see ----

var reAnswerAction = regexp.MustCompile(`"action_id":"(answer\|[^"|]+\|[^"]+)"`)

// introOf returns user's intro DM (the message with the Start button).
func introOf(fs *fakeslack.Server, user string) (fakeslack.Message, bool) {
	for _, m := range fs.DMs(user) {
		if strings.Contains(string(m.Blocks), `"action_id":"start"`) {
			return m, true
		}
	}
	return fakeslack.Message{}, false
}

// sectionOf returns user's first message with answer buttons and those
// buttons' action ids ("not sure" left out).
func sectionOf(fs *fakeslack.Server, user string) (fakeslack.Message, []string, bool) {
	for _, m := range fs.DMs(user) {
		ms := reAnswerAction.FindAllStringSubmatch(string(m.Blocks), -1)
		if len(ms) == 0 {
			continue
		}
		var acts []string
		for _, x := range ms {
			if !strings.HasSuffix(x[1], "|not_sure") {
				acts = append(acts, x[1])
			}
		}
		return m, acts, true
	}
	return fakeslack.Message{}, nil, false
}

// poll calls cond every interval until it is true or ctx/timeout ends.
func poll(ctx context.Context, timeout, interval time.Duration, what string, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %v waiting for %s", timeout, what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
	return nil
}

// respondent is one simulated person with a section message to click on.
type respondent struct {
	id      string
	intro   fakeslack.Message
	msg     fakeslack.Message
	actions []string
	saved   chan struct{}
	k       int
}

// openSections clicks Start on each user's intro DM and waits for their
// first section message, conc users at a time.
func openSections(ctx context.Context, fs *fakeslack.Server, users []string, conc int) ([]*respondent, error) {
	out := make([]*respondent, len(users))
	errc := make(chan error, len(users))
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i, u := range users {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			r := &respondent{id: u, saved: make(chan struct{}, 1)}
			var ok bool
			if err := poll(ctx, 5*time.Minute, 20*time.Millisecond, "the intro DM of "+u, func() bool {
				r.intro, ok = introOf(fs, u)
				return ok
			}); err != nil {
				errc <- err
				return
			}
			if _, err := fs.Click(ctx, u, r.intro, "start", ""); err != nil {
				errc <- fmt.Errorf("%s clicks start: %w", u, err)
				return
			}
			if err := poll(ctx, time.Minute, 10*time.Millisecond, "the first section of "+u, func() bool {
				r.msg, r.actions, ok = sectionOf(fs, u)
				return ok
			}); err != nil {
				errc <- err
				return
			}
			out[i] = r
		}()
		if len(errc) > 0 {
			break
		}
	}
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	return out, nil
}

// ---- process and Redis measurements ----

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus reads VmRSS and VmHWM (bytes) of a process ("self" or a pid).
func procStatus(pid string) (rss, hwm int64) {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		for _, k := range []string{"VmRSS:", "VmHWM:"} {
			if v, ok := strings.CutPrefix(line, k); ok {
				fs := strings.Fields(v)
				if len(fs) > 0 {
					n, _ := strconv.ParseInt(fs[0], 10, 64)
					if k == "VmRSS:" {
						rss = n * 1024
					} else {
						hwm = n * 1024
					}
				}
			}
		}
	}
	return rss, hwm
}

// redisCalls sums the calls of every command in INFO commandstats (commands
// run inside Lua scripts included). It is server-wide: other clients of the
// same Redis count too.
func redisCalls(ctx context.Context, rdb redis.UniversalClient) int64 {
	s, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return 0
	}
	var sum int64
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "cmdstat_") {
			continue
		}
		_, rest, _ := strings.Cut(line, ":calls=")
		n, _ := strconv.ParseInt(strings.SplitN(rest, ",", 2)[0], 10, 64)
		sum += n
	}
	return sum
}

// infoAll is INFO section of the server, or of every master of a cluster,
// one after the other (counters then add up over the cluster).
func infoAll(ctx context.Context, rdb redis.UniversalClient, section string) string {
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		s, _ := rdb.Info(ctx, section).Result()
		return s
	}
	var mu sync.Mutex
	var b strings.Builder
	_ = cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		s, err := m.Info(ctx, section).Result()
		mu.Lock()
		b.WriteString(s + "\n")
		mu.Unlock()
		return err
	})
	return b.String()
}

// deletePrefix removes every key under prefix (SCAN + UNLINK; never
// FLUSHDB), on every master of a cluster.
func deletePrefix(ctx context.Context, rdb redis.UniversalClient, prefix string) (int, error) {
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		return deleteOn(ctx, rdb, prefix, false)
	}
	var total atomic.Int64
	err := cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		n, err := deleteOn(ctx, m, prefix, true)
		total.Add(int64(n))
		return err
	})
	return int(total.Load()), err
}

// deleteOn deletes one server's keys under prefix; keys of different slots
// cannot share an UNLINK on a cluster node, so there each has its own.
func deleteOn(ctx context.Context, rdb redis.UniversalClient, prefix string, oneEach bool) (int, error) {
	var cursor uint64
	n := 0
	for {
		keys, next, err := rdb.Scan(ctx, cursor, prefix+"*", 2000).Result()
		if err != nil {
			return n, err
		}
		if len(keys) > 0 {
			var err error
			if oneEach {
				_, err = rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
					for _, k := range keys {
						p.Unlink(ctx, k)
					}
					return nil
				})
			} else {
				err = rdb.Unlink(ctx, keys...).Err()
			}
			if err != nil {
				return n, err
			}
			n += len(keys)
		}
		cursor = next
		if cursor == 0 {
			return n, nil
		}
	}
}

// ---- statistics ----

// latencies summarises durations.
type latencies struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func summarize(ds []time.Duration) latencies {
	if len(ds) == 0 {
		return latencies{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return ms(s[max(i, 0)])
	}
	return latencies{N: len(s), P50: q(0.50), P99: q(0.99), Max: ms(s[len(s)-1])}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// settleGC returns freed memory to the OS so one step's garbage does not
// count in the next.
func settleGC() {
	runtime.GC()
	debug.FreeOSMemory()
}

// cpuSample is CPU time used so far by the whole machine, this process and
// Redis, to tell whether someone else was busy during a measurement.
type cpuSample struct {
	at      time.Time
	machine float64 // seconds busy, all CPUs
	own     float64
	redis   float64
}

// children are the live child bots (pid → struct{}); reapedCPU is the CPU
// time of those that exited, so "own" CPU covers this process and its bots.
var (
	children  sync.Map
	reapedCPU atomic.Int64
)

// procCPU is a live process's user+system CPU time from /proc/<pid>/stat.
func procCPU(pid string) time.Duration {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b)[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ = 100
}

func sampleCPU(ctx context.Context, rdb redis.UniversalClient) cpuSample {
	own := cpuTime() + time.Duration(reapedCPU.Load())
	children.Range(func(k, _ any) bool {
		own += procCPU(k.(string))
		return true
	})
	s := cpuSample{at: time.Now(), own: own.Seconds()}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		var total, idle float64
		for i, v := range f[1:] {
			n, _ := strconv.ParseFloat(v, 64)
			if i >= 8 { // guest time is already in user
				break
			}
			total += n
			if i == 3 || i == 4 { // idle, iowait
				idle += n
			}
		}
		s.machine = (total - idle) / 100 // USER_HZ
	}
	if info := infoAll(ctx, rdb, "cpu"); info != "" {
		for _, l := range strings.Split(info, "\n") {
			for _, k := range []string{"used_cpu_sys:", "used_cpu_user:"} {
				if v, ok := strings.CutPrefix(strings.TrimSpace(l), k); ok {
					n, _ := strconv.ParseFloat(v, 64)
					s.redis += n
				}
			}
		}
	}
	return s
}

// CPUShare is how many cores each party kept busy during a measurement.
type CPUShare struct {
	Own    float64 `json:"this_process_and_child_bot_cores"`
	Redis  float64 `json:"redis_cores"`
	Others float64 `json:"other_processes_cores"`
}

func cpuShare(a, b cpuSample) CPUShare {
	el := b.at.Sub(a.at).Seconds()
	if el <= 0 {
		return CPUShare{}
	}
	own, rd := (b.own-a.own)/el, (b.redis-a.redis)/el
	return CPUShare{Own: round2(own), Redis: round2(rd), Others: round2(max(0, (b.machine-a.machine)/el-own-rd))}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
