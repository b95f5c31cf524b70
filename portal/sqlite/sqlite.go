// Package sqlite is Frontdesk's embedded default store: SQLite through the
// pure-Go modernc.org/sqlite driver, in WAL mode with a busy timeout and
// foreign keys on. Times are stored as UTC microseconds since the epoch.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the embedded schema migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Config configures Open. Zero values mean defaults.
type Config struct {
	// Path is the database file; ":memory:" is not supported (WAL needs a file).
	Path string
	// BusyTimeout is how long a writer waits for the lock; default 10s.
	BusyTimeout time.Duration
	// MaxOpenConns bounds the pool; default 8.
	MaxOpenConns int
}

// Store is a SQLite-backed portal.Store.
type Store struct {
	*sqlstore.Store
}

// Open opens (creating if needed) the database file and applies migrations.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlite: path is required")
	}
	if cfg.BusyTimeout == 0 {
		cfg.BusyTimeout = 10 * time.Second
	}
	if cfg.MaxOpenConns == 0 {
		cfg.MaxOpenConns = 8
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: create dir: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", cfg.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Every transaction takes the write lock at BEGIN, so read-then-write
	// transactions never fail with SQLITE_BUSY half-way.
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+cfg.Path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(cfg.MaxOpenConns)
	db.SetMaxIdleConns(cfg.MaxOpenConns)
	db.SetConnMaxIdleTime(0)
	a := &adapter{db: db, stmts: &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: ping: %w", err)
	}
	if _, err := sqlstore.Migrate(ctx, a, Migrations()); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return &Store{Store: sqlstore.New(a)}, nil
}

// adapter implements sqlstore.DB on database/sql.
type adapter struct {
	db *sql.DB
	// txMu serialises write transactions in the process: SQLite allows one
	// writer, and waiting on a mutex hands over in microseconds where the
	// busy handler sleeps for milliseconds.
	txMu sync.Mutex
	// stmts keeps the store's statements prepared: parsing is a large part
	// of a short query's cost in SQLite.
	stmts *stmtCache
}

// maxCachedStmts bounds the statement cache; the store's queries are a
// fixed set plus a few shapes built from filters.
const maxCachedStmts = 1024

// stmtCache prepares each distinct query once (database/sql then prepares
// it once per connection, lazily).
type stmtCache struct {
	db      *sql.DB
	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]bool
	closed  bool
}

// cacheable reports whether q is a statement worth keeping prepared (not
// schema changes, which run once).
func cacheable(q string) bool {
	q = strings.TrimSpace(q)
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "SELECT", "INSERT", "UPDATE", "DELETE":
		return true
	}
	return strings.EqualFold(q[:4], "WITH")
}

// peek returns q's statement if it is prepared already; otherwise it
// prepares it in the background (a transaction holding a connection must
// not wait for another one) and returns nil.
func (c *stmtCache) peek(q string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[q]
	skip := ok || c.pending[q] || len(c.m) >= maxCachedStmts || c.closed
	c.mu.RUnlock()
	if skip || !cacheable(q) {
		return st
	}
	c.mu.Lock()
	if c.pending[q] {
		c.mu.Unlock()
		return nil
	}
	c.pending[q] = true
	c.mu.Unlock()
	go func() {
		c.get(context.Background(), q)
		c.mu.Lock()
		delete(c.pending, q)
		c.mu.Unlock()
	}()
	return nil
}

// get returns q prepared, or nil when it cannot be cached (the cache is
// full or closed, or q fails to prepare, in which case running it unprepared
// reports the error).
func (c *stmtCache) get(ctx context.Context, q string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[q]
	full := len(c.m) >= maxCachedStmts || c.closed
	c.mu.RUnlock()
	if ok || full || !cacheable(q) {
		return st
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[q]; ok || c.closed || len(c.m) >= maxCachedStmts {
		st.Close()
		return old
	}
	c.m[q] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}

var _ sqlstore.DB = (*adapter)(nil)

func (a *adapter) Dialect() string                  { return "sqlite" }
func (a *adapter) Ping(ctx context.Context) error   { return a.db.PingContext(ctx) }
func (a *adapter) Close() error                     { a.stmts.close(); return a.db.Close() }
func (a *adapter) IsUniqueViolation(err error) bool { return isUnique(err) }

func (a *adapter) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	if st := a.stmts.get(ctx, q); st != nil {
		return execOn(ctx, stmtConn{st}, q, args)
	}
	return execOn(ctx, a.db, q, args)
}

func (a *adapter) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	if st := a.stmts.get(ctx, q); st != nil {
		return queryOn(ctx, stmtConn{st}, q, args)
	}
	return queryOn(ctx, a.db, q, args)
}

func (a *adapter) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	if st := a.stmts.get(ctx, q); st != nil {
		return queryRowOn(ctx, stmtConn{st}, q, args)
	}
	return queryRowOn(ctx, a.db, q, args)
}

// stmtConn runs a prepared statement through the conn interface (the query
// text is already in the statement).
type stmtConn struct{ st *sql.Stmt }

func (c stmtConn) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return c.st.ExecContext(ctx, args...)
}

func (c stmtConn) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return c.st.QueryContext(ctx, args...)
}

func (c stmtConn) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return c.st.QueryRowContext(ctx, args...)
}

func (a *adapter) InTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	a.txMu.Lock()
	defer a.txMu.Unlock()
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(txAdapter{tx, a.stmts}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

type txAdapter struct {
	tx    *sql.Tx
	stmts *stmtCache
}

// on returns the transaction's handle for q: the cached statement bound to
// the transaction (closed with it), or the transaction itself.
func (t txAdapter) on(ctx context.Context, q string) conn {
	if st := t.stmts.peek(q); st != nil {
		return stmtConn{t.tx.StmtContext(ctx, st)}
	}
	return t.tx
}

func (t txAdapter) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return execOn(ctx, t.on(ctx, q), q, args)
}

func (t txAdapter) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return queryOn(ctx, t.on(ctx, q), q, args)
}

func (t txAdapter) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return queryRowOn(ctx, t.on(ctx, q), q, args)
}

type conn interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func execOn(ctx context.Context, c conn, q string, args []any) (int64, error) {
	res, err := c.ExecContext(ctx, q, convertArgs(args)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func queryOn(ctx context.Context, c conn, q string, args []any) (sqlstore.Rows, error) {
	rows, err := c.QueryContext(ctx, q, convertArgs(args)...)
	if err != nil {
		return nil, err
	}
	return rowsAdapter{rows}, nil
}

func queryRowOn(ctx context.Context, c conn, q string, args []any) sqlstore.Row {
	return rowAdapter{c.QueryRowContext(ctx, q, convertArgs(args)...)}
}

type rowsAdapter struct{ *sql.Rows }

func (r rowsAdapter) Close()                 { r.Rows.Close() }
func (r rowsAdapter) Scan(dest ...any) error { return scanTimes(r.Rows.Scan, dest) }

type rowAdapter struct{ *sql.Row }

func (r rowAdapter) Scan(dest ...any) error { return scanTimes(r.Row.Scan, dest) }

// convertArgs stores times as UTC microseconds.
func convertArgs(args []any) []any {
	out := make([]any, len(args))
	for i, v := range args {
		switch t := v.(type) {
		case time.Time:
			out[i] = t.UnixMicro()
		case *time.Time:
			if t == nil {
				out[i] = nil
			} else {
				out[i] = t.UnixMicro()
			}
		default:
			out[i] = v
		}
	}
	return out
}

// scanTimes reads microsecond columns into *time.Time and **time.Time.
func scanTimes(scan func(...any) error, dest []any) error {
	type fix struct {
		i int
		n *sql.NullInt64
	}
	var fixes []fix
	d := dest
	for i, v := range dest {
		switch v.(type) {
		case *time.Time, **time.Time:
			if fixes == nil {
				d = append([]any(nil), dest...)
			}
			n := new(sql.NullInt64)
			d[i] = n
			fixes = append(fixes, fix{i, n})
		}
	}
	if err := scan(d...); err != nil {
		return err
	}
	for _, f := range fixes {
		switch p := dest[f.i].(type) {
		case *time.Time:
			if f.n.Valid {
				*p = time.UnixMicro(f.n.Int64).UTC()
			} else {
				*p = time.Time{}
			}
		case **time.Time:
			if f.n.Valid {
				t := time.UnixMicro(f.n.Int64).UTC()
				*p = &t
			} else {
				*p = nil
			}
		}
	}
	return nil
}

func isUnique(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
