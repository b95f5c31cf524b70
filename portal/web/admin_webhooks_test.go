package web_test

import (
	"net/url"
	"regexp"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

func TestAdminWebhooks(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleAdmin, "admin@example.com")
		MustUser(t, s, portal.RoleCustomer, "cust@example.com")

		t.Run("CustomersAreRefused", func(t *testing.T) {
			c := newClient(t, srv)
			c.login("cust@example.com")
			if res := c.get("/admin/webhooks"); res.StatusCode != 403 && res.StatusCode != 404 {
				t.Fatalf("status=%d, want 403 or 404", res.StatusCode)
			}
		})

		c := newClient(t, srv)
		c.login("admin@example.com")
		wantStatus(t, c.get("/admin/webhooks"), 200)

		res := c.post("/admin/webhooks", url.Values{"url": {"gopher://erp.example"}, "event": {"order.cancelled"}})
		wantStatus(t, res, 400)
		wantBody(t, res, "http:// or https://")

		res = c.post("/admin/webhooks", url.Values{"url": {"https://erp.example/hooks"}, "description": {"ERP"}, "event": {"order.cancelled"}, "patterns": {"return.*"}})
		wantStatus(t, res, 200)
		m := regexp.MustCompile(`<code class="token">(whsec_[^<]+)</code>`).FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("the new secret is not shown: %.800s", res.body)
		}
		eps, err := s.FindWebhookEndpoints(ctx())
		if err != nil || len(eps) != 1 || eps[0].Secret != m[1] || len(eps[0].Events) != 2 {
			t.Fatalf("endpoints=%+v err=%v", eps, err)
		}
		if _, err := s.EnqueueWebhook(ctx(), portal.EventOrderCancelled, map[string]string{"order_number": "NW-9"}); err != nil {
			t.Fatal(err)
		}
		res = c.get("/admin/webhooks?status=scheduled")
		wantStatus(t, res, 200)
		wantBody(t, res, "order.cancelled")
		wantBody(t, res, "Scheduled")
		wantStatus(t, c.get("/admin/webhooks?status=nonsense"), 400)

		ds, _, _ := s.FindWebhookDeliveries(ctx(), portal.WebhookDeliveryFilter{})
		wantStatus(t, c.post("/admin/webhooks/deliveries/"+itoa(ds[0].ID)+"/resend", url.Values{}), 303)
		wantStatus(t, c.post("/admin/webhooks/deliveries/99999/resend", url.Values{}), 404)
		wantStatus(t, c.post("/admin/webhooks/"+itoa(eps[0].ID)+"/disable", url.Values{}), 303)
		if eps, _ := s.FindWebhookEndpoints(ctx()); eps[0].DisabledAt == nil {
			t.Fatal("endpoint not disabled")
		}
		res = c.post("/admin/webhooks/"+itoa(eps[0].ID)+"/secret", url.Values{})
		wantStatus(t, res, 200)
		if eps2, _ := s.FindWebhookEndpoints(ctx()); eps2[0].Secret == eps[0].Secret {
			t.Fatal("secret not rolled")
		}
		wantStatus(t, c.post("/admin/webhooks/"+itoa(eps[0].ID)+"/delete", url.Values{}), 303)
		wantStatus(t, c.post("/admin/webhooks/"+itoa(eps[0].ID)+"/delete", url.Values{}), 404)
	})
}
