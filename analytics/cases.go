package analytics

import (
	"sort"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// CasePeriod sums up the cases opened in one period. Times are business
// time on the calendar of each case's priority (its SLA calendar).
type CasePeriod struct {
	From, To time.Time
	Opened   int
	// ByChannel counts the opened cases by channel.
	ByChannel map[string]int
	// Responded got a first reply; the first-response times run from
	// opening to it.
	Responded                             int
	FirstResponseMedian, FirstResponseP90 time.Duration
	// Solved are solved or closed (merged duplicates left out); the
	// resolution times run from opening to solving, waits on the
	// customer included.
	Solved                          int
	ResolutionMedian, ResolutionP90 time.Duration
	// SLA attainment. A first-response target is decided when the case
	// was answered, or when its due time passed without an answer;
	// FirstResponseMet of the decided ones met it. A resolution target
	// is decided when the case was solved, or when its clock (which
	// pauses while the case waits on the customer) ran past the target.
	FirstResponseDecided, FirstResponseMet int
	ResolutionDecided, ResolutionMet       int
	// Next responses: each wait of the customer for a further answer (a
	// case has none, one or many) is decided when it was answered, or when
	// its due time passed unanswered (by now, or by the case's solving).
	NextResponseDecided, NextResponseMet int
	Buckets                              []CaseBucket
}

// CaseBucket is one day or week of a CasePeriod.
type CaseBucket struct {
	Start  time.Time
	Opened int
	// Met and Breached count the decided targets of the cases opened in
	// the bucket.
	FirstResponseMet, FirstResponseBreached int
	NextResponseMet, NextResponseBreached   int
	ResolutionMet, ResolutionBreached       int
	// Medians of the bucket's first-response and resolution times; the
	// counts say how many there were (0: none, no median).
	Responded, Solved                     int
	FirstResponseMedian, ResolutionMedian time.Duration
	frts, ress                            []time.Duration
}

// FirstResponseAttainment is the share of decided first-response targets met.
func (p CasePeriod) FirstResponseAttainment() float64 {
	return Rate(p.FirstResponseMet, p.FirstResponseDecided)
}

// NextResponseAttainment is the share of decided next-response targets met.
func (p CasePeriod) NextResponseAttainment() float64 {
	return Rate(p.NextResponseMet, p.NextResponseDecided)
}

// ResolutionAttainment is the share of decided resolution targets met.
func (p CasePeriod) ResolutionAttainment() float64 { return Rate(p.ResolutionMet, p.ResolutionDecided) }

// SummarizeCases sums up the cases created in [from, to), bucketed like
// SummarizeSupport, against the SLA settings (targets and calendars by
// priority) at now.
func SummarizeCases(cs []portal.CaseStat, from, to time.Time, weekly bool, loc *time.Location, set *portal.SLASettings, now time.Time) CasePeriod {
	p := CasePeriod{From: from, To: to, ByChannel: map[string]int{}}
	bucketOf := bucketer(loc, weekly)
	index := map[time.Time]int{}
	for _, b := range bucketStarts(from, to, loc, weekly) {
		index[b] = len(p.Buckets)
		p.Buckets = append(p.Buckets, CaseBucket{Start: b})
	}
	var frts, ress []time.Duration
	for _, c := range cs {
		if c.CreatedAt.Before(from) || !c.CreatedAt.Before(to) {
			continue
		}
		p.Opened++
		p.ByChannel[c.Channel]++
		bi, ok := index[bucketOf(c.CreatedAt)]
		b := &CaseBucket{}
		if ok {
			b = &p.Buckets[bi]
		}
		b.Opened++
		if c.Merged {
			continue // a duplicate: its thread went on in another case
		}
		pol, cal := set.ForSegment(c.Priority, c.Segment)
		done := (c.Status == portal.CaseSolved || c.Status == portal.CaseClosed) && c.SolvedAt != nil
		// First response.
		if c.FirstResponseAt != nil && !c.FirstResponseAt.Before(c.CreatedAt) {
			p.Responded++
			d := cal.Between(c.CreatedAt, *c.FirstResponseAt)
			frts = append(frts, d)
			b.frts = append(b.frts, d)
			if pol.FirstResponse > 0 {
				p.FirstResponseDecided++
				if d <= pol.FirstResponse {
					p.FirstResponseMet++
					b.FirstResponseMet++
				} else {
					b.FirstResponseBreached++
				}
			}
		} else if c.FirstResponseAt == nil && pol.FirstResponse > 0 {
			end := now
			if done {
				end = *c.SolvedAt
			}
			if !end.Before(cal.Add(c.CreatedAt, pol.FirstResponse)) {
				p.FirstResponseDecided++
				b.FirstResponseBreached++
			}
		}
		// Next responses, in business time on the same calendar.
		if pol.NextResponse > 0 {
			for _, w := range c.NextResponses {
				if w.At != nil {
					p.NextResponseDecided++
					if cal.Between(w.From, *w.At) <= pol.NextResponse {
						p.NextResponseMet++
						b.NextResponseMet++
					} else {
						b.NextResponseBreached++
					}
					continue
				}
				end := now
				if done {
					end = *c.SolvedAt
				}
				if !end.Before(cal.Add(w.From, pol.NextResponse)) {
					p.NextResponseDecided++
					b.NextResponseBreached++
				}
			}
		}
		// Resolution.
		if done && !c.SolvedAt.Before(c.CreatedAt) {
			p.Solved++
			d := cal.Between(c.CreatedAt, *c.SolvedAt)
			ress = append(ress, d)
			b.ress = append(b.ress, d)
			if pol.Resolution > 0 {
				p.ResolutionDecided++
				if c.SLASpent <= pol.Resolution {
					p.ResolutionMet++
					b.ResolutionMet++
				} else {
					b.ResolutionBreached++
				}
			}
		} else if !done && pol.Resolution > 0 {
			// Past the target when the clock had spent it, or when it
			// runs and now is past the moment the rest runs out (which
			// looks only as far as the target, not back to a case opened
			// months ago).
			if c.SLASpent > pol.Resolution || c.SLASince != nil && now.After(cal.Add(*c.SLASince, pol.Resolution-c.SLASpent)) {
				p.ResolutionDecided++
				b.ResolutionBreached++
			}
		}
	}
	for i := range p.Buckets {
		b := &p.Buckets[i]
		b.Responded, b.Solved = len(b.frts), len(b.ress)
		b.FirstResponseMedian, b.ResolutionMedian = median(b.frts), median(b.ress)
		b.frts, b.ress = nil, nil
	}
	if len(frts) > 0 {
		sort.Slice(frts, func(i, j int) bool { return frts[i] < frts[j] })
		p.FirstResponseMedian, p.FirstResponseP90 = quantile(frts, 0.5), quantile(frts, 0.9)
	}
	if len(ress) > 0 {
		sort.Slice(ress, func(i, j int) bool { return ress[i] < ress[j] })
		p.ResolutionMedian, p.ResolutionP90 = quantile(ress, 0.5), quantile(ress, 0.9)
	}
	return p
}

// median sorts ds and returns its median (0 when empty).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return quantile(ds, 0.5)
}
