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

// CountAnswerVotes counts votes per conversation (or, with no ids, all
// of them under id 0).
func (s *Store) CountAnswerVotes(ctx context.Context, ids []int64) (map[int64]portal.AnswerVoteCount, error) {
	const sums = `SUM(CASE WHEN helpful THEN 1 ELSE 0 END), SUM(CASE WHEN helpful THEN 0 ELSE 1 END)`
	q, args := `SELECT 0, `+sums+` FROM chat_answer_votes HAVING COUNT(*) > 0`, []any(nil)
	if len(ids) > 0 {
		args = make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		q = `SELECT conversation_id, ` + sums + ` FROM chat_answer_votes WHERE conversation_id IN (` + placeholders(len(ids)) + `) GROUP BY conversation_id`
	}
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap("count answer votes", err)
	}
	defer rows.Close()
	out := map[int64]portal.AnswerVoteCount{}
	for rows.Next() {
		var id, yes, no int64
		if err := rows.Scan(&id, &yes, &no); err != nil {
			return nil, wrap("count answer votes", err)
		}
		out[id] = portal.AnswerVoteCount{Helpful: int(yes), NotHelpful: int(no)}
	}
	return out, wrap("count answer votes", rows.Err())
}
