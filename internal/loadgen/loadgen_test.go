package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

func TestQuestionsNeverRepeat(t *testing.T) {
	q := NewQuestions()
	if q.Len() < 1000 {
		t.Fatalf("%d base questions, want the kb-eval sets (over 1,000)", q.Len())
	}
	n := min(q.Cap(), 300000)
	seen := make(map[string]int, n)
	for i := 0; i < n; i++ {
		s := q.Text(i)
		if j, ok := seen[s]; ok {
			t.Fatalf("question %d repeats question %d: %q", i, j, s)
		}
		seen[s] = i
	}
	if q.Cap() < 500000 {
		t.Fatalf("only %d different questions", q.Cap())
	}
}

func TestSummaryCountsFailuresAsInfinitelySlow(t *testing.T) {
	r := NewRecorder(time.Second)
	for i := 0; i < 97; i++ {
		r.Done(time.Millisecond)
	}
	r.Done(2 * time.Second) // later than the timeout
	r.Fail(Error)
	r.Fail(Lost)
	s := r.Summary()
	if s.Scheduled != 100 || s.OK != 97 || s.FailedTotal != 3 || s.Failed[Late] != 1 || s.Failed[Error] != 1 || s.Failed[Lost] != 1 {
		t.Fatalf("summary %+v", s)
	}
	if s.P50 != 1 || s.P90 != 1 || !s.P99.IsInf() || !s.Max.IsInf() {
		t.Fatalf("p50 %v p90 %v p99 %v max %v, want 1 1 inf inf", s.P50, s.P90, s.P99, s.Max)
	}
	b, _ := json.Marshal(s)
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil || !back.P99.IsInf() || back.P50 != 1 {
		t.Fatalf("round trip %s: %+v %v", b, back, err)
	}
}

func TestOpenLoopMeasuresFromTheSchedule(t *testing.T) {
	// A server that answers one request at a time, each taking 20 ms,
	// driven at 200 requests/s: requests queue behind each other, and
	// their latency from the schedule grows well past 20 ms, although
	// each call takes about 20 ms once under way.
	busy := make(chan struct{}, 1)
	r := NewRecorder(0)
	OpenLoop(context.Background(), 200, 100*time.Millisecond, 100, r, func(ctx context.Context, i int) error {
		busy <- struct{}{}
		defer func() { <-busy }()
		time.Sleep(20 * time.Millisecond)
		return nil
	})
	s := r.Summary()
	if s.Scheduled != 20 || s.OK != 20 {
		t.Fatalf("summary %+v", s)
	}
	if s.Max < 200 { // the 20th waited for 19 others
		t.Fatalf("max %v ms: queueing behind earlier requests was not counted", s.Max)
	}
}

func TestOpenLoopCountsFailures(t *testing.T) {
	r := NewRecorder(50 * time.Millisecond)
	OpenLoop(context.Background(), 100, 100*time.Millisecond, 3, r, func(ctx context.Context, i int) error {
		switch i % 3 {
		case 0:
			return errors.New("refused")
		case 1:
			<-ctx.Done() // hangs until the timeout
			return ctx.Err()
		}
		return nil
	})
	s := r.Summary()
	if s.Scheduled != 10 || s.Failed[Error] < 1 || s.Failed[Late] < 1 || s.OK+s.FailedTotal != 10 || !s.P99.IsInf() {
		t.Fatalf("summary %+v", s)
	}
}

func TestProcessCPU(t *testing.T) {
	before := ProcessCPU(os.Getpid())
	deadline := time.Now().Add(5 * time.Second)
	for ProcessCPU(os.Getpid()) <= before && time.Now().Before(deadline) {
		for i := 0; i < 1e6; i++ {
			_ = i * i
		}
	}
	if ProcessCPU(os.Getpid()) <= before {
		t.Fatal("the CPU time of this busy process did not grow")
	}
}
