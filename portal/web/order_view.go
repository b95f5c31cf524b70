package web

import (
	"encoding/json"
	"fmt"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// orderLine is an order item with, for a configured product, its
// configuration: the chosen options, the catalogue version and the price
// breakdown it was ordered with.
type orderLine struct {
	portal.OrderItem
	Config *configuration
	Prices []priceLineJSON
}

// orderLines decodes the configurations of an order's items.
func orderLines(o *portal.Order) []orderLine {
	var out []orderLine
	for _, it := range o.Items {
		l := orderLine{OrderItem: it}
		if it.Config != "" {
			var cfg configuration
			if json.Unmarshal([]byte(it.Config), &cfg) == nil && len(cfg.Selected) > 0 {
				l.Config, l.Prices = &cfg, priceLines(cfg.Quote)
			}
		}
		out = append(out, l)
	}
	return out
}

// itemDetails are the lines printed under a configured item on the
// invoice: catalogue version, options and the price breakdown.
func itemDetails(it portal.OrderItem) []string {
	ls := orderLines(&portal.Order{Items: []portal.OrderItem{it}})
	if len(ls) == 0 || ls[0].Config == nil {
		return nil
	}
	cfg := ls[0].Config
	out := []string{fmt.Sprintf("Catalogue version %d, base price %s", cfg.Version, formatMoney(cfg.Quote.Base, cfg.Quote.Currency))}
	for _, s := range cfg.Selected {
		out = append(out, s.Name)
	}
	for _, p := range ls[0].Prices {
		out = append(out, p.Label+" "+p.Amount)
	}
	return out
}

// handleOrderView shows one of the signed-in customer's orders. Another
// customer's order number is "not found", exactly like a number that does
// not exist, so numbers cannot be probed.
func (s *Server) handleOrderView(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	o, err := s.customerOrder(c)
	if err != nil {
		return err
	}
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
	events, err := s.store.FindOrderEvents(ctx, o.ID, u.ID)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "order", "Order "+o.Number, fiber.Map{"Order": o, "Shipments": outbound, "Invoices": invoices,
		"Events": events, "Lines": orderLines(o), "Delivery": deliveryOptionByID(o.DeliveryOption), "Returns": returns, "CanReturn": canReturn})
}
