package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// caseRow is a case as a list or page shows it, with its SLA state.
type caseRow struct {
	*portal.Case
	SLA portal.SLAState
}

// SLAClass is the badge's style: overdue, soon or ok.
func (r caseRow) SLAClass() string {
	switch {
	case r.SLA.Overdue:
		return "sla-overdue"
	case r.SLA.Soon:
		return "sla-soon"
	}
	return "sla-ok"
}

func caseRows(cs []*portal.Case, now time.Time, set *portal.SLASettings) []caseRow {
	out := make([]caseRow, len(cs))
	for i, c := range cs {
		out[i] = caseRow{Case: c, SLA: c.SLAStateAt(now, set)}
	}
	return out
}

// caseIDParam reads the :id of a case route.
func caseIDParam(c *fiber.Ctx) int64 {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	return id
}

// optionalID reads a form's id field: "" is nil, "0" clears (a pointer to 0).
func optionalID(v string) (*int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return nil, portal.Errorf(portal.EINVALID, "Choose from the list.")
	}
	return &id, nil
}

// backWithError shows a validation error on the page the form came from.
func (s *Server) backWithError(c *fiber.Ctx, err error, to string) error {
	if portal.ErrorCode(err) == portal.EINVALID || portal.ErrorCode(err) == portal.ECONFLICT {
		s.setFlash(c, "error", portal.ErrorMessage(err))
		return c.Redirect(to, fiber.StatusSeeOther)
	}
	return err
}

// staffUsers lists the members of staff who can be assigned cases.
func (s *Server) staffUsers(c *fiber.Ctx) ([]*portal.User, error) {
	us, _, err := s.store.FindUsers(c.UserContext(), portal.UserFilter{Roles: []portal.Role{portal.RoleAgent, portal.RoleManager, portal.RoleAdmin}, Limit: 500})
	return us, err
}
