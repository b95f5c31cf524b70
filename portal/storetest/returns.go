package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// MustDeliveredOrder stores an order for customer with the demo retailer's
// kinds of items (a mug set, a chair, headphones and a configured
// bike) and a parcel delivered at delivered.
func MustDeliveredOrder(tb testing.TB, s portal.Store, customer *portal.User, number string, delivered time.Time) *portal.Order {
	tb.Helper()
	o := &portal.Order{Number: number, CustomerID: customer.ID, Email: customer.Email, Status: portal.OrderShipped,
		PaymentStatus: portal.PaymentPaid, Currency: "EUR", SubtotalMinor: 4800 + 18900 + 19900 + 99900, TotalMinor: 4800 + 18900 + 19900 + 99900,
		ShippingAddress: portal.Address{Name: customer.Name, Line1: "1 Main St", City: "Berlin", Postcode: "10115", Country: "DE"},
		PlacedAt:        delivered.Add(-72 * time.Hour),
		Items: []portal.OrderItem{
			{SKU: "NW-MUG-02", Name: "Stoneware mug, set of 2", Quantity: 2, UnitPriceMinor: 2400, TotalMinor: 4800},
			{SKU: "NW-CHAIR-07", Name: "Oak dining chair", Quantity: 1, UnitPriceMinor: 18900, TotalMinor: 18900},
			{SKU: "NW-HEAD-1", Name: "Wireless headphones", Quantity: 1, UnitPriceMinor: 19900, TotalMinor: 19900},
			{SKU: "trail-bike-v3", Name: "Trail bike (configured)", Quantity: 1, UnitPriceMinor: 99900, TotalMinor: 99900, Config: `{"frame":"M"}`},
		}}
	if err := s.CreateOrder(ctx(), o); err != nil {
		tb.Fatalf("create order: %v", err)
	}
	sh := &portal.Shipment{OrderID: o.ID, CustomerID: customer.ID, Carrier: "DHL", TrackingNumber: "OUT-" + number, CreatedAt: o.PlacedAt}
	if err := s.CreateShipment(ctx(), sh); err != nil {
		tb.Fatalf("create shipment: %v", err)
	}
	if _, err := s.AddTrackingEvent(ctx(), &portal.TrackingEvent{ShipmentID: sh.ID, Source: "test", EventID: "d-" + number, Carrier: "DHL", Status: portal.StatusDelivered, OccurredAt: delivered}); err != nil {
		tb.Fatalf("deliver: %v", err)
	}
	return o
}

func testReturns(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	bob := MustCreateUser(t, s, portal.RoleCustomer, "bob@example.com")
	if err := s.CreateWebhookEndpoint(ctx(), &portal.WebhookEndpoint{URL: "https://erp.example/returns", Secret: "whsec_0123456789abcdef", Events: []string{"return.*", "exchange.*", "refund.*"}}); err != nil {
		t.Fatal(err)
	}
	mails := 0
	notify := func(r *portal.Return, u *portal.User) *portal.Email {
		mails++
		return &portal.Email{To: u.Email, Subject: fmt.Sprintf("Return %s: %s", r.Number(), portal.Label(r.Status)), Body: "steps: " + fmt.Sprint(len(r.Events))}
	}
	req := func(o *portal.Order, who *portal.User, kind, reason, tracking string, items ...portal.ReturnItem) (*portal.Return, error) {
		r := &portal.Return{OrderID: o.ID, CustomerID: who.ID, Kind: kind, Reason: reason, TrackingNumber: tracking, Items: items}
		return r, s.CreateReturn(ctx(), r, notify)
	}
	mug := func(n int) portal.ReturnItem { return portal.ReturnItem{SKU: "NW-MUG-02", Quantity: n} }
	chair := portal.ReturnItem{SKU: "NW-CHAIR-07", Quantity: 1}

	// Not delivered yet: nothing to return.
	undelivered := MustCreateOrder(t, s, ada, "A-0", c.Now())
	_, err := req(undelivered, ada, portal.ReturnKindRefund, portal.ReasonChangedMind, "RT-0", portal.ReturnItem{SKU: "MUG-1", Quantity: 1})
	wantCode(t, err, portal.EINVALID)

	o := MustDeliveredOrder(t, s, ada, "A-1", c.Now())
	c.t = c.t.Add(5 * 24 * time.Hour)

	t.Run("RulesRefuse", func(t *testing.T) {
		for name, tc := range map[string]struct {
			who   *portal.User
			items []portal.ReturnItem
			code  string
			msg   string
		}{
			"non-returnable":   {ada, []portal.ReturnItem{{SKU: "NW-HEAD-1", Quantity: 1}}, portal.EINVALID, "cannot be returned (hygiene"},
			"made to order":    {ada, []portal.ReturnItem{{SKU: "trail-bike-v3", Quantity: 1}}, portal.EINVALID, "made to order"},
			"over quantity":    {ada, []portal.ReturnItem{mug(3)}, portal.EINVALID, "at most 2"},
			"zero quantity":    {ada, []portal.ReturnItem{mug(0)}, portal.EINVALID, "above zero"},
			"not in the order": {ada, []portal.ReturnItem{{SKU: "NW-LAMP-11", Quantity: 1}}, portal.EINVALID, "not in this order"},
			"no items":         {ada, nil, portal.EINVALID, "at least one item"},
			"another's order":  {bob, []portal.ReturnItem{mug(1)}, portal.ENOTFOUND, ""},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := req(o, tc.who, portal.ReturnKindRefund, portal.ReasonChangedMind, "RT-X", tc.items...)
				wantCode(t, err, tc.code)
				if !strings.Contains(portal.ErrorMessage(err), tc.msg) {
					t.Fatalf("message %q does not say %q", portal.ErrorMessage(err), tc.msg)
				}
			})
		}
		if _, err := req(o, ada, "barter", portal.ReasonChangedMind, "RT-X", mug(1)); portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("unknown kind: %v", err)
		}
		if _, err := req(o, ada, portal.ReturnKindRefund, "bored", "RT-X", mug(1)); portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("unknown reason: %v", err)
		}
		if _, n, _ := s.FindReturns(ctx(), portal.ReturnFilter{CustomerID: &ada.ID}); n != 0 {
			t.Fatalf("refused requests stored %d returns", n)
		}
	})

	var first *portal.Return
	t.Run("PartialAutoApproved", func(t *testing.T) {
		r, err := req(o, ada, portal.ReturnKindRefund, portal.ReasonChangedMind, "RT-1", mug(1))
		if err != nil {
			t.Fatal(err)
		}
		first = r
		if r.Status != portal.ReturnApproved || r.RMA == "" || r.NeedsApproval {
			t.Fatalf("status=%s rma=%q needs=%v, want approved at once with an RMA", r.Status, r.RMA, r.NeedsApproval)
		}
		if r.ShippingPaidBy != portal.PaidByCustomer || r.ShippingFeeMinor != 495 || r.RefundMinor != 2400-495 {
			t.Fatalf("paid by %s fee %d refund %d", r.ShippingPaidBy, r.ShippingFeeMinor, r.RefundMinor)
		}
		ships, _, err := s.FindShipments(ctx(), portal.ShipmentFilter{TrackingNumber: ptr("RT-1")})
		if err != nil || len(ships) != 1 || r.ShipmentID == nil || ships[0].ID != *r.ShipmentID || ships[0].OrderID != o.ID || ships[0].CustomerID != ada.ID {
			t.Fatalf("return parcel %+v, %v (shipment id %v)", ships, err, r.ShipmentID)
		}
		got, _, err := s.FindReturns(ctx(), portal.ReturnFilter{RMA: &r.RMA})
		if err != nil || len(got) != 1 || got[0].OrderNumber != "A-1" || len(got[0].Items) != 1 || got[0].Items[0].Name != "Stoneware mug, set of 2" || len(got[0].Events) != 2 {
			t.Fatalf("found %+v, %v", got, err)
		}
		if byShip, _, _ := s.FindReturns(ctx(), portal.ReturnFilter{ShipmentID: r.ShipmentID}); len(byShip) != 1 || byShip[0].ID != r.ID {
			t.Fatalf("by shipment: %+v", byShip)
		}
		emails, _ := s.FindEmails(ctx(), "ada@example.com", 10)
		if len(emails) != 1 || !strings.Contains(emails[0].Subject, r.RMA) {
			t.Fatalf("emails %+v", emails)
		}
	})

	t.Run("SecondReturnOfTheSameItems", func(t *testing.T) {
		_, err := req(o, ada, portal.ReturnKindRefund, portal.ReasonChangedMind, "RT-2", mug(2))
		wantCode(t, err, portal.EINVALID)
		if !strings.Contains(portal.ErrorMessage(err), "at most 1") {
			t.Fatalf("message %q", portal.ErrorMessage(err))
		}
		if _, err := req(o, ada, portal.ReturnKindRefund, portal.ReasonChangedMind, "RT-2", mug(1)); err != nil {
			t.Fatal(err)
		}
		_, err = req(o, ada, portal.ReturnKindRefund, portal.ReasonChangedMind, "RT-3", mug(1))
		wantCode(t, err, portal.EINVALID)
		if !strings.Contains(portal.ErrorMessage(err), "already being returned") {
			t.Fatalf("message %q", portal.ErrorMessage(err))
		}
	})

	t.Run("AgentApprovalAndRejection", func(t *testing.T) {
		r, err := req(o, ada, portal.ReturnKindRefund, portal.ReasonDamaged, "RT-4", chair)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != portal.ReturnRequested || !r.NeedsApproval || r.RMA != "" || r.ShipmentID != nil {
			t.Fatalf("status=%s needs=%v rma=%q", r.Status, r.NeedsApproval, r.RMA)
		}
		if r.ShippingPaidBy != portal.PaidByRetailer || r.RefundMinor != 18900 {
			t.Fatalf("damaged: paid by %s refund %d, want retailer and the full price", r.ShippingPaidBy, r.RefundMinor)
		}
		if sh, _, err := s.FindShipments(ctx(), portal.ShipmentFilter{TrackingNumber: ptr("RT-4")}); err != nil || len(sh) != 0 {
			t.Fatalf("a parcel before approval: %v %v", sh, err)
		}
		_, err = s.ActOnReturn(ctx(), r.ID, portal.ReturnAction{Kind: portal.ActReject, Actor: "agent"}, notify)
		wantCode(t, err, portal.EINVALID) // a reason is required
		got, err := s.ActOnReturn(ctx(), r.ID, portal.ReturnAction{Kind: portal.ActReject, Actor: "agent", Note: "The photos show wear, not damage."}, notify)
		if err != nil || got.Status != portal.ReturnRejected || got.DecisionNote == "" {
			t.Fatalf("reject: %+v, %v", got, err)
		}
		_, err = s.ActOnReturn(ctx(), r.ID, portal.ReturnAction{Kind: portal.ActApprove, Actor: "agent", TrackingNumber: "RT-5"}, notify)
		wantCode(t, err, portal.ECONFLICT)
		// A declined return frees its items: the customer may ask again,
		// this time for an exchange.
		c.t = c.t.Add(5 * 24 * time.Hour)
		ex, err := req(o, ada, portal.ReturnKindExchange, portal.ReasonChangedMind, "", chair)
		if err != nil || ex.Status != portal.ReturnRequested || ex.RefundMinor != 0 {
			t.Fatalf("exchange: %+v, %v", ex, err)
		}
		got, err = s.ActOnReturn(ctx(), ex.ID, portal.ReturnAction{Kind: portal.ActApprove, Actor: "agent", TrackingNumber: "RT-6"}, notify)
		if err != nil || got.Status != portal.ReturnApproved || len(got.Reservations) != 1 || got.Reservations[0].Status != portal.ReservationHeld || got.Reservations[0].SKU != "NW-CHAIR-07" {
			t.Fatalf("approve exchange: %+v, %v", got, err)
		}
		_, err = s.ActOnReturn(ctx(), ex.ID, portal.ReturnAction{Kind: portal.ActRefund, Actor: "back office"}, notify)
		wantCode(t, err, portal.ECONFLICT)
		got, err = s.ActOnReturn(ctx(), ex.ID, portal.ReturnAction{Kind: portal.ActExchange, Actor: "back office"}, notify)
		if err != nil || got.Status != portal.ReturnExchanged || got.Reservations[0].Status != portal.ReservationFulfilled {
			t.Fatalf("exchange sent: %+v, %v", got, err)
		}
	})

	t.Run("Window", func(t *testing.T) {
		// 20 days after delivery: the chair's 14 days are over, the mugs' 30 are not.
		old := MustDeliveredOrder(t, s, ada, "A-2", c.Now().Add(-20*24*time.Hour))
		_, err := req(old, ada, portal.ReturnKindRefund, portal.ReasonChangedMind, "RT-7", chair)
		wantCode(t, err, portal.EINVALID)
		if !strings.Contains(portal.ErrorMessage(err), "14-day return window") {
			t.Fatalf("message %q", portal.ErrorMessage(err))
		}
		if _, err := req(old, ada, portal.ReturnKindRefund, portal.ReasonChangedMind, "RT-8", mug(2)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Refund", func(t *testing.T) {
		got, err := s.ActOnReturn(ctx(), first.ID, portal.ReturnAction{Kind: portal.ActReceive, Actor: "carrier"}, notify)
		if err != nil || got.Status != portal.ReturnReceived {
			t.Fatalf("receive: %+v, %v", got, err)
		}
		_, err = s.ActOnReturn(ctx(), first.ID, portal.ReturnAction{Kind: portal.ActRefund, Actor: "back office", RefundMinor: 999999}, notify)
		wantCode(t, err, portal.EINVALID)
		got, err = s.ActOnReturn(ctx(), first.ID, portal.ReturnAction{Kind: portal.ActRefund, Actor: "back office", Reference: "PSP-1"}, notify)
		if err != nil || got.Status != portal.ReturnRefunded || got.RefundedMinor != 2400-495 || got.RefundReference != "PSP-1" {
			t.Fatalf("refund: %+v, %v", got, err)
		}
		_, err = s.ActOnReturn(ctx(), first.ID, portal.ReturnAction{Kind: portal.ActRefund, Actor: "back office"}, notify)
		wantCode(t, err, portal.ECONFLICT)
		orders, _, _ := s.FindOrders(ctx(), portal.OrderFilter{ID: &o.ID})
		if got := orders[0].PaymentStatus; got != "partially_refunded" {
			t.Fatalf("payment status %q, want partially_refunded", got)
		}
		_, err = s.ActOnReturn(ctx(), 987654, portal.ReturnAction{Kind: portal.ActRefund}, notify)
		wantCode(t, err, portal.ENOTFOUND)
	})

	t.Run("HistoryAndIsolation", func(t *testing.T) {
		items, _, err := s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: ada.ID, Kinds: []string{portal.HistoryReturn}, Limit: 50})
		if err != nil || len(items) != 5 {
			t.Fatalf("history: %d returns, %v", len(items), err)
		}
		if _, n, _ := s.FindReturns(ctx(), portal.ReturnFilter{CustomerID: &bob.ID, ID: &first.ID}); n != 0 {
			t.Fatal("bob finds ada's return")
		}
	})

	t.Run("Policy", func(t *testing.T) {
		p, err := s.ReturnPolicy(ctx())
		if err != nil || len(p.Rules) != len(portal.DefaultReturnPolicy().Rules) {
			t.Fatalf("default policy: %+v, %v", p, err)
		}
		wantCode(t, s.SetReturnPolicy(ctx(), &portal.ReturnPolicy{}), portal.EINVALID)
		wantCode(t, s.SetReturnPolicy(ctx(), &portal.ReturnPolicy{Rules: []portal.ReturnRule{{Category: "All", Returnable: true}}}), portal.EINVALID)
		p.Rules = append([]portal.ReturnRule{{Category: "Final sale", SKUPrefixes: []string{"NW-MUG"}}}, p.Rules...)
		if err := s.SetReturnPolicy(ctx(), p); err != nil {
			t.Fatal(err)
		}
		got, _ := s.ReturnPolicy(ctx())
		if got.Rules[0].Category != "Final sale" || got.ShippingFeeMinor != 495 {
			t.Fatalf("stored policy %+v", got)
		}
		fresh := MustDeliveredOrder(t, s, ada, "A-3", c.Now())
		_, err = req(fresh, ada, portal.ReturnKindRefund, portal.ReasonChangedMind, "RT-9", mug(1))
		wantCode(t, err, portal.EINVALID)
		if err := s.SetReturnPolicy(ctx(), portal.DefaultReturnPolicy()); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ConcurrentRequestsForTheLastItem", func(t *testing.T) {
		o := MustDeliveredOrder(t, s, ada, "A-4", c.Now())
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = req(o, ada, portal.ReturnKindRefund, portal.ReasonChangedMind, fmt.Sprintf("RT-C%d", i), mug(2))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if portal.ErrorCode(err) != portal.EINVALID {
				t.Fatalf("unexpected error %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of 4 concurrent returns of the same items succeeded, want 1", ok)
		}
		// The refused requests left no event behind.
		if got := webhooksFor(t, s, portal.EventReturnRequested, "A-4"); got != 1 {
			t.Fatalf("%d return.requested events for A-4, want 1", got)
		}
	})

	t.Run("WebhookPerStep", func(t *testing.T) {
		for typ, want := range map[string]int{
			portal.EventReturnRequested: 3, portal.EventReturnApproved: 2, portal.EventReturnRejected: 1, portal.EventReturnReceived: 1,
			portal.EventRefundIssued: 1, portal.EventExchangeRequested: 1, portal.EventExchangeApproved: 1, portal.EventExchangeShipped: 1,
		} {
			if got := webhooksFor(t, s, typ, "A-1"); got != want {
				t.Errorf("%d %s events for order A-1, want %d", got, typ, want)
			}
		}
		ds, _, _ := s.FindWebhookDeliveries(ctx(), portal.WebhookDeliveryFilter{Limit: 500})
		for _, d := range ds {
			switch d.Event.Type {
			case portal.EventRefundIssued:
				for _, want := range []string{`"refunded_minor":1905`, `"refund_reference":"PSP-1"`, `"customer_email":"ada@example.com"`, `"rma":"` + first.RMA + `"`} {
					if !strings.Contains(d.Event.Body, want) {
						t.Errorf("refund.issued body %s lacks %s", d.Event.Body, want)
					}
				}
			case portal.EventExchangeApproved:
				if !strings.Contains(d.Event.Body, `"reserved":[{"sku":"NW-CHAIR-07"`) {
					t.Errorf("exchange.approved body %s names no reservation", d.Event.Body)
				}
			}
		}
	})
}
