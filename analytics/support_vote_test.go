package analytics

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// A chat whose bot answer the customer voted not helpful was not settled
// by the bot, even with no hand-off and no case.
func TestSummarizeSupportNotHelpful(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cs := []portal.ConversationStat{
		{ID: 1, CreatedAt: t0, BotMessages: 1},
		{ID: 2, CreatedAt: t0, BotMessages: 2, NotHelpful: true},
	}
	p := SummarizeSupport(cs, t0.Truncate(24*time.Hour), t0.AddDate(0, 0, 1), false, time.UTC, nil)
	if got, want := p.BotOnly, 1; got != want {
		t.Fatalf("bot only = %d, want %d", got, want)
	}
	if got, want := p.Buckets[0].BotOnly, 1; got != want {
		t.Fatalf("bucket bot only = %d, want %d", got, want)
	}
}
