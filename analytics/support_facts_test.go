package analytics

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestBucketIndexerUTCMatchesLookup: the arithmetic index of UTC buckets
// agrees with looking the bucket's start up, by day and by week, at the
// edges of buckets and outside the range.
func TestBucketIndexerUTCMatchesLookup(t *testing.T) {
	from := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC) // a Wednesday
	to := from.AddDate(0, 0, 60)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, weekly := range []bool{false, true} {
		starts := bucketStarts(from, to, time.UTC, weekly)
		fast := bucketIndexer(starts, time.UTC, weekly)
		bucketOf := bucketer(time.UTC, weekly)
		index := map[time.Time]int{}
		for i, b := range starts {
			index[b] = i
		}
		slow := func(tm time.Time) (int, bool) { i, ok := index[bucketOf(tm)]; return i, ok }
		check := func(tm time.Time) {
			fi, fok := fast(tm)
			si, sok := slow(tm)
			if fok != sok || fok && fi != si {
				t.Fatalf("weekly %v, %v: arithmetic %d %v, lookup %d %v", weekly, tm, fi, fok, si, sok)
			}
		}
		for _, b := range starts {
			check(b)
			check(b.Add(-time.Microsecond))
			check(b.Add(time.Microsecond))
		}
		check(to)
		check(from.AddDate(0, 0, -8))
		for range 2000 {
			check(from.AddDate(0, 0, -10).Add(time.Duration(rng.Int64N(int64(80 * 24 * time.Hour)))))
		}
	}
}
