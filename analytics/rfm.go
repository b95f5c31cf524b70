package analytics

import (
	"sort"
)

// Segment names, in the order pages list them (most valuable first).
const (
	Champions          = "Champions"
	Loyal              = "Loyal"
	PotentialLoyalists = "Potential loyalists"
	NewCustomers       = "New"
	Promising          = "Promising"
	NeedAttention      = "Need attention"
	AboutToSleep       = "About to sleep"
	AtRisk             = "At risk"
	CantLoseThem       = "Can't lose them"
	Hibernating        = "Hibernating"
	Lost               = "Lost"
)

// Segments lists every segment in display order.
var Segments = []string{Champions, Loyal, PotentialLoyalists, NewCustomers, Promising, NeedAttention, AboutToSleep, AtRisk, CantLoseThem, Hibernating, Lost}

// segmentGrid maps a recency score (row, 5 = most recent, top) and the
// frequency-monetary score (column, 1 to 5) to a segment. Every cell has
// exactly one segment, so every customer lands in one.
var segmentGrid = [5][5]string{
	// FM:  1              2                   3                   4             5
	/*R5*/ {NewCustomers, PotentialLoyalists, PotentialLoyalists, Champions, Champions},
	/*R4*/ {Promising, PotentialLoyalists, PotentialLoyalists, Loyal, Champions},
	/*R3*/ {Promising, AboutToSleep, NeedAttention, Loyal, Loyal},
	/*R2*/ {Hibernating, Hibernating, AtRisk, AtRisk, CantLoseThem},
	/*R1*/ {Lost, Lost, AtRisk, CantLoseThem, CantLoseThem},
}

// SegmentOf names the segment of recency score r and frequency-monetary
// score fm (both 1 to 5).
func SegmentOf(r, fm int) string {
	r, fm = min(max(r, 1), 5), min(max(fm, 1), 5)
	return segmentGrid[5-r][fm-1]
}

// FMScore combines frequency and monetary scores, rounding half up.
func FMScore(f, m int) int { return (f + m + 1) / 2 }

// Quintiles scores values from 1 to 5 by rank: the lowest fifth get 1, the
// highest 5. Equal values get the same score (that of the first of them),
// so a value shared by many customers does not split across scores. With
// higherIsBetter false the order is reversed (for recency in days).
func Quintiles(values []float64, higherIsBetter bool) []int {
	n := len(values)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if higherIsBetter {
			return values[idx[a]] < values[idx[b]]
		}
		return values[idx[a]] > values[idx[b]]
	})
	out := make([]int, n)
	for pos := 0; pos < n; {
		end := pos
		for end < n && values[idx[end]] == values[idx[pos]] {
			end++
		}
		score := 1 + pos*5/n
		for k := pos; k < end; k++ {
			out[idx[k]] = score
		}
		pos = end
	}
	return out
}
