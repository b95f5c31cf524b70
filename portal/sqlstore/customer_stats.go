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
	q := `WITH d AS (
		SELECT customer_id, ` + day + ` AS day, COUNT(*) AS n, SUM(total_minor) AS amount, MAX(currency) AS currency
		FROM orders` + w.String() + `
		GROUP BY customer_id, ` + day + `
	), f AS (
		SELECT customer_id, MIN(day) AS first_day FROM d GROUP BY customer_id
	)
	SELECT d.customer_id, SUM(d.n), COUNT(*), MIN(d.day), MAX(d.day), SUM(d.amount),
		SUM(CASE WHEN d.day = f.first_day THEN d.amount ELSE 0 END), MAX(d.currency)
	FROM d JOIN f ON f.customer_id = d.customer_id
	GROUP BY d.customer_id
	ORDER BY d.customer_id`
	rows, err := s.db.Query(ctx, q, w.args...)
	if err != nil {
		return nil, wrap("customer order stats", err)
	}
	defer rows.Close()
	var out []portal.CustomerOrderStats
	for rows.Next() {
		var c portal.CustomerOrderStats
		var orders, days, first, last int64
		if err := rows.Scan(&c.CustomerID, &orders, &days, &first, &last, &c.RevenueMinor, &c.FirstDayMinor, &c.Currency); err != nil {
			return nil, wrap("customer order stats", err)
		}
		c.Orders, c.Days = int(orders), int(days)
		c.FirstDay = time.Unix(first*86400, 0).UTC()
		c.LastDay = time.Unix(last*86400, 0).UTC()
		out = append(out, c)
	}
	return out, wrap("customer order stats", rows.Err())
}
