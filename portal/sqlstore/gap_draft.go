package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// FindUnansweredQuestions returns the bot's unanswered questions since
// f.Since, newest first.
func (s *Store) FindUnansweredQuestions(ctx context.Context, f portal.GapFilter) ([]*portal.UnansweredQuestion, error) {
	rows, err := s.db.Query(ctx, `SELECT id, question, locale, confidence, best_article_id, conversation_id, answer_seq, created_at FROM unanswered_questions
		WHERE created_at >= ? ORDER BY created_at DESC, id DESC LIMIT ?`, f.Since, limit(f.Limit, 20, 500))
	if err != nil {
		return nil, wrap("find unanswered questions", err)
	}
	defer rows.Close()
	var out []*portal.UnansweredQuestion
	for rows.Next() {
		var u portal.UnansweredQuestion
		if err := rows.Scan(&u.ID, &u.Question, &u.Locale, &u.Confidence, &u.BestArticleID, &u.ConversationID, &u.AnswerSeq, &u.CreatedAt); err != nil {
			return nil, wrap("scan unanswered question", err)
		}
		out = append(out, &u)
	}
	return out, wrap("find unanswered questions", rows.Err())
}

// DraftFromGap creates the gap's draft article once. The gap_drafts row,
// keyed by the normalised question, is stored in the transaction that
// creates the article: of two calls at once one commits, the other hits
// the key, and reads the winner's draft.
func (s *Store) DraftFromGap(ctx context.Context, question string, a *portal.Article) (bool, error) {
	norm := portal.NormalizeQuery(question)
	if norm == "" {
		return false, portal.FieldError("query", "Choose a question.")
	}
	if err := a.Validate(); err != nil {
		return false, err
	}
	for attempt := 0; attempt < 5; attempt++ {
		var id int64
		err := s.db.QueryRow(ctx, `SELECT article_id FROM gap_drafts WHERE norm = ?`, norm).Scan(&id)
		if err == nil {
			arts, _, err := s.FindArticles(ctx, portal.ArticleFilter{ID: &id, Limit: 1})
			if err != nil {
				return false, err
			}
			if len(arts) > 0 {
				*a = *arts[0]
				return false, nil
			}
		} else if !portal.IsNotFound(notFound(err, "")) {
			return false, wrap("find gap draft", err)
		}
		draft := *a
		now := s.now()
		draft.CreatedAt, draft.UpdatedAt, draft.Version = now, now, 1
		err = s.db.InTx(ctx, func(q Querier) error {
			// The question's slug may be taken (by the article that
			// answers a similar question): keep both.
			draft.Slug = Slugify(draft.Title)
			var taken int
			if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM articles WHERE slug = ?`, draft.Slug).Scan(&taken); err != nil {
				return err
			}
			if taken > 0 {
				draft.Slug = strings.TrimRight(fmt.Sprintf("%.60s", draft.Slug), "-") + fmt.Sprintf("-q%d", now.UnixNano()%1_000_000_000)
			}
			if err := insertArticle(ctx, q, &draft); err != nil {
				return err
			}
			_, err := q.Exec(ctx, `INSERT INTO gap_drafts (norm, article_id, created_at) VALUES (?, ?, ?)`, norm, draft.ID, now)
			return err
		})
		if s.db.IsUniqueViolation(err) {
			continue // another call made the draft (or took the slug) first
		}
		if err != nil {
			return false, wrap("draft from gap", err)
		}
		*a = draft
		return true, nil
	}
	return false, portal.Errorf(portal.ECONFLICT, "Someone else is turning this question into a draft. Try again.")
}
