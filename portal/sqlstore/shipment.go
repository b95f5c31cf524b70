package sqlstore

import (
	"context"
	"fmt"
	"slices"
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
	// By id or tracking number there is at most one: no count needed.
	unique := (f.ID != nil || f.TrackingNumber != nil) && f.Offset <= 0
	total := -1
	if !unique {
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM shipments`+w.String(), w.args...).Scan(&total); err != nil {
			return nil, 0, wrap("count shipments", err)
		}
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
	if total < 0 {
		total = len(out)
	}
	return out, total, wrap("find shipments", rows.Err())
}

const eventCols = `id, shipment_id, source, event_id, carrier, status, sub_status, raw_status, message, city, region, postcode, country, occurred_at, local_offset_minutes, received_at`

// AddTrackingEvent stores an event once and recomputes the shipment status
// from the latest event by occurrence, in one transaction.
func (s *Store) AddTrackingEvent(ctx context.Context, e *portal.TrackingEvent) (bool, error) {
	stored, _, err := s.AddTrackingEvents(ctx, []*portal.TrackingEvent{e})
	if err != nil {
		return false, err
	}
	return stored[0], nil
}

// maxEventRows bounds the rows of one INSERT (SQLite allows 32,766
// parameters; an event has 15).
const maxEventRows = 500

// AddTrackingEvents stores events once each and recomputes the status of
// their shipments from the latest event by occurrence, in one transaction,
// in a fixed number of statements whatever the number of events (so a
// batch of webhooks costs about what one does). Concurrent calls for one
// shipment serialise on the shipment row, locked first, in id order.
func (s *Store) AddTrackingEvents(ctx context.Context, events []*portal.TrackingEvent) ([]bool, []portal.ShipmentChange, error) {
	now := s.now()
	var ids []int64
	seen := map[int64]bool{}
	for i, e := range events {
		if !e.Status.Valid() {
			return nil, nil, portal.FieldError(fmt.Sprintf("events[%d].status", i), "Unknown shipment status.")
		}
		if e.EventID == "" {
			return nil, nil, portal.FieldError(fmt.Sprintf("events[%d].event_id", i), "Event id is required.")
		}
		if e.ReceivedAt.IsZero() {
			e.ReceivedAt = now
		}
		e.OccurredAt = e.OccurredAt.UTC()
		if !seen[e.ShipmentID] {
			seen[e.ShipmentID] = true
			ids = append(ids, e.ShipmentID)
		}
	}
	if len(events) == 0 {
		return nil, nil, nil
	}
	slices.Sort(ids)
	stored := make([]bool, len(events))
	var changes []portal.ShipmentChange
	err := s.db.InTx(ctx, func(q Querier) error {
		clear(stored)
		changes = changes[:0]
		// Lock the shipments first (in id order: no deadlock between
		// batches) so the status update below sees every event committed
		// before it; SQLite has one writer and needs no row locks.
		lock := ``
		if s.db.Dialect() == "postgres" {
			lock = ` FOR UPDATE`
		}
		rows, err := q.Query(ctx, `SELECT id, customer_id, order_id, status FROM shipments WHERE id IN (`+placeholders(len(ids))+`) ORDER BY id`+lock, int64Args(ids)...)
		if err != nil {
			return err
		}
		before := map[int64]*portal.ShipmentChange{}
		for rows.Next() {
			var c portal.ShipmentChange
			if err := rows.Scan(&c.ShipmentID, &c.CustomerID, &c.OrderID, &c.Before); err != nil {
				rows.Close()
				return err
			}
			before[c.ShipmentID] = &c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(before) != len(ids) {
			return portal.Errorf(portal.ENOTFOUND, "Shipment not found.")
		}
		type key struct {
			shipment        int64
			source, eventID string
		}
		for start := 0; start < len(events); start += maxEventRows {
			chunk := events[start:min(start+maxEventRows, len(events))]
			var sb strings.Builder
			args := make([]any, 0, len(chunk)*15)
			sb.WriteString(`INSERT INTO tracking_events (shipment_id, source, event_id, carrier, status, sub_status, raw_status, message, city, region, postcode, country, occurred_at, local_offset_minutes, received_at) VALUES `)
			for i, e := range chunk {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, e.ShipmentID, e.Source, e.EventID, e.Carrier, e.Status, e.SubStatus, e.RawStatus, e.Message, e.City, e.Region, e.Postcode, e.Country,
					e.OccurredAt, e.LocalOffsetMinutes, e.ReceivedAt)
			}
			sb.WriteString(` ON CONFLICT (shipment_id, source, event_id) DO NOTHING RETURNING id, shipment_id, source, event_id`)
			rows, err := q.Query(ctx, sb.String(), args...)
			if err != nil {
				return err
			}
			inserted := map[key]int64{}
			for rows.Next() {
				var id int64
				var k key
				if err := rows.Scan(&id, &k.shipment, &k.source, &k.eventID); err != nil {
					rows.Close()
					return err
				}
				inserted[k] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			// The first of several copies of one event in the batch is
			// the one stored.
			for i, e := range chunk {
				k := key{e.ShipmentID, e.Source, e.EventID}
				if id, ok := inserted[k]; ok {
					e.ID, stored[start+i] = id, true
					delete(inserted, k)
				}
			}
		}
		got := map[int64]bool{}
		for i, e := range events {
			got[e.ShipmentID] = got[e.ShipmentID] || stored[i]
		}
		var changed []int64
		for _, id := range ids {
			if got[id] {
				changed = append(changed, id)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		rows, err = q.Query(ctx, `UPDATE shipments SET status = (SELECT status FROM tracking_events WHERE shipment_id = shipments.id ORDER BY occurred_at DESC, id DESC LIMIT 1), updated_at = ?
			WHERE id IN (`+placeholders(len(changed))+`) RETURNING id, status`, append([]any{now}, int64Args(changed)...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var st portal.ShipmentStatus
			if err := rows.Scan(&id, &st); err != nil {
				rows.Close()
				return err
			}
			before[id].After = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range changed {
			changes = append(changes, *before[id])
		}
		return nil
	})
	if err != nil {
		for _, e := range events {
			e.ID = 0
		}
		return nil, nil, wrap("add tracking events", err)
	}
	return stored, changes, nil
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
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
