package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

func placedOrder(tb testing.TB, s portal.Store, u *portal.User, number string) *portal.Order {
	tb.Helper()
	o := &portal.Order{Number: number, CustomerID: u.ID, Email: u.Email, Status: portal.OrderPlaced, PaymentStatus: portal.PaymentPaid, Currency: "EUR",
		SubtotalMinor: 1000, TotalMinor: 1000, ShippingAddress: portal.Address{Name: "Ada", Line1: "Main St 1", City: "Berlin", Postcode: "10115", Country: "DE"},
		Items: []portal.OrderItem{{SKU: "S1", Name: "Teapot", Quantity: 1, UnitPriceMinor: 1000, TotalMinor: 1000}}}
	if err := s.CreateOrder(ctx(), o); err != nil {
		tb.Fatal(err)
	}
	return o
}

func TestOrderCancelAndAddress(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		MustUser(t, s, portal.RoleCustomer, "bob@example.com")
		o := placedOrder(t, s, ada, "NW-WEB-1")
		packed := placedOrder(t, s, ada, "NW-WEB-2")
		packed.Status = portal.OrderPacked
		if err := s.UpsertOrders(ctx(), []*portal.Order{packed}); err != nil {
			t.Fatal(err)
		}

		t.Run("AnotherCustomerGets404", func(t *testing.T) {
			bob := newClient(t, srv)
			bob.login("bob@example.com")
			for _, p := range []string{"/account/orders/NW-WEB-1/cancel", "/account/orders/NW-WEB-1/address"} {
				wantStatus(t, bob.get(p), 404)
				wantStatus(t, bob.post(p, url.Values{"name": {"Bob"}, "line1": {"x 1"}, "city": {"Köln"}, "postcode": {"50667"}, "country": {"DE"}}), 404)
			}
			os, _, _ := s.FindOrders(ctx(), portal.OrderFilter{ID: &o.ID})
			if os[0].Status != portal.OrderPlaced || os[0].ShippingAddress.City != "Berlin" {
				t.Fatalf("bob changed ada's order: %+v", os[0])
			}
		})

		c := newClient(t, srv)
		c.login("ada@example.com")
		res := c.get("/account/orders/NW-WEB-1")
		wantBody(t, res, "Cancel the order")
		wantBody(t, res, "Change the delivery address")

		res = c.get("/account/orders/NW-WEB-2")
		wantBody(t, res, "already packed")
		if strings.Contains(res.body, "Cancel the order") {
			t.Fatal("a packed order offers cancelling")
		}
		wantStatus(t, c.post("/account/orders/NW-WEB-2/cancel", url.Values{}), 303)
		if os, _, _ := s.FindOrders(ctx(), portal.OrderFilter{ID: &packed.ID}); os[0].Status != portal.OrderPacked {
			t.Fatalf("packed order became %s", os[0].Status)
		}

		res = c.post("/account/orders/NW-WEB-1/address", url.Values{"address": {"new"}, "name": {"Ada B"}, "line1": {"Hafenstr. 2"}, "city": {"Hamburg"}, "postcode": {"2009"}, "country": {"DE"}})
		wantStatus(t, res, 400)
		wantBody(t, res, "not a postcode in DE")
		res = c.post("/account/orders/NW-WEB-1/address", url.Values{"address": {"new"}, "name": {"Ada B"}, "line1": {"Hafenstr. 2"}, "city": {"Hamburg"}, "postcode": {"20095"}, "country": {"de"}})
		wantStatus(t, res, 303)
		res = c.get("/account/orders/NW-WEB-1")
		wantBody(t, res, "Hafenstr. 2")
		wantBody(t, res, "Address changed")

		wantStatus(t, c.get("/account/orders/NW-WEB-1/cancel"), 200)
		wantStatus(t, c.post("/account/orders/NW-WEB-1/cancel", url.Values{"reason": {"not a listed reason"}}), 400)
		wantStatus(t, c.post("/account/orders/NW-WEB-1/cancel", url.Values{"reason": {"I ordered by mistake"}}), 303)
		res = c.get("/account/orders/NW-WEB-1")
		wantBody(t, res, "This order is cancelled.")
		es, _ := s.FindEmails(ctx(), ada.Email, 10)
		if len(es) != 2 || !strings.Contains(es[0].Subject, "cancelled") || !strings.Contains(es[1].Subject, "New delivery address") {
			t.Fatalf("emails=%+v", es)
		}
		res = c.get("/account/history?kind=order_change")
		wantStatus(t, res, 200)
		wantBody(t, res, "NW-WEB-1")
	})
}

func TestAddressBook(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		MustUser(t, s, portal.RoleCustomer, "bob@example.com")
		c := newClient(t, srv)
		c.login("ada@example.com")
		wantStatus(t, c.get("/account/addresses"), 200)
		res := c.post("/account/addresses", url.Values{"name": {"Ada"}, "line1": {""}, "city": {"Berlin"}, "postcode": {"10115"}, "country": {"DE"}})
		wantStatus(t, res, 400)
		wantBody(t, res, "Street and number is required.")
		wantBody(t, res, `aria-invalid="true"`)
		for _, city := range []string{"Berlin", "Wien"} {
			pc, cc := "10115", "DE"
			if city == "Wien" {
				pc, cc = "1010", "AT"
			}
			wantStatus(t, c.post("/account/addresses", url.Values{"name": {"Ada"}, "line1": {"Str. 1"}, "city": {city}, "postcode": {pc}, "country": {cc}}), 303)
		}
		u, _ := s.FindUserByEmail(ctx(), "ada@example.com")
		as, _ := s.FindAddresses(ctx(), u.ID)
		if len(as) != 2 || !as[0].Default || as[0].City != "Berlin" {
			t.Fatalf("addresses=%+v", as)
		}
		wien := as[1]
		wantStatus(t, c.post("/account/addresses/"+itoa(wien.ID)+"/default", url.Values{}), 303)
		if as, _ := s.FindAddresses(ctx(), u.ID); as[0].ID != wien.ID || !as[0].Default || as[1].Default {
			t.Fatalf("after default: %+v", as)
		}
		wantStatus(t, c.post("/account/addresses/"+itoa(wien.ID), url.Values{"name": {"Ada L"}, "line1": {"Ring 2"}, "city": {"Wien"}, "postcode": {"1010"}, "country": {"AT"}}), 303)

		bob := newClient(t, srv)
		bob.login("bob@example.com")
		wantStatus(t, bob.get("/account/addresses/"+itoa(wien.ID)), 404)
		wantStatus(t, bob.post("/account/addresses/"+itoa(wien.ID), url.Values{"name": {"B"}, "line1": {"x"}, "city": {"y"}, "postcode": {"10115"}, "country": {"DE"}}), 404)
		wantStatus(t, bob.post("/account/addresses/"+itoa(wien.ID)+"/delete", url.Values{}), 404)
		wantStatus(t, bob.post("/account/addresses/"+itoa(wien.ID)+"/default", url.Values{}), 404)
		if res := bob.get("/account/addresses"); strings.Contains(res.body, "Ring 2") {
			t.Fatal("bob sees ada's address")
		}

		wantStatus(t, c.post("/account/addresses/"+itoa(wien.ID)+"/delete", url.Values{}), 303)
		if as, _ := s.FindAddresses(ctx(), u.ID); len(as) != 1 || !as[0].Default {
			t.Fatalf("after deleting the default: %+v", as)
		}
	})
}

// The back office marks an order packed through the API; an order the
// customer cancelled cannot be packed, and the refusal says why.
func TestBackOfficePacksOrder(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		tok := mustToken(t, s, portal.Scopes...)
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		placedOrder(t, s, ada, "NW-API-1")
		cancelled := placedOrder(t, s, ada, "NW-API-2")
		if _, err := s.CancelOrder(ctx(), portal.OrderChange{OrderID: cancelled.ID, CustomerID: ada.ID}); err != nil {
			t.Fatal(err)
		}
		body := func(number string) string {
			return `{"number":"` + number + `","customer_email":"ada@example.com","status":"packed","payment_status":"paid","currency":"EUR","subtotal_minor":1000,"total_minor":1000,"items":[{"name":"Teapot","quantity":1,"unit_price_minor":1000,"total_minor":1000}]}`
		}
		wantStatus(t, apiCall(t, srv, "POST", "/api/v1/orders", tok, body("NW-API-1")), 200)
		res := apiCall(t, srv, "POST", "/api/v1/orders", tok, body("NW-API-2"))
		wantStatus(t, res, 400)
		wantBody(t, res, "cancelled")
		c := newClient(t, srv)
		c.login("ada@example.com")
		res = c.get("/account/orders/NW-API-1")
		wantBody(t, res, "Packed")
		wantBody(t, res, "already packed")
	})
}
