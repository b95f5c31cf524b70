package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
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
