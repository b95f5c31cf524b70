package search

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/loadgen"
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
	// MaxInFlight bounds concurrent queries; a query due when that many
	// are under way is not sent and counts as failed. Default: 1000.
	MaxInFlight int
	// Timeout: a query answered later than this (from its scheduled
	// start) counts as failed. Default: 10s.
	Timeout time.Duration
}

// LoadResult reports an open-loop run (internal/loadgen's counting).
// Latencies are measured from each query's scheduled start, so a stalled
// backend cannot hide its queueing (no coordinated omission); failed,
// dropped and late queries count as infinitely slow in the percentiles
// ("inf" in JSON).
type LoadResult struct {
	Rate     float64        `json:"rate"`
	Seconds  float64        `json:"seconds"`
	Sent     int            `json:"sent"`
	Errors   int            `json:"errors"`
	Dropped  int            `json:"dropped"`
	Late     int            `json:"late"`
	P50Ms    loadgen.Millis `json:"p50_ms"`
	P90Ms    loadgen.Millis `json:"p90_ms"`
	P99Ms    loadgen.Millis `json:"p99_ms"`
	MaxMs    loadgen.Millis `json:"max_ms"`
	MeanHits float64        `json:"mean_hits"`
	// Summary is the full count; Machine the load around the run.
	Summary loadgen.Summary `json:"summary"`
	Machine loadgen.Machine `json:"machine"`
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
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if len(cfg.Queries) == 0 {
		return LoadResult{}, fmt.Errorf("run load: no queries")
	}
	var (
		mu       sync.Mutex
		hits     int
		answered int
		firstErr error
	)
	rec := loadgen.NewRecorder(cfg.Timeout)
	machine := loadgen.Machine{CPUs: runtime.NumCPU(), LoadBefore: loadgen.ReadLoad()}
	start := time.Now()
	loadgen.OpenLoop(ctx, cfg.Rate, cfg.Duration, cfg.MaxInFlight, rec, func(ctx context.Context, i int) error {
		res, err := s.Search(ctx, Query{Text: cfg.Queries[i%len(cfg.Queries)], Locale: cfg.Locale, AsYouType: true, Size: cfg.Size})
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return err
		}
		hits += len(res.Hits)
		answered++
		return nil
	})
	machine.LoadAfter = loadgen.ReadLoad()
	if err := ctx.Err(); err != nil {
		return LoadResult{}, fmt.Errorf("run load: %w", err)
	}
	sum := rec.Summary()
	out := LoadResult{
		Rate: cfg.Rate, Seconds: math.Round(time.Since(start).Seconds()*100) / 100,
		Sent: int(sum.Scheduled - sum.Failed[loadgen.Overload]), Errors: int(sum.Failed[loadgen.Error]),
		Dropped: int(sum.Failed[loadgen.Overload]), Late: int(sum.Failed[loadgen.Late]),
		P50Ms: sum.P50, P90Ms: sum.P90, P99Ms: sum.P99, MaxMs: sum.Max,
		Summary: sum, Machine: machine,
	}
	if answered > 0 {
		out.MeanHits = math.Round(float64(hits)/float64(answered)*100) / 100
	}
	if sum.OK == 0 && firstErr != nil {
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
