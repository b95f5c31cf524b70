package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

func testBackOffice(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	MustCreateUser(t, s, portal.RoleAgent, "agent@example.com")
	t.Run("CustomersUpsertByEmail", func(t *testing.T) {
		if err := s.UpsertCustomers(ctx(), []*portal.User{{Email: "Ada@Example.com", Name: "Ada"}, {Email: "bob@example.com", Name: "Bob"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertCustomers(ctx(), []*portal.User{{Email: "ada@example.com", Name: "Ada L.", Postcode: "10115"}}); err != nil {
			t.Fatal(err)
		}
		us, total, _ := s.FindUsers(ctx(), portal.UserFilter{Roles: []portal.Role{portal.RoleCustomer}})
		if total != 2 {
			t.Fatalf("customers=%d, want 2", total)
		}
		ada, _ := s.FindUserByEmail(ctx(), "ada@example.com")
		if ada.Name != "Ada L." || ada.Postcode != "10115" || ada.Role != portal.RoleCustomer {
			t.Fatalf("ada %+v (all: %v)", ada, us)
		}
	})
	t.Run("BulkIsAllOrNothing", func(t *testing.T) {
		err := s.UpsertCustomers(ctx(), []*portal.User{{Email: "carl@example.com"}, {Email: "not an email"}, {Email: "agent@example.com"}})
		wantCode(t, err, portal.EINVALID)
		var be *portal.BulkError
		if !errors.As(err, &be) || len(be.Items) != 2 || be.Items[1] == "" || be.Items[2] == "" {
			t.Fatalf("bulk error %#v", err)
		}
		if _, err := s.FindUserByEmail(ctx(), "carl@example.com"); !portal.IsNotFound(err) {
			t.Fatalf("valid item of a failed bulk was stored: %v", err)
		}
		agent, _ := s.FindUserByEmail(ctx(), "agent@example.com")
		if agent.Role != portal.RoleAgent {
			t.Fatal("staff account turned into a customer")
		}
	})
	order := func(number string, items ...portal.OrderItem) *portal.Order {
		return &portal.Order{Number: number, Email: "ada@example.com", Status: portal.OrderPlaced, PaymentStatus: portal.PaymentPaid, Currency: "EUR",
			TotalMinor: 1000, PlacedAt: c.t, Items: items}
	}
	t.Run("OrdersUpsertReplacesItems", func(t *testing.T) {
		if err := s.UpsertOrders(ctx(), []*portal.Order{order("BO-1", portal.OrderItem{SKU: "a", Name: "A", Quantity: 1}, portal.OrderItem{SKU: "b", Name: "B", Quantity: 2})}); err != nil {
			t.Fatal(err)
		}
		o := order("BO-1", portal.OrderItem{SKU: "c", Name: "C", Quantity: 3})
		o.Status = portal.OrderShipped
		if err := s.UpsertOrders(ctx(), []*portal.Order{o}); err != nil {
			t.Fatal(err)
		}
		got, n, _ := s.FindOrders(ctx(), portal.OrderFilter{Number: ptr("BO-1")})
		if n != 1 || got[0].Status != portal.OrderShipped || len(got[0].Items) != 1 || got[0].Items[0].SKU != "c" {
			t.Fatalf("order %+v", got)
		}
		err := s.UpsertOrders(ctx(), []*portal.Order{order("BO-2", portal.OrderItem{Name: "X", Quantity: 1}), {Number: "BO-3", Email: "ghost@example.com", Currency: "EUR", Items: []portal.OrderItem{{Name: "Y", Quantity: 1}}}})
		var be *portal.BulkError
		if !errors.As(err, &be) || len(be.Items) != 1 || be.Items[1] == "" {
			t.Fatalf("unknown customer: %v", err)
		}
		if _, n, _ := s.FindOrders(ctx(), portal.OrderFilter{Number: ptr("BO-2")}); n != 0 {
			t.Fatal("BO-2 stored from a failed bulk")
		}
	})
	t.Run("InvoicesAndShipmentsByOrderNumber", func(t *testing.T) {
		if err := s.UpsertInvoices(ctx(), []*portal.Invoice{{Number: "BI-1", OrderNumber: "BO-1", Currency: "EUR", TotalMinor: 1000, Status: "open"}}); err != nil {
			t.Fatal(err)
		}
		paid := c.t.Add(time.Hour)
		if err := s.UpsertInvoices(ctx(), []*portal.Invoice{{Number: "BI-1", OrderNumber: "BO-1", Currency: "EUR", TotalMinor: 1000, Status: "paid", PaidAt: &paid}}); err != nil {
			t.Fatal(err)
		}
		invs, n, _ := s.FindInvoices(ctx(), portal.InvoiceFilter{})
		if n != 1 || invs[0].Status != "paid" || invs[0].PaidAt == nil {
			t.Fatalf("invoices %+v", invs)
		}
		sh := &portal.Shipment{TrackingNumber: "BT-1", Carrier: "DHL", OrderNumber: "BO-1"}
		if err := s.UpsertShipments(ctx(), []*portal.Shipment{sh}); err != nil {
			t.Fatal(err)
		}
		s.AddTrackingEvent(ctx(), &portal.TrackingEvent{ShipmentID: sh.ID, Source: "x", EventID: "1", Status: portal.StatusInTransit, OccurredAt: c.t})
		eta := c.t.Add(48 * time.Hour)
		if err := s.UpsertShipments(ctx(), []*portal.Shipment{{TrackingNumber: "BT-1", Carrier: "DHL Express", OrderNumber: "BO-1", EstimatedDelivery: &eta}}); err != nil {
			t.Fatal(err)
		}
		got, _, _ := s.FindShipments(ctx(), portal.ShipmentFilter{TrackingNumber: ptr("BT-1")})
		if got[0].Carrier != "DHL Express" || got[0].Status != portal.StatusInTransit || got[0].EstimatedDelivery == nil || !got[0].EstimatedDelivery.Equal(eta) {
			t.Fatalf("shipment %+v", got[0])
		}
		err := s.UpsertShipments(ctx(), []*portal.Shipment{{TrackingNumber: "BT-2", Carrier: "DHL", OrderNumber: "NOPE"}})
		wantCode(t, err, portal.EINVALID)
		wantCode(t, s.SetEstimatedDelivery(ctx(), 999999, nil), portal.ENOTFOUND)
	})
}

func testHistory(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	bob := MustCreateUser(t, s, portal.RoleCustomer, "bob@example.com")
	o1 := MustCreateOrder(t, s, ada, "H-1", c.t)
	o2 := MustCreateOrder(t, s, ada, "H-2", c.t.Add(2*time.Hour))
	MustCreateOrder(t, s, bob, "H-B", c.t.Add(3*time.Hour))
	s.CreateInvoice(ctx(), &portal.Invoice{Number: "HI-1", OrderID: o1.ID, CustomerID: ada.ID, Currency: "EUR", Status: "paid", IssuedAt: c.t.Add(time.Hour), DueAt: c.t})
	c.t = c.t.Add(4 * time.Hour)
	s.CreateShipment(ctx(), &portal.Shipment{OrderID: o2.ID, CustomerID: ada.ID, Carrier: "DHL", TrackingNumber: "HT-1"})
	items, total, err := s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: ada.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.Kind+":"+it.Ref)
	}
	want := []string{"shipment:HT-1", "order:H-2", "invoice:HI-1", "order:H-1"}
	if total != 4 || len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("history=%v total=%d, want %v", got, total, want)
	}
	items, total, _ = s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: ada.ID, Kinds: []string{portal.HistoryOrder}, Limit: 1, Offset: 1})
	if total != 2 || len(items) != 1 || items[0].Ref != "H-1" || items[0].Minor != 4660 || items[0].Currency != "EUR" {
		t.Fatalf("filtered page: %+v total=%d", items, total)
	}
	if items, total, _ := s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: ada.ID, Offset: 100}); len(items) != 0 || total != 4 {
		t.Fatalf("past the end: %d items, total %d, want 0 and 4", len(items), total)
	}
	items, total, err = s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: ada.ID, Kinds: []string{portal.HistoryShipment, portal.HistoryInvoice}})
	if err != nil || total != 2 || items[0].Kind != portal.HistoryShipment {
		t.Fatalf("shipments and invoices: %+v total=%d err=%v", items, total, err)
	}
	if _, total, _ := s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: bob.ID}); total != 1 {
		t.Fatalf("bob's history has %d items, want 1", total)
	}

	t.Run("WithVersion", func(t *testing.T) {
		// The same page as FindHistory, with the version HistoryVersion
		// gives, also for a page past the end and an empty history.
		for _, f := range []portal.HistoryFilter{{CustomerID: ada.ID}, {CustomerID: ada.ID, Kinds: []string{portal.HistoryOrder}, Limit: 1, Offset: 1},
			{CustomerID: ada.ID, Offset: 100}, {CustomerID: bob.ID}} {
			want, wantTotal, _ := s.FindHistory(ctx(), f)
			wantV, _ := s.HistoryVersion(ctx(), f.CustomerID)
			got, total, v, err := s.FindHistoryWithVersion(ctx(), f)
			if err != nil || total != wantTotal || len(got) != len(want) || v != wantV || v == 0 {
				t.Fatalf("%+v: %d items, total %d, version %d, %v; want %d, %d, %d", f, len(got), total, v, err, len(want), wantTotal, wantV)
			}
			for i := range got {
				if *got[i] != *want[i] {
					t.Fatalf("%+v: item %d is %+v, want %+v", f, i, got[i], want[i])
				}
			}
		}
		dan := MustCreateUser(t, s, portal.RoleCustomer, "dan@example.com")
		if got, total, v, err := s.FindHistoryWithVersion(ctx(), portal.HistoryFilter{CustomerID: dan.ID}); err != nil || len(got) != 0 || total != 0 || v != 0 {
			t.Fatalf("empty history: %d items, total %d, version %d, %v", len(got), total, v, err)
		}
		// A change moves the version read with the page.
		_, _, before, _ := s.FindHistoryWithVersion(ctx(), portal.HistoryFilter{CustomerID: bob.ID})
		MustCreateOrder(t, s, bob, "H-B2", c.t)
		got, _, after, err := s.FindHistoryWithVersion(ctx(), portal.HistoryFilter{CustomerID: bob.ID})
		if err != nil || after == before || len(got) != 2 {
			t.Fatalf("after an order: version %d (was %d), %d items, %v", after, before, len(got), err)
		}
	})

	t.Run("ChatsAndCases", func(t *testing.T) {
		c.t = c.t.Add(time.Hour)
		empty := &portal.Conversation{CustomerID: &ada.ID}
		if err := s.CreateConversation(ctx(), empty); err != nil {
			t.Fatal(err)
		}
		chat := &portal.Conversation{CustomerID: &ada.ID}
		if err := s.CreateConversation(ctx(), chat); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: chat.ID, Author: portal.AuthorCustomer, Body: "Where is my sofa?"}); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(time.Hour)
		cs := &portal.Case{CustomerID: &ada.ID, Email: "ada@example.com", Body: "Please call me back."}
		if err := s.CreateCase(ctx(), cs, nil, nil); err != nil {
			t.Fatal(err)
		}
		items, total, err := s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: ada.ID, Kinds: []string{portal.HistoryChat, portal.HistoryCase}})
		if err != nil {
			t.Fatal(err)
		}
		// A conversation without messages is not in the history.
		if total != 2 || items[0].Kind != portal.HistoryCase || items[0].Ref != cs.Number() || items[0].ID != cs.ID ||
			items[1].Kind != portal.HistoryChat || items[1].ID != chat.ID || items[1].Status != string(portal.ConvBot) {
			t.Fatalf("chats and cases: %+v total=%d", items, total)
		}
		if _, total, _ := s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: bob.ID, Kinds: []string{portal.HistoryChat, portal.HistoryCase}}); total != 0 {
			t.Fatalf("bob sees %d of ada's chats and cases", total)
		}
	})

	t.Run("Version", func(t *testing.T) {
		v := func(u *portal.User) int64 {
			t.Helper()
			n, err := s.HistoryVersion(ctx(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		carol := MustCreateUser(t, s, portal.RoleCustomer, "carol@example.com")
		if v(carol) != 0 {
			t.Fatalf("a new customer's history version is %d, want 0", v(carol))
		}
		// Every change that shows in the history moves the version; a
		// change to someone else's history does not.
		last, lastBob := v(ada), v(bob)
		step := func(what string, change func()) {
			t.Helper()
			change()
			if now := v(ada); now == last {
				t.Fatalf("%s: history version stayed %d", what, now)
			} else {
				last = now
			}
			if v(bob) != lastBob {
				t.Fatalf("%s: bob's history version moved", what)
			}
		}
		var o *portal.Order
		step("order", func() { o = MustCreateOrder(t, s, ada, "HV-1", c.t) })
		step("invoice", func() {
			if err := s.CreateInvoice(ctx(), &portal.Invoice{Number: "HV-I", OrderID: o.ID, CustomerID: ada.ID, Currency: "EUR", Status: "open", IssuedAt: c.t, DueAt: c.t}); err != nil {
				t.Fatal(err)
			}
		})
		var sh *portal.Shipment
		step("shipment", func() {
			sh = &portal.Shipment{OrderID: o.ID, CustomerID: ada.ID, Carrier: "DHL", TrackingNumber: "HV-T"}
			if err := s.CreateShipment(ctx(), sh); err != nil {
				t.Fatal(err)
			}
		})
		step("tracking event that changes the status", func() {
			c.t = c.t.Add(time.Minute)
			if _, err := s.AddTrackingEvent(ctx(), &portal.TrackingEvent{ShipmentID: sh.ID, Source: "frontdesk", EventID: "hv-1", Carrier: "DHL", Status: portal.StatusInTransit, OccurredAt: c.t}); err != nil {
				t.Fatal(err)
			}
		})
		// An event that leaves the status as it was changes nothing shown.
		c.t = c.t.Add(time.Minute)
		if _, err := s.AddTrackingEvent(ctx(), &portal.TrackingEvent{ShipmentID: sh.ID, Source: "frontdesk", EventID: "hv-2", Carrier: "DHL", Status: portal.StatusInTransit, OccurredAt: c.t}); err != nil {
			t.Fatal(err)
		}
		if now := v(ada); now != last {
			t.Fatal("an event with the same status moved the history version")
		}
		var chat *portal.Conversation
		step("chat with a first message", func() {
			chat = &portal.Conversation{CustomerID: &ada.ID}
			if err := s.CreateConversation(ctx(), chat); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: chat.ID, Author: portal.AuthorCustomer, Body: "Hello"}); err != nil {
				t.Fatal(err)
			}
		})
		// Later messages change nothing the history shows.
		if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: chat.ID, Author: portal.AuthorBot, Body: "Hi"}); err != nil {
			t.Fatal(err)
		}
		if now := v(ada); now != last {
			t.Fatalf("a second chat message moved the history version")
		}
		step("chat closed", func() {
			closed := portal.ConvClosed
			if _, err := s.UpdateConversation(ctx(), chat.ID, portal.ConversationUpdate{State: &closed}); err != nil {
				t.Fatal(err)
			}
		})
		var cs *portal.Case
		step("case", func() {
			cs = &portal.Case{CustomerID: &ada.ID, Email: "ada@example.com", Body: "Call me."}
			if err := s.CreateCase(ctx(), cs, nil, nil); err != nil {
				t.Fatal(err)
			}
		})
		agent := MustCreateUser(t, s, portal.RoleAgent, "agent-hv@example.com")
		step("case reply", func() {
			c.t = c.t.Add(time.Minute)
			if err := addEntry(s, &portal.CaseEntry{CaseID: cs.ID, Kind: portal.EntryReply, AuthorID: &agent.ID, Body: "Done."}); err != nil {
				t.Fatal(err)
			}
		})
		if v(carol) != 0 {
			t.Fatalf("carol's history version moved")
		}
	})
}

func testTokens(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	admin := MustCreateUser(t, s, portal.RoleAdmin, "admin@example.com")
	wantCode(t, s.CreateAPIToken(ctx(), &portal.APIToken{Name: "erp", Hash: "h0", Scopes: []string{"root"}, CreatedBy: admin.ID}), portal.EINVALID)
	wantCode(t, s.CreateAPIToken(ctx(), &portal.APIToken{Name: "", Hash: "h0", Scopes: []string{portal.ScopeRead}, CreatedBy: admin.ID}), portal.EINVALID)
	tok := &portal.APIToken{Name: "ERP", Prefix: "fdk_abc", Hash: "h1", Scopes: []string{portal.ScopeOrdersWrite}, CreatedBy: admin.ID}
	if err := s.CreateAPIToken(ctx(), tok); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindAPITokenByHash(ctx(), "h1", c.t)
	if err != nil || !got.HasScope(portal.ScopeOrdersWrite) || got.HasScope(portal.ScopeRead) || got.LastUsedAt == nil {
		t.Fatalf("token %+v, %v", got, err)
	}
	if err := s.RevokeAPIToken(ctx(), tok.ID, c.t); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindAPITokenByHash(ctx(), "h1", c.t)
	wantCode(t, err, portal.ENOTFOUND)
	wantCode(t, s.RevokeAPIToken(ctx(), tok.ID, c.t), portal.ENOTFOUND)
	all, _ := s.FindAPITokens(ctx())
	if len(all) != 1 || all[0].RevokedAt == nil {
		t.Fatalf("tokens %+v", all)
	}

	u := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	st, err := s.NotifyStatuses(ctx(), u.ID)
	if err != nil || len(st) != len(portal.DefaultNotifyStatuses) {
		t.Fatalf("defaults %v %v", st, err)
	}
	if err := s.SetNotifyStatuses(ctx(), u.ID, nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.NotifyStatuses(ctx(), u.ID); len(st) != 0 {
		t.Fatalf("after opting out: %v", st)
	}
	s.SetNotifyStatuses(ctx(), u.ID, []portal.ShipmentStatus{portal.StatusDelivered})
	if st, _ := s.NotifyStatuses(ctx(), u.ID); len(st) != 1 || st[0] != portal.StatusDelivered {
		t.Fatalf("chosen: %v", st)
	}
	wantCode(t, s.SetNotifyStatuses(ctx(), u.ID, []portal.ShipmentStatus{"lost_in_space"}), portal.EINVALID)
}
