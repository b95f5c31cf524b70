package main

import (
	"context"
	"fmt"
	"io"
)

// runMigrate applies pending migrations (opening a store does) and exits.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parseFlags("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	where := "embedded SQLite in " + cfg.DataDir
	if !cfg.Embedded() {
		where = "PostgreSQL"
	}
	fmt.Fprintf(stdout, "Schema is up to date (%s).\n", where)
	return nil
}
