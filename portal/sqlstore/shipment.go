package sqlstore

import (
	"context"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

const shipmentCols = `id, order_id, customer_id, carrier, tracking_number, status, estimated_delivery, created_at, updated_at`

// CreateShipment stores a shipment.
func (s *Store) CreateShipment(ctx context.Context, sh *portal.Shipment) error {
	if sh.Status == "" {
		sh.Status = portal.StatusPending
	}
	if !sh.Status.Valid() {
		return portal.FieldError("status", "Unknown shipment status.")
	}
	now := s.now()
	if sh.CreatedAt.IsZero() {
		sh.CreatedAt = now
	}
	sh.UpdatedAt = now
	err := s.db.QueryRow(ctx, `INSERT INTO shipments (order_id, customer_id, carrier, tracking_number, status, estimated_delivery, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		sh.OrderID, sh.CustomerID, sh.Carrier, strings.TrimSpace(sh.TrackingNumber), sh.Status, sh.EstimatedDelivery, sh.CreatedAt, sh.UpdatedAt).Scan(&sh.ID)
	if s.db.IsUniqueViolation(err) {
		return portal.FieldError("tracking_number", "A shipment with this tracking number already exists.")
	}
	return wrap("create shipment", err)
}

// FindShipments returns a page of shipments, newest first.
func (s *Store) FindShipments(ctx context.Context, f portal.ShipmentFilter) ([]*portal.Shipment, int, error) {
	var w where
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.OrderID != nil {
		w.add("order_id = ?", *f.OrderID)
	}
	if f.CustomerID != nil {
		w.add("customer_id = ?", *f.CustomerID)
	}
	if f.TrackingNumber != nil {
		w.add("tracking_number = ?", strings.TrimSpace(*f.TrackingNumber))
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM shipments`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count shipments", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+shipmentCols+` FROM shipments`+w.String()+` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 20, 500), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find shipments", err)
	}
	defer rows.Close()
	var out []*portal.Shipment
	for rows.Next() {
		var sh portal.Shipment
		if err := rows.Scan(&sh.ID, &sh.OrderID, &sh.CustomerID, &sh.Carrier, &sh.TrackingNumber, &sh.Status, &sh.EstimatedDelivery, &sh.CreatedAt, &sh.UpdatedAt); err != nil {
			return nil, 0, wrap("scan shipment", err)
		}
		out = append(out, &sh)
	}
	return out, total, wrap("find shipments", rows.Err())
}

const eventCols = `id, shipment_id, source, event_id, carrier, status, sub_status, raw_status, message, city, region, postcode, country, occurred_at, local_offset_minutes, received_at`

// AddTrackingEvent stores an event once and recomputes the shipment status
// from the latest event by occurrence, in one transaction; concurrent
// webhooks for one shipment serialise on the shipment row.
func (s *Store) AddTrackingEvent(ctx context.Context, e *portal.TrackingEvent) (bool, error) {
	if !e.Status.Valid() {
		return false, portal.FieldError("status", "Unknown shipment status.")
	}
	if e.EventID == "" {
		return false, portal.FieldError("event_id", "Event id is required.")
	}
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = s.now()
	}
	e.OccurredAt = e.OccurredAt.UTC()
	inserted := false
	err := s.db.InTx(ctx, func(q Querier) error {
		// Lock the shipment first so the status update below sees every
		// event committed before it.
		n, err := q.Exec(ctx, `UPDATE shipments SET updated_at = updated_at WHERE id = ?`, e.ShipmentID)
		if err != nil {
			return err
		}
		if n == 0 {
			return portal.Errorf(portal.ENOTFOUND, "Shipment not found.")
		}
		err = q.QueryRow(ctx, `INSERT INTO tracking_events (shipment_id, source, event_id, carrier, status, sub_status, raw_status, message, city, region, postcode, country, occurred_at, local_offset_minutes, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shipment_id, source, event_id) DO NOTHING RETURNING id`,
			e.ShipmentID, e.Source, e.EventID, e.Carrier, e.Status, e.SubStatus, e.RawStatus, e.Message, e.City, e.Region, e.Postcode, e.Country,
			e.OccurredAt, e.LocalOffsetMinutes, e.ReceivedAt).Scan(&e.ID)
		if portal.IsNotFound(notFound(err, "")) {
			return nil // a duplicate: stored once already
		} else if err != nil {
			return err
		}
		inserted = true
		_, err = q.Exec(ctx, `UPDATE shipments SET status = (SELECT status FROM tracking_events WHERE shipment_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 1), updated_at = ? WHERE id = ?`,
			e.ShipmentID, e.ReceivedAt, e.ShipmentID)
		return err
	})
	return inserted, wrap("add tracking event", err)
}

// FindTrackingEvents returns a shipment's events, newest first.
func (s *Store) FindTrackingEvents(ctx context.Context, shipmentID int64) ([]*portal.TrackingEvent, error) {
	rows, err := s.db.Query(ctx, `SELECT `+eventCols+` FROM tracking_events WHERE shipment_id = ? ORDER BY occurred_at DESC, id DESC`, shipmentID)
	if err != nil {
		return nil, wrap("find tracking events", err)
	}
	defer rows.Close()
	var out []*portal.TrackingEvent
	for rows.Next() {
		var e portal.TrackingEvent
		if err := rows.Scan(&e.ID, &e.ShipmentID, &e.Source, &e.EventID, &e.Carrier, &e.Status, &e.SubStatus, &e.RawStatus, &e.Message,
			&e.City, &e.Region, &e.Postcode, &e.Country, &e.OccurredAt, &e.LocalOffsetMinutes, &e.ReceivedAt); err != nil {
			return nil, wrap("scan tracking event", err)
		}
		out = append(out, &e)
	}
	return out, wrap("find tracking events", rows.Err())
}
