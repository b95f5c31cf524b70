package productconfig

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"time"
)

// BenchResult reports the time to recompute every option's state after a
// choice, over random interactive sessions.
type BenchResult struct {
	Model    string  `json:"model"`
	Options  int     `json:"options"`
	Vars     int     `json:"vars"` // SAT variables including auxiliaries
	Sessions int     `json:"sessions"`
	Steps    int     `json:"steps"` // evaluations timed
	P50ms    float64 `json:"p50_ms"`
	P95ms    float64 `json:"p95_ms"`
	MaxMs    float64 `json:"max_ms"`
	SATCalls float64 `json:"sat_calls_mean"`
}

// RunBench compiles cat and runs sessions random sessions of up to steps
// choices each: every step picks a random available, undecided option
// (one in five is excluded rather than chosen) and times the full
// recompute of all option states. The same seed gives the same sessions.
func RunBench(ctx context.Context, cat *Catalog, sessions, steps int, seed int64) (BenchResult, error) {
	e, err := Compile(cat)
	if err != nil {
		return BenchResult{}, fmt.Errorf("bench: %w", err)
	}
	return e.Bench(ctx, sessions, steps, seed)
}

// Bench is RunBench on an already compiled engine.
func (e *Engine) Bench(ctx context.Context, sessions, steps int, seed int64) (BenchResult, error) {
	rng := rand.New(rand.NewSource(seed))
	res := BenchResult{Model: e.m.cat.Name, Options: len(e.m.cat.Options), Vars: e.m.nvars, Sessions: sessions}
	var times []float64
	calls := 0
	for s := 0; s < sessions; s++ {
		var choices []Choice
		st, err := e.Evaluate(ctx, nil)
		if err != nil {
			return res, fmt.Errorf("bench: session %d: %w", s, err)
		}
		for k := 0; k < steps; k++ {
			var open []int
			for i, o := range st.Options {
				if o.Available && !o.Chosen && !o.Forced {
					open = append(open, i)
				}
			}
			if len(open) == 0 {
				break
			}
			c := Choice{Option: st.Options[open[rng.Intn(len(open))]].ID, Exclude: rng.Intn(5) == 0}
			choices = append(choices, c)
			t0 := time.Now()
			st, err = e.Evaluate(ctx, choices)
			if err != nil {
				return res, fmt.Errorf("bench: session %d step %d: %w", s, k, err)
			}
			times = append(times, float64(time.Since(t0).Microseconds())/1000)
			calls += st.SATCalls
		}
	}
	res.Steps = len(times)
	if len(times) == 0 {
		return res, nil
	}
	sort.Float64s(times)
	pct := func(p float64) float64 { return times[int(p*float64(len(times)-1)+0.5)] }
	res.P50ms, res.P95ms, res.MaxMs = pct(0.50), pct(0.95), times[len(times)-1]
	res.SATCalls = float64(calls) / float64(len(times))
	return res, nil
}
