package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// runBench dispatches the bench subcommands.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: frontdesk bench all|portal|search|chat|mail|echo|reports [flags]")
		return errUsage
	}
	// The benchmarks measure the server as it runs.
	if setGCPolicy(os.Getenv) {
		tuneGCPercent(ctx)
	}
	switch args[0] {
	case "portal":
		return runBenchPortal(ctx, args[1:], stdout, stderr)
	case "search":
		return runBenchSearch(ctx, args[1:], stdout, stderr)
	case "chat":
		return runBenchChat(ctx, args[1:], stdout, stderr)
	case "all":
		return runBenchAll(ctx, args[1:], stdout, stderr)
	case "echo":
		return runBenchEcho(ctx, args[1:], stdout, stderr)
	case "reports":
		return runBenchReports(ctx, args[1:], stdout, stderr)
	case "mail":
		return runBenchMail(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "frontdesk bench: unknown benchmark %q\n", args[0])
	return errUsage
}

// benchStores reads a benchmark's -stores list: sqlite, and postgres when
// there is a PostgreSQL URL to measure it on.
func benchStores(bench, list, pgURL string, stderr io.Writer) ([]string, error) {
	var kinds []string
	for _, k := range strings.Split(list, ",") {
		switch k = strings.TrimSpace(k); k {
		case "sqlite":
			kinds = append(kinds, k)
		case "postgres":
			if pgURL != "" {
				kinds = append(kinds, k)
			}
		default:
			fmt.Fprintf(stderr, "bench %s: unknown store %q (sqlite, postgres)\n", bench, k)
			return nil, errUsage
		}
	}
	return kinds, nil
}

// latencies collects request durations from many goroutines.
type latencies struct {
	mu   sync.Mutex
	d    []time.Duration
	errs atomic.Int64
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// quantile returns the q-quantile in milliseconds.
func (l *latencies) quantile(q float64) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	i := int(math.Ceil(q*float64(len(l.d)))) - 1
	if i < 0 {
		i = 0
	}
	return float64(l.d[i].Microseconds()) / 1000
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// closedLoop runs conns workers calling do back to back for d.
func closedLoop(ctx context.Context, conns int, d time.Duration, do func() error) (*latencies, time.Duration) {
	var l latencies
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t := time.Now()
				if err := do(); err != nil {
					l.errs.Add(1)
					continue
				}
				l.add(time.Since(t))
			}
		}()
	}
	wg.Wait()
	return &l, time.Since(start)
}
