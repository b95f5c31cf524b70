package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// ConversationStats reads per-conversation facts in one query from the
// conversations alone (the append keeps their bot answers and first agent
// message), the first case from one grouped pass over cases. An agent or
// team keeps the conversations its people answered first (or, before any
// answer, hold).
func (s *Store) ConversationStats(ctx context.Context, f portal.SupportFilter) ([]portal.ConversationStat, error) {
	if f.IDs == nil && (f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From)) {
		return nil, portal.Errorf(portal.EINVALID, "Choose a date range that ends after it starts.")
	}
	where, args := `c.created_at >= ? AND c.created_at < ?`, []any{f.From, f.From, f.To}
	// The first case of each chat: from one grouped pass over the range's
	// cases, or for a few chats by id through the chats' case index.
	firstCase := `k.first_case`
	join := `LEFT JOIN (SELECT conversation_id, MIN(created_at) AS first_case FROM cases WHERE conversation_id IS NOT NULL AND created_at >= ? GROUP BY conversation_id) k
		ON k.conversation_id = c.id`
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		where, args = `c.id IN (`+placeholders(len(f.IDs))+`)`, anyIDs(f.IDs)
		firstCase, join = `(SELECT MIN(k.created_at) FROM cases k WHERE k.conversation_id = c.id)`, ``
	}
	// Who handled a chat: the agent whose message the customer saw first;
	// until one wrote, the agent it is with (the answer is theirs to give).
	handler := `CASE WHEN c.first_agent_at IS NULL THEN c.agent_id ELSE (SELECT m.author_id FROM messages m
		WHERE m.conversation_id = c.id AND m.author = ? AND m.internal = ? ORDER BY m.seq LIMIT 1) END`
	if f.AgentID != 0 {
		where += ` AND ` + handler + ` = ?`
		args = append(args, portal.AuthorAgent, false, f.AgentID)
	}
	if f.TeamID != 0 {
		where += ` AND ` + handler + ` IN (SELECT user_id FROM team_members WHERE team_id = ?)`
		args = append(args, portal.AuthorAgent, false, f.TeamID)
	}
	rows, err := s.db.Query(ctx, `SELECT c.id, c.created_at, c.queued_at, c.closed_at, c.agent_id, c.bot_failures, c.rating, c.rating_comment,
		c.first_agent_at, c.bot_messages, `+firstCase+`,
		EXISTS (SELECT 1 FROM chat_answer_votes v WHERE v.conversation_id = c.id AND NOT v.helpful),
		CASE WHEN c.first_agent_at IS NULL THEN c.agent_id ELSE (SELECT m.author_id FROM messages m
			WHERE m.conversation_id = c.id AND m.author = 'agent' AND NOT m.internal ORDER BY m.seq LIMIT 1) END
	FROM conversations c
	`+join+`
	WHERE `+where+`
	ORDER BY c.id`, args...)
	if err != nil {
		return nil, wrap("conversation stats", err)
	}
	defer rows.Close()
	var out []portal.ConversationStat
	for rows.Next() {
		var c portal.ConversationStat
		var bot int64
		if err := rows.Scan(&c.ID, &c.CreatedAt, &c.QueuedAt, &c.ClosedAt, &c.AgentID, &c.BotFailures, &c.Rating, &c.RatingComment,
			&c.FirstAgentAt, &bot, &c.CaseAt, &c.NotHelpful, &c.HandlerID); err != nil {
			return nil, wrap("conversation stats", err)
		}
		c.BotMessages = int(bot)
		out = append(out, c)
	}
	return out, wrap("conversation stats", rows.Err())
}

// CaseStats reads the facts of the cases created in the range, filtered by
// channel and by who first replied (or, before a reply, the assignee and
// team), in one query.
func (s *Store) CaseStats(ctx context.Context, f portal.SupportFilter) ([]portal.CaseStat, error) {
	if f.IDs == nil && (f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From)) {
		return nil, portal.Errorf(portal.EINVALID, "Choose a date range that ends after it starts.")
	}
	where, args := `created_at >= ? AND created_at < ?`, []any{f.From, f.To}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		where, args = `id IN (`+placeholders(len(f.IDs))+`)`, anyIDs(f.IDs)
	}
	if len(f.Channels) > 0 {
		where += ` AND channel IN (` + placeholders(len(f.Channels)) + `)`
		args = append(args, anys(f.Channels)...)
	}
	// Who handled a case: the author of its first reply; until someone
	// replied, its assignee (the first answer is theirs to give).
	responder := `(SELECT e.author_id FROM case_entries e WHERE e.case_id = cases.id AND e.kind = 'reply' ORDER BY e.id LIMIT 1)`
	if f.AgentID != 0 {
		where += ` AND CASE WHEN first_response_at IS NULL THEN assignee_id ELSE ` + responder + ` END = ?`
		args = append(args, f.AgentID)
	}
	if f.TeamID != 0 {
		where += ` AND CASE WHEN first_response_at IS NULL
			THEN CASE WHEN team_id = ? OR team_id IS NULL AND assignee_id IN (SELECT user_id FROM team_members WHERE team_id = ?) THEN 1 ELSE 0 END
			ELSE CASE WHEN ` + responder + ` IN (SELECT user_id FROM team_members WHERE team_id = ?) THEN 1 ELSE 0 END END = 1`
		args = append(args, f.TeamID, f.TeamID, f.TeamID)
	}
	rows, err := s.db.Query(ctx, `SELECT id, created_at, channel, priority, segment, status, merged_into_id, first_response_at, solved_at, sla_since, sla_spent,
		CASE WHEN first_response_at IS NULL THEN assignee_id ELSE `+responder+` END, team_id
	FROM cases WHERE `+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, wrap("case stats", err)
	}
	defer rows.Close()
	var out []portal.CaseStat
	for rows.Next() {
		var c portal.CaseStat
		var merged *int64
		var spent int64
		if err := rows.Scan(&c.ID, &c.CreatedAt, &c.Channel, &c.Priority, &c.Segment, &c.Status, &merged, &c.FirstResponseAt, &c.SolvedAt, &c.SLASince, &spent,
			&c.HandlerID, &c.TeamID); err != nil {
			return nil, wrap("case stats", err)
		}
		c.Merged = merged != nil
		c.SLASpent = time.Duration(spent) * time.Second
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("case stats", err)
	}
	rows.Close()
	// Read in the covering index's order (no sort in the database), handed
	// out by id.
	slices.SortFunc(out, func(a, b portal.CaseStat) int { return cmp.Compare(a.ID, b.ID) })
	if len(out) == 0 {
		return out, nil
	}
	// The threads' customer messages and replies, for the next-response
	// waits: one more pass, by the entries' covering index.
	index := make(map[int64]int, len(out))
	for i, c := range out {
		index[c.ID] = i
	}
	rows, err = s.db.Query(ctx, `SELECT case_id, kind, created_at FROM case_entries
	WHERE kind IN (?, ?) AND case_id IN (SELECT id FROM cases WHERE `+where+`) ORDER BY case_id, id`,
		append([]any{portal.EntryCustomer, portal.EntryReply}, args...)...)
	if err != nil {
		return nil, wrap("case stats", err)
	}
	defer rows.Close()
	var cur int64 = -1
	var at []time.Time
	var reply []bool
	flush := func() {
		if i, ok := index[cur]; ok {
			out[i].NextResponses = portal.PairResponseWaits(at, reply)
		}
		at, reply = at[:0], reply[:0]
	}
	for rows.Next() {
		var id int64
		var kind string
		var t time.Time
		if err := rows.Scan(&id, &kind, &t); err != nil {
			return nil, wrap("case stats", err)
		}
		if id != cur {
			flush()
			cur = id
		}
		at, reply = append(at, t), append(reply, kind == portal.EntryReply)
	}
	flush()
	return out, wrap("case stats", rows.Err())
}

// SearchStats counts searches, those without hits and those with hits but
// no article opened, in one pass over the period's search log.
func (s *Store) SearchStats(ctx context.Context, f portal.SupportFilter) (portal.SearchStats, error) {
	var st portal.SearchStats
	if f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From) {
		return st, portal.Errorf(portal.EINVALID, "Choose a date range that ends after it starts.")
	}
	var n, none, noClick int64
	err := s.db.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN hits = 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN hits > 0 AND article_id IS NULL THEN 1 ELSE 0 END), 0)
	FROM search_log WHERE created_at >= ? AND created_at < ?`, f.From, f.To).Scan(&n, &none, &noClick)
	st.Searches, st.NoResult, st.NoClick = int(n), int(none), int(noClick)
	return st, wrap("search stats", err)
}

// DeflectionStats checks each article opened from a search by a signed-in
// customer for a chat or case of theirs in the window after it, by the
// customer indexes of conversations and cases.
func (s *Store) DeflectionStats(ctx context.Context, f portal.SupportFilter, window time.Duration) (portal.DeflectionStats, error) {
	var st portal.DeflectionStats
	if f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From) || window <= 0 {
		return st, portal.Errorf(portal.EINVALID, "Choose a date range that ends after it starts.")
	}
	end := `s.created_at + ?`
	var w any = window.Microseconds()
	if s.db.Dialect() == "postgres" {
		end = `s.created_at + make_interval(secs => ?)`
		w = window.Seconds()
	}
	var n, ok int64
	err := s.db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN
			NOT EXISTS (SELECT 1 FROM conversations c WHERE c.customer_id = s.user_id AND c.created_at >= s.created_at AND c.created_at < `+end+`)
			AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.customer_id = s.user_id AND k.created_at >= s.created_at AND k.created_at < `+end+`)
		THEN 1 ELSE 0 END), 0)
	FROM search_log s
	WHERE s.article_id IS NOT NULL AND s.user_id IS NOT NULL AND s.created_at >= ? AND s.created_at < ?`, w, w, f.From, f.To).Scan(&n, &ok)
	st.Opened, st.Deflected = int(n), int(ok)
	return st, wrap("deflection stats", err)
}

// anyIDs turns ids into query arguments.
func anyIDs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
