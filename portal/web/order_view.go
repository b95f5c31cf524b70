package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// handleOrderView shows one of the signed-in customer's orders. Another
// customer's order number is "not found", exactly like a number that does
// not exist, so numbers cannot be probed.
func (s *Server) handleOrderView(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	number := c.Params("number")
	orders, _, err := s.store.FindOrders(ctx, portal.OrderFilter{Number: &number, CustomerID: &u.ID, Limit: 1})
	if err != nil {
		return err
	}
	if len(orders) == 0 {
		return portal.Errorf(portal.ENOTFOUND, "We could not find that order in your account.")
	}
	o := orders[0]
	shipments, _, err := s.store.FindShipments(ctx, portal.ShipmentFilter{OrderID: &o.ID, CustomerID: &u.ID})
	if err != nil {
		return err
	}
	invoices, _, err := s.store.FindInvoices(ctx, portal.InvoiceFilter{OrderID: &o.ID, CustomerID: &u.ID})
	if err != nil {
		return err
	}
	returns, _, err := s.store.FindReturns(ctx, portal.ReturnFilter{OrderID: &o.ID, CustomerID: &u.ID, Limit: 50})
	if err != nil {
		return err
	}
	// Return parcels are listed with their returns, not as deliveries.
	back := map[int64]bool{}
	for _, r := range returns {
		if r.ShipmentID != nil {
			back[*r.ShipmentID] = true
		}
	}
	outbound := shipments[:0:0]
	canReturn := o.Status == portal.OrderDelivered
	for _, sh := range shipments {
		if !back[sh.ID] {
			outbound = append(outbound, sh)
			canReturn = canReturn || sh.Status == portal.StatusDelivered
		}
	}
	return s.render(c, fiber.StatusOK, "order", "Order "+o.Number, fiber.Map{"Order": o, "Shipments": outbound, "Invoices": invoices, "Returns": returns, "CanReturn": canReturn})
}
