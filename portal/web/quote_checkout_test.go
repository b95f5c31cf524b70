package web_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

func TestQuoteCheckout(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		mustBike(t, s)
		if err := s.CreateWebhookEndpoint(ctx(), &portal.WebhookEndpoint{URL: "https://erp.example/production", Secret: "whsec_0123456789abcdef", Events: []string{portal.EventOrderConfigured}}); err != nil {
			t.Fatal(err)
		}
		MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		MustUser(t, s, portal.RoleCustomer, "bob@example.com")
		ada := newClient(t, srv)
		ada.login("ada@example.com")
		ada.get("/configure/trail-bike")
		api := "/api/v1/configurator/trail-bike/"
		_, st := ada.postJSON(api+"complete", map[string]any{"version": 1, "choices": []choice{{"option": "frame-carbon"}}})
		res, q := ada.postJSON(api+"quotes", map[string]any{"version": 1, "choices": st["choices"]})
		wantStatus(t, res, 201)
		number := q["number"].(string)
		base := "/account/quotes/" + number + "/checkout"

		res = ada.get(base + "?version=1")
		wantStatus(t, res, 200)
		wantBody(t, res, `aria-current="step">1. Address`)

		t.Run("InvalidAddressIsExplained", func(t *testing.T) {
			res := ada.post(base+"/address", url.Values{"version": {"1"}, "name": {"Ada"}, "line1": {"Str. 1"}, "city": {"Berlin"}, "postcode": {"1011"}, "country": {"DE"}})
			wantStatus(t, res, 400)
			wantBody(t, res, "not a postcode in DE")
		})
		res = ada.post(base+"/address", url.Values{"version": {"1"}, "name": {"Ada Becker"}, "line1": {"Invalidenstr. 7"}, "city": {"Berlin"}, "postcode": {"10115"}, "country": {"DE"}})
		wantStatus(t, res, 303)
		loc := res.Header.Get("Location")
		m := regexp.MustCompile(`address=(\d+)`).FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("after the address: %q", loc)
		}
		addrID := m[1]
		res = ada.get(loc)
		wantBody(t, res, `aria-current="step">2. Delivery`)
		wantStatus(t, ada.get(base+"?version=1&address="+addrID+"&delivery=teleport"), 400)
		res = ada.get(base + "?version=1&address=" + addrID + "&delivery=express")
		wantBody(t, res, `aria-current="step">3. Confirm`)
		wantBody(t, res, "Carbon frame")
		wantBody(t, res, "Invalidenstr. 7")
		wantBody(t, res, "Express delivery")

		t.Run("AnotherCustomersAddressOrQuoteIsNotFound", func(t *testing.T) {
			bob := newClient(t, srv)
			bob.login("bob@example.com")
			wantStatus(t, bob.get(base+"?version=1"), 404)
			wantStatus(t, bob.post("/account/quotes/"+number+"/order", url.Values{"version": {"1"}, "address": {addrID}, "delivery": {"standard"}}), 404)
			// Bob's own quote with Ada's address.
			bob.get("/configure/trail-bike")
			_, st := bob.postJSON(api+"complete", map[string]any{"version": 1, "choices": []choice{}})
			_, bq := bob.postJSON(api+"quotes", map[string]any{"version": 1, "choices": st["choices"]})
			bn := bq["number"].(string)
			wantStatus(t, bob.get("/account/quotes/"+bn+"/checkout?version=1&address="+addrID), 404)
			wantStatus(t, bob.post("/account/quotes/"+bn+"/order", url.Values{"version": {"1"}, "address": {addrID}, "delivery": {"standard"}}), 404)
		})

		res = ada.post("/account/quotes/"+number+"/order", url.Values{"version": {"1"}, "address": {addrID}, "delivery": {"express"}})
		wantStatus(t, res, 303)
		loc = res.Header.Get("Location")
		if !strings.HasPrefix(loc, "/account/orders/CF-") {
			t.Fatalf("order went to %q", loc)
		}
		num := strings.TrimPrefix(loc, "/account/orders/")
		os, _, _ := s.FindOrders(ctx(), portal.OrderFilter{Number: &num})
		o := os[0]
		if o.ShippingAddress.Line1 != "Invalidenstr. 7" || o.DeliveryOption != "express" || o.ShippingMinor != 2900 || o.TotalMinor != o.SubtotalMinor+2900 {
			t.Fatalf("order %+v", o)
		}
		page := ada.get(loc)
		wantBody(t, page, "Carbon frame")
		wantBody(t, page, "catalogue version 1")
		wantBody(t, page, "Price breakdown")
		wantBody(t, page, "Express delivery")

		if err := s.CreateInvoice(ctx(), &portal.Invoice{Number: "INV-" + num, OrderID: o.ID, CustomerID: o.CustomerID, Currency: "EUR", TotalMinor: o.TotalMinor, TaxMinor: o.TaxMinor, Status: "open"}); err != nil {
			t.Fatal(err)
		}
		inv := ada.get("/account/invoices/INV-" + num)
		wantStatus(t, inv, 200)
		wantBody(t, inv, "Catalogue version 1: ")
		wantBody(t, inv, "Carbon frame")
		wantStatus(t, ada.get("/account/invoices/INV-"+num+"/pdf"), 200)

		es, _ := s.FindEmails(ctx(), "ada@example.com", 10)
		if len(es) != 1 || !strings.Contains(es[0].Subject, num) || !strings.Contains(es[0].Body, "Carbon frame") || !strings.Contains(es[0].Body, "Invalidenstr. 7") {
			t.Fatalf("confirmation emails=%+v", es)
		}
		ds, _, _ := s.FindWebhookDeliveries(ctx(), portal.WebhookDeliveryFilter{})
		if len(ds) != 1 || ds[0].Event.Type != portal.EventOrderConfigured {
			t.Fatalf("deliveries=%+v", ds)
		}
		var env struct {
			Data struct {
				OrderNumber    string `json:"order_number"`
				CatalogVersion int    `json:"catalog_version"`
				Options        []struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"options"`
				ShippingAddress portal.Address `json:"shipping_address"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(ds[0].Event.Body), &env); err != nil || env.Data.OrderNumber != num || env.Data.CatalogVersion != 1 ||
			len(env.Data.Options) < 4 || env.Data.ShippingAddress.City != "Berlin" {
			t.Fatalf("production order %s err %v", ds[0].Event.Body, err)
		}
		found := false
		for _, op := range env.Data.Options {
			found = found || op.ID == "frame-carbon"
		}
		if !found {
			t.Fatalf("the bill of options lacks the carbon frame: %s", ds[0].Event.Body)
		}
		// Ordered once: the quote cannot be checked out again.
		res = ada.get(base + "?version=1")
		wantStatus(t, res, 303)
	})
}
