package web

import (
	"errors"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/tracking"
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
	// Link is the signed page that follows this shipment live.
	Link string
}

func (s *Server) handleTrackPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "track", "Track an order", trackPage{})
}

// handleTrack shows a guest the shipments of one order, given the order
// number or a parcel's tracking number and the email or postcode it was
// placed with; each shipment comes with a signed link that follows it
// live. A wrong contact and
// an unknown number get the same answer, and look-ups are rate-limited per
// IP, so order numbers cannot be probed.
func (s *Server) handleTrack(c *fiber.Ctx) error {
	page := trackPage{Number: strings.TrimSpace(c.FormValue("number")), Contact: strings.TrimSpace(c.FormValue("contact"))}
	if page.Number == "" || page.Contact == "" {
		page.Error = "Enter your order or tracking number and the email address or postcode you ordered with."
		return s.render(c, fiber.StatusBadRequest, "track", "Track an order", page)
	}
	ctx := c.UserContext()
	o, err := s.cfg.TrackLookup.Find(ctx, c.IP(), page.Number, page.Contact)
	var le *tracking.LimitError
	if errors.As(err, &le) {
		return &retryAfterError{err: le.Err, seconds: int(le.RetryAfter.Seconds()) + 1}
	}
	if portal.IsNotFound(err) {
		page.Error = tracking.NotFoundMessage
		return s.render(c, fiber.StatusNotFound, "track", "Track an order", page)
	}
	if err != nil {
		return err
	}
	ships, _, err := s.store.FindShipments(ctx, portal.ShipmentFilter{OrderID: &o.ID, Limit: 20})
	if err != nil {
		return err
	}
	for _, sh := range ships {
		evs, err := s.store.FindTrackingEvents(ctx, sh.ID)
		if err != nil {
			return err
		}
		page.Shipments = append(page.Shipments, &trackedShipment{Shipment: sh, Events: evs, Link: s.trackLink(sh.ID)})
	}
	// Only what tracking needs: no name, address or items.
	page.Order = &portal.Order{Number: o.Number, PlacedAt: o.PlacedAt, Status: o.Status}
	return s.render(c, fiber.StatusOK, "track", "Track an order", page)
}
