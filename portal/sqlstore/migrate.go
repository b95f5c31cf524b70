package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Migrate applies the .sql files in fsys that have not run yet, in name
// order, each in its own transaction, and records them in schema_migrations.
// It returns the names it applied.
func Migrate(ctx context.Context, db DB, fsys fs.FS) ([]string, error) {
	if _, err := db.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)`); err != nil {
		return nil, fmt.Errorf("migrate: create table: %w", err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var applied []string
	for _, name := range names {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return applied, err
		}
		err = db.InTx(ctx, func(q Querier) error {
			var n int
			if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(string(body)) {
				if _, err := q.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", firstLine(stmt), err)
				}
			}
			if _, err := q.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES (?)`, name); err != nil {
				return err
			}
			applied = append(applied, name)
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return applied, nil
}

// splitStatements splits a migration into statements at lines that end
// with ";". A line ending with ";" does not end the statement inside a
// trigger body (from a line ending with BEGIN to a line "END;") or inside a
// dollar-quoted PL/pgSQL body ($$ ... $$).
func splitStatements(s string) []string {
	var out []string
	var cur strings.Builder
	inBody, inDollar := false, false
	for _, line := range strings.Split(s, "\n") {
		cur.WriteString(line)
		cur.WriteByte('\n')
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") {
			continue
		}
		if strings.Count(t, "$$")%2 == 1 {
			inDollar = !inDollar
		}
		upper := strings.ToUpper(t)
		if !inDollar && (upper == "BEGIN" || strings.HasSuffix(upper, " BEGIN")) {
			inBody = true
		}
		if inBody && upper == "END;" {
			inBody = false
		}
		if inDollar || inBody || !strings.HasSuffix(t, ";") {
			continue
		}
		if stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"); stripComments(stmt) != "" {
			out = append(out, stmt)
		}
		cur.Reset()
	}
	if stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"); stripComments(stmt) != "" {
		out = append(out, stmt)
	}
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
			b.WriteString(t)
		}
	}
	return b.String()
}

func firstLine(s string) string {
	s = stripComments(s)
	if len(s) > 60 {
		s = truncate(s, 60) + "…"
	}
	return s
}
