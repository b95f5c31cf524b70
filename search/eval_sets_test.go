package search

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// evalDir is where the development sets are: beside the repository's
// checkout, or beside a worktree's parent directory.
var evalDir = func() string {
	for _, d := range []string{"../../shared/data/kb-eval", "../../../shared/data/kb-eval"} {
		if _, err := os.Stat(d); err == nil {
			return d
		}
	}
	return "../../shared/data/kb-eval"
}()

// TestEvaluateSharedSets runs the development sets through Evaluate and
// holds the quality reached; retrieval is deterministic, so the floors are
// exact regressions, not flaky timing.
func TestEvaluateSharedSets(t *testing.T) {
	if _, err := os.Stat(evalDir); err != nil {
		t.Skipf("no eval sets: %v", err)
	}
	// Each set must also beat "always hand off" (its share of
	// out-of-scope queries: 144/397 and 100/700), and the confidence must
	// read as a probability: expected calibration error at most maxECE.
	tests := []struct {
		set        string
		minOverall float64
		minTop1    float64
		minOOS     float64
		maxECE     float64
	}{
		{"hint3-sofmattress", 0.758, 0.850, 0.75, 0.07},
		{"clinc150-banking", 0.922, 0.937, 0.90, 0.10},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			docs, qs, err := LoadEvalSet(filepath.Join(evalDir, tt.set))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Evaluate(context.Background(), docs, qs)
			if err != nil {
				t.Fatal(err)
			}
			j, _ := json.Marshal(res)
			t.Logf("%s", j)
			if got := res.OverallAccuracy; got < tt.minOverall {
				t.Errorf("overall_accuracy=%.4f, want >= %.4f", got, tt.minOverall)
			}
			if got := res.InScopeTop1; got < tt.minTop1 {
				t.Errorf("in_scope_top1=%.4f, want >= %.4f", got, tt.minTop1)
			}
			if got := res.OOSRecall; got < tt.minOOS {
				t.Errorf("oos_recall=%.4f, want >= %.4f", got, tt.minOOS)
			}
			var oos int
			for _, q := range qs {
				if q.Expect == "" {
					oos++
				}
			}
			if got, handOff := res.OverallAccuracy, float64(oos)/float64(len(qs)); got <= handOff {
				t.Errorf("overall_accuracy=%.4f, no better than always handing off (%.4f)", got, handOff)
			}
			if got := res.ECE; got > tt.maxECE {
				t.Errorf("ece=%.4f, want <= %.4f", got, tt.maxECE)
			}
		})
	}
}
