package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// Customers cancel an order, or send it to another address, until the
// back office packs it. The store makes the change conditionally, so a
// race with "packed" has one winner; these handlers only ask and explain.

// cancelReasons are the choices the cancel form offers.
var cancelReasons = []string{"I ordered by mistake", "I found it cheaper elsewhere", "It takes too long", "I want something else", "Another reason"}

// orderChangePage is what the cancel and address pages receive.
type orderChangePage struct {
	Order     *portal.Order
	Reasons   []string
	Addresses []*portal.CustomerAddress
	Form      portal.Address
	Error     string
	Fields    map[string]string
}

// customerOrder loads the signed-in customer's order named by :number;
// another customer's order is "not found".
func (s *Server) customerOrder(c *fiber.Ctx) (*portal.Order, error) {
	u := currentUser(c)
	number := c.Params("number")
	orders, _, err := s.store.FindOrders(c.UserContext(), portal.OrderFilter{Number: &number, CustomerID: &u.ID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(orders) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "We could not find that order in your account.")
	}
	return orders[0], nil
}

func (s *Server) orderURL(o *portal.Order) string { return "/account/orders/" + o.Number }

// handleOrderCancelPage asks the customer to confirm a cancellation.
func (s *Server) handleOrderCancelPage(c *fiber.Ctx) error {
	o, err := s.customerOrder(c)
	if err != nil {
		return err
	}
	if why := o.WhyUnchangeable(); why != "" {
		s.setFlash(c, "error", why)
		return c.Redirect(s.orderURL(o), fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, "order_cancel", "Cancel order "+o.Number, orderChangePage{Order: o, Reasons: cancelReasons})
}

// handleOrderCancel cancels the order if it is not packed yet.
func (s *Server) handleOrderCancel(c *fiber.Ctx) error {
	o, err := s.customerOrder(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	reason := c.FormValue("reason")
	if reason != "" && !oneOf(reason, cancelReasons) {
		return portal.FieldError("reason", "Choose one of the reasons offered.")
	}
	refund := ""
	if o.PaymentStatus == portal.PaymentPaid {
		refund = "\nYou paid " + formatMoney(o.TotalMinor, o.Currency) + "; the refund goes back to the way you paid, usually within 5 working days.\n"
	}
	body := fmt.Sprintf("Hello%s,\n\nyour order %s is cancelled, as you asked. Nothing will be sent.\n%s\nThe order: %s\n", namePart(u), o.Number, refund, s.cfg.BaseURL+s.orderURL(o))
	_, err = s.store.CancelOrder(c.UserContext(), portal.OrderChange{OrderID: o.ID, CustomerID: u.ID, Reason: reason,
		Email: &portal.Email{To: u.Email, Subject: "Order " + o.Number + " is cancelled", Body: body}})
	if portal.ErrorCode(err) == portal.ECONFLICT {
		s.setFlash(c, "error", portal.ErrorMessage(err))
		return c.Redirect(s.orderURL(o), fiber.StatusSeeOther)
	} else if err != nil {
		return err
	}
	s.setFlash(c, "ok", "Order "+o.Number+" is cancelled. We have sent you a confirmation by email.")
	return c.Redirect(s.orderURL(o), fiber.StatusSeeOther)
}

// handleOrderAddressPage offers the address book and a new address.
func (s *Server) handleOrderAddressPage(c *fiber.Ctx) error {
	o, err := s.customerOrder(c)
	if err != nil {
		return err
	}
	if why := o.WhyUnchangeable(); why != "" {
		s.setFlash(c, "error", why)
		return c.Redirect(s.orderURL(o), fiber.StatusSeeOther)
	}
	return s.renderOrderAddress(c, fiber.StatusOK, orderChangePage{Order: o, Form: o.ShippingAddress})
}

func (s *Server) renderOrderAddress(c *fiber.Ctx, status int, p orderChangePage) error {
	u := currentUser(c)
	as, err := s.store.FindAddresses(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	p.Addresses = as
	return s.render(c, status, "order_address", "Delivery address for order "+p.Order.Number, p)
}

// addressForm reads an address from the form fields.
func addressForm(c *fiber.Ctx) portal.Address {
	return portal.Address{Name: c.FormValue("name"), Line1: c.FormValue("line1"), Line2: c.FormValue("line2"), City: c.FormValue("city"),
		Region: c.FormValue("region"), Postcode: c.FormValue("postcode"), Country: c.FormValue("country")}
}

// chosenAddress is the address book entry named by the form's
// "address" field, or the address typed in when it is "new" or absent.
func (s *Server) chosenAddress(c *fiber.Ctx) (portal.Address, error) {
	v := c.FormValue("address")
	if v == "" || v == "new" {
		return addressForm(c), nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return portal.Address{}, portal.FieldError("address", "Choose an address.")
	}
	a, err := s.store.FindAddress(c.UserContext(), id, currentUser(c).ID)
	if err != nil {
		return portal.Address{}, err
	}
	return a.Address, nil
}

// handleOrderAddress sends the order to another address if it is not packed yet.
func (s *Server) handleOrderAddress(c *fiber.Ctx) error {
	o, err := s.customerOrder(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	addr, err := s.chosenAddress(c)
	if err != nil {
		return err
	}
	body := fmt.Sprintf("Hello%s,\n\nyour order %s will go to this address:\n\n%s\n\nIf you did not make this change, tell us at once by replying or in the chat: %s\n",
		namePart(u), o.Number, strings.ReplaceAll(addr.OneLine(), ", ", "\n"), s.cfg.BaseURL+s.orderURL(o))
	_, err = s.store.ChangeOrderAddress(c.UserContext(), portal.OrderChange{OrderID: o.ID, CustomerID: u.ID, Address: addr,
		Email: &portal.Email{To: u.Email, Subject: "New delivery address for order " + o.Number, Body: body}})
	switch portal.ErrorCode(err) {
	case "":
	case portal.EINVALID:
		var fe *portal.Error
		fields := map[string]string{}
		if errors.As(err, &fe) && fe.Fields != nil {
			fields = fe.Fields
		}
		return s.renderOrderAddress(c, fiber.StatusBadRequest, orderChangePage{Order: o, Form: addr, Error: portal.ErrorMessage(err), Fields: fields})
	case portal.ECONFLICT:
		s.setFlash(c, "error", portal.ErrorMessage(err))
		return c.Redirect(s.orderURL(o), fiber.StatusSeeOther)
	default:
		return err
	}
	s.setFlash(c, "ok", "Order "+o.Number+" will go to the new address. We have sent you a confirmation by email.")
	return c.Redirect(s.orderURL(o), fiber.StatusSeeOther)
}
