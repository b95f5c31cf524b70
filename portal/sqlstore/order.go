package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

const orderCols = `id, number, customer_id, email, status, payment_status, currency, subtotal_minor, shipping_minor, tax_minor, total_minor, shipping_address, billing_address, placed_at, updated_at, delivery_option`

// CreateOrder stores an order and its items in one transaction.
func (s *Store) CreateOrder(ctx context.Context, o *portal.Order) error {
	err := s.db.InTx(ctx, func(q Querier) error { return s.insertOrder(ctx, q, o) })
	return wrap("create order", err)
}

// insertOrder validates and stores o with its items on q, inside the
// caller's transaction (CreateOrder's, or OrderQuote's).
func (s *Store) insertOrder(ctx context.Context, q Querier, o *portal.Order) error {
	o.Number = strings.TrimSpace(o.Number)
	if o.Number == "" {
		return portal.FieldError("number", "Order number is required.")
	}
	if len(o.Currency) != 3 {
		return portal.FieldError("currency", "Currency must be a three-letter ISO code.")
	}
	o.Email = portal.NormalizeEmail(o.Email)
	now := s.now()
	if o.PlacedAt.IsZero() {
		o.PlacedAt = now
	}
	o.UpdatedAt = now
	ship, _ := json.Marshal(o.ShippingAddress)
	bill, _ := json.Marshal(o.BillingAddress)
	err := q.QueryRow(ctx, `INSERT INTO orders (number, customer_id, email, status, payment_status, currency, subtotal_minor, shipping_minor, tax_minor, total_minor, shipping_address, billing_address, shipping_postcode, placed_at, updated_at, delivery_option)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		o.Number, o.CustomerID, o.Email, o.Status, o.PaymentStatus, o.Currency, o.SubtotalMinor, o.ShippingMinor, o.TaxMinor, o.TotalMinor,
		string(ship), string(bill), normPostcode(o.ShippingAddress.Postcode), o.PlacedAt, o.UpdatedAt, o.DeliveryOption).Scan(&o.ID)
	if s.db.IsUniqueViolation(err) {
		return portal.FieldError("number", "An order with this number already exists.")
	} else if err != nil {
		return err
	}
	return insertItems(ctx, q, o)
}

// FindOrders returns a page of orders with their items, newest first.
func (s *Store) FindOrders(ctx context.Context, f portal.OrderFilter) ([]*portal.Order, int, error) {
	var w where
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Number != nil {
		w.add("number = ?", strings.TrimSpace(*f.Number))
	}
	if f.CustomerID != nil {
		w.add("customer_id = ?", *f.CustomerID)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM orders`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count orders", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+orderCols+` FROM orders`+w.String()+` ORDER BY placed_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 20, 500), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find orders", err)
	}
	var out []*portal.Order
	byID := map[int64]*portal.Order{}
	for rows.Next() {
		var o portal.Order
		var ship, bill string
		if err := rows.Scan(&o.ID, &o.Number, &o.CustomerID, &o.Email, &o.Status, &o.PaymentStatus, &o.Currency, &o.SubtotalMinor,
			&o.ShippingMinor, &o.TaxMinor, &o.TotalMinor, &ship, &bill, &o.PlacedAt, &o.UpdatedAt, &o.DeliveryOption); err != nil {
			rows.Close()
			return nil, 0, wrap("scan order", err)
		}
		_ = json.Unmarshal([]byte(ship), &o.ShippingAddress)
		_ = json.Unmarshal([]byte(bill), &o.BillingAddress)
		out = append(out, &o)
		byID[o.ID] = &o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, wrap("find orders", err)
	}
	if len(out) == 0 {
		return out, total, nil
	}
	ids := make([]any, 0, len(out))
	for _, o := range out {
		ids = append(ids, o.ID)
	}
	items, err := s.db.Query(ctx, `SELECT order_id, id, sku, name, quantity, unit_price_minor, total_minor, config FROM order_items WHERE order_id IN (`+placeholders(len(ids))+`) ORDER BY order_id, position`, ids...)
	if err != nil {
		return nil, 0, wrap("find order items", err)
	}
	defer items.Close()
	for items.Next() {
		var oid int64
		var it portal.OrderItem
		if err := items.Scan(&oid, &it.ID, &it.SKU, &it.Name, &it.Quantity, &it.UnitPriceMinor, &it.TotalMinor, &it.Config); err != nil {
			return nil, 0, wrap("scan order item", err)
		}
		byID[oid].Items = append(byID[oid].Items, it)
	}
	return out, total, wrap("find order items", items.Err())
}

// CreateInvoice stores an invoice.
func (s *Store) CreateInvoice(ctx context.Context, inv *portal.Invoice) error {
	if inv.IssuedAt.IsZero() {
		inv.IssuedAt = s.now()
	}
	err := s.db.QueryRow(ctx, `INSERT INTO invoices (number, order_id, customer_id, currency, total_minor, tax_minor, status, issued_at, due_at, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		inv.Number, inv.OrderID, inv.CustomerID, inv.Currency, inv.TotalMinor, inv.TaxMinor, inv.Status, inv.IssuedAt, inv.DueAt, inv.PaidAt).Scan(&inv.ID)
	if s.db.IsUniqueViolation(err) {
		return portal.FieldError("number", "An invoice with this number already exists.")
	}
	return wrap("create invoice", err)
}

// FindInvoices returns a page of invoices, newest first.
func (s *Store) FindInvoices(ctx context.Context, f portal.InvoiceFilter) ([]*portal.Invoice, int, error) {
	var w where
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Number != nil {
		w.add("number = ?", *f.Number)
	}
	if f.OrderID != nil {
		w.add("order_id = ?", *f.OrderID)
	}
	if f.CustomerID != nil {
		w.add("customer_id = ?", *f.CustomerID)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM invoices`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count invoices", err)
	}
	rows, err := s.db.Query(ctx, `SELECT id, number, order_id, customer_id, currency, total_minor, tax_minor, status, issued_at, due_at, paid_at FROM invoices`+w.String()+` ORDER BY issued_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 20, 500), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find invoices", err)
	}
	defer rows.Close()
	var out []*portal.Invoice
	for rows.Next() {
		var inv portal.Invoice
		if err := rows.Scan(&inv.ID, &inv.Number, &inv.OrderID, &inv.CustomerID, &inv.Currency, &inv.TotalMinor, &inv.TaxMinor, &inv.Status, &inv.IssuedAt, &inv.DueAt, &inv.PaidAt); err != nil {
			return nil, 0, wrap("scan invoice", err)
		}
		out = append(out, &inv)
	}
	return out, total, wrap("find invoices", rows.Err())
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func normPostcode(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}
