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
	"log/slog"
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
	// CheckpointInterval is how often a background goroutine copies the
	// write-ahead log into the database file; default 250ms. Commits then
	// do not stop to checkpoint (and fsync) themselves, unless the log
	// grows past 64 MiB between two background checkpoints. A checkpoint
	// delays the commits that run meanwhile, the more the longer the log:
	// at 1,000 chat questions a second, checkpoints every second made
	// answers' p99 16 ms, every 10 s 74-92 ms, every 250 ms 5-8 ms.
	CheckpointInterval time.Duration
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
	if cfg.CheckpointInterval == 0 {
		cfg.CheckpointInterval = 250 * time.Millisecond
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: create dir: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", cfg.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "wal_autocheckpoint(16384)")
	// Reads of the database file go through a memory map rather than a
	// read system call per 4 KB page, and each connection caches 16 MB of
	// pages: a report reading a year of cases and chats made some 100,000
	// page reads, a third of its time in system calls.
	q.Add("_pragma", "mmap_size(1073741824)")
	q.Add("_pragma", "cache_size(-16384)")
	dsn := "file:" + cfg.Path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(cfg.MaxOpenConns)
	db.SetMaxIdleConns(cfg.MaxOpenConns)
	db.SetConnMaxIdleTime(0)
	a := &adapter{db: db, stmts: map[string]*sql.Stmt{}}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: ping: %w", err)
	}
	if a.w, err = openWriter(ctx, dsn); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if _, err := sqlstore.Migrate(ctx, a, Migrations()); err != nil {
		a.w.close()
		db.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	a.stop, a.stopped = make(chan struct{}), make(chan struct{})
	go a.checkpoints(cfg.CheckpointInterval)
	return &Store{Store: sqlstore.New(a)}, nil
}

// checkpoints copies the log into the database every interval, without
// waiting for readers or blocking the writer (a passive checkpoint).
func (a *adapter) checkpoints(interval time.Duration) {
	defer close(a.stopped)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
		}
		if _, err := a.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err != nil && !errors.Is(err, sql.ErrConnDone) {
			slog.Warn("sqlite: checkpoint", "err", err)
		}
	}
}

// adapter implements sqlstore.DB on database/sql.
type adapter struct {
	db *sql.DB
	// txMu serialises write transactions in the process: SQLite allows one
	// writer, and waiting on a mutex hands over in microseconds where the
	// busy handler sleeps for milliseconds.
	txMu sync.Mutex

	// stmts holds prepared statements by query text: the driver would
	// otherwise parse and plan every query on every call, which costs more
	// than running the small queries the portal makes.
	stmtMu sync.RWMutex
	stmts  map[string]*sql.Stmt

	stop, stopped chan struct{} // the checkpoint goroutine

	w *writer // write transactions, under txMu
}

// writer is the one connection write transactions run on (SQLite has one
// writer at a time anyway). Its statements, BEGIN and COMMIT included, stay
// prepared, and its page cache stays warm: a connection's own commits do
// not invalidate it, where each commit by another connection would.
type writer struct {
	db                      *sql.DB // a pool of this one connection
	conn                    *sql.Conn
	begin, commit, rollback *sql.Stmt
	stmts                   map[string]*sql.Stmt // prepared on conn
}

func openWriter(ctx context.Context, dsn string) (*writer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open writer: %w", err)
	}
	db.SetMaxOpenConns(1)
	w := &writer{db: db, stmts: map[string]*sql.Stmt{}}
	if w.conn, err = db.Conn(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open writer: %w", err)
	}
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{{&w.begin, "BEGIN IMMEDIATE"}, {&w.commit, "COMMIT"}, {&w.rollback, "ROLLBACK"}} {
		if *p.st, err = w.conn.PrepareContext(ctx, p.q); err != nil {
			w.close()
			return nil, fmt.Errorf("open writer: %w", err)
		}
	}
	return w, nil
}

func (w *writer) close() {
	for _, st := range w.stmts {
		st.Close()
	}
	for _, st := range []*sql.Stmt{w.begin, w.commit, w.rollback} {
		if st != nil {
			st.Close()
		}
	}
	w.conn.Close()
	w.db.Close()
}

// on returns q's statement prepared on the writer, or the connection itself
// to run q directly when the cache is full or q cannot be prepared.
func (w *writer) on(ctx context.Context, q string) (conn, string) {
	if st := w.stmts[q]; st != nil {
		return stmtConn{st}, ""
	}
	if len(w.stmts) < maxStmts {
		if st, err := w.conn.PrepareContext(ctx, q); err == nil {
			w.stmts[q] = st
			return stmtConn{st}, ""
		}
	}
	return w.conn, q
}

func (w *writer) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	c, q := w.on(ctx, q)
	return execOn(ctx, c, q, args)
}

func (w *writer) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	c, q := w.on(ctx, q)
	return queryOn(ctx, c, q, args)
}

func (w *writer) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	c, q := w.on(ctx, q)
	return queryRowOn(ctx, c, q, args)
}

// maxStmts bounds the statement cache; queries past it run unprepared.
// The store's queries are a fixed set (filters combine a few conditions),
// well under it.
const maxStmts = 1024

// cachedStmt returns q's prepared statement if there is one.
func (a *adapter) cachedStmt(q string) *sql.Stmt {
	a.stmtMu.RLock()
	defer a.stmtMu.RUnlock()
	return a.stmts[q]
}

// stmt returns the prepared statement for q, preparing it on first use, or
// nil when it cannot be prepared (the caller then runs q directly, and
// reports any error). Preparing takes a connection from the pool: no lock
// is held meanwhile.
func (a *adapter) stmt(ctx context.Context, q string) *sql.Stmt {
	if st := a.cachedStmt(q); st != nil {
		return st
	}
	a.stmtMu.RLock()
	full := len(a.stmts) >= maxStmts
	a.stmtMu.RUnlock()
	if full {
		return nil
	}
	st, err := a.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	a.stmtMu.Lock()
	defer a.stmtMu.Unlock()
	if old := a.stmts[q]; old != nil {
		st.Close()
		return old
	}
	a.stmts[q] = st
	return st
}

func (a *adapter) Dialect() string                  { return "sqlite" }
func (a *adapter) Ping(ctx context.Context) error   { return a.db.PingContext(ctx) }
func (a *adapter) IsUniqueViolation(err error) bool { return isUnique(err) }

func (a *adapter) Close() error {
	if a.stop != nil {
		select {
		case <-a.stop:
		default:
			close(a.stop)
			<-a.stopped
		}
	}
	a.txMu.Lock()
	if a.w != nil {
		a.w.close()
		a.w = nil
	}
	a.txMu.Unlock()
	a.stmtMu.Lock()
	for q, st := range a.stmts {
		st.Close()
		delete(a.stmts, q)
	}
	a.stmtMu.Unlock()
	return a.db.Close()
}
func (a *adapter) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	if st := a.stmt(ctx, q); st != nil {
		return execOn(ctx, stmtConn{st}, "", args)
	}
	return execOn(ctx, a.db, q, args)
}

func (a *adapter) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	if st := a.stmt(ctx, q); st != nil {
		return queryOn(ctx, stmtConn{st}, "", args)
	}
	return queryOn(ctx, a.db, q, args)
}

func (a *adapter) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	if st := a.stmt(ctx, q); st != nil {
		return queryRowOn(ctx, stmtConn{st}, "", args)
	}
	return queryRowOn(ctx, a.db, q, args)
}

func (a *adapter) InTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	a.txMu.Lock()
	defer a.txMu.Unlock()
	w := a.w
	if w == nil {
		return sql.ErrConnDone
	}
	// BEGIN IMMEDIATE takes the write lock at once, so read-then-write
	// transactions never fail with SQLITE_BUSY half-way.
	if _, err := w.begin.ExecContext(ctx); err != nil {
		return err
	}
	if err := fn(w); err != nil {
		w.rollback.ExecContext(context.WithoutCancel(ctx))
		return err
	}
	if _, err := w.commit.ExecContext(ctx); err != nil {
		// A failed COMMIT may leave the transaction open.
		w.rollback.ExecContext(context.WithoutCancel(ctx))
		return err
	}
	return nil
}

// stmtConn runs a prepared statement through the conn interface; the
// query text is ignored.
type stmtConn struct{ st *sql.Stmt }

func (s stmtConn) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, args...)
}

func (s stmtConn) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return s.st.QueryContext(ctx, args...)
}

func (s stmtConn) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return s.st.QueryRowContext(ctx, args...)
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
// A row with time columns costs two allocations (the destinations and
// their integers), not one per column: reports scan hundreds of thousands
// of such rows.
func scanTimes(scan func(...any) error, dest []any) error {
	n := 0
	for _, v := range dest {
		switch v.(type) {
		case *time.Time, **time.Time:
			n++
		}
	}
	if n == 0 {
		return scan(dest...)
	}
	ints := make([]sql.NullInt64, n)
	d := append([]any(nil), dest...)
	k := 0
	for i, v := range dest {
		switch v.(type) {
		case *time.Time, **time.Time:
			d[i] = &ints[k]
			k++
		}
	}
	if err := scan(d...); err != nil {
		return err
	}
	k = 0
	for _, v := range dest {
		switch p := v.(type) {
		case *time.Time:
			if x := ints[k]; x.Valid {
				*p = time.UnixMicro(x.Int64).UTC()
			} else {
				*p = time.Time{}
			}
			k++
		case **time.Time:
			if x := ints[k]; x.Valid {
				t := time.UnixMicro(x.Int64).UTC()
				*p = &t
			} else {
				*p = nil
			}
			k++
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
