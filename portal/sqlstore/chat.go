package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

const convCols = `id, visitor_id, customer_id, state, agent_id, bot_failures, last_seq, subject, queued_at, closed_at, rating, rating_comment, created_at, updated_at, customer_seen_at, locale`

func scanConversation(r Row) (*portal.Conversation, error) {
	var c portal.Conversation
	err := r.Scan(&c.ID, &c.VisitorID, &c.CustomerID, &c.State, &c.AgentID, &c.BotFailures, &c.LastSeq, &c.Subject,
		&c.QueuedAt, &c.ClosedAt, &c.Rating, &c.RatingComment, &c.CreatedAt, &c.UpdatedAt, &c.CustomerSeenAt, &c.Locale)
	return &c, err
}

// CreateConversation stores a new conversation.
func (s *Store) CreateConversation(ctx context.Context, c *portal.Conversation) error {
	if c.State == "" {
		c.State = portal.ConvBot
	}
	if !c.State.Valid() {
		return portal.FieldError("state", "Unknown conversation state.")
	}
	if len(c.VisitorID) > 100 {
		return portal.FieldError("visitor_id", "Visitor id is too long.")
	}
	c.Subject = truncate(strings.TrimSpace(c.Subject), 200)
	if c.Locale = strings.TrimSpace(c.Locale); c.Locale == "" {
		c.Locale = "en"
	} else if len(c.Locale) > 10 {
		return portal.FieldError("locale", "Locale is too long.")
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt, c.LastSeq = now, now, 0
	if c.State == portal.ConvQueued && c.QueuedAt == nil {
		c.QueuedAt = &now
	}
	err := s.db.QueryRow(ctx, `INSERT INTO conversations (visitor_id, customer_id, state, agent_id, bot_failures, last_seq, subject, queued_at, rating_comment, created_at, updated_at, locale)
		VALUES (?, ?, ?, ?, 0, 0, ?, ?, '', ?, ?, ?) RETURNING id`,
		c.VisitorID, c.CustomerID, c.State, c.AgentID, c.Subject, c.QueuedAt, now, now, c.Locale).Scan(&c.ID)
	return wrap("create conversation", err)
}

// FindConversation returns one conversation.
func (s *Store) FindConversation(ctx context.Context, id int64) (*portal.Conversation, error) {
	c, err := scanConversation(s.db.QueryRow(ctx, `SELECT `+convCols+` FROM conversations WHERE id = ?`, id))
	if err != nil {
		return nil, wrap("find conversation", notFound(err, "Conversation"))
	}
	return c, nil
}

// FindConversations returns a page of conversations and the total (-1
// with f.NoTotal).
func (s *Store) FindConversations(ctx context.Context, f portal.ConversationFilter) ([]*portal.Conversation, int, error) {
	var w where
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.VisitorID != nil {
		w.add("visitor_id = ?", *f.VisitorID)
	}
	if f.CustomerID != nil {
		w.add("customer_id = ?", *f.CustomerID)
	}
	if f.AgentID != nil {
		w.add("agent_id = ?", *f.AgentID)
	}
	if f.GuestOnly {
		w.add("customer_id IS NULL")
	}
	if q := strings.TrimSpace(f.Text); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		w.add(`EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id AND LOWER(m.body) LIKE ? ESCAPE '\')`, like)
	}
	if q := strings.TrimSpace(f.Customer); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		w.add(`customer_id IN (SELECT u.id FROM users u WHERE LOWER(u.name) LIKE ? ESCAPE '\' OR u.email LIKE ? ESCAPE '\')`, like, like)
	}
	if n := strings.TrimSpace(f.OrderNumber); n != "" {
		like := "%" + escapeLike(strings.ToLower(n)) + "%"
		w.add(`(customer_id IN (SELECT o.customer_id FROM orders o WHERE o.number = ?) OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id AND LOWER(m.body) LIKE ? ESCAPE '\'))`, n, like)
	}
	if f.From != nil {
		w.add("created_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		w.add("created_at < ?", f.To.UTC())
	}
	if f.Rating != nil {
		w.add("rating = ?", *f.Rating)
	} else if f.Rated {
		w.add("rating IS NOT NULL")
	}
	switch f.Voted {
	case "":
	case portal.VotedAny:
		w.add(`EXISTS (SELECT 1 FROM chat_answer_votes v WHERE v.conversation_id = conversations.id)`)
	case portal.VotedHelpful:
		w.add(`EXISTS (SELECT 1 FROM chat_answer_votes v WHERE v.conversation_id = conversations.id AND v.helpful)`)
	case portal.VotedNotHelpful:
		w.add(`EXISTS (SELECT 1 FROM chat_answer_votes v WHERE v.conversation_id = conversations.id AND NOT v.helpful)`)
	default:
		return nil, 0, portal.FieldError("voted", "Unknown vote filter.")
	}
	order := ` ORDER BY id DESC`
	if len(f.States) > 0 {
		args := make([]any, len(f.States))
		for i, st := range f.States {
			args[i] = string(st)
		}
		w.add("state IN ("+placeholders(len(f.States))+")", args...)
		if len(f.States) == 1 && f.States[0] == portal.ConvQueued {
			order = ` ORDER BY queued_at, id`
		}
	}
	total := -1
	if !f.NoTotal {
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM conversations`+w.String(), w.args...).Scan(&total); err != nil {
			return nil, 0, wrap("count conversations", err)
		}
	}
	rows, err := s.db.Query(ctx, `SELECT `+convCols+` FROM conversations`+w.String()+order+` LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 50, 1000), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find conversations", err)
	}
	defer rows.Close()
	var out []*portal.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, 0, wrap("scan conversation", err)
		}
		out = append(out, c)
	}
	return out, total, wrap("find conversations", rows.Err())
}

// UpdateConversation applies a conditional update in one statement, so
// concurrent callers (two agents claiming) cannot both succeed.
func (s *Store) UpdateConversation(ctx context.Context, id int64, upd portal.ConversationUpdate) (*portal.Conversation, error) {
	now := s.now()
	sets := []string{"updated_at = ?"}
	args := []any{now}
	if upd.State != nil {
		if !upd.State.Valid() {
			return nil, portal.FieldError("state", "Unknown conversation state.")
		}
		sets = append(sets, "state = ?")
		args = append(args, string(*upd.State))
		switch *upd.State {
		case portal.ConvQueued:
			at := now
			if upd.QueuedAt != nil {
				at = upd.QueuedAt.UTC()
			}
			sets = append(sets, "queued_at = ?", "customer_seen_at = ?")
			args = append(args, at, now)
		case portal.ConvClosed:
			sets = append(sets, "closed_at = ?")
			args = append(args, now)
		case portal.ConvBot:
			sets = append(sets, "queued_at = NULL", "closed_at = NULL")
		}
	}
	if upd.AgentID != nil {
		if *upd.AgentID == 0 {
			sets = append(sets, "agent_id = NULL")
		} else {
			sets = append(sets, "agent_id = ?")
			args = append(args, *upd.AgentID)
		}
	}
	if upd.BotFailures != nil {
		sets = append(sets, "bot_failures = ?")
		args = append(args, *upd.BotFailures)
	}
	if upd.Rating != nil {
		if *upd.Rating < 1 || *upd.Rating > 5 {
			return nil, portal.FieldError("rating", "Rate from 1 to 5.")
		}
		sets = append(sets, "rating = ?")
		args = append(args, *upd.Rating)
	}
	if upd.RatingComment != nil {
		sets = append(sets, "rating_comment = ?")
		args = append(args, truncate(strings.TrimSpace(*upd.RatingComment), 2000))
	}
	if upd.CustomerID != nil {
		sets = append(sets, "customer_id = ?")
		args = append(args, *upd.CustomerID)
	}
	w := where{conds: []string{"id = ?"}, args: []any{id}}
	if len(upd.From) > 0 {
		fa := make([]any, len(upd.From))
		for i, st := range upd.From {
			fa[i] = string(st)
		}
		w.add("state IN ("+placeholders(len(upd.From))+")", fa...)
	}
	if upd.IfAgentID != nil {
		w.add("agent_id = ?", *upd.IfAgentID)
	}
	c, err := scanConversation(s.db.QueryRow(ctx, `UPDATE conversations SET `+strings.Join(sets, ", ")+w.String()+` RETURNING `+convCols,
		append(args, w.args...)...))
	if err == nil {
		return c, nil
	}
	if portal.IsNotFound(notFound(err, "")) {
		// Tell a missing conversation from one that moved on.
		if _, ferr := s.FindConversation(ctx, id); ferr != nil {
			return nil, ferr
		}
		return nil, portal.Errorf(portal.ECONFLICT, "This chat has changed meanwhile (someone else may have taken it).")
	}
	return nil, wrap("update conversation", err)
}

const msgCols = `id, conversation_id, seq, client_id, author, author_id, body, internal, meta, created_at`

func scanMessage(r Row) (*portal.Message, error) {
	var m portal.Message
	err := r.Scan(&m.ID, &m.ConversationID, &m.Seq, &m.ClientID, &m.Author, &m.AuthorID, &m.Body, &m.Internal, &m.Meta, &m.CreatedAt)
	return &m, err
}

// FindMessages returns messages after a sequence number, in order.
func (s *Store) FindMessages(ctx context.Context, convID, afterSeq int64, internal bool, n int) ([]*portal.Message, error) {
	q := `SELECT ` + msgCols + ` FROM messages WHERE conversation_id = ? AND seq > ?`
	args := []any{convID, afterSeq}
	if !internal {
		q += ` AND internal = ?`
		args = append(args, false)
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY seq LIMIT ?`, append(args, limit(n, 200, 5000))...)
	if err != nil {
		return nil, wrap("find messages", err)
	}
	defer rows.Close()
	var out []*portal.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, wrap("scan message", err)
		}
		out = append(out, m)
	}
	return out, wrap("find messages", rows.Err())
}

// SetAgentPresence upserts an agent's status.
func (s *Store) SetAgentPresence(ctx context.Context, agentID int64, status portal.AgentStatus, now time.Time) error {
	if status != portal.AgentAvailable && status != portal.AgentAway {
		return portal.FieldError("status", "Unknown status.")
	}
	_, err := s.db.Exec(ctx, `INSERT INTO agent_presence (agent_id, status, updated_at, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (agent_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, seen_at = excluded.seen_at`, agentID, string(status), now.UTC(), now.UTC())
	return wrap("set agent presence", err)
}

// TouchAgents records the agents' heartbeat in one statement.
func (s *Store) TouchAgents(ctx context.Context, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	vals := make([]string, len(ids))
	args := make([]any, 0, 3*len(ids))
	for i, id := range ids {
		vals[i] = "(?, 'away', ?, ?)"
		args = append(args, id, now.UTC(), now.UTC())
	}
	_, err := s.db.Exec(ctx, `INSERT INTO agent_presence (agent_id, status, updated_at, seen_at) VALUES `+strings.Join(vals, ", ")+`
		ON CONFLICT (agent_id) DO UPDATE SET seen_at = excluded.seen_at`, args...)
	return wrap("touch agents", err)
}

// TouchConversations records the customers' heartbeat on queued chats.
func (s *Store) TouchConversations(ctx context.Context, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, now.UTC())
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.db.Exec(ctx, `UPDATE conversations SET customer_seen_at = ? WHERE id IN (`+placeholders(len(ids))+`)`, args...)
	return wrap("touch conversations", err)
}

// AgentRatings sums ratings per agent.
func (s *Store) AgentRatings(ctx context.Context) ([]portal.AgentRating, error) {
	rows, err := s.db.Query(ctx, `SELECT agent_id, COUNT(*), SUM(rating) FROM conversations WHERE rating IS NOT NULL AND agent_id IS NOT NULL GROUP BY agent_id ORDER BY agent_id`)
	if err != nil {
		return nil, wrap("agent ratings", err)
	}
	defer rows.Close()
	var out []portal.AgentRating
	for rows.Next() {
		var r portal.AgentRating
		var sum int64
		if err := rows.Scan(&r.AgentID, &r.Rated, &sum); err != nil {
			return nil, wrap("scan agent rating", err)
		}
		r.Sum = int(sum)
		out = append(out, r)
	}
	return out, wrap("agent ratings", rows.Err())
}

// FindAgentPresence lists the presence records seen since a time.
func (s *Store) FindAgentPresence(ctx context.Context, since time.Time) ([]*portal.AgentPresence, error) {
	// The later of the heartbeat and the status change: nodes of the
	// previous version (during a rolling upgrade) renew only updated_at.
	const seen = `CASE WHEN seen_at IS NULL OR updated_at > seen_at THEN updated_at ELSE seen_at END`
	rows, err := s.db.Query(ctx, `SELECT agent_id, status, updated_at, `+seen+` FROM agent_presence WHERE `+seen+` >= ? ORDER BY agent_id`, since.UTC())
	if err != nil {
		return nil, wrap("find agent presence", err)
	}
	defer rows.Close()
	var out []*portal.AgentPresence
	for rows.Next() {
		var p portal.AgentPresence
		if err := rows.Scan(&p.AgentID, &p.Status, &p.UpdatedAt, &p.SeenAt); err != nil {
			return nil, wrap("scan agent presence", err)
		}
		out = append(out, &p)
	}
	return out, wrap("find agent presence", rows.Err())
}

// ChatSettings returns the stored settings or the defaults.
func (s *Store) ChatSettings(ctx context.Context) (portal.ChatSettings, error) {
	var v string
	err := s.db.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'chat'`).Scan(&v)
	if portal.IsNotFound(notFound(err, "")) {
		return portal.DefaultChatSettings(), nil
	} else if err != nil {
		return portal.ChatSettings{}, wrap("chat settings", err)
	}
	cs := portal.DefaultChatSettings()
	if err := json.Unmarshal([]byte(v), &cs); err != nil {
		return portal.ChatSettings{}, wrap("chat settings", err)
	}
	return cs, nil
}

// SaveChatSettings stores the settings.
func (s *Store) SaveChatSettings(ctx context.Context, cs portal.ChatSettings) error {
	if err := cs.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(cs)
	_, err := s.db.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('chat', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(b))
	return wrap("save chat settings", err)
}
