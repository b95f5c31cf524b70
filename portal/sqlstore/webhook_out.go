package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Outbound webhooks. A change that the retailer's systems must learn of
// calls EnqueueWebhookTx on its own transaction's Querier, so the event is
// stored if and only if the change commits; the webhook worker
// (portal/webhook) then claims and delivers it.

var eventTypeRE = regexp.MustCompile(`^[a-z][a-z_]*(\.[a-z][a-z_]*)+$`)

// validEventPattern accepts an event type, "prefix.*" or "*".
func validEventPattern(p string) bool {
	if p == "*" || eventTypeRE.MatchString(p) {
		return true
	}
	prefix, ok := strings.CutSuffix(p, ".*")
	return ok && regexp.MustCompile(`^[a-z][a-z_]*$`).MatchString(prefix)
}

func validateEndpoint(e *portal.WebhookEndpoint) error {
	e.URL = strings.TrimSpace(e.URL)
	u, err := url.Parse(e.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return portal.FieldError("url", "Give the endpoint as an http:// or https:// URL, without a user name or password in it.")
	}
	if len(e.URL) > 2000 {
		return portal.FieldError("url", "The URL is longer than 2,000 characters.")
	}
	e.Description = strings.TrimSpace(e.Description)
	if len(e.Description) > 200 {
		return portal.FieldError("description", "Keep the description under 200 characters.")
	}
	if len(e.Secret) < 16 {
		return portal.FieldError("secret", "The signing secret must be at least 16 characters.")
	}
	var evs []string
	for _, p := range e.Events {
		p = strings.TrimSpace(p)
		if p == "" || slices.Contains(evs, p) {
			continue
		}
		if !validEventPattern(p) {
			return portal.FieldError("events", fmt.Sprintf("%q is not an event type (like order.cancelled), a pattern (order.*) or *.", p))
		}
		evs = append(evs, p)
	}
	if len(evs) == 0 {
		return portal.FieldError("events", "Choose at least one event type.")
	}
	e.Events = evs
	return nil
}

// CreateWebhookEndpoint stores an endpoint with its subscriptions.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *portal.WebhookEndpoint) error {
	if err := validateEndpoint(e); err != nil {
		return err
	}
	now := s.now()
	e.CreatedAt, e.UpdatedAt = now, now
	err := s.db.InTx(ctx, func(q Querier) error {
		if err := q.QueryRow(ctx, `INSERT INTO webhook_endpoints (url, secret, description, created_at, updated_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			e.URL, e.Secret, e.Description, now, now, e.DisabledAt).Scan(&e.ID); err != nil {
			return err
		}
		return setEndpointEvents(ctx, q, e)
	})
	return wrap("create webhook endpoint", err)
}

func setEndpointEvents(ctx context.Context, q Querier, e *portal.WebhookEndpoint) error {
	if _, err := q.Exec(ctx, `DELETE FROM webhook_endpoint_events WHERE endpoint_id = ?`, e.ID); err != nil {
		return err
	}
	for _, ev := range e.Events {
		if _, err := q.Exec(ctx, `INSERT INTO webhook_endpoint_events (endpoint_id, event) VALUES (?, ?)`, e.ID, ev); err != nil {
			return err
		}
	}
	return nil
}

// UpdateWebhookEndpoint changes an endpoint.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, e *portal.WebhookEndpoint) error {
	if err := validateEndpoint(e); err != nil {
		return err
	}
	e.UpdatedAt = s.now()
	err := s.db.InTx(ctx, func(q Querier) error {
		n, err := q.Exec(ctx, `UPDATE webhook_endpoints SET url = ?, secret = ?, description = ?, updated_at = ?, disabled_at = ? WHERE id = ?`,
			e.URL, e.Secret, e.Description, e.UpdatedAt, e.DisabledAt, e.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return portal.Errorf(portal.ENOTFOUND, "Webhook endpoint not found.")
		}
		return setEndpointEvents(ctx, q, e)
	})
	return wrap("update webhook endpoint", err)
}

// DeleteWebhookEndpoint removes an endpoint and, by cascade, its deliveries.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id int64) error {
	err := s.db.InTx(ctx, func(q Querier) error {
		if _, err := q.Exec(ctx, `DELETE FROM webhook_deliveries WHERE endpoint_id = ?`, id); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `DELETE FROM webhook_endpoint_events WHERE endpoint_id = ?`, id); err != nil {
			return err
		}
		n, err := q.Exec(ctx, `DELETE FROM webhook_endpoints WHERE id = ?`, id)
		if err == nil && n == 0 {
			return portal.Errorf(portal.ENOTFOUND, "Webhook endpoint not found.")
		}
		return err
	})
	return wrap("delete webhook endpoint", err)
}

// FindWebhookEndpoints lists every endpoint, oldest first.
func (s *Store) FindWebhookEndpoints(ctx context.Context) ([]*portal.WebhookEndpoint, error) {
	rows, err := s.db.Query(ctx, `SELECT id, url, secret, description, created_at, updated_at, disabled_at FROM webhook_endpoints ORDER BY id`)
	if err != nil {
		return nil, wrap("find webhook endpoints", err)
	}
	out, err := collect(rows, func(r Row) (*portal.WebhookEndpoint, error) {
		var e portal.WebhookEndpoint
		err := r.Scan(&e.ID, &e.URL, &e.Secret, &e.Description, &e.CreatedAt, &e.UpdatedAt, &e.DisabledAt)
		return &e, err
	})
	if err != nil {
		return nil, wrap("find webhook endpoints", err)
	}
	byID := map[int64]*portal.WebhookEndpoint{}
	for _, e := range out {
		byID[e.ID] = e
	}
	evs, err := s.db.Query(ctx, `SELECT endpoint_id, event FROM webhook_endpoint_events ORDER BY endpoint_id, event`)
	if err != nil {
		return nil, wrap("find webhook endpoint events", err)
	}
	defer evs.Close()
	for evs.Next() {
		var id int64
		var ev string
		if err := evs.Scan(&id, &ev); err != nil {
			return nil, wrap("scan webhook endpoint event", err)
		}
		if e := byID[id]; e != nil {
			e.Events = append(e.Events, ev)
		}
	}
	return out, wrap("find webhook endpoint events", evs.Err())
}

// webhookEnvelope is the JSON body every receiver gets.
type webhookEnvelope struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}

// EnqueueWebhook stores an event and its deliveries in a transaction of
// its own; see EnqueueWebhookTx for changes that have one.
func (s *Store) EnqueueWebhook(ctx context.Context, eventType string, payload any) (*portal.WebhookEvent, error) {
	var ev *portal.WebhookEvent
	err := s.db.InTx(ctx, func(q Querier) error {
		var err error
		ev, err = s.EnqueueWebhookTx(ctx, q, eventType, payload)
		return err
	})
	return ev, wrap("enqueue webhook", err)
}

// EnqueueWebhookTx stores an event of eventType whose "data" is payload
// (marshalled to JSON) on q, the caller's transaction, and schedules one
// delivery to every enabled endpoint subscribed to the type. Call it from
// the store method that makes the change, inside its InTx, so that a
// rolled-back change sends nothing and a committed one is never lost:
//
//	err := s.db.InTx(ctx, func(q Querier) error {
//		if err := cancel(ctx, q, order); err != nil {
//			return err
//		}
//		_, err := s.EnqueueWebhookTx(ctx, q, portal.EventOrderCancelled, payload)
//		return err
//	})
func (s *Store) EnqueueWebhookTx(ctx context.Context, q Querier, eventType string, payload any) (*portal.WebhookEvent, error) {
	if !eventTypeRE.MatchString(eventType) {
		return nil, portal.Errorf(portal.EINVALID, "%q is not an event type like order.cancelled.", eventType)
	}
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	now := s.now()
	ev := &portal.WebhookEvent{EventID: "evt_" + hex.EncodeToString(raw[:]), Type: eventType, CreatedAt: now}
	body, err := json.Marshal(webhookEnvelope{ID: ev.EventID, Type: eventType, CreatedAt: now, Data: payload})
	if err != nil {
		return nil, fmt.Errorf("webhook %s: marshal payload: %w", eventType, err)
	}
	ev.Body = string(body)
	if err := q.QueryRow(ctx, `INSERT INTO webhook_events (event_id, type, body, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		ev.EventID, ev.Type, ev.Body, now).Scan(&ev.ID); err != nil {
		return nil, err
	}
	prefix, _, _ := strings.Cut(eventType, ".")
	rows, err := q.Query(ctx, `SELECT DISTINCT e.id FROM webhook_endpoints e JOIN webhook_endpoint_events x ON x.endpoint_id = e.id
		WHERE e.disabled_at IS NULL AND x.event IN (?, ?, '*') ORDER BY e.id`, eventType, prefix+".*")
	if err != nil {
		return nil, err
	}
	ids, err := collect(rows, func(r Row) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, err := q.Exec(ctx, `INSERT INTO webhook_deliveries (event_id, endpoint_id, status, attempts, last_error, last_status_code, next_attempt_at, created_at) VALUES (?, ?, ?, 0, '', 0, ?, ?)`,
			ev.ID, id, portal.DeliveryScheduled, now, now); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

const deliveryCols = `d.id, d.endpoint_id, p.url, d.status, d.attempts, d.last_error, d.last_status_code, d.next_attempt_at, d.delivered_at, d.created_at,
	v.id, v.event_id, v.type, v.body, v.created_at`

const deliveryFrom = ` FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id JOIN webhook_endpoints p ON p.id = d.endpoint_id`

func scanDelivery(r Row, extra ...any) (*portal.WebhookDelivery, error) {
	var d portal.WebhookDelivery
	dest := []any{&d.ID, &d.EndpointID, &d.EndpointURL, &d.Status, &d.Attempts, &d.LastError, &d.LastStatusCode, &d.NextAttemptAt, &d.DeliveredAt, &d.CreatedAt,
		&d.Event.ID, &d.Event.EventID, &d.Event.Type, &d.Event.Body, &d.Event.CreatedAt}
	err := r.Scan(append(dest, extra...)...)
	return &d, err
}

// ClaimWebhookDeliveries leases due deliveries to enabled endpoints (a
// disabled endpoint's deliveries wait until it is enabled), as ClaimEmails does: the
// lease condition is repeated on the outer UPDATE so that PostgreSQL
// re-checks it after waiting for a row another node is claiming.
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, n int) ([]*portal.WebhookDelivery, error) {
	rows, err := s.db.Query(ctx, `UPDATE webhook_deliveries SET locked_until = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM webhook_deliveries WHERE status IN ('scheduled', 'retrying') AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
			AND endpoint_id NOT IN (SELECT id FROM webhook_endpoints WHERE disabled_at IS NOT NULL) ORDER BY next_attempt_at, id LIMIT ?)
		AND status IN ('scheduled', 'retrying') AND (locked_until IS NULL OR locked_until <= ?)
		RETURNING id`, now.Add(lease), now, now, limit(n, 10, 100), now)
	if err != nil {
		return nil, wrap("claim webhook deliveries", err)
	}
	ids, err := collect(rows, func(r Row) (any, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil || len(ids) == 0 {
		return nil, wrap("claim webhook deliveries", err)
	}
	rows, err = s.db.Query(ctx, `SELECT `+deliveryCols+`, p.secret`+deliveryFrom+` WHERE d.id IN (`+placeholders(len(ids))+`) ORDER BY d.next_attempt_at, d.id`, ids...)
	if err != nil {
		return nil, wrap("load claimed webhook deliveries", err)
	}
	out, err := collect(rows, func(r Row) (*portal.WebhookDelivery, error) {
		var secret string
		d, err := scanDelivery(r, &secret)
		d.Secret = secret
		return d, err
	})
	return out, wrap("load claimed webhook deliveries", err)
}

// MarkWebhookDelivered records a delivery the receiver accepted.
func (s *Store) MarkWebhookDelivered(ctx context.Context, id int64, at time.Time, code int) error {
	return s.execOne(ctx, "mark webhook delivered", "Webhook delivery not found.",
		`UPDATE webhook_deliveries SET status = ?, delivered_at = ?, locked_until = NULL, last_error = '', last_status_code = ? WHERE id = ?`,
		portal.DeliveryDelivered, at, code, id)
}

// MarkWebhookFailed records a failed attempt and when to retry; nil next gives up.
func (s *Store) MarkWebhookFailed(ctx context.Context, id int64, msg string, code int, next *time.Time) error {
	status, at := portal.DeliveryRetrying, s.now()
	if next != nil {
		at = *next
	} else {
		status = portal.DeliveryGaveUp
	}
	return s.execOne(ctx, "mark webhook failed", "Webhook delivery not found.",
		`UPDATE webhook_deliveries SET status = ?, last_error = ?, last_status_code = ?, next_attempt_at = ?, locked_until = NULL WHERE id = ?`,
		status, truncate(msg, 500), code, at, id)
}

// FindWebhookDeliveries returns a page of deliveries, newest first.
func (s *Store) FindWebhookDeliveries(ctx context.Context, f portal.WebhookDeliveryFilter) ([]*portal.WebhookDelivery, int, error) {
	var w where
	if f.ID != nil {
		w.add("d.id = ?", *f.ID)
	}
	if f.EndpointID != nil {
		w.add("d.endpoint_id = ?", *f.EndpointID)
	}
	if f.Status != "" {
		w.add("d.status = ?", f.Status)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+deliveryFrom+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count webhook deliveries", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+deliveryCols+deliveryFrom+w.String()+` ORDER BY d.id DESC LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 50, 500), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find webhook deliveries", err)
	}
	out, err := collect(rows, func(r Row) (*portal.WebhookDelivery, error) { return scanDelivery(r) })
	return out, total, wrap("find webhook deliveries", err)
}

// ResendWebhookDelivery schedules a delivery again now, keeping its event
// (and so its event id), with a fresh schedule of retries. A delivery
// being sent right now keeps its lease.
func (s *Store) ResendWebhookDelivery(ctx context.Context, id int64, now time.Time) error {
	return s.execOne(ctx, "resend webhook delivery", "Webhook delivery not found.",
		`UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, attempts = 0, delivered_at = NULL WHERE id = ?`, portal.DeliveryScheduled, now, id)
}
