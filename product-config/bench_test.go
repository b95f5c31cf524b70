package productconfig

import (
	"context"
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
	t.Logf("%+v", res)
}

func BenchmarkEvaluatePC(b *testing.B) {
	e := mustCompile(b, mustPC(b))
	res, err := e.Bench(context.Background(), 50, 20, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%+v", res)
}

func BenchmarkEvaluatePCx4(b *testing.B) {
	e := mustCompile(b, Replicate(mustPC(b), 4))
	res, err := e.Bench(context.Background(), 50, 20, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%+v", res)
}
