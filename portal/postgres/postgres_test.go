package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/sqlstore"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// MustOpen opens a store on a fresh database.
func MustOpen(tb testing.TB, now func() time.Time) portal.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), postgres.Config{URL: pgtest.URL(tb), MaxConns: 8})
	if err != nil {
		tb.Fatal(err)
	}
	s.Now = now
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, MustOpen) }

// A batch is one transaction: a failing statement rolls back those before
// it, so the chat's group commit can try each message again on its own.
func TestSendBatchIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, postgres.Config{URL: pgtest.URL(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, ok := s.DB().(sqlstore.Batcher)
	if !ok {
		t.Fatal("the PostgreSQL adapter sends no batches")
	}
	db := s.DB()
	if _, err := db.Exec(ctx, `CREATE TABLE batch_t (k TEXT PRIMARY KEY, n INT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	ins := func(k string, n int) sqlstore.BatchQuery {
		return sqlstore.BatchQuery{SQL: `INSERT INTO batch_t (k, n) VALUES (?, ?) RETURNING n`, Args: []any{k, n},
			Scan: func(r sqlstore.Row) error { var got int; return r.Scan(&got) }}
	}
	count := func() int {
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM batch_t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := b.SendBatch(ctx, []sqlstore.BatchQuery{ins("a", 1), ins("b", 2)}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d rows after a clean batch, want 2", n)
	}
	err = b.SendBatch(ctx, []sqlstore.BatchQuery{ins("c", 3), ins("d", 4), ins("a", 5), ins("e", 6)})
	if !db.IsUniqueViolation(err) {
		t.Fatalf("batch with a duplicate key: err=%v, want a unique violation", err)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d rows after a failed batch, want 2: the statements before the failure were kept", n)
	}
	// A row that is not there comes back as sql.ErrNoRows, without failing the batch.
	var noRow error
	err = b.SendBatch(ctx, []sqlstore.BatchQuery{
		{SQL: `SELECT n FROM batch_t WHERE k = ?`, Args: []any{"zz"}, Scan: func(r sqlstore.Row) error { var n int; noRow = r.Scan(&n); return nil }},
		ins("f", 7),
	})
	if err != nil || !errors.Is(noRow, sql.ErrNoRows) {
		t.Fatalf("err=%v, empty result=%v; want nil and sql.ErrNoRows", err, noRow)
	}
	if n := count(); n != 3 {
		t.Fatalf("%d rows, want 3", n)
	}
}
