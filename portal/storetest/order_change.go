package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

func changeableOrder(tb testing.TB, s portal.Store, u *portal.User, number string) *portal.Order {
	tb.Helper()
	o := &portal.Order{Number: number, CustomerID: u.ID, Email: u.Email, Status: portal.OrderPlaced, PaymentStatus: portal.PaymentPaid, Currency: "EUR",
		SubtotalMinor: 5000, TotalMinor: 5000, ShippingAddress: portal.Address{Name: "Ada", Line1: "Main St 1", City: "Berlin", Postcode: "10115", Country: "DE"},
		Items: []portal.OrderItem{{SKU: "LAMP", Name: "Lamp", Quantity: 1, UnitPriceMinor: 5000, TotalMinor: 5000}}}
	if err := s.CreateOrder(ctx(), o); err != nil {
		tb.Fatal(err)
	}
	return o
}

// webhooksFor counts the outbox's events of type about order number.
func webhooksFor(tb testing.TB, s portal.Store, typ, number string) int {
	tb.Helper()
	ds, _, err := s.FindWebhookDeliveries(ctx(), portal.WebhookDeliveryFilter{Limit: 500})
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, d := range ds {
		if d.Event.Type == typ && strings.Contains(d.Event.Body, `"order_number":"`+number+`"`) {
			n++
		}
	}
	return n
}

func emailsAbout(tb testing.TB, s portal.Store, to, number string) int {
	tb.Helper()
	es, err := s.FindEmails(ctx(), to, 500)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if strings.Contains(e.Subject, number) {
			n++
		}
	}
	return n
}

func testOrderChanges(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	bob := MustCreateUser(t, s, portal.RoleCustomer, "bob@example.com")
	if err := s.CreateWebhookEndpoint(ctx(), &portal.WebhookEndpoint{URL: "https://erp.example/hooks", Secret: "whsec_0123456789abcdef", Events: []string{"order.*"}}); err != nil {
		t.Fatal(err)
	}
	newAddr := portal.Address{Name: "Ada Becker", Line1: "Hauptstr. 5", City: "Hamburg", Postcode: "20095", Country: "de"}
	mail := func(number string) *portal.Email {
		return &portal.Email{To: ada.Email, Subject: "Order " + number + " changed", Body: "..."}
	}

	t.Run("AnotherCustomersOrderIsNotFound", func(t *testing.T) {
		o := changeableOrder(t, s, ada, "NW-ISO-1")
		_, err := s.CancelOrder(ctx(), portal.OrderChange{OrderID: o.ID, CustomerID: bob.ID})
		wantCode(t, err, portal.ENOTFOUND)
		_, err = s.ChangeOrderAddress(ctx(), portal.OrderChange{OrderID: o.ID, CustomerID: bob.ID, Address: newAddr})
		wantCode(t, err, portal.ENOTFOUND)
		os, _, _ := s.FindOrders(ctx(), portal.OrderFilter{ID: &o.ID})
		if os[0].Status != portal.OrderPlaced || os[0].ShippingAddress.City != "Berlin" {
			t.Fatalf("order changed by another customer: %+v", os[0])
		}
		if webhooksFor(t, s, portal.EventOrderCancelled, o.Number)+webhooksFor(t, s, portal.EventOrderAddressChanged, o.Number) != 0 {
			t.Fatal("a refused change emitted a webhook")
		}
	})

	t.Run("AddressChangeBeforePacking", func(t *testing.T) {
		o := changeableOrder(t, s, ada, "NW-ADDR-1")
		_, err := s.ChangeOrderAddress(ctx(), portal.OrderChange{OrderID: o.ID, CustomerID: ada.ID, Address: portal.Address{Name: "Ada", Line1: "x", City: "y", Postcode: "ABC", Country: "DE"}})
		wantCode(t, err, portal.EINVALID)
		got, err := s.ChangeOrderAddress(ctx(), portal.OrderChange{OrderID: o.ID, CustomerID: ada.ID, Address: newAddr, Email: mail(o.Number)})
		if err != nil {
			t.Fatal(err)
		}
		if got.ShippingAddress.City != "Hamburg" || got.ShippingAddress.Country != "DE" || got.Status != portal.OrderPlaced {
			t.Fatalf("after change: %+v", got)
		}
		evs, err := s.FindOrderEvents(ctx(), o.ID, ada.ID)
		if err != nil || len(evs) != 1 || evs[0].Kind != portal.OrderEventAddressChanged || !strings.Contains(evs[0].Detail, "Hamburg") {
			t.Fatalf("events=%+v err=%v", evs, err)
		}
		if evs, _ := s.FindOrderEvents(ctx(), o.ID, bob.ID); len(evs) != 0 {
			t.Fatalf("another customer sees the events: %+v", evs)
		}
		if n := webhooksFor(t, s, portal.EventOrderAddressChanged, o.Number); n != 1 {
			t.Fatalf("address webhooks=%d, want 1", n)
		}
		if n := emailsAbout(t, s, ada.Email, o.Number); n != 1 {
			t.Fatalf("emails=%d, want 1", n)
		}
		hs, _, err := s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: ada.ID, Kinds: []string{portal.HistoryOrderChange}})
		if err != nil || len(hs) != 1 || hs[0].Ref != o.Number || hs[0].Status != portal.OrderEventAddressChanged {
			t.Fatalf("history=%+v err=%v", hs, err)
		}
		if hs, _, _ := s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: bob.ID, Kinds: []string{portal.HistoryOrderChange}}); len(hs) != 0 {
			t.Fatalf("bob's history shows ada's change: %+v", hs)
		}
	})

	t.Run("AfterPackingNothingChanges", func(t *testing.T) {
		o := changeableOrder(t, s, ada, "NW-PACK-1")
		o.Status = portal.OrderPacked
		if err := s.UpsertOrders(ctx(), []*portal.Order{o}); err != nil {
			t.Fatal(err)
		}
		_, err := s.CancelOrder(ctx(), portal.OrderChange{OrderID: o.ID, CustomerID: ada.ID, Email: mail(o.Number)})
		wantCode(t, err, portal.ECONFLICT)
		if !strings.Contains(portal.ErrorMessage(err), "packed") {
			t.Fatalf("message %q does not say why", portal.ErrorMessage(err))
		}
		_, err = s.ChangeOrderAddress(ctx(), portal.OrderChange{OrderID: o.ID, CustomerID: ada.ID, Address: newAddr, Email: mail(o.Number)})
		wantCode(t, err, portal.ECONFLICT)
		if emailsAbout(t, s, ada.Email, o.Number) != 0 || webhooksFor(t, s, portal.EventOrderCancelled, o.Number) != 0 {
			t.Fatal("a refused change left an email or a webhook")
		}
	})

	t.Run("CancelledStaysCancelled", func(t *testing.T) {
		o := changeableOrder(t, s, ada, "NW-CXL-1")
		got, err := s.CancelOrder(ctx(), portal.OrderChange{OrderID: o.ID, CustomerID: ada.ID, Reason: "changed my mind", Email: mail(o.Number)})
		if err != nil || got.Status != portal.OrderCancelled {
			t.Fatalf("cancel: %+v %v", got, err)
		}
		_, err = s.CancelOrder(ctx(), portal.OrderChange{OrderID: o.ID, CustomerID: ada.ID})
		wantCode(t, err, portal.ECONFLICT)
		o.Status = portal.OrderPacked
		wantCode(t, s.UpsertOrders(ctx(), []*portal.Order{o}), portal.EINVALID)
		o.Status = portal.OrderCancelled
		if err := s.UpsertOrders(ctx(), []*portal.Order{o}); err != nil {
			t.Fatalf("upsert as cancelled: %v", err)
		}
	})

	t.Run("CancelRacesPacking", func(t *testing.T) {
		wins := map[string]int{}
		for i := 0; i < 16; i++ {
			o := changeableOrder(t, s, ada, fmt.Sprintf("NW-RACE-%02d", i))
			packed := *o
			packed.Status = portal.OrderPacked
			start := make(chan struct{})
			var wg sync.WaitGroup
			var cancelErr, packErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				_, cancelErr = s.CancelOrder(ctx(), portal.OrderChange{OrderID: o.ID, CustomerID: ada.ID, Email: mail(o.Number)})
			}()
			go func() {
				defer wg.Done()
				<-start
				packErr = s.UpsertOrders(ctx(), []*portal.Order{&packed})
			}()
			close(start)
			wg.Wait()
			if (cancelErr == nil) == (packErr == nil) {
				t.Fatalf("%s: cancel err=%v, pack err=%v: exactly one must win", o.Number, cancelErr, packErr)
			}
			os, _, _ := s.FindOrders(ctx(), portal.OrderFilter{ID: &o.ID})
			evs, _ := s.FindOrderEvents(ctx(), o.ID, ada.ID)
			emails, hooks := emailsAbout(t, s, ada.Email, o.Number), webhooksFor(t, s, portal.EventOrderCancelled, o.Number)
			if cancelErr == nil {
				wins["cancel"]++
				wantCode(t, packErr, portal.EINVALID)
				if os[0].Status != portal.OrderCancelled || len(evs) != 1 || emails != 1 || hooks != 1 {
					t.Fatalf("%s cancelled: status=%s events=%d emails=%d webhooks=%d, want cancelled, 1, 1, 1", o.Number, os[0].Status, len(evs), emails, hooks)
				}
			} else {
				wins["pack"]++
				wantCode(t, cancelErr, portal.ECONFLICT)
				if os[0].Status != portal.OrderPacked || len(evs) != 0 || emails != 0 || hooks != 0 {
					t.Fatalf("%s packed: status=%s events=%d emails=%d webhooks=%d, want packed, 0, 0, 0", o.Number, os[0].Status, len(evs), emails, hooks)
				}
			}
		}
		t.Logf("winners: %v", wins)
	})
}

// testCheckoutQuote checks that a checkout stores the order, the
// confirmation email and the production order together or not at all.
func testCheckoutQuote(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	if err := s.CreateWebhookEndpoint(ctx(), &portal.WebhookEndpoint{URL: "https://erp.example/production", Secret: "whsec_0123456789abcdef", Events: []string{"*"}}); err != nil {
		t.Fatal(err)
	}
	p, v1 := MustCreateProduct(t, s, "bike", `{"v":1}`)
	q := &portal.Quote{Number: "Q-CO1", CustomerID: ada.ID, ProductID: p.ID, VersionID: v1.ID, Config: `{"selected":["a"]}`, Breakdown: `{"total":1000}`, Currency: "EUR", TotalMinor: 1000}
	if err := s.CreateQuote(ctx(), q); err != nil {
		t.Fatal(err)
	}
	order := func(number string) *portal.Order {
		return &portal.Order{Number: number, Email: ada.Email, Status: portal.OrderPlaced, PaymentStatus: portal.PaymentPending, Currency: "EUR",
			SubtotalMinor: 1000, ShippingMinor: 2900, TotalMinor: 3900, DeliveryOption: "express",
			ShippingAddress: portal.Address{Name: "Ada", Line1: "Str. 1", City: "Berlin", Postcode: "10115", Country: "DE"},
			Items:           []portal.OrderItem{{SKU: "bike-v1", Name: "Bike (configured)", Quantity: 1, UnitPriceMinor: 1000, TotalMinor: 1000, Config: `{"selected":["a"]}`}}}
	}
	production := func(o *portal.Order) any { return map[string]any{"order_number": o.Number, "options": []string{"a"}} }

	t.Run("AFailingEmailStoresNothing", func(t *testing.T) {
		err := s.CheckoutQuote(ctx(), portal.QuoteCheckout{QuoteID: q.ID, CustomerID: ada.ID, Order: order("CF-FAIL"),
			Email: &portal.Email{To: "not an address", Subject: "x"}, ProductionOrder: production})
		wantCode(t, err, portal.EINVALID)
		if os, n, _ := s.FindOrders(ctx(), portal.OrderFilter{Number: ptr("CF-FAIL")}); n != 0 {
			t.Fatalf("order stored: %+v", os)
		}
		if qs, _, _ := s.FindQuotes(ctx(), portal.QuoteFilter{ID: &q.ID}); qs[0].Status != portal.QuoteOpen {
			t.Fatalf("quote %+v, want still open", qs[0])
		}
		if n := webhooksFor(t, s, portal.EventOrderConfigured, "CF-FAIL"); n != 0 {
			t.Fatalf("production orders=%d for a rolled-back checkout", n)
		}
	})
	t.Run("OrderEmailAndProductionOrderTogether", func(t *testing.T) {
		o := order("CF-OK")
		if err := s.CheckoutQuote(ctx(), portal.QuoteCheckout{QuoteID: q.ID, CustomerID: ada.ID, Order: o,
			Email: &portal.Email{To: ada.Email, Subject: "Order CF-OK confirmed", Body: "..."}, ProductionOrder: production}); err != nil {
			t.Fatal(err)
		}
		os, _, _ := s.FindOrders(ctx(), portal.OrderFilter{Number: ptr("CF-OK")})
		if len(os) != 1 || os[0].DeliveryOption != "express" || os[0].ShippingMinor != 2900 || os[0].ShippingAddress.City != "Berlin" || os[0].Items[0].Config == "" {
			t.Fatalf("orders=%+v", os)
		}
		if emailsAbout(t, s, ada.Email, "CF-OK") != 1 || webhooksFor(t, s, portal.EventOrderConfigured, "CF-OK") != 1 {
			t.Fatal("want one confirmation and one production order")
		}
	})
}
