package web

import (
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/gofiber/fiber/v2"
)

// webhooksPage is what the outbound webhooks admin page receives.
type webhooksPage struct {
	Endpoints  []*portal.WebhookEndpoint
	Deliveries []*portal.WebhookDelivery
	Total      int
	Status     string   // the deliveries' status filter
	Statuses   []string // the filter's choices
	EventTypes []string
	NewSecret  string
	SecretFor  string // the URL the new secret belongs to
	Error      string
	Form       portal.WebhookEndpoint
}

func (s *Server) renderWebhooks(c *fiber.Ctx, status int, p webhooksPage) error {
	ctx := c.UserContext()
	eps, err := s.store.FindWebhookEndpoints(ctx)
	if err != nil {
		return err
	}
	p.Status = c.Query("status")
	p.Statuses = []string{portal.DeliveryScheduled, portal.DeliveryRetrying, portal.DeliveryDelivered, portal.DeliveryGaveUp}
	if p.Status != "" && !oneOf(p.Status, p.Statuses) {
		return portal.Errorf(portal.EINVALID, "Unknown delivery status %q.", p.Status)
	}
	ds, total, err := s.store.FindWebhookDeliveries(ctx, portal.WebhookDeliveryFilter{Status: p.Status, Limit: 100})
	if err != nil {
		return err
	}
	p.Endpoints, p.Deliveries, p.Total, p.EventTypes = eps, ds, total, append([]string{"*"}, portal.WebhookEventTypes...)
	return s.render(c, status, "admin_webhooks", "Webhooks", p)
}

// handleWebhookList shows the endpoints and the latest deliveries.
func (s *Server) handleWebhookList(c *fiber.Ctx) error {
	return s.renderWebhooks(c, fiber.StatusOK, webhooksPage{})
}

func newWebhookSecret() string { return "whsec_" + auth.NewToken() }

// handleWebhookCreate adds an endpoint with a generated secret, shown once.
func (s *Server) handleWebhookCreate(c *fiber.Ctx) error {
	var events []string
	for _, v := range c.Request().PostArgs().PeekMulti("event") {
		events = append(events, string(v))
	}
	for _, p := range strings.Split(c.FormValue("patterns"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			events = append(events, p)
		}
	}
	e := &portal.WebhookEndpoint{URL: c.FormValue("url"), Description: c.FormValue("description"), Events: events, Secret: newWebhookSecret()}
	if err := s.store.CreateWebhookEndpoint(c.UserContext(), e); portal.ErrorCode(err) == portal.EINVALID {
		e.Secret = ""
		return s.renderWebhooks(c, fiber.StatusBadRequest, webhooksPage{Error: portal.ErrorMessage(err), Form: *e})
	} else if err != nil {
		return err
	}
	s.audit(c, "webhook.create", "webhook_endpoint", strconv.FormatInt(e.ID, 10), e.URL+" "+strings.Join(e.Events, ","))
	return s.renderWebhooks(c, fiber.StatusOK, webhooksPage{NewSecret: e.Secret, SecretFor: e.URL})
}

// webhookEndpoint loads the endpoint named by the :id parameter.
func (s *Server) webhookEndpoint(c *fiber.Ctx) (*portal.WebhookEndpoint, error) {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	eps, err := s.store.FindWebhookEndpoints(c.UserContext())
	if err != nil {
		return nil, err
	}
	for _, e := range eps {
		if e.ID == id {
			return e, nil
		}
	}
	return nil, portal.Errorf(portal.ENOTFOUND, "Webhook endpoint not found.")
}

// handleWebhookAction disables, enables, deletes an endpoint or rolls its secret.
func (s *Server) handleWebhookAction(c *fiber.Ctx) error {
	e, err := s.webhookEndpoint(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	action := c.Params("action")
	msg := ""
	switch action {
	case "disable":
		now := s.now()
		e.DisabledAt, msg = &now, "Endpoint disabled: new events are not sent to it."
	case "enable":
		e.DisabledAt, msg = nil, "Endpoint enabled."
	case "secret":
		e.Secret = newWebhookSecret()
	case "delete":
		if err := s.store.DeleteWebhookEndpoint(ctx, e.ID); err != nil {
			return err
		}
		s.audit(c, "webhook.delete", "webhook_endpoint", c.Params("id"), e.URL)
		s.setFlash(c, "ok", "Endpoint deleted with its deliveries.")
		return c.Redirect("/admin/webhooks", fiber.StatusSeeOther)
	}
	if err := s.store.UpdateWebhookEndpoint(ctx, e); err != nil {
		return err
	}
	s.audit(c, "webhook."+action, "webhook_endpoint", c.Params("id"), e.URL)
	if action == "secret" {
		return s.renderWebhooks(c, fiber.StatusOK, webhooksPage{NewSecret: e.Secret, SecretFor: e.URL})
	}
	s.setFlash(c, "ok", msg)
	return c.Redirect("/admin/webhooks", fiber.StatusSeeOther)
}

// handleWebhookResend schedules a delivery again, with the same event id.
func (s *Server) handleWebhookResend(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	if err := s.store.ResendWebhookDelivery(c.UserContext(), id, s.now()); err != nil {
		return err
	}
	s.audit(c, "webhook.resend", "webhook_delivery", c.Params("id"), "")
	s.setFlash(c, "ok", "Delivery scheduled again; it keeps its event id, so the receiver can tell it is a re-delivery.")
	return c.Redirect("/admin/webhooks", fiber.StatusSeeOther)
}
