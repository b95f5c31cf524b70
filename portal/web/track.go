package web

import (
	"crypto/subtle"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

type trackPage struct {
	Number, Contact, Error string
	Order                  *portal.Order
	Shipments              []*trackedShipment
}

type trackedShipment struct {
	Shipment *portal.Shipment
	Events   []*portal.TrackingEvent
}

func (s *Server) handleTrackPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "track", "Track an order", trackPage{})
}

// handleTrack shows a guest the shipments of one order, given the order
// number and the email or postcode it was placed with. A wrong contact and
// an unknown number get the same answer, and look-ups are rate-limited per
// IP, so order numbers cannot be probed.
func (s *Server) handleTrack(c *fiber.Ctx) error {
	page := trackPage{Number: strings.TrimSpace(c.FormValue("number")), Contact: strings.TrimSpace(c.FormValue("contact"))}
	if page.Number == "" || page.Contact == "" {
		page.Error = "Enter your order number and the email address or postcode you ordered with."
		return s.render(c, fiber.StatusBadRequest, "track", "Track an order", page)
	}
	if err := s.limit(c, "track:ip:"+c.IP(), s.cfg.TrackLimit, 15*time.Minute); err != nil {
		return err
	}
	ctx := c.UserContext()
	orders, _, err := s.store.FindOrders(ctx, portal.OrderFilter{Number: &page.Number, Limit: 1})
	if err != nil {
		return err
	}
	if len(orders) == 0 || !contactMatches(orders[0], page.Contact) {
		page.Error = "We could not find an order with that number and email address or postcode. Check both and try again."
		return s.render(c, fiber.StatusNotFound, "track", "Track an order", page)
	}
	o := orders[0]
	ships, _, err := s.store.FindShipments(ctx, portal.ShipmentFilter{OrderID: &o.ID, Limit: 20})
	if err != nil {
		return err
	}
	for _, sh := range ships {
		evs, err := s.store.FindTrackingEvents(ctx, sh.ID)
		if err != nil {
			return err
		}
		page.Shipments = append(page.Shipments, &trackedShipment{Shipment: sh, Events: evs})
	}
	// Only what tracking needs: no name, address or items.
	page.Order = &portal.Order{Number: o.Number, PlacedAt: o.PlacedAt, Status: o.Status}
	return s.render(c, fiber.StatusOK, "track", "Track an order", page)
}

func contactMatches(o *portal.Order, contact string) bool {
	eq := func(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	if strings.Contains(contact, "@") {
		return eq(portal.NormalizeEmail(contact), o.Email)
	}
	norm := func(s string) string { return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", "")) }
	return o.ShippingAddress.Postcode != "" && eq(norm(contact), norm(o.ShippingAddress.Postcode))
}
