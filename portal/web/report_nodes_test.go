package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/web"
)

// TestReportsAcrossNodes: two nodes, each with its own store and bus on
// one PostgreSQL database, as behind a load balancer. A refit started on
// one shows on the other; an export started on one is followed and
// downloaded on the other, and stays its owner's.
func TestReportsAcrossNodes(t *testing.T) {
	dbURL := pgtest.URL(t)
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
		srv, err := web.New(web.TestConfig(t, web.Config{Store: s, Bus: b}))
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
