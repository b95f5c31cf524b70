package analytics

import (
	"reflect"
	"testing"
)

func TestQuintiles(t *testing.T) {
	for name, tc := range map[string]struct {
		in     []float64
		higher bool
		want   []int
	}{
		"ten distinct values": {[]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, true, []int{5, 5, 4, 4, 3, 3, 2, 2, 1, 1}},
		"lower is better":     {[]float64{1, 2, 3, 4, 5}, false, []int{5, 4, 3, 2, 1}},
		"ties share a score":  {[]float64{1, 1, 1, 1, 1, 1, 2, 3, 4, 5}, true, []int{1, 1, 1, 1, 1, 1, 4, 4, 5, 5}},
		"one customer":        {[]float64{7}, true, []int{1}},
		"empty":               {nil, true, []int{}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := Quintiles(tc.in, tc.higher); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSegmentGridCoversAllSegments(t *testing.T) {
	seen := map[string]bool{}
	for r := 1; r <= 5; r++ {
		for fm := 1; fm <= 5; fm++ {
			seen[SegmentOf(r, fm)] = true
		}
	}
	for _, s := range Segments {
		if !seen[s] {
			t.Errorf("segment %q has no cell", s)
		}
	}
	if got := len(seen); got != len(Segments) {
		t.Errorf("%d segments in the grid, want %d", got, len(Segments))
	}
	for _, c := range []struct {
		r, f, m int
		want    string
	}{
		{5, 5, 5, Champions}, {5, 1, 1, NewCustomers}, {1, 1, 1, Lost}, {1, 5, 5, CantLoseThem}, {3, 3, 3, NeedAttention}, {2, 3, 4, AtRisk},
	} {
		if got := SegmentOf(c.r, FMScore(c.f, c.m)); got != c.want {
			t.Errorf("R%d F%d M%d = %q, want %q", c.r, c.f, c.m, got, c.want)
		}
	}
}
