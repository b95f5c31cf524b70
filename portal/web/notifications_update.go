package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// handleNotificationsUpdate stores which shipment updates email the customer.
func (s *Server) handleNotificationsUpdate(c *fiber.Ctx) error {
	u := currentUser(c)
	var chosen []portal.ShipmentStatus
	args := c.Request().PostArgs()
	for _, v := range args.PeekMulti("status") {
		st := portal.ShipmentStatus(v)
		if !st.Valid() {
			return portal.Errorf(portal.EINVALID, "Unknown shipment status %q.", v)
		}
		chosen = append(chosen, st)
	}
	if err := s.store.SetNotifyStatuses(c.UserContext(), u.ID, chosen); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Email preferences saved.")
	return c.Redirect("/account#notifications", fiber.StatusSeeOther)
}
