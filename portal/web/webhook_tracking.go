package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/gofiber/fiber/v2"
)

// handleTrackingWebhook accepts carrier updates. The order of checks makes
// sure nothing is stored unless the request is authentic, fresh and valid:
// unknown source 404, bad or stale signature 401, malformed body or unknown
// status 400, unknown tracking number 404.
func (s *Server) handleTrackingWebhook(c *fiber.Ctx) error {
	source := c.Params("source")
	secret, ok := s.cfg.WebhookSecrets[source]
	if !ok || len(secret) == 0 {
		return portal.Errorf(portal.ENOTFOUND, "Unknown webhook source %q.", source)
	}
	body := c.Body()
	if err := tracking.Verify(secret, c.Get(tracking.HeaderTimestamp), c.Get(tracking.HeaderSignature), body, s.now()); err != nil {
		return err
	}
	updates, err := tracking.Parse(source, body)
	if err != nil {
		return err
	}
	res, err := s.ingester.Ingest(c.UserContext(), updates)
	if err != nil {
		return err
	}
	return c.JSON(res)
}
