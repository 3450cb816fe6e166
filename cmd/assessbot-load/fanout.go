package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// FanoutResult is step 2: intro DMs to a large audience under Slack-like
// rate limits.
type FanoutResult struct {
	Respondents     int       `json:"respondents"`
	ChannelRate     float64   `json:"channel_rate_per_s"`
	ChannelBurst    int       `json:"channel_burst"`
	WorkspaceRate   float64   `json:"workspace_rate_per_s"` // 0 = no workspace-wide cap
	WorkspaceBurst  int       `json:"workspace_burst"`
	Seconds         float64   `json:"seconds"`         // /review start sent → last intro DM posted
	FloorSeconds    float64   `json:"floor_seconds"`   // the least the limits allow
	VsFloor         float64   `json:"vs_floor"`        // Seconds ÷ FloorSeconds
	DMsPerSec       float64   `json:"intro_dms_per_s"` // Respondents ÷ Seconds
	Lost            int       `json:"lost"`            // respondents without an intro DM
	Duplicated      int       `json:"duplicated"`      // respondents with more than one
	Channel429      int       `json:"channel_429s"`    // fakeslack's per-channel limiter
	Workspace429    int64     `json:"workspace_429s"`  // the workspace-wide cap
	BotSaw429       float64   `json:"bot_rate_limited_calls"`
	RoundTripsPerDM float64   `json:"redis_round_trips_per_intro"`
	SideClicks      latencies `json:"side_click_ack"` // answer clicks by others during the fan-out
	SideSaved       latencies `json:"side_click_to_saved"`
	SideErrors      int64     `json:"side_click_errors"`
	// SideTimeline is the side clicks' ack latency by 10 s since the
	// fan-out started.
	SideTimeline []latencies `json:"side_click_ack_by_10s"`
}

type fanoutConfig struct {
	respondents    int
	framework      string
	channelRate    float64
	channelBurst   int
	workspaceRate  float64
	workspaceBurst int
	sideUsers      int
	sideRate       float64
	timeout        time.Duration
	profileDir     string
	bot            botOptions
}

// capProxy sits between the bot and fakeslack's Web API and adds what
// fakeslack's SetRateLimit cannot: a workspace-wide token bucket on
// chat.postMessage (fakeslack's bucket for that method is per channel).
// Over the cap it answers like Slack: HTTP 429, Retry-After in whole seconds.
type capProxy struct {
	rp      *httputil.ReverseProxy
	rate    float64
	burst   float64
	mu      sync.Mutex
	tokens  float64
	last    time.Time
	limited atomic.Int64
	srv     *http.Server
	url     string
}

func newCapProxy(ctx context.Context, target string, rate float64, burst int) (*capProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	p := &capProxy{rate: rate, burst: float64(max(burst, 1)), tokens: float64(max(burst, 1)), last: time.Now()}
	p.rp = httputil.NewSingleHostReverseProxy(u)
	p.rp.Transport = &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	labelled(ctx, "slack", func(context.Context) { go func() { _ = p.srv.Serve(ln) }() })
	p.url = "http://" + ln.Addr().String()
	return p, nil
}

func (p *capProxy) take() (bool, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	p.tokens = math.Min(p.burst, p.tokens+now.Sub(p.last).Seconds()*p.rate)
	p.last = now
	if p.tokens >= 1 {
		p.tokens--
		return true, 0
	}
	return false, time.Duration((1 - p.tokens) / p.rate * float64(time.Second))
}

func (p *capProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.rate > 0 && r.URL.Path == "/api/chat.postMessage" {
		if ok, wait := p.take(); !ok {
			_, _ = io.Copy(io.Discard, r.Body)
			p.limited.Add(1)
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		}
	}
	p.rp.ServeHTTP(w, r)
}

func (p *capProxy) close() { _ = p.srv.Close() }

// fanoutFloor is the least time the limits allow for n intro DMs, one to
// each person's own DM channel: the per-channel bucket never binds (one
// message per channel ≤ its burst), so only the workspace cap does.
func fanoutFloor(n int, channelRate float64, channelBurst int, wsRate float64, wsBurst int) float64 {
	floor := 0.0
	if channelRate > 0 && 1 > channelBurst {
		floor = float64(1-channelBurst) / channelRate
	}
	if wsRate > 0 {
		floor = math.Max(floor, float64(max(n-wsBurst, 0))/wsRate)
	}
	return floor
}

func runFanout(ctx context.Context, c fanoutConfig, rdb redis.UniversalClient) (FanoutResult, error) {
	res := FanoutResult{Respondents: c.respondents, ChannelRate: c.channelRate, ChannelBurst: c.channelBurst,
		WorkspaceRate: c.workspaceRate, WorkspaceBurst: c.workspaceBurst}
	fs := newSlack(ctx)
	defer fs.Close()
	users := addPeople(fs, "UF", c.respondents, "CFANOUT")
	side := addPeople(fs, "US", c.sideUsers, "CSIDE")
	if c.channelRate > 0 {
		fs.SetRateLimit("chat.postMessage", c.channelRate, c.channelBurst)
	}
	px, err := newCapProxy(ctx, fs.URL(), c.workspaceRate, c.workspaceBurst)
	if err != nil {
		return res, err
	}
	defer px.close()
	opts := c.bot
	opts.apiURL = px.url + "/api/"
	b, _, err := openBot(ctx, fs, opts)
	if err != nil {
		return res, err
	}
	defer b.close()

	// Others are mid-review while the fan-out runs; they keep clicking.
	if _, err := fs.SlashCommand(ctx, admin, leads, "/review",
		fmt.Sprintf("start %s to <#CSIDE|side> digest <#%s|cs-leadership> due 3d now", c.framework, leads)); err != nil {
		return res, err
	}
	rs, err := openSections(ctx, fs, side, 8)
	if err != nil {
		return res, err
	}
	b.hook.notifySaves(rs)
	// Let the buckets fill up again after the side review's messages.
	if c.workspaceRate > 0 {
		time.Sleep(time.Duration(float64(c.workspaceBurst)/c.workspaceRate*float64(time.Second)) + 200*time.Millisecond)
	}
	time.Sleep(time.Duration(float64(c.channelBurst)/math.Max(c.channelRate, 1)*float64(time.Second)) + 200*time.Millisecond)
	fs.ClearCalls()
	chan429, ws429 := fs.RateLimited("chat.postMessage"), px.limited.Load()
	bot429 := b.metric("assessbot_slack_calls_total", map[string]string{"method": "chat.postMessage", "outcome": "rate_limited"})
	sent0 := b.metric("assessbot_intro_dms_total", map[string]string{"outcome": "sent"})
	rt0, saves0 := b.hook.roundTrips(), b.hook.saves.Load()

	sctx, stopSide := context.WithCancel(ctx)
	defer stopSide()
	var sideWG sync.WaitGroup
	var sideMu sync.Mutex
	var sideAcks, sideDone []time.Duration
	type sideClick struct {
		at  time.Time
		ack time.Duration
	}
	var sideAll []sideClick
	var sideErrs atomic.Int64
	if len(rs) > 0 && c.sideRate > 0 {
		sideWG.Add(1)
		go func() {
			defer sideWG.Done()
			t := time.NewTicker(time.Duration(float64(time.Second) / c.sideRate))
			defer t.Stop()
			busy := make([]atomic.Bool, len(rs))
			i := 0
			for {
				select {
				case <-sctx.Done():
					return
				case <-t.C:
				}
				// The next person not waiting for their last click.
				var r *respondent
				idx := -1
				for k := 0; k < len(rs); k++ {
					j := (i + k) % len(rs)
					if !busy[j].Load() {
						r, idx = rs[j], j
						break
					}
				}
				i++
				if r == nil {
					continue
				}
				busy[idx].Store(true)
				sideWG.Add(1)
				go func() {
					defer sideWG.Done()
					defer busy[idx].Store(false)
					act := r.actions[r.k%len(r.actions)]
					r.k++
					sent := time.Now()
					ack, err := fs.Click(sctx, r.id, r.msg, act, "")
					if err != nil {
						if sctx.Err() == nil {
							sideErrs.Add(1)
						}
						return
					}
					sideMu.Lock()
					sideAcks = append(sideAcks, ack.Latency)
					sideAll = append(sideAll, sideClick{sent, ack.Latency})
					sideMu.Unlock()
					select {
					case <-r.saved:
						sideMu.Lock()
						sideDone = append(sideDone, time.Since(sent))
						sideMu.Unlock()
					case <-time.After(30 * time.Second):
						sideErrs.Add(1)
					case <-sctx.Done():
					}
				}()
			}
		}()
	}

	var cpuFile *os.File
	if c.profileDir != "" {
		if f, err := os.Create(filepath.Join(c.profileDir, "cpu-fanout.pprof")); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				cpuFile = f
			}
		}
	}
	logf("fanout: starting a review for %d respondents (workspace cap %.0f/s burst %d, per channel %.0f/s burst %d)",
		c.respondents, c.workspaceRate, c.workspaceBurst, c.channelRate, c.channelBurst)
	start := time.Now()
	if _, err := fs.SlashCommand(ctx, admin, leads, "/review",
		fmt.Sprintf("start %s to <#CFANOUT|fanout> digest <#%s|cs-leadership> due 3d now", c.framework, leads)); err != nil {
		return res, err
	}
	var end time.Time
	lastLog := time.Now()
	err = poll(ctx, c.timeout, 20*time.Millisecond, "every intro DM", func() bool {
		n := b.metric("assessbot_intro_dms_total", map[string]string{"outcome": "sent"}) - sent0
		if time.Since(lastLog) > 15*time.Second {
			logf("fanout: %.0f of %d intro DMs after %.0fs", n, c.respondents, time.Since(start).Seconds())
			lastLog = time.Now()
		}
		if int(n) >= c.respondents {
			end = time.Now()
			return true
		}
		return false
	})
	if cpuFile != nil {
		pprof.StopCPUProfile()
		cpuFile.Close()
	}
	stopSide()
	sideWG.Wait()
	b.hook.notifySaves(nil)
	if err != nil {
		res.Seconds = time.Since(start).Seconds()
		logf("fanout: %v", err)
	} else {
		res.Seconds = end.Sub(start).Seconds()
	}
	// Each side click costs 2 round trips (step 1); take them out.
	res.RoundTripsPerDM = float64(b.hook.roundTrips()-rt0-2*(b.hook.saves.Load()-saves0)) / float64(c.respondents)
	// Anything still under way (a retry) shows up as a duplicate now.
	time.Sleep(2 * time.Second)

	res.FloorSeconds = fanoutFloor(c.respondents, c.channelRate, c.channelBurst, c.workspaceRate, c.workspaceBurst)
	if res.FloorSeconds > 0 {
		res.VsFloor = res.Seconds / res.FloorSeconds
	}
	res.DMsPerSec = float64(c.respondents) / res.Seconds
	for _, u := range users {
		n := 0
		for _, m := range fs.DMs(u) {
			if strings.HasPrefix(m.Text, "You're invited to") {
				n++
			}
		}
		switch {
		case n == 0:
			res.Lost++
		case n > 1:
			res.Duplicated++
		}
	}
	res.Channel429 = fs.RateLimited("chat.postMessage") - chan429
	res.Workspace429 = px.limited.Load() - ws429
	res.BotSaw429 = b.metric("assessbot_slack_calls_total", map[string]string{"method": "chat.postMessage", "outcome": "rate_limited"}) - bot429
	res.SideClicks = summarize(sideAcks)
	for _, c := range sideAll {
		if c.at.Before(start) {
			continue
		}
		k := int(c.at.Sub(start) / (10 * time.Second))
		for len(res.SideTimeline) <= k {
			res.SideTimeline = append(res.SideTimeline, latencies{})
		}
	}
	buckets := make([][]time.Duration, len(res.SideTimeline))
	for _, c := range sideAll {
		if !c.at.Before(start) {
			k := int(c.at.Sub(start) / (10 * time.Second))
			buckets[k] = append(buckets[k], c.ack)
		}
	}
	for k := range buckets {
		res.SideTimeline[k] = summarize(buckets[k])
	}
	res.SideSaved = summarize(sideDone)
	res.SideErrors = sideErrs.Load()
	return res, err
}
