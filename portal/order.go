package portal

import (
	"context"
	"time"
)

// Money is an amount in integer minor units (cents) of a currency.
type Money struct {
	Minor    int64
	Currency string
}

// Address is a postal address.
type Address struct {
	Name     string `json:"name,omitempty"`
	Line1    string `json:"line1,omitempty"`
	Line2    string `json:"line2,omitempty"`
	City     string `json:"city,omitempty"`
	Region   string `json:"region,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	Country  string `json:"country,omitempty"`
}

// Order statuses.
const (
	OrderPlaced     = "placed"
	OrderProcessing = "processing"
	OrderShipped    = "shipped"
	OrderDelivered  = "delivered"
	OrderCancelled  = "cancelled"
)

// Payment statuses.
const (
	PaymentPending  = "pending"
	PaymentPaid     = "paid"
	PaymentRefunded = "refunded"
	PaymentFailed   = "failed"
)

// Order is what a customer bought.
type Order struct {
	ID              int64
	Number          string // the customer-facing order number, unique
	CustomerID      int64
	Email           string // as given at checkout; guest tracking checks it
	Status          string
	PaymentStatus   string
	Currency        string
	SubtotalMinor   int64
	ShippingMinor   int64
	TaxMinor        int64
	TotalMinor      int64
	ShippingAddress Address
	BillingAddress  Address
	PlacedAt        time.Time
	UpdatedAt       time.Time
	Items           []OrderItem
	// DeliveryOption is the delivery chosen at checkout, "" when the
	// order came from the back office.
	DeliveryOption string
}

// OrderItem is one line of an order.
type OrderItem struct {
	ID             int64
	SKU            string
	Name           string
	Quantity       int
	UnitPriceMinor int64
	TotalMinor     int64
	// Config holds a configured product's full configuration as JSON.
	Config string
}

// OrderFilter selects orders, newest first.
type OrderFilter struct {
	ID         *int64
	Number     *string
	CustomerID *int64
	Offset     int
	Limit      int
}

// Invoice is a bill for an order.
type Invoice struct {
	ID      int64
	Number  string
	OrderID int64
	// OrderNumber identifies the order in back-office upserts.
	OrderNumber string
	CustomerID  int64
	Currency    string
	TotalMinor  int64
	TaxMinor    int64
	Status      string // open, paid, void
	IssuedAt    time.Time
	DueAt       time.Time
	PaidAt      *time.Time
}

// InvoiceFilter selects invoices, newest first.
type InvoiceFilter struct {
	ID         *int64
	Number     *string
	OrderID    *int64
	CustomerID *int64
	Offset     int
	Limit      int
}

// OrderService stores orders and invoices.
type OrderService interface {
	// CreateOrder stores an order with its items. A taken number is ECONFLICT.
	CreateOrder(ctx context.Context, o *Order) error
	// FindOrders returns a page of orders (with items) and the total.
	FindOrders(ctx context.Context, f OrderFilter) ([]*Order, int, error)
	CreateInvoice(ctx context.Context, inv *Invoice) error
	FindInvoices(ctx context.Context, f InvoiceFilter) ([]*Invoice, int, error)
}
