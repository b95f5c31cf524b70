package tracking

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// LookupStore is the storage a guest order look-up needs.
type LookupStore interface {
	FindOrders(ctx context.Context, f portal.OrderFilter) ([]*portal.Order, int, error)
	FindShipments(ctx context.Context, f portal.ShipmentFilter) ([]*portal.Shipment, int, error)
	HitRate(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error)
}

// Lookup finds an order for a guest, given its order number or the
// tracking number of one of its parcels (in any case, spaces ignored) and
// the email address or postcode it was placed with. It is the one check behind the
// /track page and the chat bot's answers to guests: both count against
// the same per-IP limit, and an unknown number and a wrong contact get
// the same answer, so that order numbers cannot be probed.
type Lookup struct {
	Store LookupStore
	// Limit caps look-ups per IP per Window; default 30.
	Limit int
	// Window is the rate-limit window; default 15 minutes.
	Window time.Duration
	Now    func() time.Time
}

// NotFoundMessage is the one answer to an unknown number and a wrong contact.
const NotFoundMessage = "We could not find an order with that number and email address or postcode. Check both and try again."

// LimitError is a look-up refused by the rate limit; it wraps an
// ETOOMANY error and says when to come back.
type LimitError struct {
	Err        *portal.Error
	RetryAfter time.Duration
}

func (e *LimitError) Error() string { return e.Err.Error() }
func (e *LimitError) Unwrap() error { return e.Err }

// Find counts one look-up for ip and returns the order when number and
// contact match. Failures are ENOTFOUND with NotFoundMessage, or a
// *LimitError (ETOOMANY).
func (l *Lookup) Find(ctx context.Context, ip, number, contact string) (*portal.Order, error) {
	limit, window, now := l.Limit, l.Window, time.Now
	if limit == 0 {
		limit = 30
	}
	if window == 0 {
		window = 15 * time.Minute
	}
	if l.Now != nil {
		now = l.Now
	}
	number, contact = strings.TrimSpace(number), strings.TrimSpace(contact)
	if number == "" || contact == "" {
		return nil, portal.Errorf(portal.EINVALID, "Enter your order number and the email address or postcode you ordered with.")
	}
	t := now()
	n, end, err := l.Store.HitRate(ctx, "track:ip:"+ip, window, t)
	if err != nil {
		return nil, fmt.Errorf("track: rate: %w", err)
	}
	if n > limit {
		wait := end.Sub(t)
		return nil, &LimitError{Err: portal.Errorf(portal.ETOOMANY, "Too many requests. Try again in %s.", humanMinutes(wait)), RetryAfter: wait}
	}
	o, err := l.findOrder(ctx, number)
	if err != nil {
		return nil, err
	}
	if o == nil || !ContactMatches(o, contact) {
		return nil, portal.Errorf(portal.ENOTFOUND, NotFoundMessage)
	}
	return o, nil
}

// numberForms is how a typed number may be stored: as typed, and upper
// case without spaces (order numbers and most tracking numbers are).
func numberForms(number string) []string {
	forms := []string{number}
	if n := strings.ToUpper(strings.Join(strings.Fields(number), "")); n != number {
		forms = append(forms, n)
	}
	return forms
}

// findOrder finds the order a number names: an order number first, then a
// parcel's tracking number. Nil when none.
func (l *Lookup) findOrder(ctx context.Context, number string) (*portal.Order, error) {
	forms := numberForms(number)
	for _, n := range forms {
		orders, _, err := l.Store.FindOrders(ctx, portal.OrderFilter{Number: &n, Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("track: find order: %w", err)
		}
		if len(orders) > 0 {
			return orders[0], nil
		}
	}
	for _, n := range forms {
		ships, _, err := l.Store.FindShipments(ctx, portal.ShipmentFilter{TrackingNumber: &n, Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("track: find shipment: %w", err)
		}
		if len(ships) == 0 {
			continue
		}
		oid := ships[0].OrderID
		orders, _, err := l.Store.FindOrders(ctx, portal.OrderFilter{ID: &oid, Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("track: find order: %w", err)
		}
		if len(orders) > 0 {
			return orders[0], nil
		}
	}
	return nil, nil
}

// ContactMatches reports whether contact is the email address or the
// shipping postcode of o (postcodes ignoring case and spaces), in
// constant time.
func ContactMatches(o *portal.Order, contact string) bool {
	eq := func(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	if strings.Contains(contact, "@") {
		return eq(portal.NormalizeEmail(contact), o.Email)
	}
	norm := func(s string) string { return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", "")) }
	return o.ShippingAddress.Postcode != "" && eq(norm(contact), norm(o.ShippingAddress.Postcode))
}

func humanMinutes(d time.Duration) string {
	m := int(d.Round(time.Minute).Minutes())
	switch {
	case d < time.Minute:
		return "a minute"
	case m <= 1:
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}
