package portal

import (
	"context"
	"time"
)

// History item kinds: everything a customer has done with us.
const (
	HistoryOrder    = "order"
	HistoryInvoice  = "invoice"
	HistoryShipment = "shipment"
	HistoryChat     = "chat"
	HistoryCase     = "case"
	HistoryQuote    = "quote"
	HistoryReturn   = "return"
)

// HistoryKinds lists the kinds in display order.
var HistoryKinds = []string{HistoryOrder, HistoryOrderChange, HistoryInvoice, HistoryShipment, HistoryChat, HistoryCase, HistoryQuote, HistoryReturn}

// HistoryItem is one entry in a customer's account timeline.
type HistoryItem struct {
	Kind     string
	ID       int64
	Ref      string // order number, invoice number, tracking number, ...
	Status   string
	Minor    int64 // an amount where the kind has one
	Currency string
	At       time.Time
}

// HistoryFilter selects a customer's timeline, newest first.
type HistoryFilter struct {
	CustomerID int64
	Kinds      []string // empty means all
	Offset     int
	Limit      int
}

// HistoryService reads the account timeline.
type HistoryService interface {
	FindHistory(ctx context.Context, f HistoryFilter) ([]*HistoryItem, int, error)
	// FindHistoryWithVersion is FindHistory with the history's version
	// read in the same statement (one round trip, one snapshot): what a
	// cached page is kept under.
	FindHistoryWithVersion(ctx context.Context, f HistoryFilter) ([]*HistoryItem, int, int64, error)
	// HistoryVersion changes whenever anything in the customer's history
	// changes; 0 for a customer with no history yet.
	HistoryVersion(ctx context.Context, customerID int64) (int64, error)
}
