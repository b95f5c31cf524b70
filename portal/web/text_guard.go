package web

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// errBadText answers input that is not valid UTF-8 or holds a NUL
// character: neither store can keep it (PostgreSQL refuses both), and no
// person types it.
var errBadText = portal.Errorf(portal.EINVALID, "The request contains text that is not valid UTF-8, or a NUL character.")

// checkText rejects, with 400, requests whose path, query, headers, form
// fields or JSON body hold invalid UTF-8 or NUL, before any handler (or
// store) sees them. Uploaded files are left to their importers.
func (s *Server) checkText(c *fiber.Ctx) error {
	req := c.Request()
	if !validTextBytes(req.URI().Path()) {
		return errBadText
	}
	ok := true
	visit := func(k, v []byte) {
		if ok && (!validTextBytes(k) || !validTextBytes(v)) {
			ok = false
		}
	}
	req.URI().QueryArgs().VisitAll(visit)
	req.Header.VisitAll(visit)
	if !ok {
		return errBadText
	}
	if len(req.Body()) == 0 && !req.IsBodyStream() {
		return c.Next()
	}
	ct := strings.ToLower(string(req.Header.ContentType()))
	switch {
	case strings.HasPrefix(ct, fiber.MIMEApplicationForm):
		req.PostArgs().VisitAll(visit)
	case strings.HasPrefix(ct, fiber.MIMEMultipartForm):
		if f, err := c.MultipartForm(); err == nil {
			for k, vs := range f.Value {
				ok = ok && portal.ValidText(k)
				for _, v := range vs {
					ok = ok && portal.ValidText(v)
				}
			}
		}
	case strings.Contains(ct, "json"), ct == "" && bytes.HasPrefix(bytes.TrimSpace(req.Body()), []byte("{")):
		ok = validJSONText(req.Body())
	}
	if !ok {
		return errBadText
	}
	return c.Next()
}

func validTextBytes(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// validJSONText reports whether a JSON document is valid UTF-8 and holds
// no NUL, raw or escaped.
func validJSONText(b []byte) bool { return portal.ValidJSONText(b) }
