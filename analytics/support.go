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
	fs := make([]portal.ChatFact, 0, len(cs))
	for _, c := range cs {
		if c.CreatedAt.Before(from) || !c.CreatedAt.Before(to) {
			continue
		}
		fs = append(fs, ChatFactOf(c, hours))
	}
	return SummarizeChatFacts(fs, from, to, weekly, loc, hours != nil)
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
