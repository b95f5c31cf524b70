package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// contactTopic is a choice of the "Contact us" form.
type contactTopic struct{ Value, Label string }

var contactTopics = []contactTopic{
	{"order", "An order"},
	{"delivery", "A delivery"},
	{"return", "A return or refund"},
	{"invoice", "An invoice or payment"},
	{"product", "A product"},
	{"other", "Something else"},
}

// contactForm is what the "Contact us" form posts.
type contactForm struct {
	Topic, Order, Name, Email, Body string
}

func (s *Server) contactData(c *fiber.Ctx, f contactForm, errs map[string]string) (fiber.Map, error) {
	data := fiber.Map{"Topics": contactTopics, "Form": f, "Errors": errs, "Files": s.cfg.Attachments != nil}
	if u := currentUser(c); u != nil && u.Role == portal.RoleCustomer {
		orders, _, err := s.store.FindOrders(c.UserContext(), portal.OrderFilter{CustomerID: &u.ID, Limit: 50})
		if err != nil {
			return nil, err
		}
		data["Orders"] = orders
	}
	return data, nil
}

// handleContactPage shows the "Contact us" form: a topic, for signed-in
// customers one of their orders, and the message; guests give an address.
func (s *Server) handleContactPage(c *fiber.Ctx) error {
	u := currentUser(c)
	if u != nil && u.Role != portal.RoleCustomer {
		return portal.Errorf(portal.EFORBIDDEN, "The contact form is for customers; staff open cases at /agent/cases.")
	}
	data, err := s.contactData(c, contactForm{Topic: c.Query("topic"), Order: c.Query("order")}, nil)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "contact", "Contact us", data)
}

// handleContact opens a case from the form.
func (s *Server) handleContact(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	if u != nil && u.Role != portal.RoleCustomer {
		return portal.Errorf(portal.EFORBIDDEN, "The contact form is for customers; staff open cases at /agent/cases.")
	}
	f := contactForm{Topic: c.FormValue("topic"), Order: c.FormValue("order"), Name: strings.TrimSpace(c.FormValue("name")), Email: strings.TrimSpace(c.FormValue("email")), Body: c.FormValue("body")}
	errs := map[string]string{}
	topic := ""
	for _, t := range contactTopics {
		if t.Value == f.Topic {
			topic = t.Label
		}
	}
	if topic == "" {
		errs["topic"] = "Choose what your message is about."
	}
	cs := &portal.Case{Channel: portal.ChannelPortal, Body: f.Body, Name: f.Name, Email: f.Email}
	if u != nil {
		cs.CustomerID, cs.Email = &u.ID, u.Email
		if cs.Name == "" {
			cs.Name = u.Name
		}
		if f.Order != "" {
			id, err := strconv.ParseInt(f.Order, 10, 64)
			o, _, ferr := s.store.FindOrders(ctx, portal.OrderFilter{ID: &id, CustomerID: &u.ID, Limit: 1})
			if err != nil || ferr != nil || len(o) == 0 {
				errs["order"] = "Choose one of your orders."
			} else {
				cs.OrderID = &id
				topic += ": order " + o[0].Number
			}
		}
	} else if err := s.limit(c, "contact:ip:"+c.IP(), 10, time.Hour); err != nil {
		return err
	}
	cs.Subject = topic
	var atts []*portal.CaseAttachment
	if len(errs) == 0 {
		var err error
		if atts, err = s.caseUploads(c); err != nil {
			if portal.ErrorCode(err) != portal.EINVALID {
				return err
			}
			errs["files"] = portal.ErrorMessage(err)
		}
	}
	if len(errs) == 0 {
		first := &portal.CaseEntry{Kind: portal.EntryCustomer, Channel: portal.ChannelPortal, AuthorID: cs.CustomerID, AuthorName: cs.Name, Body: cs.Body}
		err := s.cases.Open(ctx, cs, first, u != nil)
		if err == nil {
			if err := s.attach(ctx, first.ID, atts); err != nil {
				return err
			}
			if u != nil {
				s.setFlash(c, "ok", "Thank you. Your case number is "+cs.Number()+"; we sent you a confirmation.")
				return c.Redirect("/account/cases/"+strconv.FormatInt(cs.ID, 10), fiber.StatusSeeOther)
			}
			return s.render(c, fiber.StatusOK, "contact_sent", "Message sent", fiber.Map{"Number": cs.Number(), "Email": cs.Email})
		}
		if portal.ErrorCode(err) != portal.EINVALID {
			return err
		}
		var pe *portal.Error
		if errors.As(err, &pe) && len(pe.Fields) > 0 {
			for k, v := range pe.Fields {
				errs[k] = v
			}
		} else {
			errs["body"] = portal.ErrorMessage(err)
		}
	}
	data, err := s.contactData(c, f, errs)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusUnprocessableEntity, "contact", "Contact us", data)
}

// customerCase returns the signed-in customer's case of the route, or
// ENOTFOUND (also for another customer's case).
func (s *Server) customerCase(c *fiber.Ctx) (*portal.Case, error) {
	u := currentUser(c)
	cs, err := s.store.FindCase(c.UserContext(), caseIDParam(c))
	if portal.ErrorCode(err) == portal.ENOTFOUND || err == nil && (cs.CustomerID == nil || *cs.CustomerID != u.ID) {
		return nil, portal.Errorf(portal.ENOTFOUND, "Case not found.")
	}
	return cs, err
}

// handleCaseView shows a customer their case: the messages both ways and a
// box to answer.
func (s *Server) handleCaseView(c *fiber.Ctx) error {
	cs, err := s.customerCase(c)
	if err != nil {
		return err
	}
	if cs.MergedIntoID != nil {
		return c.Redirect("/account/cases/"+strconv.FormatInt(*cs.MergedIntoID, 10), fiber.StatusSeeOther)
	}
	entries, err := s.store.FindCaseEntries(c.UserContext(), cs.ID, false)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "case_view", "Case "+cs.Number(), fiber.Map{"Case": cs, "Entries": entries, "Files": s.cfg.Attachments != nil})
}

// handleCaseCustomerReply adds the customer's answer; it reopens the case
// and alerts the staff.
func (s *Server) handleCaseCustomerReply(c *fiber.Ctx) error {
	cs, err := s.customerCase(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	to := "/account/cases/" + strconv.FormatInt(cs.ID, 10)
	atts, err := s.caseUploads(c)
	if err != nil {
		return s.backWithError(c, err, to)
	}
	e := &portal.CaseEntry{CaseID: cs.ID, Channel: portal.ChannelPortal, AuthorID: &u.ID, AuthorName: u.Name, Body: c.FormValue("body")}
	if _, err = s.cases.CustomerMessage(c.UserContext(), e); err != nil {
		return s.backWithError(c, err, to)
	}
	if err := s.attach(c.UserContext(), e.ID, atts); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Thank you. Your message is on its way to us.")
	return c.Redirect(to, fiber.StatusSeeOther)
}
