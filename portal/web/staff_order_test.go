package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// staffOrderFixture is one customer's delivered order with an invoice, a
// second parcel still on its way (two scans, an estimate), a return, a
// chat that mentions the order and one that does not, and a case about
// it; and a second, cancelled order.
type staffOrderFixture struct {
	ada       *portal.User
	order     *portal.Order
	cancelled *portal.Order
	parcel    *portal.Shipment
	inv       *portal.Invoice
	ret       *portal.Return
	mention   *portal.Conversation
	other     *portal.Conversation
	cs        *portal.Case
	eta       time.Time
}

func mustStaffOrderFixture(tb testing.TB, s portal.Store) staffOrderFixture {
	tb.Helper()
	var f staffOrderFixture
	f.ada = MustUser(tb, s, portal.RoleCustomer, "ada@example.com")
	f.order = storetest.MustDeliveredOrder(tb, s, f.ada, "A-1", time.Now().Add(-24*time.Hour))
	f.eta = time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC)
	f.parcel = &portal.Shipment{OrderID: f.order.ID, CustomerID: f.ada.ID, Carrier: "UPS", TrackingNumber: "1Z-SECOND", EstimatedDelivery: &f.eta}
	if err := s.CreateShipment(ctx(), f.parcel); err != nil {
		tb.Fatal(err)
	}
	for i, e := range []struct {
		status portal.ShipmentStatus
		msg    string
	}{{portal.StatusInfoReceived, "Label printed"}, {portal.StatusInTransit, "Left the Leipzig hub"}} {
		if _, err := s.AddTrackingEvent(ctx(), &portal.TrackingEvent{ShipmentID: f.parcel.ID, Source: "test", EventID: fmt.Sprint("p", i), Carrier: "UPS",
			Status: e.status, Message: e.msg, City: "Leipzig", Country: "DE", OccurredAt: time.Now().Add(time.Duration(i-5) * time.Hour)}); err != nil {
			tb.Fatal(err)
		}
	}
	f.inv = &portal.Invoice{Number: "INV-A1", OrderID: f.order.ID, CustomerID: f.ada.ID, Currency: "EUR", TotalMinor: f.order.TotalMinor, TaxMinor: 100, Status: "paid", IssuedAt: time.Now(), DueAt: time.Now()}
	if err := s.CreateInvoice(ctx(), f.inv); err != nil {
		tb.Fatal(err)
	}
	f.ret = &portal.Return{OrderID: f.order.ID, CustomerID: f.ada.ID, Kind: portal.ReturnKindExchange, Reason: portal.ReasonWrongItem, Items: []portal.ReturnItem{{SKU: "NW-CHAIR-07", Quantity: 1}}}
	if err := s.CreateReturn(ctx(), f.ret, nil); err != nil {
		tb.Fatal(err)
	}
	f.mention = mustChatSaying(tb, s, &f.ada.ID, "Where is my order A-1 please?")
	f.other = mustChatSaying(tb, s, nil, "Do you ship to Norway?")
	f.cs = &portal.Case{CustomerID: &f.ada.ID, OrderID: &f.order.ID, Email: f.ada.Email, Subject: "Chair arrived scratched", Body: "The chair is scratched."}
	if err := s.CreateCase(ctx(), f.cs, nil, nil); err != nil {
		tb.Fatal(err)
	}
	f.cancelled = &portal.Order{Number: "A-2", CustomerID: f.ada.ID, Email: f.ada.Email, Status: portal.OrderPlaced, PaymentStatus: portal.PaymentPaid,
		Currency: "EUR", SubtotalMinor: 500, TotalMinor: 500, PlacedAt: time.Now(),
		Items: []portal.OrderItem{{SKU: "S1", Name: "Tea towel", Quantity: 1, UnitPriceMinor: 500, TotalMinor: 500}}}
	if err := s.CreateOrder(ctx(), f.cancelled); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.CancelOrder(ctx(), portal.OrderChange{OrderID: f.cancelled.ID, CustomerID: f.ada.ID, Reason: "Ordered twice"}); err != nil {
		tb.Fatal(err)
	}
	return f
}

func mustChatSaying(tb testing.TB, s portal.Store, customer *int64, body string) *portal.Conversation {
	tb.Helper()
	conv := &portal.Conversation{VisitorID: "v-" + body[:5], CustomerID: customer, Subject: body}
	if err := s.CreateConversation(ctx(), conv); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorCustomer, Body: body}); err != nil {
		tb.Fatal(err)
	}
	return conv
}

// TestStaffOrderPage: an agent (and a manager, an admin) sees any
// customer's order with its customer, lines, totals, invoice, parcels and
// their latest scan and estimate, the return, the cancellation, and the
// chats and cases about it; a parcel's page has every scan; editors and
// customers (the order's own customer too) are refused, guests sent to
// sign in, a disabled agent is signed out, an unknown number is a 404 that
// helps.
func TestStaffOrderPage(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s)
		f := mustStaffOrderFixture(t, s)
		agentUser := MustUser(t, s, portal.RoleAgent, "agent@example.com")
		MustUser(t, s, portal.RoleManager, "manager@example.com")
		MustUser(t, s, portal.RoleAdmin, "admin@example.com")
		MustUser(t, s, portal.RoleEditor, "editor@example.com")
		agent := newClient(t, srv)
		agent.login("agent@example.com")
		orderURL := "/staff/orders/" + f.order.Number
		parcelURL := fmt.Sprintf("/staff/shipments/%d", f.parcel.ID)
		invoiceURL := "/staff/invoices/" + f.inv.Number
		pages := []string{orderURL, parcelURL, invoiceURL, invoiceURL + "/pdf", "/staff/orders"}

		t.Run("AgentSeesTheWholeOrder", func(t *testing.T) {
			res := agent.get(orderURL)
			wantStatus(t, res, 200)
			for _, want := range []string{
				fmt.Sprintf(`href="/staff/customers/%d"`, f.ada.ID), "ada@example.com",
				"Shipped", "With the carrier", // status in words
				"Oak dining chair", "189.00", "1,", // lines and totals
				`href="/staff/invoices/INV-A1"`, `href="/staff/invoices/INV-A1/pdf"`,
				`href="` + parcelURL + `"`, "1Z-SECOND", "Left the Leipzig hub", "Expected 14 Mar 2031", "2 tracking updates",
				"OUT-A-1", "Delivered",
				fmt.Sprintf(`href="/agent/returns/%d"`, f.ret.ID), "Exchange",
				fmt.Sprintf(`href="/agent/cases/%d"`, f.cs.ID), "Chair arrived scratched",
				fmt.Sprintf(`href="/agent/history/%d"`, f.mention.ID),
			} {
				wantBody(t, res, want)
			}
			if strings.Contains(res.body, fmt.Sprintf(`href="/agent/history/%d"`, f.other.ID)) {
				t.Fatal("a chat that does not mention the order is listed")
			}
			if strings.Contains(res.body, "Tea towel") {
				t.Fatal("another order's lines on the page")
			}
		})
		t.Run("CancelledOrderSaysSo", func(t *testing.T) {
			res := agent.get("/staff/orders/" + f.cancelled.Number)
			wantStatus(t, res, 200)
			wantBody(t, res, "Cancelled: nothing will be shipped.")
			wantBody(t, res, "Ordered twice")
			wantBody(t, res, "Not shipped yet.")
			wantBody(t, res, "No invoice yet.")
			wantBody(t, res, "No chat mentions this order number.")
		})
		t.Run("ParcelPageHasEveryEvent", func(t *testing.T) {
			res := agent.get(parcelURL)
			wantStatus(t, res, 200)
			for _, want := range []string{"Label printed", "Left the Leipzig hub", "UPS", "14 Mar 2031", `href="` + orderURL + `"`,
				fmt.Sprintf(`data-live-shipment="/staff/shipments/%d/events"`, f.parcel.ID)} {
				wantBody(t, res, want)
			}
		})
		t.Run("InvoiceForStaff", func(t *testing.T) {
			res := agent.get(invoiceURL)
			wantStatus(t, res, 200)
			wantBody(t, res, `href="`+orderURL+`"`)
			wantBody(t, res, `href="/staff/invoices/INV-A1/pdf"`)
			pdf := agent.get(invoiceURL + "/pdf")
			wantStatus(t, pdf, 200)
			if got := pdf.Header.Get("Content-Type"); got != "application/pdf" {
				t.Fatalf("content type %q", got)
			}
		})
		t.Run("LinksLeadHere", func(t *testing.T) {
			res := agent.get(fmt.Sprintf("/staff/customers/%d", f.ada.ID))
			wantBody(t, res, `href="`+orderURL+`"`)
			wantBody(t, res, `href="`+parcelURL+`"`)
			res = agent.get(fmt.Sprintf("/agent/cases/%d", f.cs.ID))
			wantBody(t, res, `href="`+orderURL+`"`)
			res = agent.get(fmt.Sprintf("/agent/returns/%d", f.ret.ID))
			wantBody(t, res, `href="`+orderURL+`"`)
		})
		t.Run("OtherStaffRoles", func(t *testing.T) {
			for _, email := range []string{"manager@example.com", "admin@example.com"} {
				c := newClient(t, srv)
				c.login(email)
				for _, p := range pages {
					wantStatus(t, c.get(p), 200)
				}
			}
			ed := newClient(t, srv)
			ed.login("editor@example.com")
			for _, p := range pages {
				wantStatus(t, ed.get(p), 403)
			}
			// Editors see customers' pages, without links they could not follow.
			if res := ed.get(fmt.Sprintf("/staff/customers/%d", f.ada.ID)); strings.Contains(res.body, `href="/staff/orders/`) {
				t.Fatal("an editor's customer page links to order pages")
			}
		})
		t.Run("CustomerIsRefused", func(t *testing.T) {
			c := newClient(t, srv)
			c.login("ada@example.com") // the order's own customer
			for _, p := range append(pages, fmt.Sprintf("/staff/shipments/%d/events", f.parcel.ID)) {
				res := c.get(p)
				wantStatus(t, res, 403)
				if strings.Contains(res.body, "1Z-SECOND") || strings.Contains(res.body, "Oak dining chair") {
					t.Fatalf("%s: the refusal shows the order", p)
				}
			}
		})
		t.Run("GuestIsSentToSignIn", func(t *testing.T) {
			res := newClient(t, srv).get(orderURL)
			wantStatus(t, res, 303)
			if loc := res.Header.Get("Location"); loc != "/login?next="+url.QueryEscape(orderURL) {
				t.Fatalf("Location=%q", loc)
			}
		})
		t.Run("UnknownIsAHelpful404", func(t *testing.T) {
			res := agent.get("/staff/orders/NO-SUCH-1")
			wantStatus(t, res, 404)
			wantBody(t, res, "There is no order numbered “NO-SUCH-1”")
			wantBody(t, res, `<label for="find-order">Order number</label>`)
			res = agent.get("/staff/shipments/987654")
			wantStatus(t, res, 404)
			wantBody(t, res, "There is no parcel with the number “987654”")
			wantStatus(t, agent.get("/staff/invoices/NO-SUCH"), 404)
			wantStatus(t, agent.get("/staff/shipments/nope"), 404)
			// The form on that page opens the order typed.
			res = agent.get("/staff/orders?number=+A-1+")
			wantStatus(t, res, 303)
			if loc := res.Header.Get("Location"); loc != orderURL {
				t.Fatalf("Location=%q, want %s", loc, orderURL)
			}
		})
		t.Run("DisabledAgentIsSignedOut", func(t *testing.T) {
			gone := newClient(t, srv)
			gone.login("agent@example.com")
			wantStatus(t, gone.get(orderURL), 200)
			admin := newClient(t, srv)
			admin.login("admin@example.com")
			admin.get("/admin/staff")
			wantStatus(t, admin.post(fmt.Sprintf("/admin/staff/%d/disable", agentUser.ID), url.Values{}), 303)
			for _, p := range pages {
				res := gone.get(p)
				wantStatus(t, res, 303)
				if strings.Contains(res.body, "1Z-SECOND") {
					t.Fatal("a disabled agent still sees the order")
				}
			}
		})
	})
}
