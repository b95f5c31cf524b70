package bot

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/sqlite"
)

// benchStore is what the order benchmark seeds and the bot reads.
type benchStore interface {
	portal.Store
}

const (
	benchCustomers = 10_000
	benchOrders    = 100_000 // ten per customer
)

var benchItems = []string{"Wireless headphones", "Arc floor lamp", "Oak dining chair", "Wool throw blanket", "Mechanical keyboard", "Standing desk 140 cm"}

// seedOrders fills st with benchCustomers customers and benchOrders
// orders, each with an invoice, a parcel and two tracking events, through
// the back-office bulk upserts (1,000 per transaction).
func seedOrders(tb testing.TB, st benchStore) {
	tb.Helper()
	ctx := context.Background()
	start := time.Now()
	rng := rand.New(rand.NewSource(1))
	now := time.Now().UTC()
	for c := 0; c < benchCustomers; c += 1000 {
		us := make([]*portal.User, 1000)
		for i := range us {
			us[i] = &portal.User{Email: fmt.Sprintf("c%d@example.com", c+i), Name: fmt.Sprintf("Customer %d", c+i)}
		}
		if err := st.UpsertCustomers(ctx, us); err != nil {
			tb.Fatal(err)
		}
	}
	for o := 0; o < benchOrders; o += 1000 {
		os := make([]*portal.Order, 1000)
		invs := make([]*portal.Invoice, 1000)
		ships := make([]*portal.Shipment, 1000)
		for i := range os {
			n := o + i
			status := portal.OrderDelivered
			if n%10 == 9 {
				status = portal.OrderShipped // each customer's newest is on its way
			}
			placed := now.Add(-time.Duration(10-n%10) * 7 * 24 * time.Hour)
			os[i] = &portal.Order{Number: fmt.Sprintf("NW-%08d", n), Email: fmt.Sprintf("c%d@example.com", n/10), Status: status, PaymentStatus: portal.PaymentPaid,
				Currency: "EUR", TotalMinor: 1990, PlacedAt: placed, ShippingAddress: portal.Address{Postcode: fmt.Sprintf("%05d", 10000+n/10)},
				Items: []portal.OrderItem{{SKU: "SKU", Name: benchItems[rng.Intn(len(benchItems))], Quantity: 1, UnitPriceMinor: 1990, TotalMinor: 1990}}}
			invs[i] = &portal.Invoice{Number: fmt.Sprintf("INV-%08d", n), OrderNumber: os[i].Number, Currency: "EUR", TotalMinor: 1990, Status: "paid", IssuedAt: placed, DueAt: placed}
			ships[i] = &portal.Shipment{OrderNumber: os[i].Number, Carrier: "DHL", TrackingNumber: fmt.Sprintf("DH%010d", n), CreatedAt: placed}
			if status == portal.OrderShipped {
				eta := now.Add(48 * time.Hour).Truncate(24 * time.Hour)
				ships[i].EstimatedDelivery = &eta
			}
		}
		if err := st.UpsertOrders(ctx, os); err != nil {
			tb.Fatal(err)
		}
		if err := st.UpsertInvoices(ctx, invs); err != nil {
			tb.Fatal(err)
		}
		if err := st.UpsertShipments(ctx, ships); err != nil {
			tb.Fatal(err)
		}
		var evs []*portal.TrackingEvent
		for i, s := range ships {
			last := portal.StatusDelivered
			if os[i].Status == portal.OrderShipped {
				last = portal.StatusOutForDelivery
			}
			for k, stt := range []portal.ShipmentStatus{portal.StatusInTransit, last} {
				at := os[i].PlacedAt.Add(time.Duration(k+1) * 20 * time.Hour)
				evs = append(evs, &portal.TrackingEvent{ShipmentID: s.ID, Source: "bench", EventID: fmt.Sprintf("%d-%d", s.ID, k), Carrier: "DHL", Status: stt,
					Message: stt.Label(), City: "Berlin", OccurredAt: at, ReceivedAt: at})
			}
		}
		if _, _, err := st.AddTrackingEvents(ctx, evs); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Logf("seeded %d orders in %s", benchOrders, time.Since(start).Round(time.Millisecond))
}

// BenchmarkOrderAnswer measures the bot's answers from a customer's own
// data on a store with 100,000 orders: intent, look-ups by indexed
// columns, and the text, for a mix of questions from random customers.
// It reports p50 and p99 per question.
//
//	go test ./bot -run '^$' -bench OrderAnswer -benchtime 2000x
func BenchmarkOrderAnswer(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		if kind == "postgres" && os.Getenv(pgtest.EnvURL) == "" {
			continue
		}
		// Opened and seeded once, with the outer benchmark's temp dir and
		// database: the inner function runs more than once.
		ctx := context.Background()
		var st benchStore
		var err error
		if kind == "sqlite" {
			st, err = sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(b.TempDir(), "bench-"+kind+".db")})
		} else {
			st, err = postgres.Open(ctx, postgres.Config{URL: pgtest.URL(b)})
		}
		if err != nil {
			b.Fatal(err)
		}
		seeded := false
		b.Run(kind, func(b *testing.B) {
			if !seeded {
				seedOrders(b, st)
				seeded = true
			}
			e := New(Config{Store: st, Users: st, Orders: st})
			defer e.Close()
			conv := &portal.Conversation{ID: 1}
			rng := rand.New(rand.NewSource(2))
			questions := []func(c int) string{
				func(int) string { return "Where is my order?" },
				func(c int) string { return fmt.Sprintf("Where is order nw-%08d?", c*10+9) },
				func(int) string { return "When will my headphones arrive?" },
				func(c int) string { return fmt.Sprintf("DH%010d", c*10+3) },
				func(int) string { return "where is my invoice" },
				func(c int) string { return fmt.Sprintf("I want to return my order NW-%08d", c*10+2) },
				func(int) string { return "I'd like to cancel my order" },
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := rng.Intn(benchCustomers)
				u := &portal.User{ID: int64(c + 1), Role: portal.RoleCustomer}
				text := questions[i%len(questions)](c)
				t0 := time.Now()
				r, ok := e.answerOrder(ctx, conv, Participant{Customer: u}, text)
				lat = append(lat, time.Since(t0))
				if !ok || !r.answered || r.body == "" || i%len(questions)%2 == 1 && strings.Contains(r.body, "could not find") {
					b.Fatalf("%q: %+v %v", text, r, ok)
				}
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
		})
		st.Close()
	}
}
