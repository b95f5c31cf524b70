package analytics

import (
	"sort"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// BotOnlyWindow is how long after a chat a case (left message) still means
// the bot did not settle it.
const BotOnlyWindow = 24 * time.Hour

// handoffFailures is the bot failure count at which a hand-off counts as
// caused by failed answers rather than asked for.
const handoffFailures = 2

// SupportPeriod sums up the conversations started in one period.
type SupportPeriod struct {
	From, To      time.Time
	Conversations int
	// BotOnly were answered by the bot with no hand-off, no agent message,
	// no case within BotOnlyWindow and no answer voted not helpful.
	BotOnly int
	// HandedOff went to the queue; HandoffAfterFailures of them after the
	// bot failed to answer, the rest because the customer asked.
	HandedOff            int
	HandoffAfterFailures int
	// Cases are chats that ended in a left message.
	Cases int
	// Waits are from hand-off to the first agent message; Unanswered were
	// handed off and never got one.
	Waited              int
	Unanswered          int
	WaitMedian, WaitP90 time.Duration
	// waits holds the sorted waits, for WithinTarget: in business hours
	// when BusinessHours is set, else wall-clock.
	waits []time.Duration
	// Resolved chats were closed; resolution runs from start to close.
	Resolved                        int
	ResolutionMedian, ResolutionP90 time.Duration
	// BusinessHours is set when the waits and times to close were also
	// measured in business hours (an SLA calendar, or the chat's opening
	// hours when they are not "always open").
	BusinessHours                                   bool
	BusinessWaitMedian, BusinessWaitP90             time.Duration
	BusinessResolutionMedian, BusinessResolutionP90 time.Duration
	// Ratings counts CSAT ratings 1 to 5 (index 0 is 1 star).
	Ratings [5]int
	Rated   int
	CSAT    float64 // mean rating, 0 when none
	// Comments are the newest rating comments, newest first.
	Comments []SupportComment
	// Buckets split the period by day or week.
	Buckets []SupportBucket
}

// SupportComment is a customer's comment with a rating.
type SupportComment struct {
	ConversationID int64
	At             time.Time
	Rating         int
	Text           string
}

// SupportBucket is one day or week of a period.
type SupportBucket struct {
	Start                             time.Time
	Conversations, BotOnly, HandedOff int
}

// Rate is part over whole, 0 when whole is 0.
func Rate(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// SummarizeSupport sums up conversations created in [from, to), bucketed
// by day or, with weekly, by week (weeks start on Monday), in loc. With
// hours (not nil) the waits and times to close are also measured in
// business hours.
func SummarizeSupport(cs []portal.ConversationStat, from, to time.Time, weekly bool, loc *time.Location, hours BusinessHours) SupportPeriod {
	p := SupportPeriod{From: from, To: to, BusinessHours: hours != nil}
	var bwaits, resolutions, bresolutions []time.Duration
	bucketOf := bucketer(loc, weekly)
	index := map[time.Time]int{}
	for _, b := range bucketStarts(from, to, loc, weekly) {
		index[b] = len(p.Buckets)
		p.Buckets = append(p.Buckets, SupportBucket{Start: b})
	}
	var waits []time.Duration
	var sum int
	for _, c := range cs {
		if c.CreatedAt.Before(from) || !c.CreatedAt.Before(to) {
			continue
		}
		p.Conversations++
		bi, ok := index[bucketOf(c.CreatedAt)]
		if ok {
			p.Buckets[bi].Conversations++
		}
		caseSoon := c.CaseAt != nil && c.CaseAt.Sub(c.CreatedAt) <= BotOnlyWindow
		if c.CaseAt != nil {
			p.Cases++
		}
		switch {
		case c.QueuedAt != nil:
			p.HandedOff++
			if ok {
				p.Buckets[bi].HandedOff++
			}
			if c.BotFailures >= handoffFailures {
				p.HandoffAfterFailures++
			}
			if c.FirstAgentAt != nil && !c.FirstAgentAt.Before(*c.QueuedAt) {
				waits = append(waits, c.FirstAgentAt.Sub(*c.QueuedAt))
				if p.BusinessHours {
					bwaits = append(bwaits, hours.Between(*c.QueuedAt, *c.FirstAgentAt))
				}
			} else if c.FirstAgentAt == nil {
				p.Unanswered++
			}
		case c.FirstAgentAt == nil && !caseSoon && c.BotMessages > 0 && !c.NotHelpful:
			p.BotOnly++
			if ok {
				p.Buckets[bi].BotOnly++
			}
		}
		if c.ClosedAt != nil && !c.ClosedAt.Before(c.CreatedAt) {
			resolutions = append(resolutions, c.ClosedAt.Sub(c.CreatedAt))
			if p.BusinessHours {
				bresolutions = append(bresolutions, hours.Between(c.CreatedAt, *c.ClosedAt))
			}
		}
		if c.Rating != nil && *c.Rating >= 1 && *c.Rating <= 5 {
			p.Ratings[*c.Rating-1]++
			p.Rated++
			sum += *c.Rating
			if c.RatingComment != "" {
				at := c.CreatedAt
				if c.ClosedAt != nil {
					at = *c.ClosedAt
				}
				p.Comments = append(p.Comments, SupportComment{ConversationID: c.ID, At: at, Rating: *c.Rating, Text: c.RatingComment})
			}
		}
	}
	if p.Rated > 0 {
		p.CSAT = float64(sum) / float64(p.Rated)
	}
	p.Waited = len(waits)
	if len(waits) > 0 {
		sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
		p.WaitMedian = quantile(waits, 0.5)
		p.WaitP90 = quantile(waits, 0.9)
	}
	p.Resolved = len(resolutions)
	if len(resolutions) > 0 {
		sort.Slice(resolutions, func(i, j int) bool { return resolutions[i] < resolutions[j] })
		p.ResolutionMedian = quantile(resolutions, 0.5)
		p.ResolutionP90 = quantile(resolutions, 0.9)
	}
	if len(bwaits) > 0 {
		sort.Slice(bwaits, func(i, j int) bool { return bwaits[i] < bwaits[j] })
		p.BusinessWaitMedian = quantile(bwaits, 0.5)
		p.BusinessWaitP90 = quantile(bwaits, 0.9)
	}
	p.waits = waits
	if p.BusinessHours {
		p.waits = bwaits
	}
	if len(bresolutions) > 0 {
		sort.Slice(bresolutions, func(i, j int) bool { return bresolutions[i] < bresolutions[j] })
		p.BusinessResolutionMedian = quantile(bresolutions, 0.5)
		p.BusinessResolutionP90 = quantile(bresolutions, 0.9)
	}
	sort.SliceStable(p.Comments, func(i, j int) bool { return p.Comments[i].At.After(p.Comments[j].At) })
	if len(p.Comments) > 20 {
		p.Comments = p.Comments[:20]
	}
	return p
}

// WithinTarget counts hand-offs a person answered within d (the SLA),
// measured in business hours when the period was (a hand-off late on
// Friday answered first thing on Monday is on time), like the cases'
// first responses.
func (p SupportPeriod) WithinTarget(d time.Duration) int {
	return sort.Search(len(p.waits), func(i int) bool { return p.waits[i] > d })
}

// quantile is the nearest-rank quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// bucketer returns the start of the day or (Monday-based) week holding t, in loc.
func bucketer(loc *time.Location, weekly bool) func(t time.Time) time.Time {
	return func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, loc)
		if weekly {
			day = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		}
		return day
	}
}

// bucketStarts lists the starts of the days or weeks that hold [from, to).
func bucketStarts(from, to time.Time, loc *time.Location, weekly bool) []time.Time {
	var out []time.Time
	for b := bucketer(loc, weekly)(from); b.Before(to); {
		out = append(out, b)
		if weekly {
			b = b.AddDate(0, 0, 7)
		} else {
			b = b.AddDate(0, 0, 1)
		}
	}
	return out
}
