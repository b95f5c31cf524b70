package web

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// staffReturn loads any return, for agents.
func (s *Server) staffReturn(c *fiber.Ctx) (*portal.Return, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return nil, portal.Errorf(portal.ENOTFOUND, "Return not found.")
	}
	rs, _, err := s.store.FindReturns(c.UserContext(), portal.ReturnFilter{ID: &id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "Return not found.")
	}
	return rs[0], nil
}

type staffReturnRow struct {
	Return   *portal.Return
	Customer *portal.User
}

// handleStaffReturnList lists returns by status, those waiting for an
// agent first.
func (s *Server) handleStaffReturnList(c *fiber.Ctx) error {
	status := c.Query("status", portal.ReturnRequested)
	f := portal.ReturnFilter{Limit: 100}
	if status != "all" {
		if !slices.Contains(portal.ReturnStatuses, status) {
			return portal.FieldError("status", "Unknown return status.")
		}
		f.Statuses = []string{status}
	}
	ctx := c.UserContext()
	rs, total, err := s.store.FindReturns(ctx, f)
	if err != nil {
		return err
	}
	users := map[int64]*portal.User{}
	rows := make([]staffReturnRow, 0, len(rs))
	for _, r := range rs {
		u, ok := users[r.CustomerID]
		if !ok {
			if u, err = s.store.FindUserByID(ctx, r.CustomerID); err != nil {
				return err
			}
			users[r.CustomerID] = u
		}
		rows = append(rows, staffReturnRow{Return: r, Customer: u})
	}
	return s.render(c, fiber.StatusOK, "staff_returns", "Returns", fiber.Map{"Rows": rows, "Total": total, "Status": status, "Statuses": portal.ReturnStatuses})
}

// handleStaffReturnView shows a return to an agent, with its photos and
// the approve and decline forms.
func (s *Server) handleStaffReturnView(c *fiber.Ctx) error {
	r, err := s.staffReturn(c)
	if err != nil {
		return err
	}
	p, err := s.loadReturnPage(c.UserContext(), r)
	if err != nil {
		return err
	}
	p.Staff = true
	if p.Customer, err = s.store.FindUserByID(c.UserContext(), r.CustomerID); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "return_view", "Return "+r.Number(), p)
}

// handleStaffReturnAct approves or declines a return waiting for an agent.
func (s *Server) handleStaffReturnAct(c *fiber.Ctx) error {
	r, err := s.staffReturn(c)
	if err != nil {
		return err
	}
	a := portal.ReturnAction{Actor: "agent", Note: c.FormValue("note")}
	switch c.Params("action") {
	case "approve":
		a.Kind, a.TrackingNumber = portal.ActApprove, newReturnTracking()
	case "reject":
		a.Kind = portal.ActReject
	default:
		return portal.Errorf(portal.ENOTFOUND, "Unknown action.")
	}
	back := fmt.Sprintf("/agent/returns/%d", r.ID)
	got, err := s.store.ActOnReturn(c.UserContext(), r.ID, a, s.returnEmail)
	if code := portal.ErrorCode(err); code == portal.EINVALID || code == portal.ECONFLICT {
		s.setFlash(c, "error", portal.ErrorMessage(err))
		return c.Redirect(back, fiber.StatusSeeOther)
	} else if err != nil {
		return err
	}
	s.audit(c, "return."+a.Kind, "return", strconv.FormatInt(r.ID, 10), a.Note)
	s.setFlash(c, "ok", fmt.Sprintf("Return %s: %s. The customer has been emailed.", got.Number(), portal.Label(got.Status)))
	return c.Redirect(back, fiber.StatusSeeOther)
}

// handleStaffReturnPhoto sends a return's photo to an agent.
func (s *Server) handleStaffReturnPhoto(c *fiber.Ctx) error {
	r, err := s.staffReturn(c)
	if err != nil {
		return err
	}
	return s.sendReturnPhoto(c, r)
}
