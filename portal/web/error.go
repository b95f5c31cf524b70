package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// codeStatuses pairs each domain error code with its HTTP status. It is the
// only place that does; both directions below read it.
var codeStatuses = []struct {
	code   string
	status int
}{
	{portal.EINVALID, fiber.StatusBadRequest},
	{portal.EUNAUTHORIZED, fiber.StatusUnauthorized},
	{portal.EFORBIDDEN, fiber.StatusForbidden},
	{portal.ENOTFOUND, fiber.StatusNotFound},
	{portal.ECONFLICT, fiber.StatusConflict},
	{portal.ETOOLARGE, fiber.StatusRequestEntityTooLarge},
	{portal.ETOOMANY, fiber.StatusTooManyRequests},
	{portal.EUNAVAILABLE, fiber.StatusServiceUnavailable},
	{portal.ENOTIMPLEMENTED, fiber.StatusNotImplemented},
}

// statusOf maps a domain error code to its HTTP status.
func statusOf(code string) int {
	for _, cs := range codeStatuses {
		if cs.code == code {
			return cs.status
		}
	}
	return fiber.StatusInternalServerError
}

// codeOfStatus maps the status of a fiber error (a 404 from routing, a 413
// from the body limit) back to a domain code.
func codeOfStatus(status int) (string, bool) {
	if status == fiber.StatusMethodNotAllowed {
		return portal.ENOTFOUND, true
	}
	for _, cs := range codeStatuses {
		if cs.status == status && cs.code != portal.ENOTIMPLEMENTED {
			return cs.code, true
		}
	}
	return "", false
}

var messages = map[string]string{
	portal.ENOTFOUND:    "We could not find that page.",
	portal.ETOOLARGE:    "That request is too large.",
	portal.EINVALID:     "That request was not valid.",
	portal.EFORBIDDEN:   "You do not have access to this page.",
	portal.EUNAVAILABLE: "The service is not available right now. Try again in a moment.",
}

// retryAfterError is a rate-limit error that says when to come back.
type retryAfterError struct {
	err     *portal.Error
	seconds int
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// handleError renders any error: JSON under /api/, an HTML page elsewhere.
// Only internal errors are logged; users see their message, never causes.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	code := portal.ErrorCode(err)
	msg := portal.ErrorMessage(err)
	var fe *fiber.Error
	clientStatus := 0
	if errors.As(err, &fe) {
		if c2, ok := codeOfStatus(fe.Code); ok {
			code, msg = c2, messages[c2]
			if msg == "" {
				msg = fe.Message
			}
		} else if fe.Code >= 400 && fe.Code < 500 {
			// The client's fault with no domain code (431 for oversized
			// headers, 408 for a slow request): its own status, not a 500.
			code, msg, clientStatus = portal.EINVALID, fe.Message, fe.Code
		}
	}
	var ra *retryAfterError
	if errors.As(err, &ra) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(ra.seconds))
	}
	status := statusOf(code)
	if clientStatus != 0 {
		status = clientStatus
	}
	if code == portal.EINTERNAL {
		s.log.Error("internal error", "method", c.Method(), "path", c.Path(), "err", err)
		msg = "Internal error."
	}
	var fields map[string]string
	var pe *portal.Error
	if errors.As(err, &pe) {
		fields = pe.Fields
	}
	if isAPI(c) || strings.Contains(c.Get(fiber.HeaderAccept), "application/json") && !strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
		body := fiber.Map{"code": code, "message": msg}
		if len(fields) > 0 {
			body["fields"] = fields
		}
		var be *portal.BulkError
		if errors.As(err, &be) {
			items := map[string]string{}
			for i, m := range be.Items {
				items[strconv.Itoa(i)] = m
			}
			body["items"] = items
		}
		return c.Status(status).JSON(fiber.Map{"error": body})
	}
	title := map[int]string{400: "Something is not right", 401: "Please sign in", 403: "Not allowed", 404: "Page not found",
		409: "Conflict", 413: "Too large", 429: "Slow down", 431: "Too large", 503: "Unavailable"}[status]
	if title == "" {
		title = "Something went wrong"
	}
	if rerr := s.render(c, status, "error", title, fiber.Map{"Message": msg}); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		return c.Status(status).SendString(msg)
	}
	return nil
}

func (s *Server) handleNotFound(c *fiber.Ctx) error {
	return portal.Errorf(portal.ENOTFOUND, "We could not find that page.")
}
