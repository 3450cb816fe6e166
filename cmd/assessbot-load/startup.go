package main

import (
	"context"
	"runtime"
	"time"
)

// StartupResult is step 5: NewMain+Open until Socket Mode is connected,
// and the process's RSS idle right after the first start.
type StartupResult struct {
	Runs      int     `json:"runs"`
	FirstMS   float64 `json:"first_ms"`
	MedianMS  float64 `json:"median_ms"`
	MaxMS     float64 `json:"max_ms"`
	IdleRSS   int64   `json:"idle_rss_bytes"` // this process: the bot + an empty fakeslack
	IdleHWM   int64   `json:"idle_hwm_bytes"`
	IdleHeap  uint64  `json:"idle_heap_inuse_bytes"`
	IdleGorou int     `json:"idle_goroutines"`
}

func runStartup(ctx context.Context, runs int, o botOptions) (StartupResult, error) {
	res := StartupResult{Runs: runs}
	fs := newSlack(ctx)
	defer fs.Close()
	var ds []time.Duration
	for i := range runs {
		b, took, err := openBot(ctx, fs, o)
		if err != nil {
			return res, err
		}
		ds = append(ds, took)
		if i == 0 {
			time.Sleep(2 * time.Second)
			res.IdleRSS, res.IdleHWM = procStatus("self")
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			res.IdleHeap = ms.HeapInuse
			res.IdleGorou = runtime.NumGoroutine()
		}
		b.close()
	}
	res.FirstMS = ms(ds[0])
	res.MedianMS = ms(median(ds))
	mx := ds[0]
	for _, d := range ds {
		mx = max(mx, d)
	}
	res.MaxMS = ms(mx)
	return res, nil
}
