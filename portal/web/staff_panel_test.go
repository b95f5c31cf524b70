package web

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// TestAgentPanelLinksStaffPages: beside the chat, the customer's orders,
// parcels (with their estimate), invoices, cases and past chats link to
// the staff's pages of each, on both stores.
func TestAgentPanelLinksStaffPages(t *testing.T) {
	ctx := context.Background()
	open := map[string]func(t *testing.T) portal.Store{
		"sqlite": func(t *testing.T) portal.Store {
			st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "fd.db")})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		"postgres": func(t *testing.T) portal.Store {
			st, err := postgres.Open(ctx, postgres.Config{URL: pgtest.URL(t), MaxConns: 4})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			st := open[kind](t)
			defer st.Close()
			eng := bot.New(bot.Config{Store: st, Users: st})
			srv, err := New(TestConfig(t, Config{Store: st, Chat: eng, ChatHub: bot.NewHub(eng.Bus()), DataDir: t.TempDir()}))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			u := &portal.User{Email: "ada@example.com", Name: "Ada", Role: portal.RoleCustomer}
			if err := st.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			o := storetest.MustDeliveredOrder(t, st, u, "A-1", time.Now().Add(-24*time.Hour))
			eta := time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC)
			sh := &portal.Shipment{OrderID: o.ID, CustomerID: u.ID, Carrier: "UPS", TrackingNumber: "1Z-2", EstimatedDelivery: &eta}
			if err := st.CreateShipment(ctx, sh); err != nil {
				t.Fatal(err)
			}
			if err := st.CreateInvoice(ctx, &portal.Invoice{Number: "INV-A1", OrderID: o.ID, CustomerID: u.ID, Currency: "EUR", TotalMinor: 100, Status: "paid", IssuedAt: time.Now(), DueAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			cs := &portal.Case{CustomerID: &u.ID, OrderID: &o.ID, Email: u.Email, Subject: "Scratched", Body: "The chair is scratched."}
			if err := st.CreateCase(ctx, cs, nil, nil); err != nil {
				t.Fatal(err)
			}
			past := &portal.Conversation{VisitorID: "v", CustomerID: &u.ID}
			if err := st.CreateConversation(ctx, past); err != nil {
				t.Fatal(err)
			}
			conv := &portal.Conversation{VisitorID: "v", CustomerID: &u.ID}
			if err := st.CreateConversation(ctx, conv); err != nil {
				t.Fatal(err)
			}
			f, err := srv.customerInfo(ctx, conv, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Orders) != 1 || f.Orders[0].URL != "/staff/orders/A-1" {
				t.Fatalf("orders %+v, want one linked to /staff/orders/A-1", f.Orders)
			}
			var found bool
			for _, p := range f.Parcels {
				if p.TrackingNumber == "1Z-2" {
					found = true
					if got, want := p.URL, "/staff/shipments/"+strconv.FormatInt(sh.ID, 10); got != want {
						t.Fatalf("parcel url=%q, want %q", got, want)
					}
					if p.OrderURL != "/staff/orders/A-1" || p.ETA != "14 Mar 2031" {
						t.Fatalf("parcel %+v: want order url and ETA 14 Mar 2031", p)
					}
				}
			}
			if !found || len(f.Parcels) != 2 {
				t.Fatalf("parcels %+v", f.Parcels)
			}
			if len(f.Invoices) != 1 || f.Invoices[0].URL != "/staff/invoices/INV-A1" {
				t.Fatalf("invoices %+v", f.Invoices)
			}
			if len(f.Cases) != 1 || f.Cases[0].URL != "/agent/cases/"+strconv.FormatInt(cs.ID, 10) {
				t.Fatalf("cases %+v", f.Cases)
			}
			if len(f.Chats) != 1 || f.Chats[0].URL != "/agent/history/"+strconv.FormatInt(past.ID, 10) {
				t.Fatalf("past chats %+v", f.Chats)
			}
		})
	}
}
