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
