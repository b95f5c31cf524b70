package search

import (
	"context"
	"encoding/json"
	"flag"
	"testing"
	"time"
)

var benchLoad = flag.Int("search.bench", 0, "run the load benchmark with this many articles")

// TestBenchLoad is the manual entry to the load benchmark:
// go test ./search -run TestBenchLoad -search.bench 10000 -v
func TestBenchLoad(t *testing.T) {
	if *benchLoad == 0 {
		t.Skip("set -search.bench N to run")
	}
	rate := 500.0
	if *benchLoad > 20000 {
		rate = 100
	}
	res, err := Bench(context.Background(), BenchConfig{Articles: *benchLoad, Load: LoadConfig{Rate: rate, Duration: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(res)
	t.Logf("%s", j)
}
