package sqlstore

import (
	"context"

	"github.com/frontdesk/frontdesk/portal"
)

// VoteAnswer upserts the vote on a bot answer. The message must be the
// bot's (checked in the same statement); an unchanged vote writes nothing.
func (s *Store) VoteAnswer(ctx context.Context, v *portal.AnswerVote) error {
	now := s.now()
	n, err := s.db.Exec(ctx, `INSERT INTO chat_answer_votes (conversation_id, seq, helpful, created_at, updated_at)
		SELECT conversation_id, seq, ?, ?, ? FROM messages WHERE conversation_id = ? AND seq = ? AND author = ? AND NOT internal
		ON CONFLICT (conversation_id, seq) DO UPDATE SET helpful = excluded.helpful, updated_at = excluded.updated_at
		WHERE chat_answer_votes.helpful <> excluded.helpful`,
		v.Helpful, now, now, v.ConversationID, v.Seq, portal.AuthorBot)
	if err != nil {
		return wrap("vote answer", err)
	}
	v.Changed = n > 0
	if n > 0 {
		return nil
	}
	// Nothing written: the same vote again, or no such answer.
	var one int
	err = s.db.QueryRow(ctx, `SELECT 1 FROM chat_answer_votes WHERE conversation_id = ? AND seq = ?`, v.ConversationID, v.Seq).Scan(&one)
	return wrap("vote answer", notFound(err, "Answer"))
}

// AnswerVotes returns a conversation's votes by sequence number.
func (s *Store) AnswerVotes(ctx context.Context, convID int64) (map[int64]bool, error) {
	rows, err := s.db.Query(ctx, `SELECT seq, helpful FROM chat_answer_votes WHERE conversation_id = ? ORDER BY seq`, convID)
	if err != nil {
		return nil, wrap("answer votes", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var seq int64
		var helpful bool
		if err := rows.Scan(&seq, &helpful); err != nil {
			return nil, wrap("answer votes", err)
		}
		out[seq] = helpful
	}
	return out, wrap("answer votes", rows.Err())
}
