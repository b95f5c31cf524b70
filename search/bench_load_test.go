package search

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// failingSearcher fails every fifth query and hangs on every fifth other
// one until its context ends.
type failingSearcher struct{ n atomic.Int64 }

func (f *failingSearcher) Search(ctx context.Context, q Query) (Result, error) {
	switch f.n.Add(1) % 5 {
	case 1:
		return Result{}, errors.New("backend down")
	case 2:
		<-ctx.Done()
		return Result{}, ctx.Err()
	}
	return Result{Hits: []Hit{{}}}, nil
}

// TestRunLoadCountsFailures: failed and hanging queries are counted,
// by kind, and the percentiles they fall on are infinite. The timeout is
// long beside the schedule, so that a busy machine starting a query late
// does not make an answered one late.
func TestRunLoadCountsFailures(t *testing.T) {
	res, err := RunLoad(context.Background(), &failingSearcher{}, LoadConfig{Rate: 100, Duration: 200 * time.Millisecond,
		Queries: []string{"a"}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Scheduled != 20 || res.Errors != 4 || res.Late != 4 || res.Summary.OK != 12 {
		t.Fatalf("counted %+v, want 20 scheduled: 4 errors, 4 late, 12 answered", res.Summary)
	}
	if !res.P99Ms.IsInf() || res.P50Ms.IsInf() {
		t.Fatalf("p50 %v, p99 %v: want p50 finite, p99 inf", res.P50Ms, res.P99Ms)
	}
}
