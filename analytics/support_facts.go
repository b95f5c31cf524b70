package analytics

import (
	"sort"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// ChatFactOf works out one conversation's facts; with hours (not nil) its
// waits and times to close are also measured in business hours.
func ChatFactOf(c portal.ConversationStat, hours BusinessHours) portal.ChatFact {
	f := portal.ChatFact{ID: c.ID, CreatedAt: c.CreatedAt, HandlerID: c.HandlerID, HasCase: c.CaseAt != nil}
	dur := func(d time.Duration) *time.Duration { return &d }
	caseSoon := c.CaseAt != nil && c.CaseAt.Sub(c.CreatedAt) <= BotOnlyWindow
	switch {
	case c.QueuedAt != nil:
		f.Queued = true
		f.AfterFailures = c.BotFailures >= handoffFailures
		if c.FirstAgentAt != nil && !c.FirstAgentAt.Before(*c.QueuedAt) {
			f.Wait = dur(c.FirstAgentAt.Sub(*c.QueuedAt))
			if hours != nil {
				f.BusinessWait = dur(hours.Between(*c.QueuedAt, *c.FirstAgentAt))
			}
		} else if c.FirstAgentAt == nil {
			f.Unanswered = true
		}
	case c.FirstAgentAt == nil && !caseSoon && c.BotMessages > 0 && !c.NotHelpful:
		f.BotOnly = true
	}
	if c.ClosedAt != nil && !c.ClosedAt.Before(c.CreatedAt) {
		f.Resolution = dur(c.ClosedAt.Sub(c.CreatedAt))
		if hours != nil {
			f.BusinessResolution = dur(hours.Between(c.CreatedAt, *c.ClosedAt))
		}
	}
	if c.Rating != nil && *c.Rating >= 1 && *c.Rating <= 5 {
		f.Rating = *c.Rating
		if c.RatingComment != "" {
			f.Comment, f.CommentAt = c.RatingComment, c.CreatedAt
			if c.ClosedAt != nil {
				f.CommentAt = *c.ClosedAt
			}
		}
	}
	return f
}

// SummarizeChatFacts sums up the facts of conversations created in [from,
// to) like SummarizeSupport (which it serves); business says whether the
// facts were measured in business hours.
func SummarizeChatFacts(fs []portal.ChatFact, from, to time.Time, weekly bool, loc *time.Location, business bool) SupportPeriod {
	p := SupportPeriod{From: from, To: to, BusinessHours: business}
	var waits, bwaits, resolutions, bresolutions []time.Duration
	starts := bucketStarts(from, to, loc, weekly)
	for _, b := range starts {
		p.Buckets = append(p.Buckets, SupportBucket{Start: b})
	}
	bucketIndex := bucketIndexer(starts, loc, weekly)
	var sum int
	for i := range fs {
		c := &fs[i]
		if c.CreatedAt.Before(from) || !c.CreatedAt.Before(to) {
			continue
		}
		p.Conversations++
		bi, ok := bucketIndex(c.CreatedAt)
		if ok {
			p.Buckets[bi].Conversations++
		}
		if c.HasCase {
			p.Cases++
		}
		switch {
		case c.Queued:
			p.HandedOff++
			if ok {
				p.Buckets[bi].HandedOff++
			}
			if c.AfterFailures {
				p.HandoffAfterFailures++
			}
			if c.Wait != nil {
				waits = append(waits, *c.Wait)
				if business && c.BusinessWait != nil {
					bwaits = append(bwaits, *c.BusinessWait)
				}
			} else if c.Unanswered {
				p.Unanswered++
			}
		case c.BotOnly:
			p.BotOnly++
			if ok {
				p.Buckets[bi].BotOnly++
			}
		}
		if c.Resolution != nil {
			resolutions = append(resolutions, *c.Resolution)
			if business && c.BusinessResolution != nil {
				bresolutions = append(bresolutions, *c.BusinessResolution)
			}
		}
		if c.Rating >= 1 && c.Rating <= 5 {
			p.Ratings[c.Rating-1]++
			p.Rated++
			sum += c.Rating
			if c.Comment != "" {
				p.Comments = append(p.Comments, SupportComment{ConversationID: c.ID, At: c.CommentAt, Rating: c.Rating, Text: c.Comment})
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
	// Newest first; a tie goes to the older chat (the facts may come in
	// any order).
	sort.Slice(p.Comments, func(i, j int) bool {
		a, b := p.Comments[i], p.Comments[j]
		if !a.At.Equal(b.At) {
			return a.At.After(b.At)
		}
		return a.ConversationID < b.ConversationID
	})
	if len(p.Comments) > 20 {
		p.Comments = p.Comments[:20]
	}
	return p
}

// CaseFactOf works out one case's facts on the SLA settings: business
// times on the calendar of its priority, targets decided when they can
// be whatever the time, else the due time that decides them.
func CaseFactOf(c portal.CaseStat, set *portal.SLASettings) portal.CaseFact {
	f := portal.CaseFact{ID: c.ID, CreatedAt: c.CreatedAt, Channel: c.Channel, Answered: c.FirstResponseAt != nil,
		HandlerID: c.HandlerID, TeamID: c.TeamID, Merged: c.Merged}
	if c.Merged {
		return f // a duplicate: its thread went on in another case
	}
	pol, cal := set.ForSegment(c.Priority, c.Segment)
	done := (c.Status == portal.CaseSolved || c.Status == portal.CaseClosed) && c.SolvedAt != nil
	// decide is a target with due time due: decided by end when the case
	// is done (end is then fixed), else pending until due.
	decide := func(due time.Time) (portal.SLAOutcome, *time.Time) {
		if done {
			if !c.SolvedAt.Before(due) {
				return portal.SLABreached, nil
			}
			return portal.SLANone, nil
		}
		return portal.SLAPending, &due
	}
	if c.FirstResponseAt != nil && !c.FirstResponseAt.Before(c.CreatedAt) {
		d := cal.Between(c.CreatedAt, *c.FirstResponseAt)
		f.FirstResponse = &d
		if pol.FirstResponse > 0 {
			f.FirstResponseSLA = portal.SLABreached
			if d <= pol.FirstResponse {
				f.FirstResponseSLA = portal.SLAMet
			}
		}
	} else if c.FirstResponseAt == nil && pol.FirstResponse > 0 {
		f.FirstResponseSLA, f.FirstResponseDue = decide(cal.Add(c.CreatedAt, pol.FirstResponse))
	}
	if pol.NextResponse > 0 {
		for _, w := range c.NextResponses {
			if w.At != nil {
				if cal.Between(w.From, *w.At) <= pol.NextResponse {
					f.NextMet++
				} else {
					f.NextBreached++
				}
				continue
			}
			// Only a thread's last wait can still run (PairResponseWaits).
			switch o, due := decide(cal.Add(w.From, pol.NextResponse)); o {
			case portal.SLABreached:
				f.NextBreached++
			case portal.SLAPending:
				f.NextDue = due
			}
		}
	}
	if done && !c.SolvedAt.Before(c.CreatedAt) {
		d := cal.Between(c.CreatedAt, *c.SolvedAt)
		f.Resolution = &d
		if pol.Resolution > 0 {
			f.ResolutionSLA = portal.SLABreached
			if c.SLASpent <= pol.Resolution {
				f.ResolutionSLA = portal.SLAMet
			}
		}
	} else if !done && pol.Resolution > 0 {
		// Past the target when the clock had spent it, or when it runs and
		// the rest of the target runs out at the due time.
		switch {
		case c.SLASpent > pol.Resolution:
			f.ResolutionSLA = portal.SLABreached
		case c.SLASince != nil:
			due := cal.Add(*c.SLASince, pol.Resolution-c.SLASpent)
			f.ResolutionSLA, f.ResolutionDue = portal.SLAPending, &due
		}
	}
	return f
}

// SummarizeCaseFacts sums up the facts of the cases created in [from, to)
// like SummarizeCases (which it serves), deciding pending targets at now.
func SummarizeCaseFacts(fs []portal.CaseFact, from, to time.Time, weekly bool, loc *time.Location, now time.Time) CasePeriod {
	p := CasePeriod{From: from, To: to, ByChannel: map[string]int{}}
	starts := bucketStarts(from, to, loc, weekly)
	for _, b := range starts {
		p.Buckets = append(p.Buckets, CaseBucket{Start: b})
	}
	bucketIndex := bucketIndexer(starts, loc, weekly)
	var frts, ress []time.Duration
	for i := range fs {
		c := &fs[i]
		if c.CreatedAt.Before(from) || !c.CreatedAt.Before(to) {
			continue
		}
		p.Opened++
		p.ByChannel[c.Channel]++
		bi, ok := bucketIndex(c.CreatedAt)
		b := &CaseBucket{}
		if ok {
			b = &p.Buckets[bi]
		}
		b.Opened++
		if c.Merged {
			continue
		}
		if c.FirstResponse != nil {
			p.Responded++
			frts = append(frts, *c.FirstResponse)
			b.frts = append(b.frts, *c.FirstResponse)
		}
		switch c.FirstResponseSLA {
		case portal.SLAMet:
			p.FirstResponseDecided++
			p.FirstResponseMet++
			b.FirstResponseMet++
		case portal.SLABreached:
			p.FirstResponseDecided++
			b.FirstResponseBreached++
		case portal.SLAPending:
			if c.FirstResponseDue != nil && !now.Before(*c.FirstResponseDue) {
				p.FirstResponseDecided++
				b.FirstResponseBreached++
			}
		}
		p.NextResponseDecided += c.NextMet + c.NextBreached
		p.NextResponseMet += c.NextMet
		b.NextResponseMet += c.NextMet
		b.NextResponseBreached += c.NextBreached
		if c.NextDue != nil && !now.Before(*c.NextDue) {
			p.NextResponseDecided++
			b.NextResponseBreached++
		}
		if c.Resolution != nil {
			p.Solved++
			ress = append(ress, *c.Resolution)
			b.ress = append(b.ress, *c.Resolution)
		}
		switch c.ResolutionSLA {
		case portal.SLAMet:
			p.ResolutionDecided++
			p.ResolutionMet++
			b.ResolutionMet++
		case portal.SLABreached:
			p.ResolutionDecided++
			b.ResolutionBreached++
		case portal.SLAPending:
			if c.ResolutionDue != nil && now.After(*c.ResolutionDue) {
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

// bucketIndexer returns the index among starts (the day or week buckets
// of bucketStarts) of the bucket holding t. In UTC, days are all 24 hours
// long and the index is arithmetic; elsewhere (daylight saving) it looks
// the bucket's start up.
func bucketIndexer(starts []time.Time, loc *time.Location, weekly bool) func(t time.Time) (int, bool) {
	if loc == time.UTC && len(starts) > 0 {
		first := starts[0].Unix()
		span := int64(24 * 60 * 60)
		if weekly {
			span *= 7
		}
		return func(t time.Time) (int, bool) {
			d := t.Unix() - first
			if d < 0 {
				return 0, false
			}
			i := d / span
			return int(i), i < int64(len(starts))
		}
	}
	bucketOf := bucketer(loc, weekly)
	index := make(map[time.Time]int, len(starts))
	for i, b := range starts {
		index[b] = i
	}
	return func(t time.Time) (int, bool) {
		i, ok := index[bucketOf(t)]
		return i, ok
	}
}
