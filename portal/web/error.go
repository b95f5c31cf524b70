package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// statusOf maps a domain error code to its HTTP status. It is the only
// place that does.
func statusOf(code string) int {
	switch code {
	case portal.EINVALID:
		return fiber.StatusBadRequest
	case portal.EUNAUTHORIZED:
		return fiber.StatusUnauthorized
	case portal.EFORBIDDEN:
		return fiber.StatusForbidden
	case portal.ENOTFOUND:
		return fiber.StatusNotFound
	case portal.ECONFLICT:
		return fiber.StatusConflict
	case portal.ETOOLARGE:
		return fiber.StatusRequestEntityTooLarge
	case portal.ETOOMANY:
		return fiber.StatusTooManyRequests
	case portal.EUNAVAILABLE:
		return fiber.StatusServiceUnavailable
	case portal.ENOTIMPLEMENTED:
		return fiber.StatusNotImplemented
	}
	return fiber.StatusInternalServerError
}

var fiberCodes = map[int]string{
	fiber.StatusBadRequest:            portal.EINVALID,
	fiber.StatusUnauthorized:          portal.EUNAUTHORIZED,
	fiber.StatusForbidden:             portal.EFORBIDDEN,
	fiber.StatusNotFound:              portal.ENOTFOUND,
	fiber.StatusMethodNotAllowed:      portal.ENOTFOUND,
	fiber.StatusConflict:              portal.ECONFLICT,
	fiber.StatusRequestEntityTooLarge: portal.ETOOLARGE,
	fiber.StatusTooManyRequests:       portal.ETOOMANY,
	fiber.StatusServiceUnavailable:    portal.EUNAVAILABLE,
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
	if errors.As(err, &fe) {
		if c2, ok := fiberCodes[fe.Code]; ok {
			code, msg = c2, messages[c2]
			if msg == "" {
				msg = fe.Message
			}
		}
	}
	var ra *retryAfterError
	if errors.As(err, &ra) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(ra.seconds))
	}
	status := statusOf(code)
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
		409: "Conflict", 413: "Too large", 429: "Slow down", 503: "Unavailable"}[status]
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
