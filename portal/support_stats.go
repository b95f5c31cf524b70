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
	// NotHelpful: the customer voted a bot answer of the chat not helpful.
	NotHelpful bool
	// HandlerID is who handled the chat (see SupportFilter.AgentID).
	HandlerID *int64
}

// SupportFilter selects conversations (or cases) created in [From, To).
type SupportFilter struct {
	From, To time.Time
	// AgentID keeps what the agent handled: the conversations whose first
	// agent message (that the customer saw) was theirs and the cases they
	// replied to first; a conversation or case nobody has answered yet
	// counts for the agent it is with or assigned to (0: everyone).
	AgentID int64
	// TeamID keeps what the team's members handled, the same way; a case
	// nobody has answered yet counts for its team, or with no team for a
	// member it is assigned to (0: every team).
	TeamID int64
	// Channels keeps the cases that came from these channels (empty:
	// all). Conversations are all chat; the caller decides whether to
	// read them.
	Channels []string
	// IDs, when set, reads these conversations or cases whenever they
	// were created (From and To are then not needed): the report facts'
	// refresh.
	IDs []int64
}

// CaseStat is one case's facts for the support reports.
type CaseStat struct {
	ID        int64
	CreatedAt time.Time
	Channel   string
	Priority  string
	// Segment is the customer's segment whose targets applied ("" none).
	Segment string
	Status  string
	// Merged cases were duplicates folded into another case.
	Merged          bool
	FirstResponseAt *time.Time
	SolvedAt        *time.Time
	// SLASince and SLASpent are the resolution clock (see Case).
	SLASince *time.Time
	SLASpent time.Duration
	// NextResponses are the case's next-response clocks, oldest first: a
	// customer message after the first answer, while no other waits,
	// starts one; the next reply stops it (see Case.CustomerWrote).
	NextResponses []ResponseWait
	// HandlerID is the author of the first reply, or before one the
	// assignee (see SupportFilter.AgentID); TeamID the case's team.
	HandlerID *int64
	TeamID    *int64
}

// ResponseWait is one wait of a customer for an answer: from From to At
// (nil: not answered yet).
type ResponseWait struct {
	From time.Time
	At   *time.Time
}

// PairResponseWaits turns a case's thread (its customer messages and
// replies, oldest first; reply true for a reply) into its next-response
// waits, as the case's clocks ran: none before the first reply, one per
// customer message that found no wait running.
func PairResponseWaits(at []time.Time, reply []bool) []ResponseWait {
	var out []ResponseWait
	answered, waiting := false, false
	for i, t := range at {
		switch {
		case reply[i]:
			if waiting {
				out[len(out)-1].At = &t
			}
			answered, waiting = true, false
		case answered && !waiting:
			out = append(out, ResponseWait{From: t})
			waiting = true
		}
	}
	return out
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
	// CaseStats returns one row per case created in the filter's range,
	// by id.
	CaseStats(ctx context.Context, f SupportFilter) ([]CaseStat, error)
}
