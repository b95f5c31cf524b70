package sqlstore

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// RecordAudit appends to the audit log.
func (s *Store) RecordAudit(ctx context.Context, e *portal.AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	err := s.db.QueryRow(ctx, `INSERT INTO audit_log (actor_id, actor_email, action, entity, entity_id, detail, ip, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.ActorID, e.ActorEmail, e.Action, e.Entity, e.EntityID, truncate(e.Detail, 2000), e.IP, e.At).Scan(&e.ID)
	return wrap("record audit", err)
}

// FindAudit returns a page of the audit log, newest first.
func (s *Store) FindAudit(ctx context.Context, f portal.AuditFilter) ([]*portal.AuditEntry, int, error) {
	var w where
	if f.ActorID != nil {
		w.add("actor_id = ?", *f.ActorID)
	}
	if f.Entity != "" {
		w.add("entity = ?", f.Entity)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count audit", err)
	}
	rows, err := s.db.Query(ctx, `SELECT id, actor_id, actor_email, action, entity, entity_id, detail, ip, at FROM audit_log`+w.String()+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 50, 500), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find audit", err)
	}
	defer rows.Close()
	var out []*portal.AuditEntry
	for rows.Next() {
		var e portal.AuditEntry
		if err := rows.Scan(&e.ID, &e.ActorID, &e.ActorEmail, &e.Action, &e.Entity, &e.EntityID, &e.Detail, &e.IP, &e.At); err != nil {
			return nil, 0, wrap("scan audit", err)
		}
		out = append(out, &e)
	}
	return out, total, wrap("find audit", rows.Err())
}

// HitRate counts one event in key's current window.
func (s *Store) HitRate(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	start := now.Truncate(window)
	var n int
	err := s.db.QueryRow(ctx, `INSERT INTO rate_limits (key, window_start, window_end, count) VALUES (?, ?, ?, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1 RETURNING count`,
		key, start, start.Add(window)).Scan(&n)
	return n, start.Add(window), wrap("hit rate", err)
}

// UndoRate takes back one of key's events in the window containing now.
func (s *Store) UndoRate(ctx context.Context, key string, window time.Duration, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE rate_limits SET count = count - 1 WHERE key = ? AND window_start = ? AND count > 0`, key, now.Truncate(window))
	return wrap("undo rate", err)
}

// RateCount reads key's count in the current window.
func (s *Store) RateCount(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	start := now.Truncate(window)
	var n int
	err := s.db.QueryRow(ctx, `SELECT COALESCE(SUM(count), 0) FROM rate_limits WHERE key = ? AND window_start = ?`, key, start).Scan(&n)
	return n, start.Add(window), wrap("rate count", err)
}

// DeleteOldRates removes ended windows.
func (s *Store) DeleteOldRates(ctx context.Context, before time.Time) error {
	_, err := s.db.Exec(ctx, `DELETE FROM rate_limits WHERE window_end < ?`, before)
	return wrap("delete old rates", err)
}
