// Package postgres is Frontdesk's production store: PostgreSQL through pgx v5
// and pgxpool. Several Frontdesk nodes can share one database.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal/sqlstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
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
	// URL is a postgres:// connection string.
	URL string
	// MaxConns bounds the pool; default 16 (or pool_max_conns in the URL).
	MaxConns int32
	// MinConns is how many connections the pool opens at once and keeps;
	// default half of MaxConns (or pool_min_conns in the URL). Opening a
	// connection costs PostgreSQL a process; paying for it in the middle
	// of a burst of chat messages delayed them by up to a second.
	MinConns int32
	// ConnectTimeout bounds each connection attempt; default 5s.
	ConnectTimeout time.Duration
}

// Store is a PostgreSQL-backed portal.Store.
type Store struct {
	*sqlstore.Store
	Pool *pgxpool.Pool
}

// Open connects, checks the server answers and applies migrations.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	} else if !strings.Contains(cfg.URL, "pool_max_conns") {
		pc.MaxConns = 16
	}
	if cfg.MinConns > 0 {
		pc.MinConns = min(cfg.MinConns, pc.MaxConns)
	} else if !strings.Contains(cfg.URL, "pool_min_conns") {
		pc.MinConns = max(1, pc.MaxConns/2)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	pc.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	pc.MaxConnIdleTime = 5 * time.Minute
	pc.HealthCheckPeriod = 15 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: ping: %w", err)
	}
	a := &adapter{pool: pool}
	// One node migrates at a time.
	if err := a.withAdvisoryLock(ctx, func() error {
		_, err := sqlstore.Migrate(ctx, a, Migrations())
		return err
	}); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{Store: sqlstore.New(a), Pool: pool}, nil
}

const migrationLock = 7_261_001

func (a *adapter) withAdvisoryLock(ctx context.Context, fn func() error) error {
	c, err := a.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	if _, err := c.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return err
	}
	defer c.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLock)
	return fn()
}

// adapter implements sqlstore.DB on a pgx pool.
type adapter struct {
	pool *pgxpool.Pool
}

var (
	_ sqlstore.DB                = (*adapter)(nil)
	_ sqlstore.ConcurrentWriters = (*adapter)(nil)
	_ sqlstore.Batcher           = (*adapter)(nil)
)

// SendBatch sends qs in one round trip. Outside an explicit transaction
// PostgreSQL runs the statements up to the batch's one Sync message as a
// single implicit transaction: a failing statement rolls back the others.
func (a *adapter) SendBatch(ctx context.Context, qs []sqlstore.BatchQuery) error {
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(qs))}
	for _, q := range qs {
		b.Queue(rebind(q.SQL), q.Args...)
	}
	br := a.pool.SendBatch(ctx, b)
	for _, q := range qs {
		if err := q.Scan(rowAdapter{br.QueryRow()}); err != nil {
			br.Close()
			return err
		}
	}
	return br.Close()
}

func (a *adapter) Dialect() string { return "postgres" }

// ConcurrentWriters lets half the pool commit chat messages at once (the
// group commit's transactions take one connection each).
func (a *adapter) ConcurrentWriters() int         { return max(1, int(a.pool.Config().MaxConns)/2) }
func (a *adapter) Ping(ctx context.Context) error { return a.pool.Ping(ctx) }
func (a *adapter) Close() error                   { a.pool.Close(); return nil }

func (a *adapter) IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

type pgConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (a *adapter) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return execOn(ctx, a.pool, q, args)
}

func (a *adapter) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return queryOn(ctx, a.pool, q, args)
}

func (a *adapter) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return rowAdapter{a.pool.QueryRow(ctx, rebind(q), args...)}
}

func (a *adapter) InTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return pgx.BeginFunc(ctx, a.pool, func(tx pgx.Tx) error {
		return fn(txAdapter{tx})
	})
}

type txAdapter struct{ tx pgx.Tx }

func (t txAdapter) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return execOn(ctx, t.tx, q, args)
}

func (t txAdapter) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return queryOn(ctx, t.tx, q, args)
}

func (t txAdapter) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return rowAdapter{t.tx.QueryRow(ctx, rebind(q), args...)}
}

func execOn(ctx context.Context, c pgConn, q string, args []any) (int64, error) {
	tag, err := c.Exec(ctx, rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func queryOn(ctx context.Context, c pgConn, q string, args []any) (sqlstore.Rows, error) {
	rows, err := c.Query(ctx, rebind(q), args...)
	if err != nil {
		return nil, err
	}
	return rowsAdapter{rows}, nil
}

type rowsAdapter struct{ pgx.Rows }

func (r rowsAdapter) Scan(dest ...any) error {
	if err := r.Rows.Scan(dest...); err != nil {
		return err
	}
	utc(dest)
	return nil
}

type rowAdapter struct{ row pgx.Row }

func (r rowAdapter) Scan(dest ...any) error {
	if err := r.row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return sql.ErrNoRows
		}
		return err
	}
	utc(dest)
	return nil
}

func utc(dest []any) {
	for _, v := range dest {
		switch p := v.(type) {
		case *time.Time:
			*p = p.UTC()
		case **time.Time:
			if *p != nil {
				t := (*p).UTC()
				*p = &t
			}
		}
	}
}

var rebound sync.Map // query with ? -> query with $n

// rebind rewrites ? placeholders to $1, $2, ... outside string literals.
func rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n, inStr := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}
