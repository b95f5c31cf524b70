package portal

import (
	"context"
	"time"
)

// ShipmentStatus is a carrier-independent parcel status.
type ShipmentStatus string

// The normalised shipment statuses.
const (
	StatusPending            ShipmentStatus = "pending"
	StatusInfoReceived       ShipmentStatus = "info_received"
	StatusInTransit          ShipmentStatus = "in_transit"
	StatusOutForDelivery     ShipmentStatus = "out_for_delivery"
	StatusAvailableForPickup ShipmentStatus = "available_for_pickup"
	StatusAttemptFailed      ShipmentStatus = "attempt_failed"
	StatusDelivered          ShipmentStatus = "delivered"
	StatusReturning          ShipmentStatus = "returning"
	StatusException          ShipmentStatus = "exception"
	StatusExpired            ShipmentStatus = "expired"
	StatusCancelled          ShipmentStatus = "cancelled"
)

// ShipmentStatuses lists every status.
var ShipmentStatuses = []ShipmentStatus{StatusPending, StatusInfoReceived, StatusInTransit,
	StatusOutForDelivery, StatusAvailableForPickup, StatusAttemptFailed, StatusDelivered,
	StatusReturning, StatusException, StatusExpired, StatusCancelled}

// Valid reports whether s is a known status.
func (s ShipmentStatus) Valid() bool {
	for _, x := range ShipmentStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Explain says in plain words what a status means to the customer.
func (s ShipmentStatus) Explain() string {
	switch s {
	case StatusPending:
		return "We have your order and are getting the parcel ready."
	case StatusInfoReceived:
		return "The carrier has the parcel's details and is waiting to collect it."
	case StatusInTransit:
		return "Your parcel is on its way."
	case StatusOutForDelivery:
		return "Your parcel is out for delivery today."
	case StatusAvailableForPickup:
		return "Your parcel is waiting for you at a pickup point."
	case StatusAttemptFailed:
		return "The carrier tried to deliver but could not. They will try again or leave instructions."
	case StatusDelivered:
		return "Your parcel has been delivered."
	case StatusReturning:
		return "Your parcel is being returned to us."
	case StatusException:
		return "Something held up your parcel. We are looking into it."
	case StatusExpired:
		return "The carrier has stopped reporting on this parcel."
	case StatusCancelled:
		return "This shipment was cancelled."
	}
	return ""
}

// Label is a short human name for the status.
func (s ShipmentStatus) Label() string {
	switch s {
	case StatusInfoReceived:
		return "Label created"
	case StatusInTransit:
		return "In transit"
	case StatusOutForDelivery:
		return "Out for delivery"
	case StatusAvailableForPickup:
		return "Ready for pickup"
	case StatusAttemptFailed:
		return "Delivery attempt failed"
	}
	if s == "" {
		return ""
	}
	return string(s[0]-32) + string(s[1:])
}

// Shipment is one parcel of an order.
type Shipment struct {
	ID      int64
	OrderID int64
	// OrderNumber identifies the order in back-office upserts.
	OrderNumber       string
	CustomerID        int64
	Carrier           string
	TrackingNumber    string
	Status            ShipmentStatus
	EstimatedDelivery *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TrackingEvent is one scan or status update from a carrier.
type TrackingEvent struct {
	ID         int64
	ShipmentID int64
	Source     string // the webhook source: aftership, easypost, frontdesk
	EventID    string // the source's id; the same id twice is stored once
	Carrier    string
	Status     ShipmentStatus
	SubStatus  string
	RawStatus  string
	Message    string
	City       string
	Region     string
	Postcode   string
	Country    string
	OccurredAt time.Time // UTC
	// LocalOffsetMinutes is the offset from UTC where the event happened.
	LocalOffsetMinutes int
	ReceivedAt         time.Time
}

// LocalTime is when the event happened on the local clock where it happened.
func (e *TrackingEvent) LocalTime() time.Time {
	return e.OccurredAt.In(time.FixedZone("", e.LocalOffsetMinutes*60))
}

// ShipmentFilter selects shipments, newest first.
type ShipmentFilter struct {
	ID             *int64
	OrderID        *int64
	CustomerID     *int64
	TrackingNumber *string
	Offset         int
	Limit          int
}

// ShipmentService stores shipments and their tracking events.
// ShipmentChange is a shipment's status before and after new events.
type ShipmentChange struct {
	ShipmentID int64
	CustomerID int64
	OrderID    int64
	Before     ShipmentStatus
	After      ShipmentStatus
}

type ShipmentService interface {
	CreateShipment(ctx context.Context, s *Shipment) error
	FindShipments(ctx context.Context, f ShipmentFilter) ([]*Shipment, int, error)
	// AddTrackingEvent stores an event once per (source, event id) and sets
	// the shipment's status to that of its latest event by time of
	// occurrence. It reports whether the event was new.
	AddTrackingEvent(ctx context.Context, e *TrackingEvent) (bool, error)
	// AddTrackingEvents does the same for many events in one transaction:
	// all are stored (each once) or none. stored[i] reports whether
	// events[i] was new; changes gives the status before and after of each
	// shipment that got a new event, in shipment id order.
	AddTrackingEvents(ctx context.Context, events []*TrackingEvent) (stored []bool, changes []ShipmentChange, err error)
	// FindTrackingEvents returns a shipment's events, newest first.
	FindTrackingEvents(ctx context.Context, shipmentID int64) ([]*TrackingEvent, error)
	// SetEstimatedDelivery records the carrier's latest estimate (nil clears it).
	SetEstimatedDelivery(ctx context.Context, shipmentID int64, eta *time.Time) error
}

// NotificationService stores which shipment status changes a customer
// wants by email.
type NotificationService interface {
	// NotifyStatuses returns the statuses that email the customer; a
	// customer who never chose gets DefaultNotifyStatuses.
	NotifyStatuses(ctx context.Context, userID int64) ([]ShipmentStatus, error)
	SetNotifyStatuses(ctx context.Context, userID int64, statuses []ShipmentStatus) error
}

// DefaultNotifyStatuses email the changes most customers want to hear of.
var DefaultNotifyStatuses = []ShipmentStatus{StatusOutForDelivery, StatusDelivered, StatusAvailableForPickup, StatusAttemptFailed, StatusException}
