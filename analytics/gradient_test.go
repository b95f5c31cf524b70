package analytics

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// TestGradients checks the analytic gradients against central differences.
func TestGradients(t *testing.T) {
	cs := []RFT{{0, 0, 30}, {2, 10.5, 38}, {5, 30, 31}, {1, 3, 12}, {2, 10.5, 38}}
	gs := newBGData(cs)
	// The grouped objective is the mean of the per-customer likelihoods.
	var sum float64
	for _, c := range cs {
		sum += bgnbdLogLik(0.24, 4.4, 0.79, 2.4, c)
	}
	if got := bgnbdObjective(gs, []float64{math.Log(0.24), math.Log(4.4), math.Log(0.79), math.Log(2.4)}, nil); math.Abs(got+sum/5) > 1e-9 {
		t.Fatalf("grouped objective %v, per-customer mean %v", got, -sum/5)
	}
	for _, p := range [][]float64{{math.Log(0.24), math.Log(4.4), math.Log(0.79), math.Log(2.4)}, {0.3, -0.2, 0.5, 1.2}} {
		got := make([]float64, 4)
		bgnbdObjective(gs, p, got)
		want := fd.Gradient(nil, func(x []float64) float64 { return bgnbdObjective(gs, x, nil) }, p, &fd.Settings{Formula: fd.Central})
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-5*math.Max(1, math.Abs(want[i])) {
				t.Errorf("BG/NBD d/dp%d = %v, finite differences %v", i, got[i], want[i])
			}
		}
	}
	ss := []Spend{{1, 20}, {3, 35.5}, {7, 12}, {3, 8}}
	d := newGGData(ss)
	// The arranged objective is the mean of the per-customer likelihoods.
	var gsum float64
	for _, s := range ss {
		gsum += ggLogLik(6, 3.7, 15, s)
	}
	if got := ggObjective(d, []float64{math.Log(6), math.Log(3.7), math.Log(15)}, nil); math.Abs(got+gsum/4) > 1e-9 {
		t.Fatalf("arranged objective %v, per-customer mean %v", got, -gsum/4)
	}
	for _, v := range [][]float64{{math.Log(6), math.Log(3.7), math.Log(15)}, {0.1, 0.9, 1.5}} {
		got := make([]float64, 3)
		ggObjective(d, v, got)
		want := fd.Gradient(nil, func(x []float64) float64 { return ggObjective(d, x, nil) }, v, &fd.Settings{Formula: fd.Central})
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-5*math.Max(1, math.Abs(want[i])) {
				t.Errorf("Gamma-Gamma d/dv%d = %v, finite differences %v", i, got[i], want[i])
			}
		}
	}
}
