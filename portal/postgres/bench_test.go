package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// BenchmarkChatAppend: see storetest.BenchChatAppend, on the default pool.
func BenchmarkChatAppend(b *testing.B) {
	s, err := postgres.Open(context.Background(), postgres.Config{URL: pgtest.URL(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	s.Now = time.Now
	storetest.BenchChatAppend(b, s)
}
