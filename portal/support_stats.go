package portal

import (
	"context"
	"time"
)

// ConversationStat is one conversation's facts for the support reports.
type ConversationStat struct {
	ID        int64
	CreatedAt time.Time
	// QueuedAt is when the chat was handed to people (nil: never).
	QueuedAt *time.Time
	// FirstAgentAt is an agent's first message (nil: none).
	FirstAgentAt *time.Time
	ClosedAt     *time.Time
	AgentID      *int64
	// BotFailures is the bot's unanswered questions in a row when last
	// counted; BotMessages how many answers the bot gave.
	BotFailures   int
	BotMessages   int
	Rating        *int
	RatingComment string
	// CaseAt is when the first case (left message) was opened from the chat.
	CaseAt *time.Time
}

// SupportFilter selects conversations created in [From, To).
type SupportFilter struct {
	From, To time.Time
}

// SearchStats counts help-centre searches in a period.
type SearchStats struct {
	Searches int
	// NoResult found no article; NoClick found some but none was opened.
	NoResult int
	NoClick  int
}

// DeflectionStats counts help-centre articles signed-in customers opened
// from a search, and how many of those were not followed by a chat or a
// case from the same customer within the window (self-service that
// worked, as far as anyone can tell).
type DeflectionStats struct {
	Opened    int
	Deflected int
}

// SupportStatsService reads the support reports' facts.
type SupportStatsService interface {
	// DeflectionStats counts article opens in the filter's range and those
	// not followed by a chat or case within window.
	DeflectionStats(ctx context.Context, f SupportFilter, window time.Duration) (DeflectionStats, error)
	// SearchStats counts the help-centre searches made in the filter's range.
	SearchStats(ctx context.Context, f SupportFilter) (SearchStats, error)
	// ConversationStats returns one row per conversation created in the
	// filter's range, oldest first.
	ConversationStats(ctx context.Context, f SupportFilter) ([]ConversationStat, error)
}
