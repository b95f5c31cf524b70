package sqlstore

import (
	"context"
	"math"
	"sort"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// KBThresholds returns every stored hand-off threshold.
func (s *Store) KBThresholds(ctx context.Context) ([]portal.KBThreshold, error) {
	rows, err := s.db.Query(ctx, `SELECT locale, threshold, updated_by, updated_at FROM kb_thresholds ORDER BY locale`)
	if err != nil {
		return nil, wrap("kb thresholds", err)
	}
	defer rows.Close()
	var out []portal.KBThreshold
	for rows.Next() {
		var t portal.KBThreshold
		if err := rows.Scan(&t.Locale, &t.Threshold, &t.UpdatedBy, &t.UpdatedAt); err != nil {
			return nil, wrap("scan kb threshold", err)
		}
		out = append(out, t)
	}
	return out, wrap("kb thresholds", rows.Err())
}

// SetKBThreshold stores a locale's hand-off threshold.
func (s *Store) SetKBThreshold(ctx context.Context, t *portal.KBThreshold) error {
	t.Locale = strings.TrimSpace(t.Locale)
	if t.Locale == "" || len(t.Locale) > 10 {
		return portal.FieldError("locale", "Choose a knowledge base.")
	}
	if math.IsNaN(t.Threshold) || t.Threshold < 0 || t.Threshold > 1 {
		return portal.FieldError("threshold", "The threshold is a number from 0 to 1.")
	}
	t.UpdatedAt = s.now()
	_, err := s.db.Exec(ctx, `INSERT INTO kb_thresholds (locale, threshold, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (locale) DO UPDATE SET threshold = excluded.threshold, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		t.Locale, t.Threshold, t.UpdatedBy, t.UpdatedAt)
	return wrap("set kb threshold", err)
}

// ResetKBThreshold removes a locale's hand-off threshold.
func (s *Store) ResetKBThreshold(ctx context.Context, locale string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM kb_thresholds WHERE locale = ?`, locale)
	return wrap("reset kb threshold", err)
}

// RecentQuestions returns the distinct questions customers asked since
// f.Since in locale's knowledge base: their chat messages in chats of
// that locale and the FAQ searches of locale, newest first.
func (s *Store) RecentQuestions(ctx context.Context, locale string, f portal.GapFilter) ([]portal.RecentQuestion, error) {
	n := limit(f.Limit, 200, 1000)
	var out []portal.RecentQuestion
	seen := map[string]bool{}
	read := func(source, query string, args ...any) error {
		rows, err := s.db.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			q := portal.RecentQuestion{Source: source, Locale: locale}
			if err := rows.Scan(&q.Text, &q.At); err != nil {
				return err
			}
			norm := portal.NormalizeQuery(q.Text)
			if norm == "" || seen[norm] {
				continue
			}
			seen[norm] = true
			out = append(out, q)
		}
		return rows.Err()
	}
	// Fetched twice the limit of each, as repeats are folded.
	// Chat questions of the chats asked in locale's knowledge base only.
	if err := read("chat", `SELECT m.body, m.created_at FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.author = ? AND m.internal = ? AND m.created_at >= ? AND c.locale = ? ORDER BY m.created_at DESC, m.id DESC LIMIT ?`,
		portal.AuthorCustomer, false, f.Since, locale, 2*n); err != nil {
		return nil, wrap("recent chat questions", err)
	}
	if err := read("search", `SELECT query, created_at FROM search_log WHERE locale = ? AND source <> 'article' AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT ?`,
		locale, f.Since, 2*n); err != nil {
		return nil, wrap("recent searches", err)
	}
	// Newest first across both sources.
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}
