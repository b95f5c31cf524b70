package portal

import (
	"context"
	"time"
)

// CustomerOrderStats sums up one customer's orders for the analytical CRM:
// RFM scoring and the lifetime value models. Orders that were cancelled, or
// whose payment failed or was refunded, do not count. Days are UTC days.
type CustomerOrderStats struct {
	CustomerID int64
	// Orders is the number of orders; Days the number of distinct days with
	// an order (several orders on one day are one transaction for the
	// models).
	Orders int
	Days   int
	// FirstDay and LastDay are the days of the first and the latest order
	// (UTC midnight).
	FirstDay time.Time
	LastDay  time.Time
	// RevenueMinor is the sum of the orders' totals; FirstDayMinor the part
	// spent on the first day, which the spend model leaves out.
	RevenueMinor  int64
	FirstDayMinor int64
	// Currency is the customer's orders' currency (the greatest code, if
	// they used several).
	Currency string
	// Before is the same customer's figures from the orders placed before
	// the filter's Split, read in the same pass; nil without a Split or
	// when the customer had not ordered by then.
	Before *CustomerOrderStats
}

// CustomerStatsFilter selects the orders that count.
type CustomerStatsFilter struct {
	// Before, when set, counts only orders placed before it.
	Before time.Time
	// Split, when set, also gives each customer's figures from the orders
	// placed before it (CustomerOrderStats.Before): a period's movements
	// from one read of the orders rather than two.
	Split time.Time
}

// CustomerStatsService reads per-customer order aggregates in one pass.
type CustomerStatsService interface {
	// CustomerOrderStats returns one row per customer with a counted
	// order, ordered by customer id.
	CustomerOrderStats(ctx context.Context, f CustomerStatsFilter) ([]CustomerOrderStats, error)
}
