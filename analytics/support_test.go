package analytics

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

func TestSummarizeSupport(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday
	tp := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	ip := func(n int) *int { return &n }
	cs := []portal.ConversationStat{
		// bot answered, rated 5
		{ID: 1, CreatedAt: t0, BotMessages: 2, Rating: ip(5)},
		// bot answered, but a case followed within a day: not bot-only
		{ID: 2, CreatedAt: t0, BotMessages: 1, CaseAt: tp(3 * time.Hour)},
		// bot answered, a case two days later: still bot-only
		{ID: 3, CreatedAt: t0.Add(24 * time.Hour), BotMessages: 1, CaseAt: tp(72 * time.Hour)},
		// asked for a person, waited 4 minutes, rated 2 with a comment
		{ID: 4, CreatedAt: t0.Add(24 * time.Hour), QueuedAt: tp(25 * time.Hour), FirstAgentAt: tp(25*time.Hour + 4*time.Minute), Rating: ip(2), RatingComment: "slow", ClosedAt: tp(26 * time.Hour)},
		// handed off after failures, waited 10 minutes
		{ID: 5, CreatedAt: t0.Add(48 * time.Hour), BotMessages: 2, BotFailures: 2, QueuedAt: tp(48 * time.Hour), FirstAgentAt: tp(48*time.Hour + 10*time.Minute)},
		// handed off, never answered
		{ID: 6, CreatedAt: t0.Add(48 * time.Hour), QueuedAt: tp(48 * time.Hour)},
		// no bot answer at all (customer left): neither
		{ID: 7, CreatedAt: t0.Add(49 * time.Hour)},
		// outside the period
		{ID: 8, CreatedAt: t0.Add(-10 * time.Hour), BotMessages: 1},
	}
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	p := SummarizeSupport(cs, from, from.AddDate(0, 0, 7), false, time.UTC, nil)
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"conversations", p.Conversations, 7}, {"bot only", p.BotOnly, 2}, {"handed off", p.HandedOff, 3},
		{"after failures", p.HandoffAfterFailures, 1}, {"cases", p.Cases, 2}, {"waited", p.Waited, 2}, {"unanswered", p.Unanswered, 1},
		{"rated", p.Rated, 2}, {"5 stars", p.Ratings[4], 1}, {"2 stars", p.Ratings[1], 1}, {"days", len(p.Buckets), 7},
		{"monday", p.Buckets[0].Conversations, 2}, {"tuesday", p.Buckets[1].Conversations, 2}, {"wednesday", p.Buckets[2].Conversations, 3},
		{"wednesday handed off", p.Buckets[2].HandedOff, 2},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if p.CSAT != 3.5 {
		t.Errorf("CSAT = %v, want 3.5", p.CSAT)
	}
	if p.WaitMedian != 4*time.Minute || p.WaitP90 != 10*time.Minute {
		t.Errorf("waits median %v p90 %v, want 4m and 10m", p.WaitMedian, p.WaitP90)
	}
	// Of the three hand-offs, one was answered within 5 minutes, two
	// within 10; the unanswered one never.
	if got := p.WithinTarget(5 * time.Minute); got != 1 {
		t.Errorf("within 5 minutes = %d, want 1", got)
	}
	if got := p.WithinTarget(10 * time.Minute); got != 2 {
		t.Errorf("within 10 minutes = %d, want 2", got)
	}
	// Only chat 4 was closed, two hours after it started.
	if p.Resolved != 1 || p.ResolutionMedian != 2*time.Hour {
		t.Errorf("resolved %d, median %v", p.Resolved, p.ResolutionMedian)
	}
	if len(p.Comments) != 1 || p.Comments[0].Text != "slow" {
		t.Errorf("comments = %+v", p.Comments)
	}
	if p.BusinessHours {
		t.Error("business hours without settings")
	}
	// Open 9:00-10:00 UTC on weekdays: chat 4's wait (10:00-10:04 on
	// Tuesday, after closing) counts nothing; chat 5's (Wednesday
	// 9:00-9:10) 10 minutes.
	hours := portal.ChatSettings{TimeZone: "UTC", OpenHour: 9, CloseHour: 10, Days: []int{1, 2, 3, 4, 5}}
	b := SummarizeSupport(cs, from, from.AddDate(0, 0, 7), false, time.UTC, ChatHours(hours))
	if !b.BusinessHours || b.BusinessWaitMedian != 0 || b.BusinessWaitP90 != 10*time.Minute {
		t.Errorf("business waits: %v median %v p90 %v", b.BusinessHours, b.BusinessWaitMedian, b.BusinessWaitP90)
	}
	// "Answered within N minutes" counts business minutes too: chat 4's
	// four minutes after closing are none, so it was on time for a
	// 1-minute target, which no wall-clock wait met.
	if got := b.WithinTarget(time.Minute); got != 1 {
		t.Errorf("within 1 business minute = %d, want 1", got)
	}
	if got := p.WithinTarget(time.Minute); got != 0 {
		t.Errorf("within 1 minute (wall clock) = %d, want 0", got)
	}
	if got := b.WithinTarget(10 * time.Minute); got != 2 {
		t.Errorf("within 10 business minutes = %d, want 2", got)
	}
	w := SummarizeSupport(cs, from, from.AddDate(0, 0, 14), true, time.UTC, nil)
	if len(w.Buckets) != 2 || w.Buckets[0].Conversations != 7 || w.Buckets[1].Conversations != 0 {
		t.Errorf("weeks = %+v", w.Buckets)
	}
}
