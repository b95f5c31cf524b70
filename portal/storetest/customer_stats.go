package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

func testCustomerStats(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	bob := MustCreateUser(t, s, portal.RoleCustomer, "bob@example.com")
	MustCreateUser(t, s, portal.RoleCustomer, "cy@example.com") // no orders: no row
	day0 := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	n := 0
	order := func(u *portal.User, at time.Time, total int64, status, payment string) {
		t.Helper()
		n++
		o := &portal.Order{Number: fmt.Sprintf("S-%d", n), CustomerID: u.ID, Email: u.Email, Status: status,
			PaymentStatus: payment, Currency: "EUR", SubtotalMinor: total, TotalMinor: total, PlacedAt: at}
		if err := s.CreateOrder(ctx(), o); err != nil {
			t.Fatal(err)
		}
	}
	// Ada: two orders on her first day (late evening UTC, and just after
	// midnight the same day), one a week later, one cancelled, one refunded,
	// one in March.
	order(ada, day0.Add(30*time.Minute), 1000, portal.OrderDelivered, portal.PaymentPaid)
	order(ada, day0.Add(23*time.Hour+59*time.Minute), 500, portal.OrderDelivered, portal.PaymentPaid)
	order(ada, day0.AddDate(0, 0, 7).Add(12*time.Hour), 2000, portal.OrderShipped, portal.PaymentPaid)
	order(ada, day0.AddDate(0, 0, 8), 9999, portal.OrderCancelled, portal.PaymentPaid)
	order(ada, day0.AddDate(0, 0, 9), 8888, portal.OrderDelivered, portal.PaymentRefunded)
	order(ada, day0.AddDate(0, 2, 0), 300, portal.OrderPlaced, portal.PaymentPending)
	// Bob: one order.
	order(bob, day0.AddDate(0, 0, 3).Add(5*time.Hour), 4200, portal.OrderDelivered, portal.PaymentPaid)

	t.Run("AggregatesByCustomerAndDay", func(t *testing.T) {
		got, err := s.CustomerOrderStats(ctx(), portal.CustomerStatsFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := []portal.CustomerOrderStats{
			{CustomerID: ada.ID, Orders: 4, Days: 3, FirstDay: day0, LastDay: day0.AddDate(0, 2, 0), RevenueMinor: 3800, FirstDayMinor: 1500},
			{CustomerID: bob.ID, Orders: 1, Days: 1, FirstDay: day0.AddDate(0, 0, 3), LastDay: day0.AddDate(0, 0, 3), RevenueMinor: 4200, FirstDayMinor: 4200},
		}
		if len(got) != len(want) {
			t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.CustomerID != w.CustomerID || g.Orders != w.Orders || g.Days != w.Days || !g.FirstDay.Equal(w.FirstDay) ||
				!g.LastDay.Equal(w.LastDay) || g.RevenueMinor != w.RevenueMinor || g.FirstDayMinor != w.FirstDayMinor || g.Currency != "EUR" {
				t.Errorf("row %d = %+v, want %+v", i, g, w)
			}
		}
	})
	t.Run("BeforeCutsOff", func(t *testing.T) {
		got, err := s.CustomerOrderStats(ctx(), portal.CustomerStatsFilter{Before: day0.AddDate(0, 0, 5)})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Orders != 2 || got[0].Days != 1 || got[0].RevenueMinor != 1500 || got[1].RevenueMinor != 4200 {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("SplitGivesBeforeInTheSamePass", func(t *testing.T) {
		// Every cut, mid-day ones included, gives the figures Before gives.
		for _, cut := range []time.Time{day0, day0.Add(time.Hour), day0.AddDate(0, 0, 3).Add(5 * time.Hour), day0.AddDate(0, 0, 5), day0.AddDate(0, 3, 0)} {
			all, err := s.CustomerOrderStats(ctx(), portal.CustomerStatsFilter{Split: cut})
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := s.CustomerOrderStats(ctx(), portal.CustomerStatsFilter{})
			before, _ := s.CustomerOrderStats(ctx(), portal.CustomerStatsFilter{Before: cut})
			var split []portal.CustomerOrderStats
			for i, c := range all {
				if c.Before != nil {
					split = append(split, *c.Before)
				}
				c.Before = nil
				if c != plain[i] {
					t.Fatalf("cut %v: row %d = %+v, without a split %+v", cut, i, c, plain[i])
				}
			}
			if len(split) != len(before) {
				t.Fatalf("cut %v: %d customers before it by the split, %d by Before: %+v / %+v", cut, len(split), len(before), split, before)
			}
			for i := range before {
				if split[i] != before[i] {
					t.Errorf("cut %v: %+v by the split, %+v by Before", cut, split[i], before[i])
				}
			}
		}
	})
}
