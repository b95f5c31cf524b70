package web

import (
	"crypto/hmac"
	"fmt"
	"strconv"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/gofiber/fiber/v2"
)

// trackLinkInvalid is the answer to a link that was changed or cut short.
const trackLinkInvalid = "This tracking link is not valid: it may have been changed or cut short when it was copied. Look your parcel up again on the Track an order page to get a new link."

// trackLink is the path of a guest's shareable tracking page for a shipment.
func (s *Server) trackLink(shipmentID int64) string {
	return tracking.LinkPath(s.cfg.Secret, shipmentID, s.now().Add(tracking.LinkTTL))
}

// linkedShipment loads the shipment a signed tracking link grants. A link
// for another shipment, a changed expiry or signature is EFORBIDDEN; an
// expired one says so.
func (s *Server) linkedShipment(c *fiber.Ctx) (*portal.Shipment, error) {
	id, err := c.ParamsInt("id")
	if err != nil {
		return nil, portal.Errorf(portal.ENOTFOUND, "Shipment not found.")
	}
	sid := int64(id)
	expires, sig := c.Query("expires"), c.Query("sig")
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || sig == "" || !hmac.Equal([]byte(sig), []byte(tracking.LinkSig(s.cfg.Secret, sid, expires))) {
		return nil, portal.Errorf(portal.EFORBIDDEN, trackLinkInvalid)
	}
	if !s.now().Before(time.Unix(exp, 0)) {
		return nil, portal.Errorf(portal.EFORBIDDEN, "This tracking link has expired. Look your parcel up again on the Track an order page to get a new link.")
	}
	found, _, err := s.store.FindShipments(c.UserContext(), portal.ShipmentFilter{ID: &sid, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "This parcel is no longer in our records.")
	}
	return found[0], nil
}

// handleTrackLinkView shows a guest the one shipment a signed link grants,
// live, with nothing of the order or the customer.
func (s *Server) handleTrackLinkView(c *fiber.Ctx) error {
	sh, err := s.linkedShipment(c)
	if err != nil {
		return err
	}
	events, err := s.store.FindTrackingEvents(c.UserContext(), sh.ID)
	if err != nil {
		return err
	}
	c.Set("Referrer-Policy", "no-referrer") // the link is the key
	page := shipmentPage{Shipment: sh, Events: events, Live: true, Guest: true,
		LiveURL: fmt.Sprintf("/track/shipments/%d/events?%s", sh.ID, string(c.Request().URI().QueryString()))}
	return s.render(c, fiber.StatusOK, "shipment", "Parcel "+sh.TrackingNumber, page)
}

// handleTrackLinkEvents streams a signed link's shipment live.
func (s *Server) handleTrackLinkEvents(c *fiber.Ctx) error {
	sh, err := s.linkedShipment(c)
	if err != nil {
		return err
	}
	return s.streamShipment(c, sh, time.UTC, "", 0)
}
