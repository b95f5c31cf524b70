package productconfig

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

func TestRunBench_PC(t *testing.T) {
	res, err := RunBench(context.Background(), mustPC(t), 3, 10, 1)
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	if res.Steps == 0 || res.P50ms <= 0 || res.P95ms < res.P50ms || res.MaxMs < res.P95ms {
		t.Fatalf("implausible result %+v", res)
	}
}

func TestEngine_ConcurrentEvaluate(t *testing.T) {
	e := mustCompile(t, mustPC(t))
	want, err := e.Evaluate(context.Background(), []Choice{{Option: "1080-ti-series"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 5; k++ {
				st, err := e.Evaluate(context.Background(), []Choice{{Option: "1080-ti-series"}})
				if err != nil {
					errs <- err
					return
				}
				for i := range st.Options {
					if st.Options[i].Available != want.Options[i].Available || st.Options[i].Forced != want.Options[i].Forced {
						errs <- fmt.Errorf("option %s differs between runs", st.Options[i].ID)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// benchSizes are the PC model replicated 1, 2, 4 and 8 times.
var benchSizes = []int{1, 2, 4, 8}

// BenchmarkSession runs 50 random sessions of 20 steps (as the bench
// subcommand does) and reports the latency percentiles of a recompute.
func BenchmarkSession(b *testing.B) {
	pc := mustPC(b)
	for _, n := range benchSizes {
		e := mustCompile(b, Replicate(pc, n))
		b.Run(fmt.Sprintf("options=%d", len(e.Catalog().Options)), func(b *testing.B) {
			var res BenchResult
			for b.Loop() {
				var err error
				if res, err = e.Bench(context.Background(), 50, 20, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.P50ms, "p50_ms")
			b.ReportMetric(res.P95ms, "p95_ms")
			b.ReportMetric(res.MaxMs, "max_ms")
			b.ReportMetric(res.SATCalls, "sat_calls")
		})
	}
}

// BenchmarkEvaluate times one recompute after three choices.
func BenchmarkEvaluate(b *testing.B) {
	pc := mustPC(b)
	for _, n := range benchSizes {
		c := Replicate(pc, n)
		e := mustCompile(b, c)
		choices := []Choice{{Option: "n1-1080-ti-series"}, {Option: "n1-stufe-3"}}
		if n > 1 {
			choices = append(choices, Choice{Option: fmt.Sprintf("n%d-i3-7100-kaby-lake", n)})
		}
		b.Run(fmt.Sprintf("options=%d", len(c.Options)), func(b *testing.B) {
			for b.Loop() {
				if _, err := e.Evaluate(context.Background(), choices); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkComplete times the cheapest completion of the PC model.
func BenchmarkComplete(b *testing.B) {
	e := mustCompile(b, mustPC(b))
	for b.Loop() {
		if _, err := e.Complete(context.Background(), nil, CompleteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
