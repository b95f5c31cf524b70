package web

import (
	"errors"
	"strconv"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// addressBookPage is what the address book and its edit form receive.
type addressBookPage struct {
	Addresses []*portal.CustomerAddress
	Editing   *portal.CustomerAddress
	Form      portal.Address
	Default   bool
	Error     string
	Fields    map[string]string
}

// fieldErrors returns err's per-field messages, empty when it has none.
func fieldErrors(err error) map[string]string {
	var pe *portal.Error
	if errors.As(err, &pe) && pe.Fields != nil {
		return pe.Fields
	}
	return map[string]string{}
}

func (s *Server) renderAddressBook(c *fiber.Ctx, status int, p addressBookPage) error {
	as, err := s.store.FindAddresses(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	p.Addresses = as
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	if p.Editing != nil {
		return s.render(c, status, "address_edit", "Edit address", p)
	}
	return s.render(c, status, "addresses", "Your addresses", p)
}

// handleAddressList shows the address book with a form to add one.
func (s *Server) handleAddressList(c *fiber.Ctx) error {
	return s.renderAddressBook(c, fiber.StatusOK, addressBookPage{})
}

// handleAddressCreate adds an address.
func (s *Server) handleAddressCreate(c *fiber.Ctx) error {
	a := &portal.CustomerAddress{Address: addressForm(c), CustomerID: currentUser(c).ID, Default: c.FormValue("default") == "1"}
	if err := s.store.CreateAddress(c.UserContext(), a); portal.ErrorCode(err) == portal.EINVALID {
		return s.renderAddressBook(c, fiber.StatusBadRequest, addressBookPage{Form: a.Address, Default: a.Default, Error: portal.ErrorMessage(err), Fields: fieldErrors(err)})
	} else if err != nil {
		return err
	}
	s.setFlash(c, "ok", "Address saved.")
	return c.Redirect(safeNext(c.FormValue("next"), "/account/addresses"), fiber.StatusSeeOther)
}

func (s *Server) customerAddress(c *fiber.Ctx) (*portal.CustomerAddress, error) {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	return s.store.FindAddress(c.UserContext(), id, currentUser(c).ID)
}

// handleAddressEdit shows one address in a form.
func (s *Server) handleAddressEdit(c *fiber.Ctx) error {
	a, err := s.customerAddress(c)
	if err != nil {
		return err
	}
	return s.renderAddressBook(c, fiber.StatusOK, addressBookPage{Editing: a, Form: a.Address, Default: a.Default})
}

// handleAddressUpdate saves an edited address.
func (s *Server) handleAddressUpdate(c *fiber.Ctx) error {
	a, err := s.customerAddress(c)
	if err != nil {
		return err
	}
	a.Address, a.Default = addressForm(c), c.FormValue("default") == "1" || a.Default
	if err := s.store.UpdateAddress(c.UserContext(), a); portal.ErrorCode(err) == portal.EINVALID {
		return s.renderAddressBook(c, fiber.StatusBadRequest, addressBookPage{Editing: a, Form: a.Address, Default: a.Default, Error: portal.ErrorMessage(err), Fields: fieldErrors(err)})
	} else if err != nil {
		return err
	}
	s.setFlash(c, "ok", "Address saved.")
	return c.Redirect("/account/addresses", fiber.StatusSeeOther)
}

// handleAddressDefault makes an address the default.
func (s *Server) handleAddressDefault(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	if err := s.store.SetDefaultAddress(c.UserContext(), id, currentUser(c).ID); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Default address changed.")
	return c.Redirect("/account/addresses", fiber.StatusSeeOther)
}

// handleAddressDelete removes an address.
func (s *Server) handleAddressDelete(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	if err := s.store.DeleteAddress(c.UserContext(), id, currentUser(c).ID); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Address deleted.")
	return c.Redirect("/account/addresses", fiber.StatusSeeOther)
}
