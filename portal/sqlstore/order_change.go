package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// changeableStatuses is the SQL list of the statuses portal.Order.Changeable accepts.
const changeableStatuses = `('` + portal.OrderPlaced + `', '` + portal.OrderProcessing + `')`

// orderInTx reads one order of customerID with its items on q.
func (s *Store) orderInTx(ctx context.Context, q Querier, orderID, customerID int64) (*portal.Order, error) {
	var o portal.Order
	var ship, bill string
	err := q.QueryRow(ctx, `SELECT `+orderCols+` FROM orders WHERE id = ? AND customer_id = ?`, orderID, customerID).Scan(&o.ID, &o.Number, &o.CustomerID, &o.Email, &o.Status, &o.PaymentStatus, &o.Currency, &o.SubtotalMinor,
		&o.ShippingMinor, &o.TaxMinor, &o.TotalMinor, &ship, &bill, &o.PlacedAt, &o.UpdatedAt, &o.DeliveryOption)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "We could not find that order in your account.")
	} else if err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(ship), &o.ShippingAddress)
	_ = json.Unmarshal([]byte(bill), &o.BillingAddress)
	rows, err := q.Query(ctx, `SELECT id, sku, name, quantity, unit_price_minor, total_minor, config FROM order_items WHERE order_id = ? ORDER BY position`, o.ID)
	if err != nil {
		return nil, err
	}
	o.Items, err = collect(rows, func(r Row) (portal.OrderItem, error) {
		var it portal.OrderItem
		return it, r.Scan(&it.ID, &it.SKU, &it.Name, &it.Quantity, &it.UnitPriceMinor, &it.TotalMinor, &it.Config)
	})
	return &o, err
}

// changeOrder runs a customer's change: update is one conditional UPDATE
// (it must name the order's id and customer and hold only while the order
// is changeable); then the event, the email and the webhook go in with it.
func (s *Store) changeOrder(ctx context.Context, op string, ch portal.OrderChange, kind, detail string, update string, args []any,
	webhook func(before, after *portal.Order, at time.Time) (string, any)) (*portal.Order, error) {
	var after *portal.Order
	err := s.db.InTx(ctx, func(q Querier) error {
		before, err := s.orderInTx(ctx, q, ch.OrderID, ch.CustomerID)
		if err != nil {
			return err
		}
		now := s.now()
		n, err := q.Exec(ctx, update+` AND status IN `+changeableStatuses, append(append([]any{}, args...), now, ch.OrderID, ch.CustomerID)...)
		if err != nil {
			return err
		}
		if n == 0 {
			// Re-read: the back office may have packed it since before was read.
			cur, err := s.orderInTx(ctx, q, ch.OrderID, ch.CustomerID)
			if err != nil {
				return err
			}
			why := cur.WhyUnchangeable()
			if why == "" {
				why = "This order changed meanwhile; please try again."
			}
			return portal.Errorf(portal.ECONFLICT, "%s", why)
		}
		if after, err = s.orderInTx(ctx, q, ch.OrderID, ch.CustomerID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO order_events (order_id, customer_id, kind, detail, at) VALUES (?, ?, ?, ?, ?)`,
			ch.OrderID, ch.CustomerID, kind, truncate(detail, 500), now); err != nil {
			return err
		}
		if ch.Email != nil {
			if err := s.enqueueEmailTx(ctx, q, ch.Email); err != nil {
				return err
			}
		}
		typ, payload := webhook(before, after, now)
		_, err = s.EnqueueWebhookTx(ctx, q, typ, payload)
		return err
	})
	return after, wrap(op, err)
}

// OrderWebhookItem is an order line in webhook payloads.
type OrderWebhookItem struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Quantity   int    `json:"quantity"`
	TotalMinor int64  `json:"total_minor"`
}

func webhookItems(o *portal.Order) []OrderWebhookItem {
	out := []OrderWebhookItem{}
	for _, it := range o.Items {
		out = append(out, OrderWebhookItem{SKU: it.SKU, Name: it.Name, Quantity: it.Quantity, TotalMinor: it.TotalMinor})
	}
	return out
}

// CancelOrder cancels an order that is not packed yet.
func (s *Store) CancelOrder(ctx context.Context, ch portal.OrderChange) (*portal.Order, error) {
	return s.changeOrder(ctx, "cancel order", ch, portal.OrderEventCancelled, ch.Reason,
		`UPDATE orders SET status = '`+portal.OrderCancelled+`', updated_at = ? WHERE id = ? AND customer_id = ?`, nil,
		func(_, o *portal.Order, at time.Time) (string, any) {
			return portal.EventOrderCancelled, map[string]any{
				"order_number": o.Number, "customer_email": o.Email, "status": o.Status, "payment_status": o.PaymentStatus,
				"cancelled_at": at, "reason": ch.Reason, "items": webhookItems(o), "total_minor": o.TotalMinor, "currency": o.Currency,
			}
		})
}

// ChangeOrderAddress sends an order that is not packed yet to a new address.
func (s *Store) ChangeOrderAddress(ctx context.Context, ch portal.OrderChange) (*portal.Order, error) {
	if err := ch.Address.Validate(); err != nil {
		return nil, err
	}
	ship, _ := json.Marshal(ch.Address)
	return s.changeOrder(ctx, "change order address", ch, portal.OrderEventAddressChanged, ch.Address.OneLine(),
		`UPDATE orders SET shipping_address = ?, shipping_postcode = ?, updated_at = ? WHERE id = ? AND customer_id = ?`,
		[]any{string(ship), normPostcode(ch.Address.Postcode)},
		func(before, o *portal.Order, at time.Time) (string, any) {
			return portal.EventOrderAddressChanged, map[string]any{
				"order_number": o.Number, "customer_email": o.Email, "old_address": before.ShippingAddress, "new_address": o.ShippingAddress, "changed_at": at,
			}
		})
}

// FindOrderEvents lists an order's changes, oldest first; another
// customer's order has none.
func (s *Store) FindOrderEvents(ctx context.Context, orderID, customerID int64) ([]*portal.OrderEvent, error) {
	rows, err := s.db.Query(ctx, `SELECT id, order_id, customer_id, kind, detail, at FROM order_events WHERE order_id = ? AND customer_id = ? ORDER BY at, id`, orderID, customerID)
	if err != nil {
		return nil, wrap("find order events", err)
	}
	out, err := collect(rows, func(r Row) (*portal.OrderEvent, error) {
		var e portal.OrderEvent
		return &e, r.Scan(&e.ID, &e.OrderID, &e.CustomerID, &e.Kind, &e.Detail, &e.At)
	})
	return out, wrap("find order events", err)
}
