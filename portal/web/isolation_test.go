package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// TestCustomerIsolation walks every customer route that takes an id: the
// owner gets the page, another customer gets 404 with nothing of it.
func TestCustomerIsolation(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s)
		f := mustShipment(t, s)
		paid := time.Now()
		inv := &portal.Invoice{Number: "INV-A1", OrderID: f.order.ID, CustomerID: f.ada.ID, Currency: "EUR", TotalMinor: 1000, TaxMinor: 160, Status: "paid", DueAt: time.Now(), PaidAt: &paid}
		if err := s.CreateInvoice(ctx(), inv); err != nil {
			t.Fatal(err)
		}
		conv := &portal.Conversation{CustomerID: &f.ada.ID}
		if err := s.CreateConversation(ctx(), conv); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorCustomer, Body: "Secret teapot question"}); err != nil {
			t.Fatal(err)
		}
		cs := &portal.Case{CustomerID: &f.ada.ID, Email: "ada@example.com", Body: "Secret teapot case"}
		if err := s.CreateCase(ctx(), cs, nil, nil); err != nil {
			t.Fatal(err)
		}
		routes := []string{
			fmt.Sprintf("/account/chats/%d", conv.ID),
			fmt.Sprintf("/account/cases/%d", cs.ID),
			"/account/orders/" + f.order.Number,
			fmt.Sprintf("/account/shipments/%d", f.ship.ID),
			"/account/invoices/" + inv.Number,
			"/account/invoices/" + inv.Number + "/pdf",
		}
		ada := newClient(t, srv)
		ada.login("ada@example.com")
		bob := newClient(t, srv)
		bob.login("bob@example.com")
		for _, r := range routes {
			t.Run(strings.ReplaceAll(r, "/", "_"), func(t *testing.T) {
				wantStatus(t, ada.get(r), 200)
				res := bob.get(r)
				wantStatus(t, res, 404)
				for _, secret := range []string{"Secret teapot", f.ship.TrackingNumber, inv.Number + " ·"} {
					if strings.Contains(res.body, secret) {
						t.Fatalf("bob's 404 page leaks %q", secret)
					}
				}
			})
		}
		t.Run("InvoicePDF", func(t *testing.T) {
			res := ada.get("/account/invoices/" + inv.Number + "/pdf")
			if ct := res.Header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(res.body, "%PDF-") {
				t.Fatalf("Content-Type=%q body starts %q", ct, res.body[:min(8, len(res.body))])
			}
		})
		t.Run("History", func(t *testing.T) {
			res := ada.get("/account/history")
			wantStatus(t, res, 200)
			wantBody(t, res, "Order A-1")
			wantBody(t, res, "Invoice INV-A1")
			wantBody(t, res, "Parcel TRK-1")
			wantBody(t, res, fmt.Sprintf(`href="/account/chats/%d"`, conv.ID))
			wantBody(t, res, fmt.Sprintf(`href="/account/cases/%d"`, cs.ID))
			// The page is cached under the history version: a change shows at once.
			storetest.MustCreateOrder(t, s, f.ada, "A-NEW", time.Now().Add(time.Hour))
			wantBody(t, ada.get("/account/history"), "Order A-NEW")
			res = ada.get("/account/chats")
			wantBody(t, res, fmt.Sprintf(`href="/account/chats/%d"`, conv.ID))
			wantBody(t, res, "Case "+cs.Number())
			if strings.Contains(res.body, "Order A-") {
				t.Fatal("the chats page lists orders")
			}
			wantBody(t, bob.get("/account/chats"), "No chats yet")
			// A cached page is never another session's: each carries its own CSRF token.
			ada2 := newClient(t, srv)
			ada2.login("ada@example.com")
			token := regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)
			first, second := token.FindStringSubmatch(ada.get("/account/history").body), token.FindStringSubmatch(ada2.get("/account/history").body)
			if first == nil || second == nil || first[1] == second[1] {
				t.Fatalf("two sessions' history pages carry tokens %v and %v", first, second)
			}
			if again := token.FindStringSubmatch(ada.get("/account/history").body); again == nil || again[1] != first[1] {
				t.Fatalf("the first session's token changed to %v", again)
			}
			res = ada.get("/account/history?kind=invoice")
			wantBody(t, res, "Invoice INV-A1")
			if strings.Contains(res.body, "Order A-1") {
				t.Fatal("filter by kind shows orders")
			}
			wantStatus(t, ada.get("/account/history?kind=spaceship"), 400)
			res = bob.get("/account/history")
			wantBody(t, res, "Nothing here yet")
		})
		t.Run("NotificationPreferences", func(t *testing.T) {
			ada.get("/account")
			wantStatus(t, ada.post("/account/notifications", url.Values{"status": {"delivered", "exception"}}), 303)
			got, _ := s.NotifyStatuses(ctx(), f.ada.ID)
			if len(got) != 2 || got[0] != portal.StatusDelivered {
				t.Fatalf("statuses %v", got)
			}
			wantStatus(t, ada.post("/account/notifications", url.Values{"status": {"vaporised"}}), 400)
		})
	})
}

func TestGuestTracking(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s)
		f := mustShipment(t, s)
		s.AddTrackingEvent(ctx(), &portal.TrackingEvent{ShipmentID: f.ship.ID, Source: "t", EventID: "1", Status: portal.StatusInTransit, Message: "Left the hub", City: "Leipzig", OccurredAt: time.Now()})
		g := newClient(t, srv)
		g.get("/track")
		res := g.post("/track", url.Values{"number": {"A-1"}, "contact": {"ADA@example.com"}})
		wantStatus(t, res, 200)
		wantBody(t, res, "TRK-1")
		wantBody(t, res, "Left the hub")
		if strings.Contains(res.body, "Secret teapot") || strings.Contains(res.body, "ada@example.com") {
			t.Fatal("guest tracking shows more than the shipments")
		}
		wrongEmail := g.post("/track", url.Values{"number": {"A-1"}, "contact": {"bob@example.com"}})
		noOrder := g.post("/track", url.Values{"number": {"Z-9"}, "contact": {"ada@example.com"}})
		wantStatus(t, wrongEmail, 404)
		wantStatus(t, noOrder, 404)
		msg := "We could not find an order with that number"
		wantBody(t, wrongEmail, msg)
		wantBody(t, noOrder, msg)
		wantStatus(t, g.post("/track", url.Values{"number": {""}, "contact": {""}}), 400)
		// TrackLimit is 5 per IP in the test server (an empty form does not
		// count): three look-ups so far, two more pass, the sixth is refused
		// even with the right details.
		for i := 0; i < 2; i++ {
			wantStatus(t, g.post("/track", url.Values{"number": {"A-1"}, "contact": {"ada@example.com"}}), 200)
		}
		res = g.post("/track", url.Values{"number": {"A-1"}, "contact": {"ada@example.com"}})
		wantStatus(t, res, 429)
		if res.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	})
}

func TestGuestTrackingByPostcode(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s)
		u := MustUser(t, s, portal.RoleCustomer, "p@example.com")
		o := &portal.Order{Number: "P-1", CustomerID: u.ID, Email: u.Email, Status: "placed", PaymentStatus: "paid", Currency: "EUR",
			ShippingAddress: portal.Address{Postcode: "SW1A 1AA"}, Items: []portal.OrderItem{{Name: "x", Quantity: 1}}}
		s.CreateOrder(ctx(), o)
		g := newClient(t, srv)
		g.get("/track")
		res := g.post("/track", url.Values{"number": {"P-1"}, "contact": {"sw1a1aa"}})
		wantStatus(t, res, 200)
		wantBody(t, res, "has not shipped yet")
	})
}
