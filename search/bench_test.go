package search

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user and system, all threads) the process has
// used so far. On a shared, loaded machine wall-clock ns/op mostly measures
// the other tenants; CPU time per op measures the code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds a cpu-ns/op metric to a benchmark; call it after setup.
func reportCPU(b *testing.B) {
	b.Helper()
	start := cpuTime()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	})
}

var benchIndexes sync.Map // articles -> *Index, shared by benchmarks of one run

func benchIndex(b *testing.B, n int) (*Index, []string) {
	b.Helper()
	docs := GenerateKB(1, n)
	qs := TypingPrefixes(GenerateQueries(1, docs, 200), 2)
	if v, ok := benchIndexes.Load(n); ok {
		return v.(*Index), qs
	}
	ix, err := Open(b.TempDir(), Config{})
	if err != nil {
		b.Fatal(err)
	}
	if err := ix.Rebuild(context.Background(), docs); err != nil {
		b.Fatal(err)
	}
	benchIndexes.Store(n, ix)
	return ix, qs
}

func BenchmarkSearchAsYouType10k(b *testing.B) {
	ix, qs := benchIndex(b, 10000)
	ctx := context.Background()
	reportCPU(b)
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(ctx, Query{Text: qs[i%len(qs)], AsYouType: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRetrieve10k(b *testing.B) {
	ix, _ := benchIndex(b, 10000)
	qs := GenerateQueries(2, GenerateKB(1, 10000), 200)
	ctx := context.Background()
	reportCPU(b)
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Retrieve(ctx, Question{Text: qs[i%len(qs)]}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIndex1k(b *testing.B) {
	docs := GenerateKB(1, 1000)
	reportCPU(b)
	for b.Loop() {
		ix, err := NewMemory(Config{})
		if err != nil {
			b.Fatal(err)
		}
		if err := ix.Rebuild(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

func BenchmarkSearchAsYouTypeNoHighlight10k(b *testing.B) {
	ix, qs := benchIndex(b, 10000)
	ctx := context.Background()
	reportCPU(b)
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(ctx, Query{Text: qs[i%len(qs)], AsYouType: true, NoHighlight: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchAsYouTypeUncached10k is the cost of a query the result
// cache has not seen.
func BenchmarkSearchAsYouTypeUncached10k(b *testing.B) {
	ix, qs := benchIndex(b, 10000)
	cache := ix.cache
	ix.cache = nil
	b.Cleanup(func() { ix.cache = cache })
	ctx := context.Background()
	reportCPU(b)
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(ctx, Query{Text: qs[i%len(qs)], AsYouType: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRebuild10kDisk builds an on-disk index as Bench and start-up do.
func BenchmarkRebuild10kDisk(b *testing.B) {
	docs := GenerateKB(1, 10000)
	reportCPU(b)
	for b.Loop() {
		ix, err := Open(b.TempDir(), Config{})
		if err != nil {
			b.Fatal(err)
		}
		if err := ix.Rebuild(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}
