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

// AnalysisLease is the shared customer analysis's state in the store.
type AnalysisLease struct {
	// MadeAt is when the stored analysis was made (zero: none yet).
	MadeAt time.Time
	// Holder is the node computing one now ("" none) until LeaseUntil.
	Holder     string
	LeaseUntil time.Time
}

// SharedAnalysisService lets one node of a cluster compute the customer
// analysis and the others load its result, instead of each fitting its
// own copy.
type SharedAnalysisService interface {
	// ClaimAnalysis takes the lease on computing the analysis for holder
	// until until; false when another holder's lease still runs at now.
	ClaimAnalysis(ctx context.Context, holder string, now, until time.Time) (bool, error)
	// SaveAnalysis stores holder's finished analysis, made at madeAt, and
	// ends its lease.
	SaveAnalysis(ctx context.Context, holder string, madeAt time.Time, data []byte) error
	// ReleaseAnalysis ends holder's lease without a result (a failed run).
	ReleaseAnalysis(ctx context.Context, holder string) error
	// SharedAnalysis reads the lease and, when the stored analysis was
	// made after after, its data (nil otherwise).
	SharedAnalysis(ctx context.Context, after time.Time) (AnalysisLease, []byte, error)
}
