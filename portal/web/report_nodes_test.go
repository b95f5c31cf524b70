package web_test

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/web"
)

// countedStats counts the order reads of one node's analysis.
type countedStats struct {
	*postgres.Store
	reads *atomic.Int32
}

func (c *countedStats) CustomerOrderStats(ctx context.Context, f portal.CustomerStatsFilter) ([]portal.CustomerOrderStats, error) {
	c.reads.Add(1)
	return c.Store.CustomerOrderStats(ctx, f)
}

// TestReportsAcrossNodes: two nodes, each with its own store and bus on
// one PostgreSQL database, as behind a load balancer, with the analysis
// shared as serve runs it there. A refit started on one is computed once
// and shows the same on the other; an export started on one is followed and
// downloaded on the other, and stays its owner's.
func TestReportsAcrossNodes(t *testing.T) {
	dbURL := pgtest.URL(t)
	var reads atomic.Int32
	node := func() (*web.Server, *postgres.Store) {
		s, err := postgres.Open(context.Background(), postgres.Config{URL: dbURL, MaxConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		b, err := postgres.NewBus(context.Background(), s.Pool, postgres.BusConfig{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		// The analysis shared as serve runs it on PostgreSQL: one node
		// computes, the other loads the stored result.
		r := analytics.NewRefitter(analytics.RefitterConfig{Store: &countedStats{Store: s, reads: &reads}, Shared: s, Poll: 5 * time.Millisecond})
		t.Cleanup(func() { r.Close() })
		srv, err := web.New(web.TestConfig(t, web.Config{Store: s, Bus: b, Analytics: r}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		return srv, s
	}
	one, s1 := node()
	two, s2 := node()
	seedCustomers(t, s1, 12)
	MustUser(t, s1, portal.RoleManager, "boss@example.com")
	c1, c2 := newClient(t, one), newClient(t, two)
	c1.login("boss@example.com")
	c2.login("boss@example.com")

	wantBody(t, c2.get("/reports/customers"), "No analysis has run yet")
	refit(t, c1, one)
	waitFor(t, func() bool { return strings.Contains(c2.get("/reports/customers/status").body, `"at"`) })
	waitFor(t, func() bool { return !strings.Contains(c2.get("/reports/customers/status").body, `"running":true`) })
	if got := reads.Load(); got != 1 {
		t.Fatalf("orders read %d times for one refit on two nodes, want 1 (one computes, the other loads)", got)
	}
	if a, b := c1.get("/reports/customers/segments.csv").body, c2.get("/reports/customers/segments.csv").body; a != b || !strings.Contains(a, "Champions") {
		t.Fatalf("the nodes show different analyses:\n%s\n---\n%s", a, b)
	}

	c1.get("/reports/customers/list?min_r=4")
	res := c1.post("/reports/customers/exports?min_r=4", url.Values{})
	wantStatus(t, res, 303)
	page := res.Header.Get("Location")
	if !strings.HasPrefix(page, "/reports/customers/exports/") {
		t.Fatalf("export started at %q", page)
	}
	// Followed on the other node until done, then downloaded there.
	waitFor(t, func() bool { return strings.Contains(c2.get(page+"?format=json").body, `"running":false`) })
	wantBody(t, c2.get(page), "The file is ready")
	dl := c2.get(page + "/csv")
	wantStatus(t, dl, 200)
	if want := c1.get("/reports/customers/list.csv?min_r=4"); dl.body != want.body || !strings.Contains(dl.body, "@example.com") {
		t.Fatalf("export downloaded on the other node differs from the list:\n%s\n---\n%s", dl.body, want.body)
	}
	// Still its owner's only, on either node.
	MustUser(t, s2, portal.RoleManager, "other.boss@example.com")
	o := newClient(t, two)
	o.login("other.boss@example.com")
	wantStatus(t, o.get(page), 404)
	wantStatus(t, o.get(page+"/csv"), 404)
}
