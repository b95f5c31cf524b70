package portal

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// OrderPacked is the status the back office gives an order once it is
// packed; from then on the customer can no longer cancel it or send it
// elsewhere, only return it.
const OrderPacked = "packed"

// Order event kinds: what happened to an order after it was placed.
const (
	OrderEventCancelled      = "cancelled"
	OrderEventAddressChanged = "address_changed"
)

// HistoryOrderChange is the history kind of an order's events.
const HistoryOrderChange = "order_change"

// Changeable reports whether the customer may still cancel the order or
// change its delivery address: the back office has not packed it yet.
func (o *Order) Changeable() bool {
	return o.Status == OrderPlaced || o.Status == OrderProcessing
}

// WhyUnchangeable says, in the customer's words, why an order can no
// longer be cancelled or re-addressed; "" when it can.
func (o *Order) WhyUnchangeable() string {
	switch o.Status {
	case OrderPlaced, OrderProcessing:
		return ""
	case OrderCancelled:
		return "This order is cancelled."
	case OrderPacked:
		return "This order is already packed, so it can no longer be cancelled or sent to another address."
	default:
		return "This order has already left our warehouse, so it can no longer be cancelled or sent to another address."
	}
}

// OrderEvent is one change to an order, shown on the order page.
type OrderEvent struct {
	ID         int64
	OrderID    int64
	CustomerID int64
	Kind       string
	Detail     string
	At         time.Time
}

// OrderChange is a customer's change to one of their own orders. Email,
// when set, is queued in the same transaction as the change.
type OrderChange struct {
	OrderID    int64
	CustomerID int64
	// Address is the new delivery address (ChangeOrderAddress only).
	Address Address
	Reason  string
	Email   *Email
}

// OrderChangeService changes orders on the customer's behalf. Each change
// is one conditional update: it applies only while the order is not
// packed, so a race with the back office's "packed" has one winner, and
// the change, its event, its email and its outbound webhook are stored
// together or not at all. Another customer's order is ENOTFOUND; an
// order that can no longer change is ECONFLICT.
type OrderChangeService interface {
	CancelOrder(ctx context.Context, ch OrderChange) (*Order, error)
	ChangeOrderAddress(ctx context.Context, ch OrderChange) (*Order, error)
	FindOrderEvents(ctx context.Context, orderID, customerID int64) ([]*OrderEvent, error)
}

var (
	countryRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	postcodeRE = map[string]*regexp.Regexp{
		"DE": regexp.MustCompile(`^[0-9]{5}$`),
		"AT": regexp.MustCompile(`^[0-9]{4}$`),
		"CH": regexp.MustCompile(`^[0-9]{4}$`),
		"NL": regexp.MustCompile(`^[0-9]{4} ?[A-Z]{2}$`),
		"FR": regexp.MustCompile(`^[0-9]{5}$`),
		"PL": regexp.MustCompile(`^[0-9]{2}-[0-9]{3}$`),
		"GB": regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$`),
	}
	anyPostcodeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9 -]{1,9}$`)
)

// Validate trims a postal address and checks it is complete enough to
// deliver to: a name, a street line, a city, a postcode in the country's
// format and a two-letter country code. Errors name the field.
func (a *Address) Validate() error {
	for _, f := range []*string{&a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.Postcode, &a.Country} {
		*f = strings.Join(strings.Fields(*f), " ")
	}
	a.Country = strings.ToUpper(a.Country)
	a.Postcode = strings.ToUpper(a.Postcode)
	for _, f := range []struct{ name, v, label string }{
		{"name", a.Name, "Name"}, {"line1", a.Line1, "Street and number"}, {"city", a.City, "City"},
		{"postcode", a.Postcode, "Postcode"}, {"country", a.Country, "Country"},
	} {
		if f.v == "" {
			return FieldError(f.name, f.label+" is required.")
		}
	}
	for _, f := range []struct{ name, v string }{{"name", a.Name}, {"line1", a.Line1}, {"line2", a.Line2}, {"city", a.City}, {"region", a.Region}} {
		if len(f.v) > 100 {
			return FieldError(f.name, "Keep each line under 100 characters.")
		}
	}
	if !countryRE.MatchString(a.Country) {
		return FieldError("country", "Give the country as a two-letter code, like DE.")
	}
	re := postcodeRE[a.Country]
	if re == nil {
		re = anyPostcodeRE
	}
	if !re.MatchString(a.Postcode) {
		return FieldError("postcode", fmt.Sprintf("%q is not a postcode in %s.", a.Postcode, a.Country))
	}
	return nil
}

// OneLine is the address on one line, for emails and history.
func (a Address) OneLine() string {
	var parts []string
	for _, p := range []string{a.Name, a.Line1, a.Line2, strings.TrimSpace(a.Postcode + " " + a.City), a.Region, a.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
