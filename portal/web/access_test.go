package web_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/web"
)

func TestAccessControl(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		bob := MustUser(t, s, portal.RoleCustomer, "bob@example.com")
		MustUser(t, s, portal.RoleAgent, "agent@example.com")
		MustUser(t, s, portal.RoleAdmin, "admin@example.com")
		adas := mustOrder(t, s, ada, "A-100")
		mustOrder(t, s, bob, "B-200")

		t.Run("CustomerSeesOwnOrder", func(t *testing.T) {
			c := newClient(t, srv)
			c.login("ada@example.com")
			res := c.get("/account/orders/" + adas.Number)
			wantStatus(t, res, 200)
			wantBody(t, res, "Secret teapot")
		})
		t.Run("AnotherCustomersOrderIs404", func(t *testing.T) {
			c := newClient(t, srv)
			c.login("ada@example.com")
			res := c.get("/account/orders/B-200")
			wantStatus(t, res, 404)
			if strings.Contains(res.body, "Secret teapot") {
				t.Fatal("leaked bob's order")
			}
			nf := c.get("/account/orders/NO-SUCH")
			wantStatus(t, nf, 404)
		})
		t.Run("CustomerOnStaffPagesIs403", func(t *testing.T) {
			c := newClient(t, srv)
			c.login("ada@example.com")
			for _, p := range []string{"/admin/staff", "/admin/audit", "/staff/customers", fmt.Sprintf("/staff/customers/%d", bob.ID), "/editor/articles"} {
				wantStatus(t, c.get(p), 403)
			}
			wantStatus(t, c.post("/admin/staff", url.Values{"email": {"evil@example.com"}, "role": {"admin"}, "password": {"long enough pw"}}), 403)
			if _, err := s.FindUserByEmail(ctx(), "evil@example.com"); !portal.IsNotFound(err) {
				t.Fatal("customer created a staff account")
			}
		})
		t.Run("AgentIsNotAdmin", func(t *testing.T) {
			c := newClient(t, srv)
			c.login("agent@example.com")
			wantStatus(t, c.get("/staff/customers?q=ada"), 200)
			wantStatus(t, c.get("/admin/staff"), 403)
			wantStatus(t, c.get("/account"), 403)
		})
		t.Run("GuestIsSentToSignIn", func(t *testing.T) {
			c := newClient(t, srv)
			res := c.get("/account/orders/A-100")
			wantStatus(t, res, 303)
			if loc := res.Header.Get("Location"); loc != "/login?next=%2Faccount%2Forders%2FA-100" {
				t.Fatalf("Location=%q", loc)
			}
		})
		t.Run("APIErrorsAreJSON", func(t *testing.T) {
			c := newClient(t, srv)
			res := c.get("/api/v1/me")
			wantStatus(t, res, 401)
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal([]byte(res.body), &body); err != nil || body.Error.Code != "unauthorized" || body.Error.Message == "" {
				t.Fatalf("body %q: %v", res.body, err)
			}
			c.login("ada@example.com")
			res = c.get("/api/v1/me")
			wantStatus(t, res, 200)
			wantBody(t, res, `"email":"ada@example.com"`)
			wantStatus(t, c.get("/api/v1/nothing"), 404)
		})
		t.Run("UnknownPageIsHTML404", func(t *testing.T) {
			res := newClient(t, srv).get("/no/such/page")
			wantStatus(t, res, 404)
			wantBody(t, res, "Page not found")
		})
	})
}

func TestAdminStaffAndAudit(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleAdmin, "admin@example.com")
		c := newClient(t, srv)
		c.login("admin@example.com")
		c.get("/admin/staff")
		res := c.post("/admin/staff", url.Values{"email": {"new.agent@example.com"}, "name": {"Nia"}, "role": {"customer"}, "password": {"long enough pw"}})
		wantStatus(t, res, 400)
		wantStatus(t, c.post("/admin/staff", url.Values{"email": {"new.agent@example.com"}, "name": {"Nia"}, "role": {"agent"}, "password": {"long enough pw"}}), 303)
		u, err := s.FindUserByEmail(ctx(), "new.agent@example.com")
		if err != nil || u.Role != portal.RoleAgent {
			t.Fatalf("agent: %+v %v", u, err)
		}
		agent := newClient(t, srv)
		agent.get("/login")
		wantStatus(t, agent.post("/login", url.Values{"email": {"new.agent@example.com"}, "password": {"long enough pw"}}), 303)
		wantStatus(t, c.post(fmt.Sprintf("/admin/staff/%d/disable", u.ID), url.Values{}), 303)
		wantStatus(t, agent.get("/staff/customers"), 303) // signed out
		res = c.get("/admin/audit")
		wantStatus(t, res, 200)
		wantBody(t, res, "user.create")
		wantBody(t, res, "user.disable")
		wantStatus(t, c.post(fmt.Sprintf("/admin/staff/%d/role", u.ID), url.Values{"role": {"editor"}}), 303)
		if got, _ := s.FindUserByID(ctx(), u.ID); got.Role != portal.RoleEditor {
			t.Fatalf("role=%s, want editor", got.Role)
		}
		wantStatus(t, c.post(fmt.Sprintf("/admin/staff/%d/role", u.ID), url.Values{"role": {"customer"}}), 400)
		wantBody(t, c.get("/admin/audit"), "agent -&gt; editor")
	})
}

func TestOperations(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		c := newClient(t, srv)
		wantStatus(t, c.get("/healthz"), 200)
		wantStatus(t, c.get("/readyz"), 200)
		res := c.get("/")
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
			if res.Header.Get(h) == "" {
				t.Fatalf("missing header %s", h)
			}
		}
		if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("CSP %q", csp)
		}
		// App.Test's connections come from 0.0.0.0, not a private network.
		wantStatus(t, c.get("/metrics"), 404)
		msrv, err := web.New(web.TestConfig(t, web.Config{Store: s, MetricsFrom: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")}}))
		if err != nil {
			t.Fatal(err)
		}
		defer msrv.Close()
		mc := newClient(t, msrv)
		mc.get("/")
		m := mc.get("/metrics")
		wantStatus(t, m, 200)
		wantBody(t, m, `frontdesk_http_requests_total{method="GET",route="/",status="200"}`)
		s.Close()
		wantStatus(t, c.get("/readyz"), 503)
	})
}

func TestStaticAssetsAreHashed(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		c := newClient(t, MustServer(t, s))
		res := c.get("/")
		i := strings.Index(res.body, `href="/static/`)
		if i < 0 {
			t.Fatal("no stylesheet link")
		}
		href := res.body[i+6 : i+6+strings.Index(res.body[i+6:], `"`)]
		css := c.get(href)
		wantStatus(t, css, 200)
		if cc := css.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Fatalf("Cache-Control=%q", cc)
		}
		if ct := css.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Fatalf("Content-Type=%q", ct)
		}
		wantStatus(t, c.get("/static/abc/nope.css"), 404)
	})
}
