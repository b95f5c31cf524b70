package web_test

import (
	"net/url"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// TestReturnPolicyAdmin: admins edit the rules in a form; others cannot;
// bad input is a clear 422 and changes nothing.
func TestReturnPolicyAdmin(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleAdmin, "admin@example.com")
		MustUser(t, s, portal.RoleAgent, "agent@example.com")
		agent := newClient(t, srv)
		agent.login("agent@example.com")
		wantStatus(t, agent.get("/admin/returns"), 403)
		admin := newClient(t, srv)
		admin.login("admin@example.com")
		page := admin.get("/admin/returns")
		wantStatus(t, page, 200)
		wantBody(t, page, `value="Furniture"`)
		form := url.Values{"rows": {"3"}, "fee": {"3,50"}, "carrier": {"GLS"},
			"category_0": {"Final sale"}, "prefixes_0": {"NW-MUG, NW-RUG"}, "window_0": {"0"},
			"category_1": {"Everything else"}, "window_1": {"60"}, "returnable_1": {"on"}, "auto_1": {"on"},
			"category_2": {""}}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("fee", "a lot")
		wantStatus(t, admin.post("/admin/returns", bad), 422)
		bad.Set("fee", "1")
		bad.Set("returnable_0", "on") // returnable with a 0-day window
		res := admin.post("/admin/returns", bad)
		wantStatus(t, res, 422)
		wantBody(t, res, "at least one day")
		wantStatus(t, admin.post("/admin/returns", form), 303)
		p, err := s.ReturnPolicy(ctx())
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rules) != 2 || p.Rules[0].Category != "Final sale" || p.Rules[0].Returnable || len(p.Rules[0].SKUPrefixes) != 2 ||
			p.Rules[1].WindowDays != 60 || !p.Rules[1].AutoApprove || p.Rules[1].CustomerPays || p.ShippingFeeMinor != 350 || p.Carrier != "GLS" {
			t.Fatalf("stored %+v", p)
		}
	})
}
