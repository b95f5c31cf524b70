package sqlstore

import (
	"context"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

const quoteCols = `q.id, q.number, q.customer_id, q.product_id, q.version_id, v.version, q.config, q.breakdown, q.currency, q.total_minor, q.status, q.order_id, q.created_at, q.updated_at`

// checkPublished verifies that versionID is a published version of productID.
func checkPublished(ctx context.Context, q Querier, productID, versionID int64) error {
	var pid int64
	var status string
	err := q.QueryRow(ctx, `SELECT product_id, status FROM catalog_versions WHERE id = ?`, versionID).Scan(&pid, &status)
	if err != nil {
		return notFound(err, "Catalogue version")
	}
	if pid != productID || status != portal.VersionPublished {
		return portal.FieldError("version", "Quotes can only be priced with a published catalogue version of their product.")
	}
	return nil
}

// CreateQuote stores an open quote.
func (s *Store) CreateQuote(ctx context.Context, q *portal.Quote) error {
	q.Number = strings.TrimSpace(q.Number)
	if q.Number == "" {
		return portal.FieldError("number", "Quote number is required.")
	}
	if len(q.Currency) != 3 {
		return portal.FieldError("currency", "Currency must be a three-letter ISO code.")
	}
	now := s.now()
	q.CreatedAt, q.UpdatedAt, q.Status, q.OrderID = now, now, portal.QuoteOpen, nil
	err := s.db.InTx(ctx, func(tx Querier) error {
		if err := checkPublished(ctx, tx, q.ProductID, q.VersionID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT version FROM catalog_versions WHERE id = ?`, q.VersionID).Scan(&q.Version); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO quotes (number, customer_id, product_id, version_id, config, breakdown, currency, total_minor, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			q.Number, q.CustomerID, q.ProductID, q.VersionID, q.Config, q.Breakdown, q.Currency, q.TotalMinor, q.Status, now, now).Scan(&q.ID)
		if s.db.IsUniqueViolation(err) {
			return portal.FieldError("number", "A quote with this number already exists.")
		}
		return err
	})
	return wrap("create quote", err)
}

// FindQuotes returns a page of quotes, newest first.
func (s *Store) FindQuotes(ctx context.Context, f portal.QuoteFilter) ([]*portal.Quote, int, error) {
	var w where
	if f.ID != nil {
		w.add("q.id = ?", *f.ID)
	}
	if f.Number != nil {
		w.add("q.number = ?", strings.TrimSpace(*f.Number))
	}
	if f.CustomerID != nil {
		w.add("q.customer_id = ?", *f.CustomerID)
	}
	if f.ProductID != nil {
		w.add("q.product_id = ?", *f.ProductID)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM quotes q`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count quotes", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+quoteCols+` FROM quotes q JOIN catalog_versions v ON v.id = q.version_id`+w.String()+` ORDER BY q.created_at DESC, q.id DESC LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 20, 500), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find quotes", err)
	}
	defer rows.Close()
	var out []*portal.Quote
	for rows.Next() {
		var q portal.Quote
		if err := rows.Scan(&q.ID, &q.Number, &q.CustomerID, &q.ProductID, &q.VersionID, &q.Version, &q.Config, &q.Breakdown, &q.Currency,
			&q.TotalMinor, &q.Status, &q.OrderID, &q.CreatedAt, &q.UpdatedAt); err != nil {
			return nil, 0, wrap("scan quote", err)
		}
		out = append(out, &q)
	}
	return out, total, wrap("find quotes", rows.Err())
}

// lockOpenQuote locks the customer's quote and returns its product and
// version; another customer's quote is not found, an ordered one ECONFLICT.
func (s *Store) lockOpenQuote(ctx context.Context, q Querier, quoteID, customerID int64) (productID, versionID int64, err error) {
	n, err := q.Exec(ctx, `UPDATE quotes SET updated_at = updated_at WHERE id = ? AND customer_id = ?`, quoteID, customerID)
	if err != nil {
		return 0, 0, err
	}
	if n == 0 {
		return 0, 0, portal.Errorf(portal.ENOTFOUND, "Quote not found.")
	}
	var status string
	if err := q.QueryRow(ctx, `SELECT product_id, version_id, status FROM quotes WHERE id = ?`, quoteID).Scan(&productID, &versionID, &status); err != nil {
		return 0, 0, err
	}
	if status != portal.QuoteOpen {
		return 0, 0, portal.Errorf(portal.ECONFLICT, "This quote has already been ordered.")
	}
	return productID, versionID, nil
}

// RepriceQuote moves an open quote to another published version.
func (s *Store) RepriceQuote(ctx context.Context, quoteID, customerID int64, r portal.QuoteReprice) (*portal.Quote, error) {
	if len(r.Currency) != 3 {
		return nil, portal.FieldError("currency", "Currency must be a three-letter ISO code.")
	}
	err := s.db.InTx(ctx, func(q Querier) error {
		productID, _, err := s.lockOpenQuote(ctx, q, quoteID, customerID)
		if err != nil {
			return err
		}
		if err := checkPublished(ctx, q, productID, r.VersionID); err != nil {
			return err
		}
		_, err = q.Exec(ctx, `UPDATE quotes SET version_id = ?, config = ?, breakdown = ?, currency = ?, total_minor = ?, updated_at = ? WHERE id = ?`,
			r.VersionID, r.Config, r.Breakdown, r.Currency, r.TotalMinor, s.now(), quoteID)
		return err
	})
	if err != nil {
		return nil, wrap("reprice quote", err)
	}
	got, _, err := s.FindQuotes(ctx, portal.QuoteFilter{ID: &quoteID, CustomerID: &customerID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(got) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "Quote not found.")
	}
	return got[0], nil
}

// OrderQuote creates order o from an open quote, as CheckoutQuote does
// without an email or a production order.
func (s *Store) OrderQuote(ctx context.Context, quoteID, customerID int64, o *portal.Order) error {
	return s.CheckoutQuote(ctx, portal.QuoteCheckout{QuoteID: quoteID, CustomerID: customerID, Order: o})
}

// CheckoutQuote creates the order from an open quote priced with the
// current catalogue, marks the quote ordered, and queues the confirmation
// email and the production-order webhook, all in one transaction.
func (s *Store) CheckoutQuote(ctx context.Context, co portal.QuoteCheckout) error {
	quoteID, customerID, o := co.QuoteID, co.CustomerID, co.Order
	err := s.db.InTx(ctx, func(q Querier) error {
		var productID int64
		if err := q.QueryRow(ctx, `SELECT product_id FROM quotes WHERE id = ? AND customer_id = ?`, quoteID, customerID).Scan(&productID); err != nil {
			return notFound(err, "Quote")
		}
		if err := s.lockProduct(ctx, q, productID); err != nil {
			return err
		}
		_, versionID, err := s.lockOpenQuote(ctx, q, quoteID, customerID)
		if err != nil {
			return err
		}
		var current int64
		err = q.QueryRow(ctx, `SELECT id FROM catalog_versions WHERE product_id = ? AND status = 'published' ORDER BY version DESC LIMIT 1`, productID).Scan(&current)
		if err != nil {
			return notFound(err, "Published catalogue")
		}
		if current != versionID {
			return portal.Errorf(portal.ECONFLICT, "The catalogue changed since this quote was priced. Review the new price before ordering.")
		}
		o.CustomerID = customerID
		if err := s.insertOrder(ctx, q, o); err != nil {
			return err
		}
		if _, err = q.Exec(ctx, `UPDATE quotes SET status = ?, order_id = ?, updated_at = ? WHERE id = ?`, portal.QuoteOrdered, o.ID, s.now(), quoteID); err != nil {
			return err
		}
		if co.Email != nil {
			if err := s.enqueueEmailTx(ctx, q, co.Email); err != nil {
				return err
			}
		}
		if co.ProductionOrder != nil {
			if _, err := s.EnqueueWebhookTx(ctx, q, portal.EventOrderConfigured, co.ProductionOrder(o)); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("order quote", err)
}
