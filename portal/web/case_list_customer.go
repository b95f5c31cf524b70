package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// customerCasesPerPage is the length of a page of a customer's cases.
const customerCasesPerPage = 20

// customerCaseRow is one of a customer's cases as their list shows it.
type customerCaseRow struct {
	*portal.Case
	// StatusLabel words the status for the customer.
	StatusLabel string
	// AnswerBy is when we answer at the latest ("" when nothing is owed:
	// waiting on the customer, done, or no target).
	AnswerBy string
}

// customerStatusLabel words a case's status as the customer reads it.
func customerStatusLabel(status string) string {
	switch status {
	case portal.CaseNew:
		return "Received"
	case portal.CaseOpen, portal.CaseOnHold:
		return "In progress"
	case portal.CasePending:
		return "Waiting for your answer"
	case portal.CaseSolved:
		return "Solved"
	case portal.CaseClosed:
		return "Closed"
	}
	return portal.Label(status)
}

// answerBy is the time by which the customer can expect our answer: the
// case's first or next response due time, in its calendar's zone.
func answerBy(c *portal.Case, set *portal.SLASettings) string {
	if c.Status == portal.CasePending || !portal.CaseActive(c.Status) {
		return ""
	}
	due := c.FirstResponseDue
	if due == nil {
		due = c.NextResponseDue
	}
	if due == nil {
		return ""
	}
	_, cal := c.Policy(set)
	return due.In(cal.Location()).Format("Monday 2 January, 15:04 MST")
}

// handleCustomerCaseList lists the signed-in customer's cases, newest
// first, with their status and, for open ones, when we answer by.
func (s *Server) handleCustomerCaseList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	page := pageParam(c)
	cases, total, err := s.store.FindCases(ctx, portal.CaseFilter{CustomerID: &u.ID, Limit: customerCasesPerPage, Offset: (page - 1) * customerCasesPerPage})
	if err != nil {
		return err
	}
	set, err := s.store.SLASettings(ctx)
	if err != nil {
		return err
	}
	rows := make([]customerCaseRow, len(cases))
	for i, cs := range cases {
		rows[i] = customerCaseRow{Case: cs, StatusLabel: customerStatusLabel(cs.Status), AnswerBy: answerBy(cs, set)}
	}
	return s.render(c, fiber.StatusOK, "case_list", "Your cases", fiber.Map{"Rows": rows, "Total": total, "Pager": newPager(c, page, customerCasesPerPage, total)})
}
