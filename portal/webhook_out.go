package portal

import (
	"context"
	"time"
)

// Outbound webhook event types: what the retailer's systems learn of. A
// feature that changes something they must know adds its type here and
// enqueues the event in the same transaction as the change.
const (
	EventOrderCancelled      = "order.cancelled"
	EventOrderAddressChanged = "order.address_changed"
	// EventOrderConfigured is the production order of a configured
	// product: the bill of options, for the back office to build it.
	EventOrderConfigured = "order.configured"
)

// WebhookEventTypes lists the types an endpoint can subscribe to, in the
// order the admin page shows them. "*" subscribes to every type and
// "order.*" to every type starting with "order.".
var WebhookEventTypes = []string{EventOrderCancelled, EventOrderAddressChanged, EventOrderConfigured,
	EventReturnRequested, EventReturnApproved, EventReturnRejected, EventReturnReceived, EventRefundIssued,
	EventExchangeRequested, EventExchangeApproved, EventExchangeRejected, EventExchangeReceived, EventExchangeShipped}

// Webhook delivery statuses.
const (
	DeliveryScheduled = "scheduled" // waiting for its first attempt
	DeliveryRetrying  = "retrying"  // an attempt failed; another follows
	DeliveryDelivered = "delivered"
	DeliveryGaveUp    = "gave_up" // every attempt failed; an admin may resend
)

// WebhookEndpoint is one of the retailer's URLs that receives signed
// events. Secret keys the HMAC-SHA256 signature.
type WebhookEndpoint struct {
	ID          int64
	URL         string
	Secret      string
	Description string
	// Events are the subscribed types or patterns ("*", "order.*").
	Events     []string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	DisabledAt *time.Time
}

// WebhookEvent is something that happened, as the receivers see it.
// EventID is the public id every attempt carries, so that a receiver can
// tell a re-delivery from a new event.
type WebhookEvent struct {
	ID        int64
	EventID   string
	Type      string
	Body      string // the JSON sent: {"id", "type", "created_at", "data"}
	CreatedAt time.Time
}

// WebhookDelivery is one event on its way to one endpoint.
type WebhookDelivery struct {
	ID             int64
	Event          WebhookEvent
	EndpointID     int64
	EndpointURL    string
	Secret         string // filled by ClaimWebhookDeliveries only
	Status         string
	Attempts       int
	LastError      string
	LastStatusCode int // the receiver's last HTTP status, 0 when it never answered
	NextAttemptAt  time.Time
	DeliveredAt    *time.Time
	CreatedAt      time.Time
}

// WebhookDeliveryFilter selects deliveries, newest first.
type WebhookDeliveryFilter struct {
	ID         *int64
	EndpointID *int64
	Status     string
	Offset     int
	Limit      int
}

// WebhookService stores endpoints and the outbox of events to deliver.
type WebhookService interface {
	// CreateWebhookEndpoint validates and stores an endpoint.
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	// UpdateWebhookEndpoint changes an endpoint's URL, description, events,
	// secret and disabled state.
	UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	// DeleteWebhookEndpoint removes an endpoint and its deliveries.
	DeleteWebhookEndpoint(ctx context.Context, id int64) error
	FindWebhookEndpoints(ctx context.Context) ([]*WebhookEndpoint, error)
	// EnqueueWebhook stores an event with payload (marshalled to JSON as
	// its "data") and schedules a delivery to every enabled endpoint
	// subscribed to its type, in one transaction. Changes made by the
	// store enqueue their events inside their own transaction instead.
	EnqueueWebhook(ctx context.Context, eventType string, payload any) (*WebhookEvent, error)
	// ClaimWebhookDeliveries leases up to limit due deliveries for lease,
	// so that of several nodes only one sends each, and counts the attempt.
	ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*WebhookDelivery, error)
	MarkWebhookDelivered(ctx context.Context, id int64, at time.Time, statusCode int) error
	// MarkWebhookFailed records a failed attempt; a nil next gives up.
	MarkWebhookFailed(ctx context.Context, id int64, msg string, statusCode int, next *time.Time) error
	FindWebhookDeliveries(ctx context.Context, f WebhookDeliveryFilter) ([]*WebhookDelivery, int, error)
	// ResendWebhookDelivery schedules a delivery again at now, with the
	// same event id, whatever its status.
	ResendWebhookDelivery(ctx context.Context, id int64, now time.Time) error
}
