package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"time"

	"github.com/frontdesk/frontdesk/internal/loadgen"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/inbound"
)

// mailBenchResult is one store's run of `bench mail`.
type mailBenchResult struct {
	Store    string             `json:"store"`
	Rate     float64            `json:"rate"`
	Seconds  float64            `json:"seconds"`
	Result   inbound.LoadResult `json:"result"`
	Accepted int                `json:"accepted"`
	// Misfiled counts accepted messages not found in their case (lost,
	// or threaded into another); Duplicated, cases opened more than once.
	Misfiled int             `json:"misfiled"`
	ByToken  int             `json:"threaded_by_token"`
	ByHeader int             `json:"threaded_by_header"`
	NewCases int             `json:"new_cases"`
	Postgres *benchPG        `json:"postgres,omitempty"`
	Machine  loadgen.Machine `json:"machine"`
}

// runBenchMail measures inbound mail: messages at a fixed rate against
// `frontdesk serve` (a child process) through its SMTP listener, a third
// opening cases, a third answering by In-Reply-To, a third by reply
// token; the latency of each runs from its scheduled send to its 250.
// After the run every accepted message is looked up in its case.
func runBenchMail(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench mail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rate := fs.Float64("rate", 50, "messages per second")
	duration := fs.Duration("duration", 20*time.Second, "length of the run")
	timeout := fs.Duration("timeout", 5*time.Second, "a 250 later than this after the scheduled send counts as failed")
	inflight := fs.Int("max-in-flight", 200, "messages in flight at most; one due beyond it counts as failed (overload)")
	pgURL := fs.String("postgres-url", os.Getenv("FRONTDESK_TEST_POSTGRES_URL"), "PostgreSQL admin URL; a scratch database is created and dropped (empty: SQLite only)")
	durable := fs.Bool("durable", true, "PostgreSQL with fsync and synchronous_commit on (starts its own cluster when the server has fsync off)")
	storesFlag := fs.String("stores", "sqlite,postgres", "stores to measure, comma-separated (postgres only with a PostgreSQL URL)")
	if err := fs.Parse(args); err != nil || *rate <= 0 || *duration <= 0 {
		return errUsage
	}
	kinds, err := benchStores("mail", *storesFlag, *pgURL, stderr)
	if err != nil {
		return err
	}
	var results []mailBenchResult
	for _, kind := range kinds {
		r, err := benchMailStore(ctx, kind, *pgURL, *durable, *rate, *duration, *timeout, *inflight, stdout)
		if err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		s := r.Result
		fmt.Fprintf(stdout, "%-8s %5.0f msg/s for %.0f s: %d accepted, scheduled->250 p50 %s p99 %s max %s ms, DATA->250 p50 %s p99 %s ms, %s; %d new cases, %d by In-Reply-To, %d by token, %d misfiled; load %s -> %s\n",
			kind, r.Rate, r.Seconds, r.Accepted, s.Total.P50, s.Total.P99, s.Total.Max, s.Data.P50, s.Data.P99, s.Total.FailedString(),
			r.NewCases, r.ByHeader, r.ByToken, r.Misfiled, r.Machine.LoadBefore, r.Machine.LoadAfter)
		results = append(results, r)
	}
	b, _ := json.Marshal(results)
	fmt.Fprintln(stdout, string(b))
	return nil
}

func benchMailStore(ctx context.Context, kind, pgURL string, durable bool, rate float64, d, timeout time.Duration, inflight int, out io.Writer) (mailBenchResult, error) {
	res := mailBenchResult{Store: kind, Rate: rate, Seconds: d.Seconds(), Machine: loadgen.Machine{CPUs: runtime.NumCPU()}}
	dir, err := os.MkdirTemp("", "frontdesk-bench-mail-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	cfg := ConfigFromEnv(func(string) string { return "" })
	cfg.DataDir = dir
	if kind == "postgres" {
		dbURL, info, drop, err := benchPostgres(ctx, pgURL, durable, out)
		if err != nil {
			return res, err
		}
		defer drop()
		res.Postgres = &info
		cfg.DatabaseURL = dbURL
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	smtpAddr := ln.Addr().String()
	ln.Close()
	const support = "support@shop.example"
	_, stop, err := startServeProcess(ctx, cfg, "FRONTDESK_SMTP_LISTEN="+smtpAddr, "FRONTDESK_SUPPORT_ADDRESS="+support)
	if err != nil {
		return res, err
	}
	defer stop()
	token := func(ctx context.Context, messageID string) (string, error) {
		c, err := store.FindCaseByMessageID(ctx, messageID)
		if err != nil {
			return "", err
		}
		return c.Token, nil
	}
	res.Machine.LoadBefore = loadgen.ReadLoad()
	res.Result = inbound.Load(ctx, inbound.LoadConfig{Addr: smtpAddr, Support: support, Rate: rate, Duration: d, Timeout: timeout,
		MaxInFlight: inflight, Token: token, Tag: fmt.Sprint(time.Now().UnixNano())})
	res.Machine.LoadAfter = loadgen.ReadLoad()
	// Every accepted message must be in the case its thread opened.
	for _, m := range res.Result.Messages {
		if !m.Accepted {
			continue
		}
		res.Accepted++
		got, err := store.FindCaseByMessageID(ctx, m.MessageID)
		root, rerr := store.FindCaseByMessageID(ctx, m.Root)
		switch {
		case err != nil || rerr != nil || got.ID != root.ID:
			res.Misfiled++
		case m.MessageID == m.Root:
			res.NewCases++
		case m.ByToken:
			res.ByToken++
		default:
			res.ByHeader++
		}
	}
	if _, n, err := store.FindCases(ctx, portal.CaseFilter{Limit: 1}); err == nil && n != res.NewCases {
		res.Misfiled += n - res.NewCases
	}
	return res, nil
}
