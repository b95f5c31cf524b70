package web

import (
	"mime"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// handleCaseAttachment serves a file of a case to the case's customer
// (under /account) and to agents (under /agent); anyone else gets 404, as
// for a file that does not exist.
func (s *Server) handleCaseAttachment(c *fiber.Ctx) error {
	u := currentUser(c)
	caseID, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	attID, _ := strconv.ParseInt(c.Params("att"), 10, 64)
	notFound := portal.Errorf(portal.ENOTFOUND, "File not found.")
	f := portal.CaseFilter{ID: &caseID, Limit: 1}
	if !u.Role.IsStaff() || strings.HasPrefix(c.Path(), "/account/") {
		f.CustomerID = &u.ID
	}
	cases, _, err := s.store.FindCases(c.UserContext(), f)
	if err != nil {
		return err
	}
	if len(cases) == 0 {
		return notFound
	}
	a, err := s.store.FindCaseAttachment(c.UserContext(), attID)
	if portal.IsNotFound(err) || (err == nil && a.CaseID != caseID) || (err == nil && a.StorageKey != portal.AttachmentInDB) {
		return notFound
	} else if err != nil {
		return err
	}
	data, err := s.store.CaseAttachmentData(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	// The file is the customer's, not ours: never let the browser run it
	// as a page of this site.
	disposition := "attachment"
	if strings.HasPrefix(a.ContentType, "image/") && a.ContentType != "image/svg+xml" || a.ContentType == "application/pdf" {
		disposition = "inline"
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename}))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(data)
}
