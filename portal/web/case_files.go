package web

import (
	"context"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/casefiles"
	"github.com/gofiber/fiber/v2"
)

// caseUploads stores the files of a multipart form's "files" field and
// returns them as attachments to record once their entry exists. A form
// without files gives none.
func (s *Server) caseUploads(c *fiber.Ctx) ([]*portal.CaseAttachment, error) {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return nil, nil
	}
	form, err := c.MultipartForm()
	if err != nil {
		return nil, portal.Errorf(portal.EINVALID, "The form could not be read; try again.")
	}
	var files []*multipart.FileHeader
	for _, fh := range form.File["files"] {
		if fh.Filename != "" || fh.Size > 0 {
			files = append(files, fh)
		}
	}
	if len(files) == 0 {
		return nil, nil
	}
	if s.cfg.Attachments == nil {
		return nil, portal.FieldError("files", "Files cannot be attached here.")
	}
	if len(files) > casefiles.MaxFiles {
		return nil, portal.FieldError("files", "Attach at most "+strconv.Itoa(casefiles.MaxFiles)+" files.")
	}
	var out []*portal.CaseAttachment
	for _, fh := range files {
		name := casefiles.CleanName(fh.Filename)
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		key, size, ct, err := s.cfg.Attachments.Put(name, f, casefiles.MaxFileSize)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, &portal.CaseAttachment{Filename: name, ContentType: ct, Size: size, StorageKey: key})
	}
	return out, nil
}

// attach records stored files as attachments of an entry.
func (s *Server) attach(ctx context.Context, entryID int64, atts []*portal.CaseAttachment) error {
	for _, a := range atts {
		a.EntryID = entryID
		if err := s.store.AddCaseAttachment(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// sendAttachment sends an attachment of case caseID as a download.
func (s *Server) sendAttachment(c *fiber.Ctx, caseID int64) error {
	aid, _ := strconv.ParseInt(c.Params("aid"), 10, 64)
	a, err := s.store.FindCaseAttachment(c.UserContext(), aid)
	if err != nil {
		return err
	}
	if a.CaseID != caseID || s.cfg.Attachments == nil {
		return portal.Errorf(portal.ENOTFOUND, "File not found.")
	}
	f, err := s.cfg.Attachments.Open(a.StorageKey)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.Map(func(r rune) rune {
		if r > 126 {
			return '_'
		}
		return r
	}, a.Filename)+`"; filename*=UTF-8''`+url.PathEscape(a.Filename))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	return c.SendStream(f, int(a.Size))
}

// handleCaseFileCustomer sends an attachment of the customer's own case.
func (s *Server) handleCaseFileCustomer(c *fiber.Ctx) error {
	cs, err := s.customerCase(c)
	if err != nil {
		return err
	}
	return s.sendAttachment(c, cs.ID)
}

// handleCaseFileStaff sends an attachment of any case to staff.
func (s *Server) handleCaseFileStaff(c *fiber.Ctx) error {
	return s.sendAttachment(c, caseIDParam(c))
}
