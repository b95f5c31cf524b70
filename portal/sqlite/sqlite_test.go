package sqlite_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/storetest"

	_ "modernc.org/sqlite"
)

// MustOpen opens a fresh store in a temp dir.
func MustOpen(tb testing.TB, now func() time.Time) portal.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "frontdesk.db")})
	if err != nil {
		tb.Fatal(err)
	}
	s.Now = now
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, MustOpen) }

func TestMigrateTwiceIsNoop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	for i := 0; i < 2; i++ {
		s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		s.Close()
	}
}

// A transaction must not wait for a second connection to prepare a
// statement: with a pool of one, that would wait forever.
func TestTransactionWithOneConnection(t *testing.T) {
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "x.db"), MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := &portal.Conversation{VisitorID: "v"}
	if err := s.CreateConversation(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		m := &portal.Message{ConversationID: c.ID, Author: portal.AuthorCustomer, Body: "hi"}
		if _, err := s.AppendMessage(context.Background(), m); err != nil || m.Seq != int64(i+1) {
			t.Fatalf("append %d: seq=%d err=%v", i, m.Seq, err)
		}
	}
}

// TestManagerRoleConstraint checks migration 007 on a database reopened
// from disk: the widened role constraint admits managers and still refuses
// unknown roles.
func TestManagerRoleConstraint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frontdesk.db")
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ins := `INSERT INTO users (email, role, created_at, updated_at) VALUES (?, ?, 0, 0)`
	if _, err := db.Exec(ins, "m@example.com", "manager"); err != nil {
		t.Fatalf("insert manager: %v", err)
	}
	if _, err := db.Exec(ins, "x@example.com", "bogus"); err == nil {
		t.Fatal("unknown role accepted")
	}
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
}

// TestManagerRoleMigrationReachesOpenConnections: a connection that read
// the schema before migration 008 ran must see the widened constraint too
// (the migration changes the schema version, so SQLite reloads it).
func TestManagerRoleMigrationReachesOpenConnections(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "frontdesk.db")
	read := func(name string) string {
		b, err := fs.ReadFile(sqlite.Migrations(), name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	db1, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db1.Close()
	if _, err := db1.Exec(read("001_foundation.sql")); err != nil {
		t.Fatal(err)
	}
	conn, err := db1.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	db2, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if _, err := db2.Exec(read("008_manager_role.sql")); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO users (email, role, created_at, updated_at) VALUES ('m@example.com', 'manager', 0, 0)`); err != nil {
		t.Fatalf("insert a manager on a connection opened before the migration: %v", err)
	}
}

// TestCaseMigrationKeepsCases: cases left before migration 010 keep their
// number; the message and the replies become the thread, answered becomes
// pending, and each gets a reply token.
func TestCaseMigrationKeepsCases(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "frontdesk.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(sqlite.Migrations(), "*.sql")
	if _, err := db.Exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n >= "010" {
			break
		}
		b, _ := fs.ReadFile(sqlite.Migrations(), n)
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations (name) VALUES (?)`, n); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO users (id, email, name, role, password_hash, created_at, updated_at) VALUES (1, 'ada@example.com', 'Ada', 'customer', 'x', 0, 0), (2, 'agent@example.com', 'Agnes', 'agent', 'x', 0, 0)`,
		`INSERT INTO cases (id, customer_id, email, name, body, transcript, status, created_at, updated_at) VALUES (7, 1, 'ada@example.com', 'Ada', 'Call me back', '', 'answered', 1000000, 2000000), (8, NULL, 'g@example.com', '', 'Hello', '', 'open', 3000000, 3000000)`,
		`INSERT INTO case_replies (case_id, author_id, body, created_at) VALUES (7, 2, 'We called.', 2000000)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.FindCase(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if c.Number() != "C-000007" || c.Status != portal.CasePending || len(c.Token) != 32 || c.Subject != "Call me back" || c.FirstResponseAt == nil {
		t.Fatalf("migrated case %+v", c)
	}
	es, err := s.FindCaseEntries(ctx, 7, false)
	if err != nil || len(es) != 2 || es[0].Kind != portal.EntryCustomer || es[0].Body != "Call me back" || es[1].Kind != portal.EntryReply || es[1].AuthorName != "Agnes" {
		t.Fatalf("migrated thread %+v %v", es, err)
	}
	if g, _ := s.FindCase(ctx, 8); g.Status != portal.CaseOpen || g.Token == c.Token {
		t.Fatalf("second case %+v", g)
	}
	if got, n, _ := s.FindCases(ctx, portal.CaseFilter{Query: "call"}); n != 1 || got[0].ID != 7 {
		t.Fatalf("search after migration found %d", n)
	}
}
