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
	fs := make([]portal.CaseFact, 0, len(cs))
	for _, c := range cs {
		if c.CreatedAt.Before(from) || !c.CreatedAt.Before(to) {
			continue
		}
		fs = append(fs, CaseFactOf(c, set))
	}
	return SummarizeCaseFacts(fs, from, to, weekly, loc, now)
}

// median sorts ds and returns its median (0 when empty).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return quantile(ds, 0.5)
}
