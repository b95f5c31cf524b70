package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// caseThread gives a reply that goes out by email its Message-ID and
// returns the case's thread so far, to thread the email with.
func (s *Server) caseThread(c *fiber.Ctx, reply *portal.CaseEntry) ([]*portal.CaseEntry, error) {
	if s.cfg.SupportAddress == "" {
		return nil, nil
	}
	reply.MessageID = portal.NewMessageID(portal.AddressDomain(s.cfg.SupportAddress))
	thread, err := s.store.FindCaseEntries(c.UserContext(), reply.CaseID, false)
	if portal.IsNotFound(err) {
		return nil, nil
	}
	return thread, err
}

// threadCaseEmail sends e from the case's reply address, with the reply's
// Message-ID and In-Reply-To and References naming the thread, so that the
// customer's answer by email comes back into the case.
func (s *Server) threadCaseEmail(e *portal.Email, cs *portal.Case, reply *portal.CaseEntry, thread []*portal.CaseEntry) *portal.Email {
	if s.cfg.SupportAddress != "" {
		portal.ThreadEmail(e, cs, s.cfg.SupportAddress, firstNonEmpty(s.cfg.SenderName, "Customer service"), reply.MessageID, thread)
	}
	return e
}
