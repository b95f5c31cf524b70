package search

import (
	"context"
	"fmt"
	"math"
	"os"
	"sync"
	"time"
)

// LoadConfig drives a Searcher at a fixed rate.
type LoadConfig struct {
	// Rate is the number of queries started per second. Default: 500.
	Rate float64
	// Duration is how long to drive. Default: 10s.
	Duration time.Duration
	// Queries are sent in order, cycling; required.
	Queries []string
	// Locale and Size are passed on every query. Size default: 10.
	Locale string
	Size   int
	// MaxInFlight bounds concurrent queries; when reached, a query counts
	// as dropped rather than piling up goroutines. Default: 1000.
	MaxInFlight int
}

// LoadResult reports an open-loop run. Latencies are measured from each
// query's scheduled start, so a stalled backend cannot hide its queueing
// (no coordinated omission).
type LoadResult struct {
	Rate     float64 `json:"rate"`
	Seconds  float64 `json:"seconds"`
	Sent     int     `json:"sent"`
	Errors   int     `json:"errors"`
	Dropped  int     `json:"dropped"`
	P50Ms    float64 `json:"p50_ms"`
	P90Ms    float64 `json:"p90_ms"`
	P99Ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
	MeanHits float64 `json:"mean_hits"`
}

// RunLoad sends as-you-type queries to s at a fixed rate (open loop) and
// reports latency percentiles.
func RunLoad(ctx context.Context, s Searcher, cfg LoadConfig) (LoadResult, error) {
	if cfg.Rate == 0 {
		cfg.Rate = 500
	}
	if cfg.Duration == 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Size == 0 {
		cfg.Size = 10
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = 1000
	}
	if len(cfg.Queries) == 0 {
		return LoadResult{}, fmt.Errorf("run load: no queries")
	}
	total := int(cfg.Rate * cfg.Duration.Seconds())
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	lat := make([]float64, 0, total)
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		errs     int
		dropped  int
		hits     int
		firstErr error
	)
	sem := make(chan struct{}, cfg.MaxInFlight)
	start := time.Now()
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				wg.Wait()
				return LoadResult{}, fmt.Errorf("run load: %w", ctx.Err())
			case <-t.C:
			}
		}
		select {
		case sem <- struct{}{}:
		default:
			mu.Lock()
			dropped++
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func(text string, due time.Time) {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := s.Search(ctx, Query{Text: text, Locale: cfg.Locale, AsYouType: true, Size: cfg.Size})
			ms := float64(time.Since(due).Nanoseconds()) / 1e6
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs++
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			hits += len(res.Hits)
			lat = append(lat, ms)
		}(cfg.Queries[i%len(cfg.Queries)], due)
	}
	wg.Wait()
	out := LoadResult{
		Rate: cfg.Rate, Seconds: math.Round(time.Since(start).Seconds()*100) / 100,
		Sent: total - dropped, Errors: errs, Dropped: dropped,
	}
	if len(lat) > 0 {
		out.MeanHits = math.Round(float64(hits)/float64(len(lat))*100) / 100
	}
	out.P50Ms = percentile(lat, 50)
	out.P90Ms = percentile(lat, 90)
	out.P99Ms = percentile(lat, 99)
	out.MaxMs = percentile(lat, 100)
	if errs > 0 && errs == total-dropped {
		return out, fmt.Errorf("run load: every query failed: %w", firstErr)
	}
	return out, nil
}

// BenchConfig describes a search-as-you-type benchmark on a synthetic KB.
type BenchConfig struct {
	// Articles is the size of the synthetic knowledge base. Default: 10000.
	Articles int
	// Seed makes the KB and the queries reproducible. Default: 1.
	Seed uint64
	// Dir holds the on-disk index (as in production); default: a
	// temporary directory removed afterwards.
	Dir string
	// Load drives the queries; its Queries default to typed prefixes of
	// generated questions.
	Load LoadConfig
}

// BenchResult is the JSON report of Bench.
type BenchResult struct {
	Backend    string     `json:"backend"`
	Articles   int        `json:"articles"`
	IndexMs    float64    `json:"index_ms"`
	DocsPerSec float64    `json:"docs_per_sec"`
	Load       LoadResult `json:"load"`
}

// Bench generates a synthetic KB, indexes it with bleve and drives
// search-as-you-type queries against it at a fixed rate.
func Bench(ctx context.Context, cfg BenchConfig) (BenchResult, error) {
	if cfg.Articles == 0 {
		cfg.Articles = 10000
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	docs := GenerateKB(cfg.Seed, cfg.Articles)
	dir := cfg.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "frontdesk-bench-*")
		if err != nil {
			return BenchResult{}, fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	ix, err := Open(dir, Config{})
	if err != nil {
		return BenchResult{}, fmt.Errorf("bench: %w", err)
	}
	defer ix.Close()
	start := time.Now()
	if err := ix.Rebuild(ctx, docs); err != nil {
		return BenchResult{}, fmt.Errorf("bench: %w", err)
	}
	took := time.Since(start)
	if len(cfg.Load.Queries) == 0 {
		cfg.Load.Queries = TypingPrefixes(GenerateQueries(cfg.Seed, docs, 500), 2)
	}
	lr, err := RunLoad(ctx, ix, cfg.Load)
	if err != nil {
		return BenchResult{}, fmt.Errorf("bench: %w", err)
	}
	return BenchResult{
		Backend:    "bleve",
		Articles:   len(docs),
		IndexMs:    math.Round(float64(took.Microseconds())/10) / 100,
		DocsPerSec: math.Round(float64(len(docs)) / took.Seconds()),
		Load:       lr,
	}, nil
}
