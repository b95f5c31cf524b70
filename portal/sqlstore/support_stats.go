package sqlstore

import (
	"context"

	"github.com/frontdesk/frontdesk/portal"
)

// ConversationStats reads per-conversation facts in one query: the first
// agent message and the bot's answers by the messages index, the first case
// from one grouped pass over cases.
func (s *Store) ConversationStats(ctx context.Context, f portal.SupportFilter) ([]portal.ConversationStat, error) {
	if f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From) {
		return nil, portal.Errorf(portal.EINVALID, "Choose a date range that ends after it starts.")
	}
	rows, err := s.db.Query(ctx, `SELECT c.id, c.created_at, c.queued_at, c.closed_at, c.agent_id, c.bot_failures, c.rating, c.rating_comment,
		(SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.author = 'agent'),
		(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.author = 'bot'),
		k.first_case
	FROM conversations c
	LEFT JOIN (SELECT conversation_id, MIN(created_at) AS first_case FROM cases WHERE conversation_id IS NOT NULL GROUP BY conversation_id) k
		ON k.conversation_id = c.id
	WHERE c.created_at >= ? AND c.created_at < ?
	ORDER BY c.id`, f.From, f.To)
	if err != nil {
		return nil, wrap("conversation stats", err)
	}
	defer rows.Close()
	var out []portal.ConversationStat
	for rows.Next() {
		var c portal.ConversationStat
		var bot int64
		if err := rows.Scan(&c.ID, &c.CreatedAt, &c.QueuedAt, &c.ClosedAt, &c.AgentID, &c.BotFailures, &c.Rating, &c.RatingComment,
			&c.FirstAgentAt, &bot, &c.CaseAt); err != nil {
			return nil, wrap("conversation stats", err)
		}
		c.BotMessages = int(bot)
		out = append(out, c)
	}
	return out, wrap("conversation stats", rows.Err())
}
