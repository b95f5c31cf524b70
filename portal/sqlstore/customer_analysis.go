package sqlstore

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// ClaimAnalysis takes the one lease row when it is free, expired or
// holder's already; one UPDATE, so two nodes cannot both win.
func (s *Store) ClaimAnalysis(ctx context.Context, holder string, now, until time.Time) (bool, error) {
	n, err := s.db.Exec(ctx, `UPDATE customer_analysis SET holder = ?, lease_until = ?
	WHERE id = 1 AND (holder = '' OR holder = ? OR lease_until IS NULL OR lease_until < ?)`, holder, until, holder, now)
	return n == 1, wrap("claim analysis", err)
}

// SaveAnalysis stores the result and frees holder's lease.
func (s *Store) SaveAnalysis(ctx context.Context, holder string, madeAt time.Time, data []byte) error {
	_, err := s.db.Exec(ctx, `UPDATE customer_analysis SET made_at = ?, data = ?,
		holder = CASE WHEN holder = ? THEN '' ELSE holder END,
		lease_until = CASE WHEN holder = ? THEN NULL ELSE lease_until END
	WHERE id = 1`, madeAt, data, holder, holder)
	return wrap("save analysis", err)
}

// ReleaseAnalysis frees holder's lease.
func (s *Store) ReleaseAnalysis(ctx context.Context, holder string) error {
	_, err := s.db.Exec(ctx, `UPDATE customer_analysis SET holder = '', lease_until = NULL WHERE id = 1 AND holder = ?`, holder)
	return wrap("release analysis", err)
}

// SharedAnalysis reads the lease, and the data when newer than after.
func (s *Store) SharedAnalysis(ctx context.Context, after time.Time) (portal.AnalysisLease, []byte, error) {
	var l portal.AnalysisLease
	var made, until *time.Time
	var data []byte
	err := s.db.QueryRow(ctx, `SELECT made_at, holder, lease_until, CASE WHEN made_at > ? THEN data END FROM customer_analysis WHERE id = 1`, after).
		Scan(&made, &l.Holder, &until, &data)
	if made != nil {
		l.MadeAt = *made
	}
	if until != nil {
		l.LeaseUntil = *until
	}
	return l, data, wrap("shared analysis", err)
}
