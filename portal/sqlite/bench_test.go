package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// BenchmarkFindHistory reads the first history page of a customer with 50
// orders, invoices and shipments.
func BenchmarkFindHistory(b *testing.B) {
	s := MustOpen(b, time.Now)
	ctx := context.Background()
	u := storetest.MustCreateUser(b, s, portal.RoleCustomer, "bench@example.com")
	for i := 0; i < 50; i++ {
		o := storetest.MustCreateOrder(b, s, u, fmt.Sprintf("B-%d", i), time.Now().Add(-time.Duration(i)*time.Hour))
		s.CreateInvoice(ctx, &portal.Invoice{Number: fmt.Sprintf("BI-%d", i), OrderID: o.ID, CustomerID: u.ID, Currency: "EUR", Status: "paid", DueAt: time.Now()})
		s.CreateShipment(ctx, &portal.Shipment{OrderID: o.ID, CustomerID: u.ID, Carrier: "DHL", TrackingNumber: fmt.Sprintf("BT-%d", i)})
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			items, total, err := s.FindHistory(ctx, portal.HistoryFilter{CustomerID: u.ID, Limit: 25})
			if err != nil || len(items) != 25 || total != 150 {
				b.Fatalf("items=%d total=%d err=%v", len(items), total, err)
			}
		}
	})
}

// BenchmarkChatAppend: see storetest.BenchChatAppend.
func BenchmarkChatAppend(b *testing.B) { storetest.BenchChatAppend(b, MustOpen(b, time.Now)) }
