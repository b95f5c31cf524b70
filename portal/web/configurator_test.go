package web_test

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/demo"
)

// mustBike publishes the demo bike as product "trail-bike", version 1.
func mustBike(tb testing.TB, s portal.Store) (*portal.Product, string) {
	tb.Helper()
	products, err := demo.Products()
	if err != nil {
		tb.Fatal(err)
	}
	js, _ := json.Marshal(products[1].Catalog)
	p := &portal.Product{Slug: "trail-bike", Name: "Trail bike"}
	if err := s.CreateProduct(ctx(), p); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.SaveDraft(ctx(), p.ID, string(js), "", "test"); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.PublishDraft(ctx(), p.ID, "test"); err != nil {
		tb.Fatal(err)
	}
	return p, string(js)
}

// postJSON calls the JSON API as the page script does.
func (c *client) postJSON(path string, body any) (*response, map[string]any) {
	c.tb.Helper()
	b, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	res := c.do(req)
	var out map[string]any
	json.Unmarshal([]byte(res.body), &out)
	return res, out
}

func errorCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func optionState(tb testing.TB, out map[string]any, id string) map[string]any {
	tb.Helper()
	opts, _ := out["options"].([]any)
	for _, o := range opts {
		m := o.(map[string]any)
		if m["id"] == id {
			return m
		}
	}
	tb.Fatalf("no option %q in %v", id, out)
	return nil
}

type choice = map[string]any

func TestConfiguratorAPI(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		p, js := mustBike(t, s)
		const api = "/api/v1/configurator/trail-bike/"
		guest := newClient(t, srv)
		guest.get("/configure/trail-bike")
		t.Run("UnknownOptionIs400", func(t *testing.T) {
			res, out := guest.postJSON(api+"evaluate", map[string]any{"version": 1, "choices": []choice{{"option": "jetpack"}}})
			wantStatus(t, res, 400)
			if got, want := errorCode(out), portal.EINVALID; got != want {
				t.Fatalf("code=%q, want %q", got, want)
			}
			wantBody(t, res, `jetpack`)
		})
		t.Run("StaleVersionIs409", func(t *testing.T) {
			res, out := guest.postJSON(api+"evaluate", map[string]any{"version": 7, "choices": []choice{}})
			wantStatus(t, res, 409)
			if got, want := errorCode(out), portal.ECONFLICT; got != want {
				t.Fatalf("code=%q, want %q", got, want)
			}
			wantBody(t, res, "Reload the page")
		})
		t.Run("UnknownProductIs404", func(t *testing.T) {
			res, _ := guest.postJSON("/api/v1/configurator/unicycle/evaluate", map[string]any{})
			wantStatus(t, res, 404)
		})
		t.Run("MalformedBodyIs400", func(t *testing.T) {
			req := httptest.NewRequest("POST", api+"evaluate", strings.NewReader("{"))
			req.Header.Set("X-CSRF-Token", guest.csrf)
			wantStatus(t, guest.do(req), 400)
		})
		t.Run("DisabledOptionHasReason", func(t *testing.T) {
			res, out := guest.postJSON(api+"evaluate", map[string]any{"version": 1, "choices": []choice{{"option": "frame-carbon"}}})
			wantStatus(t, res, 200)
			xl := optionState(t, out, "size-xl")
			if xl["available"] != false || !strings.Contains(xl["reason"].(string), "the carbon frame is made in sizes S to L only") {
				t.Fatalf("size-xl %v", xl)
			}
			if got, want := out["total"], "€1,499.00"; got != want {
				t.Fatalf("total=%v, want %v", got, want)
			}
		})
		t.Run("RepairIsMinimal", func(t *testing.T) {
			res, out := guest.postJSON(api+"repair", map[string]any{"version": 1,
				"choices": []choice{{"option": "frame-carbon"}, {"option": "colour-sand"}}, "want": choice{"option": "size-xl"}})
			wantStatus(t, res, 200)
			drop := out["drop"].([]any)
			if len(drop) != 1 || drop[0].(map[string]any)["option"] != "frame-carbon" {
				t.Fatalf("drop %v, want only frame-carbon", drop)
			}
		})
		t.Run("CompleteAndSaveQuote", func(t *testing.T) {
			res, _ := guest.postJSON(api+"quotes", map[string]any{"version": 1, "choices": []choice{}})
			wantStatus(t, res, 401)
			ada := newClient(t, srv)
			MustUser(t, s, portal.RoleCustomer, "ada@example.com")
			ada.login("ada@example.com")
			ada.get("/configure/trail-bike")
			res, _ = ada.postJSON(api+"quotes", map[string]any{"version": 1, "choices": []choice{{"option": "frame-carbon"}}})
			wantStatus(t, res, 409)
			wantBody(t, res, "Complete it for me")
			res, st := ada.postJSON(api+"complete", map[string]any{"version": 1, "choices": []choice{{"option": "frame-carbon"}}})
			wantStatus(t, res, 200)
			if got := len(st["choices"].([]any)); got < 4 {
				t.Fatalf("completion has %d choices, want frame, size, tyres and colour: %v", got, st["choices"])
			}
			res, q := ada.postJSON(api+"quotes", map[string]any{"version": 1, "choices": st["choices"]})
			wantStatus(t, res, 201)
			number := q["number"].(string)
			page := ada.get("/account/quotes/" + number)
			wantStatus(t, page, 200)
			wantBody(t, page, "Carbon frame")

			t.Run("AnotherCustomerCannotSeeIt", func(t *testing.T) {
				bob := newClient(t, srv)
				MustUser(t, s, portal.RoleCustomer, "bob@example.com")
				bob.login("bob@example.com")
				bob.get("/account")
				wantStatus(t, bob.get("/account/quotes/"+number), 404)
				wantStatus(t, bob.post("/account/quotes/"+number+"/order", url.Values{"version": {"1"}}), 404)
			})
			t.Run("StaleQuoteRepricedBeforeOrder", func(t *testing.T) {
				if _, err := s.SaveDraft(ctx(), p.ID, strings.Replace(js, `"price":60000`, `"price":65000`, 1), "", "test"); err != nil {
					t.Fatal(err)
				}
				if _, err := s.PublishDraft(ctx(), p.ID, "test"); err != nil {
					t.Fatal(err)
				}
				page := ada.get("/account/quotes/" + number)
				wantBody(t, page, "version 1 → 2")
				wantBody(t, page, "Carbon frame: €600.00 → €650.00")
				res := ada.post("/account/quotes/"+number+"/order", url.Values{"version": {"1"}})
				wantStatus(t, res, 303)
				if got := res.Header.Get("Location"); got != "/account/quotes/"+number {
					t.Fatalf("unreviewed order went to %q", got)
				}
				res = ada.post("/account/quotes/"+number+"/order", url.Values{"version": {"2"}})
				wantStatus(t, res, 303)
				if got := res.Header.Get("Location"); !strings.HasPrefix(got, "/account/quotes/"+number+"/checkout?") {
					t.Fatalf("an order without address went to %q, want the checkout", got)
				}
				addr := &portal.CustomerAddress{CustomerID: mustUserID(t, s, "ada@example.com"), Address: portal.Address{Name: "Ada", Line1: "Str. 1", City: "Berlin", Postcode: "10115", Country: "DE"}}
				if err := s.CreateAddress(ctx(), addr); err != nil {
					t.Fatal(err)
				}
				res = ada.post("/account/quotes/"+number+"/order", url.Values{"version": {"2"}, "address": {itoa(addr.ID)}, "delivery": {"standard"}})
				wantStatus(t, res, 303)
				loc := res.Header.Get("Location")
				if !strings.HasPrefix(loc, "/account/orders/CF-") {
					t.Fatalf("order went to %q", loc)
				}
				num := strings.TrimPrefix(loc, "/account/orders/")
				orders, _, err := s.FindOrders(ctx(), portal.OrderFilter{Number: &num})
				if err != nil || len(orders) != 1 {
					t.Fatalf("orders %v err %v", orders, err)
				}
				var cfg struct {
					Version  int
					Selected []struct{ ID string }
				}
				if err := json.Unmarshal([]byte(orders[0].Items[0].Config), &cfg); err != nil || cfg.Version != 2 || len(cfg.Selected) < 4 {
					t.Fatalf("order config %q err %v", orders[0].Items[0].Config, err)
				}
				wantStatus(t, ada.post("/account/quotes/"+number+"/order", url.Values{"version": {"2"}, "address": {itoa(addr.ID)}, "delivery": {"standard"}}), 303)
			})
		})
	})
}

func TestCatalogEditor(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		mustBike(t, s)
		ed := newClient(t, srv)
		MustUser(t, s, portal.RoleEditor, "ed@example.com")
		ed.login("ed@example.com")
		ed.get("/editor/catalog")
		t.Run("CustomersCannotEdit", func(t *testing.T) {
			cu := newClient(t, srv)
			MustUser(t, s, portal.RoleCustomer, "cu@example.com")
			cu.login("cu@example.com")
			wantStatus(t, cu.get("/editor/catalog"), 403)
		})
		t.Run("SyntaxErrorNamesLine", func(t *testing.T) {
			res := ed.post("/editor/catalog/trail-bike/draft", url.Values{"catalog": {"{\n  \"id\": \"x\",\n  oops\n}"}})
			wantStatus(t, res, 400)
			wantBody(t, res, "line 3")
		})
		t.Run("InvalidCatalogueNamesElement", func(t *testing.T) {
			res := ed.post("/editor/catalog/trail-bike/draft", url.Values{"catalog": {`{"id":"b","name":"B","currency":"EUR","options":[{"id":"a","name":"A","group":"nowhere"}]}`}})
			wantStatus(t, res, 400)
			wantBody(t, res, "nowhere")
		})
		t.Run("ConflictingRulesCannotBePublished", func(t *testing.T) {
			for _, r := range [][2]string{{"frame-alu", "frame-carbon"}, {"frame-carbon", "size-xl"}} {
				res := ed.post("/editor/catalog/trail-bike/rules", url.Values{"kind": {"requires"}, "a": {r[0]}, "b": {r[1]}, "label": {r[0] + " needs " + r[1]}})
				wantStatus(t, res, 303)
			}
			page := ed.get("/editor/catalog/trail-bike")
			wantBody(t, page, "No valid configuration exists")
			res := ed.post("/editor/catalog/trail-bike/publish", url.Values{})
			wantStatus(t, res, 409)
			wantBody(t, res, "Cannot publish")
			for _, id := range []string{"rule-7", "rule-8", "carbon-sizes"} {
				wantBody(t, res, id)
			}
			wantStatus(t, ed.post("/editor/catalog/trail-bike/discard", url.Values{}), 303)
		})
		t.Run("AddRuleAndPublish", func(t *testing.T) {
			res := ed.post("/editor/catalog/trail-bike/rules", url.Values{"kind": {"requires"}, "a": {"child-seat"}, "b": {"rack"}, "label": {"the child seat mounts on the rear rack"}})
			wantStatus(t, res, 303)
			res = ed.post("/editor/catalog/trail-bike/publish", url.Values{})
			wantStatus(t, res, 303)
			page := ed.get("/editor/catalog/trail-bike")
			wantBody(t, page, "Published version 2")
			entries, _, err := s.FindAudit(ctx(), portal.AuditFilter{Entity: "product"})
			if err != nil || len(entries) < 2 || entries[0].Action != "catalog.publish" {
				t.Fatalf("audit %v err %v", entries, err)
			}
			guest := newClient(t, srv)
			guest.get("/configure/trail-bike")
			_, out := guest.postJSON("/api/v1/configurator/trail-bike/evaluate", map[string]any{"version": 2, "choices": []choice{{"option": "child-seat"}}})
			if rack := optionState(t, out, "rack"); rack["forced"] != true {
				t.Fatalf("rack %v, want forced by the new rule", rack)
			}
		})
	})
}

func mustUserID(tb testing.TB, s portal.Store, email string) int64 {
	tb.Helper()
	u, err := s.FindUserByEmail(ctx(), email)
	if err != nil {
		tb.Fatal(err)
	}
	return u.ID
}
