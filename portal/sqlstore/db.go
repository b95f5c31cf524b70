// Package sqlstore implements the portal services once, in SQL that both
// SQLite and PostgreSQL accept. Each backend package (portal/sqlite,
// portal/postgres) supplies a DB adapter for its driver and its own
// migrations; this package imports neither driver. One set of queries for two
// backends means the conformance suite tests the same code paths on both and
// the backends cannot drift apart.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Rows is the part of a result set the queries use.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is a single-row result. Scan returns sql.ErrNoRows when empty.
type Row interface {
	Scan(dest ...any) error
}

// Querier runs queries written with ? placeholders. Adapters rewrite
// placeholders, convert time.Time arguments and destinations to the
// backend's representation, and return times in UTC.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// DB is a connection pool.
type DB interface {
	Querier
	// InTx runs fn in a transaction that serialises with other writers of
	// the same rows; it commits when fn returns nil.
	InTx(ctx context.Context, fn func(q Querier) error) error
	Ping(ctx context.Context) error
	Close() error
	// IsUniqueViolation reports whether err is a unique-constraint error.
	IsUniqueViolation(err error) bool
	// Dialect names the backend: "sqlite" or "postgres".
	Dialect() string
}

// BatchQuery is one statement of a batch. Scan gets the statement's
// first row, or a Row whose Scan returns sql.ErrNoRows when it has none;
// an error from Scan ends the batch with that error.
type BatchQuery struct {
	SQL  string
	Args []any
	Scan func(Row) error
}

// Batcher is implemented by a DB that sends several statements in one
// round trip and runs them as one transaction (PostgreSQL's pipeline with
// one Sync): all of them take effect, or, when one fails, none.
type Batcher interface {
	SendBatch(ctx context.Context, qs []BatchQuery) error
}

// Store implements portal.Store on a DB.
type Store struct {
	db DB
	// Now is the clock; time.Now by default.
	Now func() time.Time

	appends appender
	// sla caches the SLA settings (slaSettingsIn).
	sla atomic.Pointer[slaCache]
	// days keeps decoded day blocks of report facts by version.
	days factDayCache
}

var _ portal.Store = (*Store)(nil)

// New returns a store on db.
func New(db DB) *Store {
	return &Store{db: db, Now: time.Now}
}

// DB returns the underlying pool, for backend-specific features.
func (s *Store) DB() DB { return s.db }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// Close closes the pool.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// notFound maps sql.ErrNoRows to a domain error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return portal.Errorf(portal.ENOTFOUND, "%s not found.", what)
	}
	return err
}

// execOne runs a statement that must touch a row; touching none is
// ENOTFOUND with msg.
func (s *Store) execOne(ctx context.Context, op, msg, query string, args ...any) error {
	n, err := s.db.Exec(ctx, query, args...)
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return portal.Errorf(portal.ENOTFOUND, "%s", msg)
	}
	return nil
}

// collect scans every row with scan and closes rows.
func collect[T any](rows Rows, scan func(Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func limit(n, def, max int) int {
	if n <= 0 {
		return def
	}
	if n > max {
		return max
	}
	return n
}

// where accumulates AND-ed conditions.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	s := " WHERE " + w.conds[0]
	for _, c := range w.conds[1:] {
		s += " AND " + c
	}
	return s
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if portal.ErrorCode(err) != portal.EINTERNAL {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
