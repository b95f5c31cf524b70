package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// historySources gives, per kind, a SELECT of (kind, id, ref, status,
// minor, currency, at), every column aliased so any subset can come first
// in the UNION, for one customer (the ? is the customer id). Each
// feature that keeps customer records adds its kind here.
var historySources = []struct{ kind, query string }{
	{portal.HistoryOrder, `SELECT 'order' AS kind, id, number AS ref, status, total_minor AS minor, currency, placed_at AS at FROM orders WHERE customer_id = ?`},
	{portal.HistoryInvoice, `SELECT 'invoice' AS kind, id, number AS ref, status, total_minor AS minor, currency, issued_at AS at FROM invoices WHERE customer_id = ?`},
	{portal.HistoryQuote, `SELECT 'quote' AS kind, id, number AS ref, status, total_minor AS minor, currency, created_at AS at FROM quotes WHERE customer_id = ?`},
	{portal.HistoryShipment, `SELECT 'shipment' AS kind, id, tracking_number AS ref, status, 0 AS minor, '' AS currency, created_at AS at FROM shipments WHERE customer_id = ?`},
	{portal.HistoryChat, `SELECT 'chat' AS kind, id, subject AS ref, state AS status, 0 AS minor, '' AS currency, created_at AS at FROM conversations WHERE customer_id = ? AND last_seq > 0`},
	{portal.HistoryReturn, `SELECT 'return' AS kind, id, COALESCE(rma, 'R-' || CAST(id AS TEXT)) AS ref, status, refund_minor AS minor, currency, created_at AS at FROM returns WHERE customer_id = ?`},
	{portal.HistoryCase, `SELECT 'case' AS kind, id, '' AS ref, status, 0 AS minor, '' AS currency, created_at AS at FROM cases WHERE customer_id = ?`},
	{portal.HistoryOrderChange, `SELECT 'order_change' AS kind, e.id, o.number AS ref, e.kind AS status, 0 AS minor, '' AS currency, e.at FROM order_events e JOIN orders o ON o.id = e.order_id WHERE e.customer_id = ?`},
}

// HistoryVersion returns a number that changes whenever anything in the
// customer's history changes (triggers bump it in the same transaction as
// the change; see migration 006), for caching the history page.
func (s *Store) HistoryVersion(ctx context.Context, customerID int64) (int64, error) {
	var v int64
	err := s.db.QueryRow(ctx, `SELECT version FROM history_versions WHERE customer_id = ?`, customerID).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, wrap("history version", err)
	}
	return v, nil
}

// FindHistory returns a page of a customer's timeline, newest first.
func (s *Store) FindHistory(ctx context.Context, f portal.HistoryFilter) ([]*portal.HistoryItem, int, error) {
	items, total, _, err := s.findHistory(ctx, f, false)
	return items, total, err
}

// FindHistoryWithVersion returns a page of the timeline and the version
// it was read at, in one statement where the page has items.
func (s *Store) FindHistoryWithVersion(ctx context.Context, f portal.HistoryFilter) ([]*portal.HistoryItem, int, int64, error) {
	items, total, version, err := s.findHistory(ctx, f, true)
	if err == nil && len(items) == 0 {
		// No row carried the version: read it, then the page again, so
		// that the page is no older than the version it is kept under.
		if version, err = s.HistoryVersion(ctx, f.CustomerID); err == nil {
			items, total, err = s.FindHistory(ctx, f)
		}
	}
	return items, total, version, err
}

func (s *Store) findHistory(ctx context.Context, f portal.HistoryFilter, withVersion bool) ([]*portal.HistoryItem, int, int64, error) {
	want := map[string]bool{}
	for _, k := range f.Kinds {
		want[k] = true
	}
	var parts []string
	var args []any
	for _, src := range historySources {
		if len(want) == 0 || want[src.kind] {
			parts = append(parts, src.query)
			args = append(args, f.CustomerID)
		}
	}
	if len(parts) == 0 {
		return nil, 0, 0, nil
	}
	union := strings.Join(parts, " UNION ALL ")
	// One query: the window count gives the total alongside the page (and
	// the version, when asked, from the same snapshot).
	version := "0"
	if withVersion {
		version = "COALESCE((SELECT version FROM history_versions WHERE customer_id = ?), 0)"
		args = append([]any{f.CustomerID}, args...)
	}
	rows, err := s.db.Query(ctx, `SELECT kind, id, ref, status, minor, currency, at, COUNT(*) OVER (), `+version+` FROM (`+union+`) h ORDER BY at DESC, kind, id DESC LIMIT ? OFFSET ?`,
		append(args, limit(f.Limit, 20, 200), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, 0, wrap("find history", err)
	}
	defer rows.Close()
	var out []*portal.HistoryItem
	total := 0
	var v int64
	for rows.Next() {
		var h portal.HistoryItem
		if err := rows.Scan(&h.Kind, &h.ID, &h.Ref, &h.Status, &h.Minor, &h.Currency, &h.At, &total, &v); err != nil {
			return nil, 0, 0, wrap("scan history", err)
		}
		if h.Kind == portal.HistoryCase {
			h.Ref = (&portal.Case{ID: h.ID}).Number()
		}
		out = append(out, &h)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, 0, wrap("find history", err)
	}
	if len(out) == 0 && f.Offset > 0 {
		// Past the last page the window count is not seen; count directly.
		if withVersion {
			args = args[1:]
		}
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM (`+union+`) h`, args...).Scan(&total); err != nil {
			return nil, 0, 0, wrap("count history", err)
		}
	}
	return out, total, v, nil
}
