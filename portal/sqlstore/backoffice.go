package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// bulk runs fn for every item in one transaction. Items that fail
// validation or storage are collected into a *portal.BulkError and the
// transaction is rolled back, so nothing is half-stored.
func (s *Store) bulk(ctx context.Context, op string, n int, fn func(q Querier, i int) error) error {
	if n == 0 {
		return portal.Errorf(portal.EINVALID, "Send at least one item.")
	}
	if n > 1000 {
		return portal.Errorf(portal.EINVALID, "Send at most 1,000 items per request.")
	}
	berr := &portal.BulkError{Items: map[int]string{}}
	err := s.db.InTx(ctx, func(q Querier) error {
		for i := 0; i < n; i++ {
			if err := fn(q, i); err != nil {
				if portal.ErrorCode(err) == portal.EINTERNAL {
					return fmt.Errorf("item %d: %w", i, err)
				}
				berr.Items[i] = portal.ErrorMessage(err)
			}
		}
		if len(berr.Items) > 0 {
			return berr
		}
		return nil
	})
	if errors.As(err, &berr) {
		return &portal.Error{Code: portal.EINVALID, Message: "Nothing was stored: some items are not valid.", Err: berr}
	}
	return wrap(op, err)
}

// UpsertCustomers creates or updates customers by email. Staff accounts are
// never changed through here.
func (s *Store) UpsertCustomers(ctx context.Context, us []*portal.User) error {
	return s.bulk(ctx, "upsert customers", len(us), func(q Querier, i int) error {
		u := us[i]
		u.Role = portal.RoleCustomer
		if err := u.Validate(); err != nil {
			return err
		}
		now := s.now()
		var id int64
		var role string
		err := q.QueryRow(ctx, `SELECT id, role FROM users WHERE email = ?`, u.Email).Scan(&id, &role)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			u.CreatedAt, u.UpdatedAt = now, now
			return q.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, time_zone, phone, postcode, created_at, updated_at) VALUES (?, ?, 'customer', '', ?, ?, ?, ?, ?) RETURNING id`,
				u.Email, u.Name, u.TimeZone, u.Phone, u.Postcode, now, now).Scan(&u.ID)
		case err != nil:
			return err
		case role != string(portal.RoleCustomer):
			return portal.Errorf(portal.EINVALID, "%s belongs to a staff account.", u.Email)
		}
		u.ID, u.UpdatedAt = id, now
		_, err = q.Exec(ctx, `UPDATE users SET name = ?, time_zone = ?, phone = ?, postcode = ?, updated_at = ? WHERE id = ?`,
			u.Name, u.TimeZone, u.Phone, u.Postcode, now, id)
		return err
	})
}

func customerIDByEmail(ctx context.Context, q Querier, email string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM users WHERE email = ? AND role = 'customer'`, portal.NormalizeEmail(email)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, portal.Errorf(portal.EINVALID, "No customer with email %s: upsert the customer first.", email)
	}
	return id, err
}

func orderByNumber(ctx context.Context, q Querier, number string) (id, customerID int64, err error) {
	err = q.QueryRow(ctx, `SELECT id, customer_id FROM orders WHERE number = ?`, strings.TrimSpace(number)).Scan(&id, &customerID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, portal.Errorf(portal.EINVALID, "No order numbered %q.", number)
	}
	return id, customerID, err
}

func validateOrder(o *portal.Order) error {
	o.Number = strings.TrimSpace(o.Number)
	if o.Number == "" {
		return portal.FieldError("number", "Order number is required.")
	}
	if len(o.Currency) != 3 || strings.ToUpper(o.Currency) != o.Currency {
		return portal.FieldError("currency", "Currency must be a three-letter ISO code in capitals, like EUR.")
	}
	if len(o.Items) == 0 {
		return portal.FieldError("items", "An order needs at least one item.")
	}
	for i, it := range o.Items {
		if it.Quantity <= 0 {
			return portal.FieldError("items", fmt.Sprintf("Item %d: quantity must be at least 1.", i))
		}
		if strings.TrimSpace(it.Name) == "" {
			return portal.FieldError("items", fmt.Sprintf("Item %d: name is required.", i))
		}
	}
	return nil
}

func insertItems(ctx context.Context, q Querier, o *portal.Order) error {
	for i := range o.Items {
		it := &o.Items[i]
		if it.Quantity <= 0 {
			return portal.FieldError("quantity", "Quantity must be at least 1.")
		}
		if err := q.QueryRow(ctx, `INSERT INTO order_items (order_id, position, sku, name, quantity, unit_price_minor, total_minor, config) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			o.ID, i, it.SKU, it.Name, it.Quantity, it.UnitPriceMinor, it.TotalMinor, it.Config).Scan(&it.ID); err != nil {
			return err
		}
	}
	return nil
}

// UpsertOrders creates or replaces orders by number; the customer is named
// by Order.Email (or CustomerID).
func (s *Store) UpsertOrders(ctx context.Context, os []*portal.Order) error {
	return s.bulk(ctx, "upsert orders", len(os), func(q Querier, i int) error {
		o := os[i]
		if err := validateOrder(o); err != nil {
			return err
		}
		if o.CustomerID == 0 {
			id, err := customerIDByEmail(ctx, q, o.Email)
			if err != nil {
				return err
			}
			o.CustomerID = id
		}
		o.Email = portal.NormalizeEmail(o.Email)
		now := s.now()
		if o.PlacedAt.IsZero() {
			o.PlacedAt = now
		}
		o.UpdatedAt = now
		ship, _ := json.Marshal(o.ShippingAddress)
		bill, _ := json.Marshal(o.BillingAddress)
		err := q.QueryRow(ctx, `SELECT id FROM orders WHERE number = ?`, o.Number).Scan(&o.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = q.QueryRow(ctx, `INSERT INTO orders (number, customer_id, email, status, payment_status, currency, subtotal_minor, shipping_minor, tax_minor, total_minor, shipping_address, billing_address, shipping_postcode, placed_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				o.Number, o.CustomerID, o.Email, o.Status, o.PaymentStatus, o.Currency, o.SubtotalMinor, o.ShippingMinor, o.TaxMinor, o.TotalMinor,
				string(ship), string(bill), normPostcode(o.ShippingAddress.Postcode), o.PlacedAt, o.UpdatedAt).Scan(&o.ID)
		case err == nil:
			// A cancelled order stays cancelled: the update is conditional,
			// so that of a customer's cancellation and the back office's
			// "packed" (or any other status) exactly one wins.
			var n int64
			n, err = q.Exec(ctx, `UPDATE orders SET customer_id = ?, email = ?, status = ?, payment_status = ?, currency = ?, subtotal_minor = ?, shipping_minor = ?, tax_minor = ?, total_minor = ?,
				shipping_address = ?, billing_address = ?, shipping_postcode = ?, placed_at = ?, updated_at = ? WHERE id = ? AND (status <> 'cancelled' OR ? = 'cancelled')`,
				o.CustomerID, o.Email, o.Status, o.PaymentStatus, o.Currency, o.SubtotalMinor, o.ShippingMinor, o.TaxMinor, o.TotalMinor,
				string(ship), string(bill), normPostcode(o.ShippingAddress.Postcode), o.PlacedAt, o.UpdatedAt, o.ID, o.Status)
			if err == nil && n == 0 {
				return portal.Errorf(portal.ECONFLICT, "Order %s is cancelled (the customer cancelled it before it was packed); it can only be sent as cancelled.", o.Number)
			}
			if err == nil {
				_, err = q.Exec(ctx, `DELETE FROM order_items WHERE order_id = ?`, o.ID)
			}
		}
		if err != nil {
			return err
		}
		return insertItems(ctx, q, o)
	})
}

// UpsertInvoices creates or updates invoices by number; the order is named
// by Invoice.OrderNumber.
func (s *Store) UpsertInvoices(ctx context.Context, is []*portal.Invoice) error {
	return s.bulk(ctx, "upsert invoices", len(is), func(q Querier, i int) error {
		inv := is[i]
		inv.Number = strings.TrimSpace(inv.Number)
		if inv.Number == "" {
			return portal.FieldError("number", "Invoice number is required.")
		}
		if len(inv.Currency) != 3 {
			return portal.FieldError("currency", "Currency must be a three-letter ISO code.")
		}
		switch inv.Status {
		case "open", "paid", "void":
		default:
			return portal.FieldError("status", "Invoice status must be open, paid or void.")
		}
		oid, cid, err := orderByNumber(ctx, q, inv.OrderNumber)
		if err != nil {
			return err
		}
		inv.OrderID, inv.CustomerID = oid, cid
		if inv.IssuedAt.IsZero() {
			inv.IssuedAt = s.now()
		}
		if inv.DueAt.IsZero() {
			inv.DueAt = inv.IssuedAt.Add(14 * 24 * time.Hour)
		}
		err = q.QueryRow(ctx, `SELECT id FROM invoices WHERE number = ?`, inv.Number).Scan(&inv.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return q.QueryRow(ctx, `INSERT INTO invoices (number, order_id, customer_id, currency, total_minor, tax_minor, status, issued_at, due_at, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				inv.Number, inv.OrderID, inv.CustomerID, inv.Currency, inv.TotalMinor, inv.TaxMinor, inv.Status, inv.IssuedAt, inv.DueAt, inv.PaidAt).Scan(&inv.ID)
		case err != nil:
			return err
		}
		_, err = q.Exec(ctx, `UPDATE invoices SET order_id = ?, customer_id = ?, currency = ?, total_minor = ?, tax_minor = ?, status = ?, issued_at = ?, due_at = ?, paid_at = ? WHERE id = ?`,
			inv.OrderID, inv.CustomerID, inv.Currency, inv.TotalMinor, inv.TaxMinor, inv.Status, inv.IssuedAt, inv.DueAt, inv.PaidAt, inv.ID)
		return err
	})
}

// UpsertShipments creates or updates shipments by tracking number; the
// order is named by Shipment.OrderNumber. An existing shipment keeps the
// status its tracking events gave it.
func (s *Store) UpsertShipments(ctx context.Context, ss []*portal.Shipment) error {
	return s.bulk(ctx, "upsert shipments", len(ss), func(q Querier, i int) error {
		sh := ss[i]
		sh.TrackingNumber = strings.TrimSpace(sh.TrackingNumber)
		if sh.TrackingNumber == "" {
			return portal.FieldError("tracking_number", "Tracking number is required.")
		}
		if strings.TrimSpace(sh.Carrier) == "" {
			return portal.FieldError("carrier", "Carrier is required.")
		}
		if sh.Status == "" {
			sh.Status = portal.StatusPending
		}
		if !sh.Status.Valid() {
			return portal.FieldError("status", "Unknown shipment status "+string(sh.Status)+".")
		}
		oid, cid, err := orderByNumber(ctx, q, sh.OrderNumber)
		if err != nil {
			return err
		}
		sh.OrderID, sh.CustomerID = oid, cid
		now := s.now()
		sh.UpdatedAt = now
		err = q.QueryRow(ctx, `SELECT id FROM shipments WHERE tracking_number = ?`, sh.TrackingNumber).Scan(&sh.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			sh.CreatedAt = now
			return q.QueryRow(ctx, `INSERT INTO shipments (order_id, customer_id, carrier, tracking_number, status, estimated_delivery, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				sh.OrderID, sh.CustomerID, sh.Carrier, sh.TrackingNumber, sh.Status, sh.EstimatedDelivery, now, now).Scan(&sh.ID)
		case err != nil:
			return err
		}
		_, err = q.Exec(ctx, `UPDATE shipments SET order_id = ?, customer_id = ?, carrier = ?, estimated_delivery = ?, updated_at = ? WHERE id = ?`,
			sh.OrderID, sh.CustomerID, sh.Carrier, sh.EstimatedDelivery, now, sh.ID)
		return err
	})
}

// SetEstimatedDelivery records a carrier's estimate.
func (s *Store) SetEstimatedDelivery(ctx context.Context, shipmentID int64, eta *time.Time) error {
	return s.execOne(ctx, "set estimated delivery", "Shipment not found.", `UPDATE shipments SET estimated_delivery = ? WHERE id = ?`, eta, shipmentID)
}
