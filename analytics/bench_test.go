package analytics

import (
	"strconv"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// BenchmarkBuildReport100k scores and fits 100,000 simulated customers
// (about a million transactions over two years), the model side of the
// issue's "full RFM + CLV refit" target; reading the aggregates from the
// store is separate. Run: go test ./analytics -run x -bench BuildReport -benchtime 1x
func BenchmarkBuildReport100k(b *testing.B) {
	txs := simulate(11, 100_000, 0.9, 3, 0.5, 6, 6, 4, 15)
	per := map[string]*portal.CustomerOrderStats{}
	days := map[string]map[int64]int64{}
	for _, t := range txs {
		s := per[t.CustomerID]
		if s == nil {
			id, _ := strconv.ParseInt(t.CustomerID[1:], 10, 64)
			s = &portal.CustomerOrderStats{CustomerID: id + 1, FirstDay: t.Date, LastDay: t.Date}
			per[t.CustomerID] = s
			days[t.CustomerID] = map[int64]int64{}
		}
		s.Orders++
		m := int64(t.Amount * 100)
		s.RevenueMinor += m
		days[t.CustomerID][t.Date.Unix()] += m
		if t.Date.Before(s.FirstDay) {
			s.FirstDay = t.Date
		}
		if t.Date.After(s.LastDay) {
			s.LastDay = t.Date
		}
	}
	stats := make([]portal.CustomerOrderStats, 0, len(per))
	for id, s := range per {
		s.Days = len(days[id])
		s.FirstDayMinor = days[id][s.FirstDay.Unix()]
		stats = append(stats, *s)
	}
	b.Logf("%d customers, %d transactions", len(stats), len(txs))
	now := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := BuildReport(stats, now, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(rep.Took.Seconds(), "s/refit")
		b.Logf("took %v, repeat %d, r=%.3f alpha=%.3f a=%.3f b=%.3f", rep.Took, rep.CLV.RepeatCustomers, rep.CLV.BGNBD.R, rep.CLV.BGNBD.Alpha, rep.CLV.BGNBD.A, rep.CLV.BGNBD.B)
	}
}
