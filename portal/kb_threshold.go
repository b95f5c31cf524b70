package portal

import (
	"context"
	"time"
)

// KBThreshold is an editor's choice of the confidence at or above which the
// chat bot answers from one knowledge base (a locale of the help centre)
// instead of handing off. Without one, the threshold fitted on the
// knowledge base when its index is built applies.
type KBThreshold struct {
	Locale    string
	Threshold float64
	UpdatedBy *int64
	UpdatedAt time.Time
}

// RecentQuestion is a question customers asked: in the chat, in FAQ search,
// or one the bot handed off.
type RecentQuestion struct {
	Text   string
	Locale string
	// Source is "chat" or "search".
	Source string
	At     time.Time
}

// KBThresholdService stores the editors' hand-off thresholds.
type KBThresholdService interface {
	// KBThresholds returns every stored threshold, by locale.
	KBThresholds(ctx context.Context) ([]KBThreshold, error)
	// SetKBThreshold stores t, replacing the locale's previous one;
	// t.Threshold must lie in [0, 1].
	SetKBThreshold(ctx context.Context, t *KBThreshold) error
	// ResetKBThreshold removes the locale's threshold, so that the fitted
	// one applies again; no error when there was none.
	ResetKBThreshold(ctx context.Context, locale string) error
	// RecentQuestions returns distinct questions asked since f.Since in
	// locale, newest first, at most f.Limit: customers' chat messages in
	// the chats asked in that locale (Conversation.Locale) and FAQ
	// searches of that locale.
	RecentQuestions(ctx context.Context, locale string, f GapFilter) ([]RecentQuestion, error)
}
