package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// RecordVote stores a "Was this helpful?" answer.
func (s *Store) RecordVote(ctx context.Context, v *portal.Vote) error {
	v.Comment = strings.TrimSpace(v.Comment)
	if len(v.Comment) > 2000 {
		return portal.FieldError("comment", "Comment is too long (2,000 characters at most).")
	}
	v.CreatedAt = s.now()
	helpful := 0
	if v.Helpful {
		helpful = 1
	}
	err := s.db.QueryRow(ctx, `INSERT INTO article_votes (article_id, helpful, comment, user_id, created_at) SELECT id, ?, ?, ?, ? FROM articles WHERE id = ? RETURNING id`,
		helpful, v.Comment, v.UserID, v.CreatedAt, v.ArticleID).Scan(&v.ID)
	return wrap("record vote", notFound(err, "Article"))
}

// CountVotes sums the votes on an article.
func (s *Store) CountVotes(ctx context.Context, articleID int64) (portal.VoteCounts, error) {
	var c portal.VoteCounts
	err := s.db.QueryRow(ctx, `SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) FROM article_votes WHERE article_id = ?`, articleID).
		Scan(&c.Helpful, &c.NotHelpful)
	return c, wrap("count votes", err)
}

// RecordSearch logs a search.
func (s *Store) RecordSearch(ctx context.Context, e *portal.SearchLogEntry) error {
	e.Query = strings.TrimSpace(e.Query)
	e.Query = portal.Truncate(e.Query, 500)
	if e.Query == "" {
		return portal.FieldError("q", "Query is empty.")
	}
	if e.Locale == "" {
		e.Locale = "en"
	}
	if e.Source == "" {
		e.Source = "faq"
	}
	e.CreatedAt = s.now()
	err := s.db.QueryRow(ctx, `INSERT INTO search_log (query, norm, locale, hits, article_id, source, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.Query, portal.NormalizeQuery(e.Query), e.Locale, e.Hits, e.ArticleID, e.Source, e.UserID, e.CreatedAt).Scan(&e.ID)
	return wrap("record search", err)
}

// RecordUnanswered logs a question the bot handed off.
func (s *Store) RecordUnanswered(ctx context.Context, u *portal.UnansweredQuestion) error {
	if err := prepareUnanswered(u, s.now()); err != nil {
		return err
	}
	return wrap("record unanswered", insertUnanswered(ctx, s.db, u))
}

// RecordUnansweredBatch logs several questions the bot could not answer,
// each as RecordUnanswered does, in one transaction (one commit): the chat
// bot's recorder writes what piled up while it waited. Empty questions are
// skipped. On an error none of them is stored.
func (s *Store) RecordUnansweredBatch(ctx context.Context, qs []*portal.UnansweredQuestion) error {
	now := s.now()
	rows := make([]*portal.UnansweredQuestion, 0, len(qs))
	for _, u := range qs {
		if prepareUnanswered(u, now) == nil {
			rows = append(rows, u)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return wrap("record unanswered", s.db.InTx(ctx, func(q Querier) error {
		for _, u := range rows {
			if err := insertUnanswered(ctx, q, u); err != nil {
				return err
			}
		}
		return nil
	}))
}

// prepareUnanswered checks u and fills in its defaults and time.
func prepareUnanswered(u *portal.UnansweredQuestion, now time.Time) error {
	u.Question = strings.TrimSpace(u.Question)
	u.Question = portal.Truncate(u.Question, 2000)
	if u.Question == "" {
		return portal.FieldError("question", "Question is empty.")
	}
	if u.Locale == "" {
		u.Locale = "en"
	}
	u.CreatedAt = now
	return nil
}

// insertUnanswered stores u (prepared) with q and sets its id. A question
// recorded for a bot answer (AnswerSeq set) is stored once per answer: a
// second one for the same answer is ignored and leaves u.ID zero.
func insertUnanswered(ctx context.Context, q Querier, u *portal.UnansweredQuestion) error {
	err := q.QueryRow(ctx, `INSERT INTO unanswered_questions (question, norm, locale, confidence, best_article_id, conversation_id, answer_seq, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (conversation_id, answer_seq) DO NOTHING RETURNING id`,
		u.Question, portal.NormalizeQuery(u.Question), u.Locale, u.Confidence, u.BestArticleID, u.ConversationID, u.AnswerSeq, u.CreatedAt).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // this answer's question is recorded already
	}
	return err
}

// FindContentGaps groups searches without hits and unanswered bot questions
// by their normalised text, most frequent first.
func (s *Store) FindContentGaps(ctx context.Context, f portal.GapFilter) ([]*portal.ContentGap, error) {
	gaps := map[string]*portal.ContentGap{}
	collect := func(query string, unanswered bool) error {
		rows, err := s.db.Query(ctx, query, f.Since)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var norm, text string
			var n int
			var last time.Time
			if err := rows.Scan(&norm, &text, &n, &last); err != nil {
				return err
			}
			g := gaps[norm]
			if g == nil {
				g = &portal.ContentGap{Normalized: norm, Query: text}
				gaps[norm] = g
			}
			if unanswered {
				g.Unanswered += n
			} else {
				g.Searches += n
			}
			if last.After(g.LastAt) {
				g.LastAt = last
			}
		}
		return rows.Err()
	}
	if err := collect(`SELECT norm, MIN(query), COUNT(*), MAX(created_at) FROM search_log WHERE hits = 0 AND norm <> '' AND created_at >= ? GROUP BY norm`, false); err != nil {
		return nil, wrap("find content gaps", err)
	}
	if err := collect(`SELECT norm, MIN(question), COUNT(*), MAX(created_at) FROM unanswered_questions WHERE norm <> '' AND created_at >= ? GROUP BY norm`, true); err != nil {
		return nil, wrap("find content gaps", err)
	}
	out := make([]*portal.ContentGap, 0, len(gaps))
	for _, g := range gaps {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].Total(), out[j].Total(); a != b {
			return a > b
		}
		if !out[i].LastAt.Equal(out[j].LastAt) {
			return out[i].LastAt.After(out[j].LastAt)
		}
		return out[i].Normalized < out[j].Normalized
	})
	if n := limit(f.Limit, 50, 500); len(out) > n {
		out = out[:n]
	}
	if err := s.gapDrafts(ctx, out); err != nil {
		return nil, wrap("find content gaps", err)
	}
	return out, nil
}

// ContentGapCounts counts the gaps' hits in [from, to) through the
// no-result searches' index.
func (s *Store) ContentGapCounts(ctx context.Context, norms []string, from, to time.Time) (map[string]int, error) {
	out := map[string]int{}
	if len(norms) == 0 {
		return out, nil
	}
	args := append([]any{from, to}, anys(norms)...)
	for _, q := range []string{
		`SELECT norm, COUNT(*) FROM search_log WHERE hits = 0 AND created_at >= ? AND created_at < ? AND norm IN (` + placeholders(len(norms)) + `) GROUP BY norm`,
		`SELECT norm, COUNT(*) FROM unanswered_questions WHERE created_at >= ? AND created_at < ? AND norm IN (` + placeholders(len(norms)) + `) GROUP BY norm`,
	} {
		rows, err := s.db.Query(ctx, q, args...)
		if err != nil {
			return nil, wrap("content gap counts", err)
		}
		for rows.Next() {
			var norm string
			var n int
			if err := rows.Scan(&norm, &n); err != nil {
				rows.Close()
				return nil, wrap("content gap counts", err)
			}
			out[norm] += n
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, wrap("content gap counts", err)
		}
	}
	return out, nil
}

// gapDrafts sets the draft each gap was turned into.
func (s *Store) gapDrafts(ctx context.Context, gaps []*portal.ContentGap) error {
	if len(gaps) == 0 {
		return nil
	}
	by := map[string]*portal.ContentGap{}
	args := make([]any, len(gaps))
	for i, g := range gaps {
		by[g.Normalized], args[i] = g, g.Normalized
	}
	rows, err := s.db.Query(ctx, `SELECT norm, article_id FROM gap_drafts WHERE norm IN (?`+strings.Repeat(", ?", len(gaps)-1)+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var norm string
		var id int64
		if err := rows.Scan(&norm, &id); err != nil {
			return err
		}
		if g := by[norm]; g != nil {
			g.DraftID = &id
		}
	}
	return rows.Err()
}

// FindUnhelpfulArticles returns articles by "not helpful" votes, most first.
func (s *Store) FindUnhelpfulArticles(ctx context.Context, f portal.GapFilter) ([]*portal.UnhelpfulArticle, error) {
	rows, err := s.db.Query(ctx, `SELECT a.id, a.title, a.slug, a.status, SUM(v.helpful), SUM(1 - v.helpful)
		FROM article_votes v JOIN articles a ON a.id = v.article_id WHERE v.created_at >= ?
		GROUP BY a.id, a.title, a.slug, a.status HAVING SUM(1 - v.helpful) > 0
		ORDER BY SUM(1 - v.helpful) DESC, a.id LIMIT ?`, f.Since, limit(f.Limit, 20, 200))
	if err != nil {
		return nil, wrap("find unhelpful articles", err)
	}
	var out []*portal.UnhelpfulArticle
	for rows.Next() {
		var u portal.UnhelpfulArticle
		if err := rows.Scan(&u.ArticleID, &u.Title, &u.Slug, &u.Status, &u.Votes.Helpful, &u.Votes.NotHelpful); err != nil {
			rows.Close()
			return nil, wrap("scan unhelpful article", err)
		}
		out = append(out, &u)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, wrap("find unhelpful articles", err)
	}
	for _, u := range out {
		err := s.db.QueryRow(ctx, `SELECT comment FROM article_votes WHERE article_id = ? AND helpful = 0 AND comment <> '' ORDER BY created_at DESC, id DESC LIMIT 1`, u.ArticleID).
			Scan(&u.LastComment)
		if err != nil && !portal.IsNotFound(notFound(err, "")) {
			return nil, wrap("last comment", err)
		}
	}
	return out, nil
}
