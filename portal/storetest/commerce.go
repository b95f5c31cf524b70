package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// MustCreateOrder stores an order with two items for customer.
func MustCreateOrder(tb testing.TB, s portal.Store, customer *portal.User, number string, placed time.Time) *portal.Order {
	tb.Helper()
	o := &portal.Order{Number: number, CustomerID: customer.ID, Email: customer.Email, Status: portal.OrderPlaced,
		PaymentStatus: portal.PaymentPaid, Currency: "EUR", SubtotalMinor: 3500, ShippingMinor: 495, TaxMinor: 665, TotalMinor: 4660,
		ShippingAddress: portal.Address{Name: "Ada", Line1: "1 Main St", City: "Berlin", Postcode: "10115", Country: "DE"},
		PlacedAt:        placed,
		Items: []portal.OrderItem{
			{SKU: "MUG-1", Name: "Mug", Quantity: 2, UnitPriceMinor: 1000, TotalMinor: 2000},
			{SKU: "TEA-1", Name: "Tea", Quantity: 1, UnitPriceMinor: 1500, TotalMinor: 1500, Config: `{"flavour":"mint"}`},
		}}
	if err := s.CreateOrder(ctx(), o); err != nil {
		tb.Fatalf("create order: %v", err)
	}
	return o
}

func testOrders(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	bob := MustCreateUser(t, s, portal.RoleCustomer, "bob@example.com")
	for i := 0; i < 5; i++ {
		MustCreateOrder(t, s, ada, fmt.Sprintf("A-%d", i), c.t.Add(time.Duration(i)*time.Hour))
	}
	bobs := MustCreateOrder(t, s, bob, "B-1", c.t)
	t.Run("NewestFirstWithItems", func(t *testing.T) {
		got, total, err := s.FindOrders(ctx(), portal.OrderFilter{CustomerID: &ada.ID, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if total != 5 || len(got) != 2 || got[0].Number != "A-4" || got[1].Number != "A-3" {
			t.Fatalf("total=%d got=%v", total, got)
		}
		if len(got[0].Items) != 2 || got[0].Items[1].Config != `{"flavour":"mint"}` || got[0].ShippingAddress.City != "Berlin" {
			t.Fatalf("items/address not round-tripped: %+v", got[0])
		}
	})
	t.Run("ScopedToCustomer", func(t *testing.T) {
		got, total, _ := s.FindOrders(ctx(), portal.OrderFilter{ID: &bobs.ID, CustomerID: &ada.ID})
		if total != 0 || len(got) != 0 {
			t.Fatalf("ada sees bob's order: %v", got)
		}
	})
	t.Run("DuplicateNumberRejected", func(t *testing.T) {
		err := s.CreateOrder(ctx(), &portal.Order{Number: "A-1", CustomerID: ada.ID, Currency: "EUR"})
		wantCode(t, err, portal.EINVALID)
	})
	t.Run("BadItemRollsBack", func(t *testing.T) {
		err := s.CreateOrder(ctx(), &portal.Order{Number: "A-X", CustomerID: ada.ID, Currency: "EUR",
			Items: []portal.OrderItem{{SKU: "a", Quantity: 1}, {SKU: "b", Quantity: 0}}})
		wantCode(t, err, portal.EINVALID)
		if _, n, _ := s.FindOrders(ctx(), portal.OrderFilter{Number: ptr("A-X")}); n != 0 {
			t.Fatal("half-created order stored")
		}
	})
	t.Run("Invoices", func(t *testing.T) {
		o := MustCreateOrder(t, s, ada, "A-INV", c.t)
		inv := &portal.Invoice{Number: "INV-1", OrderID: o.ID, CustomerID: ada.ID, Currency: "EUR", TotalMinor: 4660, TaxMinor: 665, Status: "paid", DueAt: c.t.Add(14 * 24 * time.Hour), PaidAt: &c.t}
		if err := s.CreateInvoice(ctx(), inv); err != nil {
			t.Fatal(err)
		}
		got, total, err := s.FindInvoices(ctx(), portal.InvoiceFilter{OrderID: &o.ID})
		if err != nil || total != 1 || got[0].Number != "INV-1" || got[0].PaidAt == nil || !got[0].DueAt.Equal(inv.DueAt) {
			t.Fatalf("got %+v total=%d err=%v", got, total, err)
		}
		if _, n, _ := s.FindInvoices(ctx(), portal.InvoiceFilter{ID: &inv.ID, CustomerID: &bob.ID}); n != 0 {
			t.Fatal("bob sees ada's invoice")
		}
		wantCode(t, s.CreateInvoice(ctx(), &portal.Invoice{Number: "INV-1", OrderID: o.ID, CustomerID: ada.ID, Currency: "EUR", DueAt: c.t}), portal.EINVALID)
	})
}

func testShipments(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	o := MustCreateOrder(t, s, ada, "A-1", c.t)
	sh := &portal.Shipment{OrderID: o.ID, CustomerID: ada.ID, Carrier: "DHL", TrackingNumber: "TRK1"}
	if err := s.CreateShipment(ctx(), sh); err != nil {
		t.Fatal(err)
	}
	ev := func(id string, st portal.ShipmentStatus, at time.Time) *portal.TrackingEvent {
		return &portal.TrackingEvent{ShipmentID: sh.ID, Source: "aftership", EventID: id, Carrier: "DHL", Status: st, City: "Leipzig", Country: "DE", OccurredAt: at, LocalOffsetMinutes: 60}
	}
	t0 := c.t
	t.Run("DuplicateStoredOnce", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			isNew, err := s.AddTrackingEvent(ctx(), ev("e1", portal.StatusInfoReceived, t0))
			if err != nil || isNew != (i == 0) {
				t.Fatalf("attempt %d: new=%v err=%v", i, isNew, err)
			}
		}
		got, _ := s.FindTrackingEvents(ctx(), sh.ID)
		if len(got) != 1 {
			t.Fatalf("events=%d, want 1", len(got))
		}
	})
	t.Run("OutOfOrderKeepsLatestStatus", func(t *testing.T) {
		s.AddTrackingEvent(ctx(), ev("e3", portal.StatusOutForDelivery, t0.Add(3*time.Hour)))
		s.AddTrackingEvent(ctx(), ev("e2", portal.StatusInTransit, t0.Add(1*time.Hour)))
		got, _ := s.FindTrackingEvents(ctx(), sh.ID)
		if len(got) != 3 || got[0].EventID != "e3" || got[1].EventID != "e2" || got[2].EventID != "e1" {
			t.Fatalf("order: %v", got)
		}
		if got[0].LocalTime().Hour() != got[0].OccurredAt.Hour()+1 {
			t.Fatalf("local time %v vs utc %v", got[0].LocalTime(), got[0].OccurredAt)
		}
		shs, _, _ := s.FindShipments(ctx(), portal.ShipmentFilter{ID: &sh.ID})
		if shs[0].Status != portal.StatusOutForDelivery {
			t.Fatalf("status=%s, want out_for_delivery", shs[0].Status)
		}
	})
	t.Run("ConcurrentWebhooks", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				st := portal.StatusInTransit
				if i == 7 {
					st = portal.StatusDelivered
				}
				if _, err := s.AddTrackingEvent(ctx(), ev(fmt.Sprintf("c%d", i), st, t0.Add(time.Duration(10+i)*time.Hour))); err != nil {
					t.Errorf("add: %v", err)
				}
			}(i)
		}
		wg.Wait()
		shs, _, _ := s.FindShipments(ctx(), portal.ShipmentFilter{ID: &sh.ID})
		if shs[0].Status != portal.StatusDelivered {
			t.Fatalf("status=%s after concurrent events, want delivered", shs[0].Status)
		}
		got, _ := s.FindTrackingEvents(ctx(), sh.ID)
		if len(got) != 11 {
			t.Fatalf("events=%d, want 11", len(got))
		}
	})
	t.Run("BadEventsRejected", func(t *testing.T) {
		_, err := s.AddTrackingEvent(ctx(), ev("x", "teleported", t0))
		wantCode(t, err, portal.EINVALID)
		e := ev("y", portal.StatusInTransit, t0)
		e.ShipmentID = 999999
		_, err = s.AddTrackingEvent(ctx(), e)
		wantCode(t, err, portal.ENOTFOUND)
	})
	t.Run("Batch", func(t *testing.T) {
		mk := func(number string) *portal.Shipment {
			x := &portal.Shipment{OrderID: o.ID, CustomerID: ada.ID, Carrier: "UPS", TrackingNumber: number}
			if err := s.CreateShipment(ctx(), x); err != nil {
				t.Fatal(err)
			}
			return x
		}
		a, b := mk("BATCH-A"), mk("BATCH-B")
		on := func(x *portal.Shipment, id string, st portal.ShipmentStatus, at time.Time) *portal.TrackingEvent {
			return &portal.TrackingEvent{ShipmentID: x.ID, Source: "easypost", EventID: id, Carrier: "UPS", Status: st, OccurredAt: at}
		}
		// Out of order within the batch, one event twice, two shipments.
		batch := []*portal.TrackingEvent{
			on(b, "b2", portal.StatusOutForDelivery, t0.Add(2*time.Hour)),
			on(a, "a1", portal.StatusInTransit, t0.Add(time.Hour)),
			on(b, "b1", portal.StatusInTransit, t0.Add(time.Hour)),
			on(a, "a1", portal.StatusInTransit, t0.Add(time.Hour)),
		}
		stored, changes, err := s.AddTrackingEvents(ctx(), batch)
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, true, true, false}; fmt.Sprint(stored) != fmt.Sprint(want) {
			t.Fatalf("stored %v, want %v", stored, want)
		}
		if batch[1].ID == 0 || batch[3].ID != 0 {
			t.Fatalf("ids %d and %d: the stored copy gets the id, the duplicate none", batch[1].ID, batch[3].ID)
		}
		want := []portal.ShipmentChange{
			{ShipmentID: a.ID, CustomerID: ada.ID, OrderID: o.ID, Before: portal.StatusPending, After: portal.StatusInTransit},
			{ShipmentID: b.ID, CustomerID: ada.ID, OrderID: o.ID, Before: portal.StatusPending, After: portal.StatusOutForDelivery},
		}
		if fmt.Sprint(changes) != fmt.Sprint(want) {
			t.Fatalf("changes %+v, want %+v", changes, want)
		}
		// Sent again: nothing new, no changes.
		stored, changes, err = s.AddTrackingEvents(ctx(), batch)
		if err != nil || fmt.Sprint(stored) != "[false false false false]" || len(changes) != 0 {
			t.Fatalf("replay: stored %v changes %v err %v", stored, changes, err)
		}
		// One unknown shipment or bad event: nothing of the batch is stored.
		ghost := on(a, "a9", portal.StatusDelivered, t0.Add(9*time.Hour))
		lost := on(b, "b9", portal.StatusDelivered, t0.Add(9*time.Hour))
		lost.ShipmentID = 999999
		_, _, err = s.AddTrackingEvents(ctx(), []*portal.TrackingEvent{ghost, lost})
		wantCode(t, err, portal.ENOTFOUND)
		_, _, err = s.AddTrackingEvents(ctx(), []*portal.TrackingEvent{ghost, on(b, "b8", "teleported", t0)})
		wantCode(t, err, portal.EINVALID)
		if got, _ := s.FindTrackingEvents(ctx(), a.ID); len(got) != 1 {
			t.Fatalf("a failed batch stored %d events", len(got)-1)
		}
		// Batches that share shipments, at once, in opposite orders:
		// no deadlock, nothing lost, every event stored once.
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				at := t0.Add(time.Duration(20+i) * time.Hour)
				evs := []*portal.TrackingEvent{on(a, fmt.Sprintf("ca%d", i), portal.StatusInTransit, at), on(b, fmt.Sprintf("cb%d", i), portal.StatusInTransit, at)}
				if i%2 == 1 {
					evs[0], evs[1] = evs[1], evs[0]
				}
				if _, _, err := s.AddTrackingEvents(ctx(), evs); err != nil {
					t.Errorf("batch %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		for x, want := range map[*portal.Shipment]int{a: 1 + 8, b: 2 + 8} {
			if got, _ := s.FindTrackingEvents(ctx(), x.ID); len(got) != want {
				t.Fatalf("%s has %d events, want %d", x.TrackingNumber, len(got), want)
			}
		}
		if stored, changes, err := s.AddTrackingEvents(ctx(), nil); err != nil || stored != nil || changes != nil {
			t.Fatalf("empty batch: %v %v %v", stored, changes, err)
		}
	})
	t.Run("ScopedLookups", func(t *testing.T) {
		bob := MustCreateUser(t, s, portal.RoleCustomer, "bob@example.com")
		if _, n, _ := s.FindShipments(ctx(), portal.ShipmentFilter{ID: &sh.ID, CustomerID: &bob.ID}); n != 0 {
			t.Fatal("bob sees ada's shipment")
		}
		got, n, _ := s.FindShipments(ctx(), portal.ShipmentFilter{TrackingNumber: ptr(" TRK1 ")})
		if n != 1 || got[0].ID != sh.ID {
			t.Fatalf("by tracking number: %d", n)
		}
		wantCode(t, s.CreateShipment(ctx(), &portal.Shipment{OrderID: o.ID, CustomerID: ada.ID, Carrier: "DHL", TrackingNumber: "TRK1"}), portal.EINVALID)
	})
}

func testArticles(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	parent := &portal.Category{Name: "Orders & Delivery"}
	if err := s.CreateCategory(ctx(), parent); err != nil {
		t.Fatal(err)
	}
	child := &portal.Category{Name: "Returns", ParentID: &parent.ID, Position: 1}
	if err := s.CreateCategory(ctx(), child); err != nil {
		t.Fatal(err)
	}
	cats, _ := s.FindCategories(ctx())
	if len(cats) != 2 || cats[0].Slug != "orders-delivery" || cats[1].ParentID == nil || *cats[1].ParentID != parent.ID {
		t.Fatalf("categories: %+v", cats)
	}
	a := &portal.Article{Title: "How do I return an item?", Summary: "Within 30 days.", Body: "**Steps**", CategoryID: &child.ID,
		Tags: []string{"returns"}, Phrasings: []string{"send back", "refund"}, Status: portal.ArticlePublished}
	if err := s.CreateArticle(ctx(), a); err != nil {
		t.Fatal(err)
	}
	draft := &portal.Article{Title: "Secret draft"}
	if err := s.CreateArticle(ctx(), draft); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateArticle(ctx(), &portal.Article{Title: "  "}), portal.EINVALID)
	got, total, err := s.FindArticles(ctx(), portal.ArticleFilter{Status: ptr(portal.ArticlePublished), Locale: "en"})
	if err != nil || total != 1 {
		t.Fatalf("published: total=%d err=%v", total, err)
	}
	if g := got[0]; g.Slug != "how-do-i-return-an-item" || len(g.Phrasings) != 2 || g.Version != 1 || g.PublishedAt == nil || draft.Status != portal.ArticleDraft {
		t.Fatalf("article: %+v", g)
	}
}
