package web

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// staffParcel is a parcel on the staff's order page: the shipment, its
// latest tracking event, and the return it carries back, if any.
type staffParcel struct {
	*portal.Shipment
	Latest *portal.TrackingEvent
	Events int
	// Return is set on a return parcel (customer to warehouse).
	Return *portal.Return
}

// staffOrderPage is everything a support agent needs about one order.
type staffOrderPage struct {
	Order    *portal.Order
	Customer *portal.User
	Lines    []orderLine
	Delivery *deliveryOption
	Invoices []*portal.Invoice
	Parcels  []staffParcel
	Returns  []*portal.Return
	// Events are the order's changes: cancellations, new addresses.
	Events []*portal.OrderEvent
	// Chats mention the order number in a message; Cases name the order.
	Chats     []*portal.Conversation
	ChatsMore bool
	Cases     []*portal.Case
}

// mentionLimit caps the chats listed as mentioning an order; the chat
// history's search lists them all.
const mentionLimit = 10

// staffOrder loads an order by its number for staff: any customer's.
func (s *Server) staffOrder(c *fiber.Ctx) (*portal.Order, error) {
	number := strings.TrimSpace(c.Params("number"))
	if number == "" || len(number) > 64 {
		return nil, staffOrderMissing(number)
	}
	orders, _, err := s.store.FindOrders(c.UserContext(), portal.OrderFilter{Number: &number, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(orders) == 0 {
		return nil, staffOrderMissing(number)
	}
	return orders[0], nil
}

// staffOrderURL is the staff's page of the order numbered number.
func staffOrderURL(number string) string { return "/staff/orders/" + url.PathEscape(number) }

// staffInvoiceURL is the staff's page of the invoice numbered number.
func staffInvoiceURL(number string) string { return "/staff/invoices/" + url.PathEscape(number) }

func staffOrderMissing(number string) error {
	return portal.Errorf(portal.ENOTFOUND, "There is no order numbered %q.", portal.Truncate(number, 64))
}

// handleStaffOrderView shows one order to support staff: the customer,
// the lines and totals, invoices, parcels with their latest scan, returns,
// changes, and the chats and cases about it.
func (s *Server) handleStaffOrderView(c *fiber.Ctx) error {
	o, err := s.staffOrder(c)
	if portal.IsNotFound(err) {
		return s.renderStaffMissing(c, "order", c.Params("number"))
	}
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p := staffOrderPage{Order: o, Lines: orderLines(o), Delivery: deliveryOptionByID(o.DeliveryOption)}
	if p.Customer, err = s.store.FindUserByID(ctx, o.CustomerID); err != nil {
		return fmt.Errorf("staff order %s: customer: %w", o.Number, err)
	}
	if p.Invoices, _, err = s.store.FindInvoices(ctx, portal.InvoiceFilter{OrderID: &o.ID, CustomerID: &o.CustomerID}); err != nil {
		return err
	}
	if p.Returns, _, err = s.store.FindReturns(ctx, portal.ReturnFilter{OrderID: &o.ID, CustomerID: &o.CustomerID, Limit: 50}); err != nil {
		return err
	}
	shipments, _, err := s.store.FindShipments(ctx, portal.ShipmentFilter{OrderID: &o.ID, CustomerID: &o.CustomerID})
	if err != nil {
		return err
	}
	back := map[int64]*portal.Return{}
	for _, r := range p.Returns {
		if r.ShipmentID != nil {
			back[*r.ShipmentID] = r
		}
	}
	for _, sh := range shipments {
		sh.OrderNumber = o.Number
		events, err := s.store.FindTrackingEvents(ctx, sh.ID)
		if err != nil {
			return err
		}
		pc := staffParcel{Shipment: sh, Events: len(events), Return: back[sh.ID]}
		if len(events) > 0 {
			pc.Latest = events[0] // newest first
		}
		p.Parcels = append(p.Parcels, pc)
	}
	if p.Events, err = s.store.FindOrderEvents(ctx, o.ID, o.CustomerID); err != nil {
		return err
	}
	chats, _, err := s.store.FindConversations(ctx, portal.ConversationFilter{Text: o.Number, Limit: mentionLimit + 1, NoTotal: true})
	if err != nil {
		return err
	}
	if len(chats) > mentionLimit {
		chats, p.ChatsMore = chats[:mentionLimit], true
	}
	p.Chats = chats
	if p.Cases, _, err = s.store.FindCases(ctx, portal.CaseFilter{OrderID: &o.ID, Limit: 20}); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "staff_order", "Order "+o.Number, p)
}

// staffShipmentPage is a parcel's whole story for staff.
type staffShipmentPage struct {
	Shipment *portal.Shipment
	Order    *portal.Order
	Customer *portal.User
	Return   *portal.Return
	Events   []*portal.TrackingEvent
	LiveURL  string
}

// staffShipment loads any customer's shipment by id.
func (s *Server) staffShipment(c *fiber.Ctx) (*portal.Shipment, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "There is no parcel with that number.")
	}
	sid := int64(id)
	found, _, err := s.store.FindShipments(c.UserContext(), portal.ShipmentFilter{ID: &sid, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "There is no parcel with that number.")
	}
	return found[0], nil
}

// handleStaffShipmentView shows a parcel with every tracking event, live.
func (s *Server) handleStaffShipmentView(c *fiber.Ctx) error {
	sh, err := s.staffShipment(c)
	if portal.IsNotFound(err) {
		return s.renderStaffMissing(c, "parcel", c.Params("id"))
	}
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p := staffShipmentPage{Shipment: sh, LiveURL: fmt.Sprintf("/staff/shipments/%d/events", sh.ID)}
	if p.Events, err = s.store.FindTrackingEvents(ctx, sh.ID); err != nil {
		return err
	}
	oid := sh.OrderID
	orders, _, err := s.store.FindOrders(ctx, portal.OrderFilter{ID: &oid, CustomerID: &sh.CustomerID, Limit: 1})
	if err != nil {
		return err
	}
	if len(orders) > 0 {
		p.Order = orders[0]
	}
	if p.Customer, err = s.store.FindUserByID(ctx, sh.CustomerID); err != nil {
		return fmt.Errorf("staff shipment %d: customer: %w", sh.ID, err)
	}
	rets, _, err := s.store.FindReturns(ctx, portal.ReturnFilter{ShipmentID: &sh.ID, Limit: 1})
	if err != nil {
		return err
	}
	if len(rets) > 0 {
		p.Return = rets[0]
	}
	return s.render(c, fiber.StatusOK, "staff_shipment", "Parcel "+sh.TrackingNumber, p)
}

// handleStaffShipmentEvents streams a parcel's new tracking events to the
// staff's page, as the customer's page gets them.
func (s *Server) handleStaffShipmentEvents(c *fiber.Ctx) error {
	sh, err := s.staffShipment(c)
	if err != nil {
		return err
	}
	return s.streamShipmentToViewer(c, sh)
}

// staffInvoice loads any customer's invoice with its order and buyer.
func (s *Server) staffInvoice(c *fiber.Ctx) (*invoicePage, error) {
	ctx := c.UserContext()
	number := c.Params("number")
	invs, _, err := s.store.FindInvoices(ctx, portal.InvoiceFilter{Number: &number, Limit: 1})
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		oid := inv.OrderID
		orders, _, err := s.store.FindOrders(ctx, portal.OrderFilter{ID: &oid, CustomerID: &inv.CustomerID, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(orders) == 0 {
			break
		}
		buyer, err := s.store.FindUserByID(ctx, inv.CustomerID)
		if err != nil {
			return nil, err
		}
		return &invoicePage{Invoice: inv, Order: orders[0], Buyer: buyer, Seller: s.cfg.Seller, Lines: orderLines(orders[0]), Base: "/staff"}, nil
	}
	return nil, portal.Errorf(portal.ENOTFOUND, "There is no invoice numbered %q.", portal.Truncate(number, 64))
}

func (s *Server) handleStaffInvoiceView(c *fiber.Ctx) error {
	p, err := s.staffInvoice(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "invoice", "Invoice "+p.Invoice.Number, p)
}

func (s *Server) handleStaffInvoicePDF(c *fiber.Ctx) error {
	p, err := s.staffInvoice(c)
	if err != nil {
		return err
	}
	return sendInvoicePDF(c, p)
}

// handleStaffOrderFind opens the order whose number an agent typed (the
// form on the not-found page); with no number it shows the form.
func (s *Server) handleStaffOrderFind(c *fiber.Ctx) error {
	number := strings.TrimSpace(c.Query("number"))
	if number == "" {
		return s.render(c, fiber.StatusOK, "staff_missing", "Find an order", fiber.Map{"What": "order"})
	}
	return c.Redirect(staffOrderURL(portal.Truncate(number, 64)), fiber.StatusSeeOther)
}

// renderStaffMissing answers an unknown order or parcel with a 404 page
// that says what was asked for and offers a way on.
func (s *Server) renderStaffMissing(c *fiber.Ctx, what, ref string) error {
	ref = portal.Truncate(strings.TrimSpace(ref), 64)
	title := "Order not found"
	if what == "parcel" {
		title = "Parcel not found"
	}
	return s.render(c, fiber.StatusNotFound, "staff_missing", title, fiber.Map{"What": what, "Ref": ref, "Missing": true})
}

// StatusNote says in a sentence where the order stands and what the
// customer can still do, for the agent talking to them.
func (p staffOrderPage) StatusNote() string {
	o := p.Order
	switch o.Status {
	case portal.OrderPlaced, portal.OrderProcessing:
		return "Not packed yet: the customer can still cancel it or change the delivery address from their account."
	case portal.OrderPacked:
		return "Packed and waiting for the carrier: it can no longer be cancelled or sent elsewhere."
	case portal.OrderShipped:
		return "With the carrier: see the parcels below for where it is. It can be returned once it has arrived."
	case portal.OrderDelivered:
		return "Delivered: the customer can return or exchange items from their account."
	case portal.OrderCancelled:
		return "Cancelled: nothing will be shipped."
	}
	return o.WhyUnchangeable()
}
