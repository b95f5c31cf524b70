package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// caseRoutes adds case management: the customer's "Contact us" form and
// case pages, the staff's views and case pages, the alerts, and the
// admin's SLA, calendar, team and escalation settings.
func (s *Server) caseRoutes(app *fiber.App) {
	app.Get("/contact", s.handleContactPage)
	app.Post("/contact", s.handleContact)
	account := s.withRole(app.Group("/account"), portal.RoleCustomer)
	account.Get("/cases/:id<int>", s.handleCaseView)
	account.Post("/cases/:id<int>/reply", s.handleCaseCustomerReply)
	account.Get("/cases/:id<int>/files/:aid<int>", s.handleCaseFileCustomer)

	staff := s.withRole(app.Group("/agent"), portal.RoleAgent, portal.RoleManager, portal.RoleAdmin)
	staff.Get("/cases", s.handleCaseList)
	staff.Post("/cases/bulk", s.handleCaseBulk)
	staff.Get("/cases/:id<int>", s.handleCaseStaffView)
	staff.Post("/cases/:id<int>/reply", s.handleCaseReply)
	staff.Get("/cases/:id<int>/files/:aid<int>", s.handleCaseFileStaff)
	staff.Post("/cases/:id<int>/note", s.handleCaseNote)
	staff.Post("/cases/:id<int>/update", s.handleCaseUpdate)
	staff.Post("/cases/:id<int>/merge", s.handleCaseMerge)
	staff.Post("/chats/:id<int>/case", s.handleChatToCase)
	staff.Get("/alerts", s.handleStaffAlerts)
	staff.Post("/alerts/read", s.handleStaffAlertsRead)

	admin := s.withRole(app.Group("/admin"), portal.RoleAdmin)
	admin.Get("/cases", s.handleCaseSettings)
	admin.Post("/cases/policies", s.handleSLAPolicySave)
	admin.Post("/cases/calendars", s.handleCalendarSave)
	admin.Post("/cases/teams", s.handleTeamSave)
	admin.Post("/cases/teams/:id<int>/delete", s.handleTeamDelete)
	admin.Post("/cases/rules", s.handleRuleSave)
	admin.Post("/cases/rules/:id<int>/delete", s.handleRuleDelete)
}

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
