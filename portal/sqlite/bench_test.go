package sqlite_test

import (
	"context"
	"fmt"
	"runtime"
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

// BenchmarkChatAppend stores messages from many conversations at once, a
// customer's message and the bot's answer each, as the chat does under
// load (the appends share commits).
func BenchmarkChatAppend(b *testing.B) {
	s := MustOpen(b, time.Now)
	ctx := context.Background()
	const convs = 256
	ids := make(chan int64, convs)
	for i := 0; i < convs; i++ {
		c := storetest.MustCreateConversation(b, s, fmt.Sprintf("v%d", i), nil)
		ids <- c.ID
	}
	b.SetParallelism(convs / max(1, runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := <-ids
		for n := 0; pb.Next(); n++ {
			m := &portal.Message{ConversationID: id, Author: portal.AuthorCustomer, Body: "How long does delivery take?", ClientID: fmt.Sprintf("c%d", n)}
			if _, err := s.AppendMessage(ctx, m); err != nil {
				b.Fatal(err)
			}
			m = &portal.Message{ConversationID: id, Author: portal.AuthorBot, Body: "Standard delivery takes 3 to 5 working days.", Meta: `{"links":[{"title":"Delivery","url":"/help/articles/2-delivery"}]}`}
			if _, err := s.AppendMessage(ctx, m, portal.ConvBot); err != nil {
				b.Fatal(err)
			}
		}
	})
}
