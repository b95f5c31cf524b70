package sqlstore

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// CustomerOrderStats aggregates orders by customer and UTC day in the
// database, then by customer, so that a refit reads one row per customer
// rather than one per order.
func (s *Store) CustomerOrderStats(ctx context.Context, f portal.CustomerStatsFilter) ([]portal.CustomerOrderStats, error) {
	day := `placed_at / 86400000000`
	if s.db.Dialect() == "postgres" {
		day = `CAST(FLOOR(EXTRACT(EPOCH FROM placed_at) / 86400) AS BIGINT)`
	}
	var w where
	w.add("status <> ?", portal.OrderCancelled)
	w.add("payment_status NOT IN (?, ?)", portal.PaymentFailed, portal.PaymentRefunded)
	if !f.Before.IsZero() {
		w.add("placed_at < ?", f.Before)
	}
	// The split's figures come from the same groups: a day's orders before
	// the split (bn, bamount, bcur), the first day with any (bfirst).
	split := f.Split
	if split.IsZero() {
		split = time.Unix(0, 0) // nothing is before it: every Before is nil
	}
	args := append([]any{split, split, split}, w.args...)
	q := `WITH d AS (
		SELECT customer_id, ` + day + ` AS day, COUNT(*) AS n, SUM(total_minor) AS amount, MAX(currency) AS currency,
			SUM(CASE WHEN placed_at < ? THEN 1 ELSE 0 END) AS bn,
			SUM(CASE WHEN placed_at < ? THEN total_minor ELSE 0 END) AS bamount,
			MAX(CASE WHEN placed_at < ? THEN currency END) AS bcur
		FROM orders` + w.String() + `
		GROUP BY customer_id, ` + day + `
	), f AS (
		SELECT customer_id, MIN(day) AS first_day, MIN(CASE WHEN bn > 0 THEN day END) AS bfirst FROM d GROUP BY customer_id
	)
	SELECT d.customer_id, SUM(d.n), COUNT(*), MIN(d.day), MAX(d.day), SUM(d.amount),
		SUM(CASE WHEN d.day = f.first_day THEN d.amount ELSE 0 END), MAX(d.currency),
		SUM(d.bn), SUM(CASE WHEN d.bn > 0 THEN 1 ELSE 0 END), MAX(CASE WHEN d.bn > 0 THEN d.day END), SUM(d.bamount),
		SUM(CASE WHEN d.day = f.bfirst THEN d.bamount ELSE 0 END), COALESCE(MAX(d.bcur), '')
	FROM d JOIN f ON f.customer_id = d.customer_id
	GROUP BY d.customer_id
	ORDER BY d.customer_id`
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap("customer order stats", err)
	}
	defer rows.Close()
	var out []portal.CustomerOrderStats
	for rows.Next() {
		var c portal.CustomerOrderStats
		var b portal.CustomerOrderStats
		var orders, days, first, last, bOrders, bDays int64
		var bLast *int64
		if err := rows.Scan(&c.CustomerID, &orders, &days, &first, &last, &c.RevenueMinor, &c.FirstDayMinor, &c.Currency,
			&bOrders, &bDays, &bLast, &b.RevenueMinor, &b.FirstDayMinor, &b.Currency); err != nil {
			return nil, wrap("customer order stats", err)
		}
		c.Orders, c.Days = int(orders), int(days)
		c.FirstDay = time.Unix(first*86400, 0).UTC()
		c.LastDay = time.Unix(last*86400, 0).UTC()
		if bOrders > 0 && bLast != nil {
			b.CustomerID, b.Orders, b.Days = c.CustomerID, int(bOrders), int(bDays)
			b.FirstDay, b.LastDay = c.FirstDay, time.Unix(*bLast*86400, 0).UTC()
			c.Before = &b
		}
		out = append(out, c)
	}
	return out, wrap("customer order stats", rows.Err())
}
