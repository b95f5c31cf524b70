package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/frontdesk/frontdesk/search"
	"github.com/jackc/pgx/v5/pgxpool"
)

// searchBenchReport is the last line of "bench search".
type searchBenchReport struct {
	Bleve    search.BenchResult  `json:"bleve"`
	Postgres *search.BenchResult `json:"postgres,omitempty"`
	// Quality compares bleve's Retrieve with PostgreSQL full-text search
	// on the labelled kb-eval sets.
	Quality []searchQuality `json:"quality,omitempty"`
}

type searchQuality struct {
	Bleve    search.EvalResult `json:"bleve"`
	Postgres *pgQuality        `json:"postgres,omitempty"`
}

// runBenchSearch measures search-as-you-type on a synthetic knowledge base
// with bleve and, when a PostgreSQL URL is given, with PostgreSQL full-text
// search on the same articles and queries; then answer quality of both on
// the kb-eval sets.
func runBenchSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	articles := fs.Int("articles", 10000, "size of the synthetic knowledge base")
	rate := fs.Float64("rate", 0, "queries per second (default 500 up to 10,000 articles, else 100)")
	duration := fs.Duration("duration", 10*time.Second, "how long to drive each backend")
	pgURL := fs.String("pg", firstNonEmpty(os.Getenv("FRONTDESK_TEST_POSTGRES_URL"), os.Getenv("FRONTDESK_DATABASE_URL")),
		"PostgreSQL server URL for the full-text comparison (a scratch database is created and dropped); empty skips it")
	evalDir := fs.String("eval", "../shared/data/kb-eval", "directory of kb-eval sets (each with articles.jsonl and queries.jsonl); empty skips quality")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *rate == 0 {
		*rate = 500
		if *articles > 10000 {
			*rate = 100
		}
	}
	const seed = 1
	docs := search.GenerateKB(seed, *articles)
	queries := search.TypingPrefixes(search.GenerateQueries(seed, docs, 500), 2)
	load := search.LoadConfig{Rate: *rate, Duration: *duration, Queries: queries}

	fmt.Fprintf(stdout, "Search-as-you-type on %d synthetic articles, %.0f queries/s for %s (%d typed prefixes)\n", *articles, *rate, *duration, len(queries))
	var rep searchBenchReport
	var err error
	rep.Bleve, err = search.Bench(ctx, search.BenchConfig{Articles: *articles, Seed: seed, Load: load})
	if err != nil {
		return err
	}
	printBench(stdout, rep.Bleve)

	var pool *pgxpool.Pool
	if *pgURL != "" {
		dbURL, drop, err := scratchDatabase(ctx, *pgURL)
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		defer drop()
		// Search only reads, so durability does not change its figures;
		// the settings are named all the same.
		fsync, _ := pgSetting(ctx, dbURL, "fsync")
		sc, _ := pgSetting(ctx, dbURL, "synchronous_commit")
		fmt.Fprintf(stdout, "PostgreSQL: fsync=%s synchronous_commit=%s (full-text search only reads)\n", fsync, sc)
		pool, err = pgxpool.New(ctx, dbURL)
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		defer pool.Close()
		start := time.Now()
		if err := loadPG(ctx, pool, "kb_bench", docs); err != nil {
			return err
		}
		took := time.Since(start)
		lr, err := search.RunLoad(ctx, &pgSearcher{pool: pool, table: "kb_bench"}, load)
		if err != nil {
			return err
		}
		pg := search.BenchResult{Backend: "postgres-fts", Articles: len(docs), IndexMs: math.Round(float64(took.Microseconds())/10) / 100,
			DocsPerSec: math.Round(float64(len(docs)) / took.Seconds()), Load: lr}
		rep.Postgres = &pg
		printBench(stdout, pg)
	}

	if *evalDir != "" {
		sets, _ := filepath.Glob(filepath.Join(*evalDir, "*", "queries.jsonl"))
		for i, qf := range sets {
			dir := filepath.Dir(qf)
			docs, qs, err := readEvalFiles(filepath.Join(dir, "articles.jsonl"), qf)
			if err != nil {
				return err
			}
			q := searchQuality{}
			if q.Bleve, err = search.Evaluate(ctx, docs, qs); err != nil {
				return err
			}
			name := filepath.Base(dir)
			fmt.Fprintf(stdout, "%s (%d articles, %d queries)\n  bleve Retrieve:  overall %.3f  top-1 %.3f  MRR@10 %.3f  recall@5 %.3f  out-of-scope handed off %.3f\n",
				name, q.Bleve.Articles, q.Bleve.Queries, q.Bleve.OverallAccuracy, q.Bleve.InScopeTop1, q.Bleve.MRR10, q.Bleve.Recall5, q.Bleve.OOSRecall)
			if pool != nil {
				pq, err := evalPG(ctx, pool, fmt.Sprintf("kb_eval_%d", i), name, docs, qs)
				if err != nil {
					return err
				}
				q.Postgres = &pq
				fmt.Fprintf(stdout, "  postgres FTS:    overall %.3f (best possible threshold)  top-1 %.3f  MRR@10 %.3f  recall@5 %.3f  p50 %.2f ms  p99 %.2f ms\n",
					pq.OverallAccuracy, pq.InScopeTop1, pq.MRR10, pq.Recall5, pq.P50Ms, pq.P99Ms)
			}
			rep.Quality = append(rep.Quality, q)
		}
	}
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(b))
	return nil
}

func printBench(w io.Writer, r search.BenchResult) {
	fmt.Fprintf(w, "  %-13s index %.0f ms (%.0f docs/s); %d scheduled, %s; from the schedule: p50 %v ms  p90 %v ms  p99 %v ms  max %v ms; mean hits %.1f; load %v -> %v\n",
		r.Backend, r.IndexMs, r.DocsPerSec, r.Load.Summary.Scheduled, r.Load.Summary.FailedString(), r.Load.P50Ms, r.Load.P90Ms, r.Load.P99Ms, r.Load.MaxMs, r.Load.MeanHits,
		r.Load.Machine.LoadBefore, r.Load.Machine.LoadAfter)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
