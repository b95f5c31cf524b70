package web_test

import (
	"encoding/csv"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/frontdesk/frontdesk/portal/web"
)

// seedCustomers gives n customers orders: customer i buys i%4+1 times, the
// last time i days ago, so that the analysis has every kind of customer.
func seedCustomers(tb testing.TB, s portal.Store, n int) []*portal.User {
	tb.Helper()
	now := time.Now().UTC()
	var out []*portal.User
	for i := 0; i < n; i++ {
		u := MustUser(tb, s, portal.RoleCustomer, fmt.Sprintf("c%02d@example.com", i))
		out = append(out, u)
		k := i%4 + 1
		for j := 0; j < k; j++ {
			at := now.AddDate(0, 0, -i*3-j*20)
			o := &portal.Order{Number: fmt.Sprintf("R-%d-%d", i, j), CustomerID: u.ID, Email: u.Email, Status: portal.OrderDelivered,
				PaymentStatus: portal.PaymentPaid, Currency: "EUR", SubtotalMinor: int64(1000 + 250*i), TotalMinor: int64(1000 + 250*i), PlacedAt: at}
			if err := s.CreateOrder(ctx(), o); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return out
}

// refit starts the analysis as a manager would and waits for it.
func refit(tb testing.TB, c *client, srv *web.Server) {
	tb.Helper()
	c.get("/reports/customers") // the form's CSRF token for this session
	wantStatus(tb, c.post("/reports/customers/refit", url.Values{}), 303)
	waitFor(tb, func() bool {
		res := c.get("/reports/customers/status")
		return res.StatusCode == 200 && strings.Contains(res.body, `"running":false`) && strings.Contains(res.body, `"at"`)
	})
}

func TestCustomerAnalyticsAccess(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		seedCustomers(t, s, 3)
		for _, r := range []portal.Role{portal.RoleAgent, portal.RoleEditor, portal.RoleManager, portal.RoleAdmin} {
			MustUser(t, s, r, string(r)+"@staff.example.com")
		}
		pages := []string{"/reports/customers", "/reports/customers/list", "/reports/customers/list.csv", "/reports/customers/status", "/reports/customers/list.csv?segment=Lost", "/reports/customers/segments.csv"}
		for _, who := range []string{"c00@example.com", "agent@staff.example.com", "editor@staff.example.com"} {
			t.Run(strings.SplitN(who, "@", 2)[0]+" is refused", func(t *testing.T) {
				c := newClient(t, srv)
				c.login(who)
				for _, p := range pages {
					wantStatus(t, c.get(p), 403)
				}
				wantStatus(t, c.post("/reports/customers/refit", url.Values{}), 403)
				wantStatus(t, c.post("/reports/customers/exports", url.Values{}), 403)
			})
		}
		t.Run("guest is sent to sign in", func(t *testing.T) {
			c := newClient(t, srv)
			for _, p := range pages {
				if res := c.get(p); res.StatusCode != 303 && res.StatusCode != 401 {
					t.Fatalf("%s: status %d", p, res.StatusCode)
				}
			}
		})
		for _, who := range []string{"manager@staff.example.com", "admin@staff.example.com"} {
			t.Run(strings.SplitN(who, "@", 2)[0]+" reaches the reports", func(t *testing.T) {
				c := newClient(t, srv)
				c.login(who)
				refit(t, c, srv)
				for _, p := range pages {
					wantStatus(t, c.get(p), 200)
				}
			})
		}
		t.Run("manager lands on the analytics and sees customers", func(t *testing.T) {
			c := newClient(t, srv)
			c.get("/login")
			res := c.post("/login", url.Values{"email": {"manager@staff.example.com"}, "password": {"correct horse"}})
			if got := res.Header.Get("Location"); got != "/reports/customers" {
				t.Fatalf("manager lands on %q", got)
			}
			wantStatus(t, c.get("/staff/customers"), 200)
			wantStatus(t, c.get("/admin/staff"), 403)
		})
	})
}

func TestCustomerAnalyticsPages(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		custs := seedCustomers(t, s, 40)
		MustUser(t, s, portal.RoleManager, "boss@example.com")
		// A formula in a name must not reach a spreadsheet as one.
		name := "=HYPERLINK(\"x\")"
		if _, err := s.UpdateUser(ctx(), custs[0].ID, portal.UserUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, srv)
		c.login("boss@example.com")
		res := c.get("/reports/customers")
		wantStatus(t, res, 200)
		wantBody(t, res, "No analysis has run yet")
		refit(t, c, srv)

		res = c.get("/reports/customers")
		wantStatus(t, res, 200)
		for _, want := range []string{"40 customers", "Champions", "Can&#39;t lose them", "<svg class=\"chart\"", "RFM grid", "Customer equity", "r, α, a, b", "Movement between segments", "stayed in their segment", "(no order yet)"} {
			wantBody(t, res, want)
		}

		t.Run("segments add up to every customer", func(t *testing.T) {
			res := c.get("/reports/customers/list.csv")
			wantStatus(t, res, 200)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
				t.Fatalf("content type %q", ct)
			}
			rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(rows), 41; got != want {
				t.Fatalf("csv rows = %d, want %d (header and 40 customers)", got, want)
			}
			total := 0
			for _, seg := range []string{"Champions", "Loyal", "Potential loyalists", "New", "Promising", "Need attention", "About to sleep", "At risk", "Can't lose them", "Hibernating", "Lost"} {
				r := c.get("/reports/customers/list.csv?" + url.Values{"segment": {seg}}.Encode())
				wantStatus(t, r, 200)
				recs, _ := csv.NewReader(strings.NewReader(r.body)).ReadAll()
				for _, rec := range recs[1:] {
					if rec[3] != seg {
						t.Fatalf("segment %q list holds a %q customer", seg, rec[3])
					}
				}
				total += len(recs) - 1
			}
			if total != 40 {
				t.Fatalf("segments hold %d customers, want 40", total)
			}
			seg := c.get("/reports/customers/segments.csv")
			wantStatus(t, seg, 200)
			recs, _ := csv.NewReader(strings.NewReader(seg.body)).ReadAll()
			sum := 0
			for _, r := range recs[1:] {
				n, _ := strconv.Atoi(r[1])
				sum += n
			}
			if len(recs) != 12 || sum != 40 || recs[1][4] != "EUR" {
				t.Fatalf("segments.csv = %q", recs)
			}
			if !strings.Contains(res.body, "'=HYPERLINK") {
				t.Fatal("formula name not neutralised in CSV")
			}
		})
		t.Run("filters select by score and P(active)", func(t *testing.T) {
			r := c.get("/reports/customers/list.csv?min_r=5&min_active=50")
			wantStatus(t, r, 200)
			recs, _ := csv.NewReader(strings.NewReader(r.body)).ReadAll()
			if len(recs) < 2 {
				t.Fatalf("no customer with R=5 and P(active) >= 50%%: %s", r.body)
			}
			for _, rec := range recs[1:] {
				if rec[4] != "5" {
					t.Fatalf("R=%s in a min_r=5 list", rec[4])
				}
				var p float64
				fmt.Sscan(rec[11], &p)
				if p < 0.5 {
					t.Fatalf("P(active)=%v in a min_active=50 list", p)
				}
			}
			page := c.get("/reports/customers/list?min_r=5&min_active=50")
			wantStatus(t, page, 200)
			wantBody(t, page, fmt.Sprintf("%d customers match", len(recs)-1))
		})
		t.Run("the customer page shows segment and value to staff", func(t *testing.T) {
			MustUser(t, s, portal.RoleAgent, "desk@example.com")
			a := newClient(t, srv)
			a.login("desk@example.com")
			res := a.get("/staff/customers/" + itoa(custs[5].ID))
			wantStatus(t, res, 200)
			for _, want := range []string{"Segment", "Chance still active", "Lifetime value, next year"} {
				wantBody(t, res, want)
			}
		})
		t.Run("a background export is its owner's only", func(t *testing.T) {
			c.get("/reports/customers/list?min_r=5")
			res := c.post("/reports/customers/exports?min_r=5", url.Values{})
			wantStatus(t, res, 303)
			page := res.Header.Get("Location")
			if !strings.HasPrefix(page, "/reports/customers/exports/") {
				t.Fatalf("export started at %q", page)
			}
			waitFor(t, func() bool { return strings.Contains(c.get(page+"?format=json").body, `"running":false`) })
			wantBody(t, c.get(page), "The file is ready")
			dl := c.get(page + "/csv")
			wantStatus(t, dl, 200)
			want := c.get("/reports/customers/list.csv?min_r=5")
			if dl.body != want.body {
				t.Fatalf("background export differs from the direct download:\n%s\n---\n%s", dl.body, want.body)
			}
			MustUser(t, s, portal.RoleManager, "other.boss@example.com")
			o := newClient(t, srv)
			o.login("other.boss@example.com")
			wantStatus(t, o.get(page), 404)
			wantStatus(t, o.get(page+"/csv"), 404)
			wantStatus(t, c.get("/reports/customers/exports/nope"), 404)
			wantStatus(t, c.post("/reports/customers/exports?segment=Bogus", url.Values{}), 400)
		})
		t.Run("the list is paginated", func(t *testing.T) {
			p1 := c.get("/reports/customers/list")
			wantBody(t, p1, "Page 1 of 2")
			wantBody(t, p1, `rel="next"`)
			p2 := c.get("/reports/customers/list?page=2")
			wantBody(t, p2, "Page 2 of 2")
			if got, want := strings.Count(p2.body, `href="/staff/customers/`), 15; got != want {
				t.Fatalf("page 2 lists %d customers, want %d", got, want)
			}
		})
		t.Run("bad filters are a 400", func(t *testing.T) {
			for _, q := range []string{"segment=Bogus", "min_r=6", "max_f=zero", "min_active=120", "min_clv=-3", "min_clv=NaN"} {
				wantStatus(t, c.get("/reports/customers/list?"+q), 400)
				wantStatus(t, c.get("/reports/customers/list.csv?"+q), 400)
			}
		})
	})
}

func TestCustomerAnalyticsWithoutOrders(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleManager, "boss@example.com")
		c := newClient(t, srv)
		c.login("boss@example.com")
		wantStatus(t, c.get("/reports/customers/list.csv"), 409)
		refit(t, c, srv)
		res := c.get("/reports/customers")
		wantStatus(t, res, 200)
		wantBody(t, res, "nothing to analyse")
		list := c.get("/reports/customers/list")
		wantStatus(t, list, 200)
		wantBody(t, list, "0 customers match")
		wantStatus(t, c.get("/reports/customers/list.csv"), 200)
		wantStatus(t, c.get("/reports/customers/segments.csv"), 200)
	})
}

// TestCustomerAnalyticsRefitReachesOtherNodes: two nodes on one store and
// bus; a manager's refit on one starts one on the other.
func TestCustomerAnalyticsRefitReachesOtherNodes(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		b := bus.NewMemory()
		// Two nodes: two buses of one in-process medium.
		node := func(b portal.Bus) *web.Server {
			srv, err := web.New(web.TestConfig(t, web.Config{Store: s, Bus: b}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			return srv
		}
		one, two := node(b), node(b.Peer())
		seedCustomers(t, s, 3)
		MustUser(t, s, portal.RoleManager, "boss@example.com")
		c1, c2 := newClient(t, one), newClient(t, two)
		c1.login("boss@example.com")
		c2.login("boss@example.com")
		wantBody(t, c2.get("/reports/customers"), "No analysis has run yet")
		refit(t, c1, one)
		waitFor(t, func() bool { return strings.Contains(c2.get("/reports/customers/status").body, `"at"`) })
		wantBody(t, c2.get("/reports/customers"), "RFM grid")
	})
}
