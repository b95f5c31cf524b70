package web

import (
	productconfig "github.com/frontdesk/frontdesk/product-config"
	"github.com/gofiber/fiber/v2"
)

// handleConfiguratorComplete answers POST /api/v1/configurator/:slug/complete:
// the customer's choices filled with the cheapest valid configuration (or
// the editor's recommendations first, with use_defaults), as a new state
// whose choices the page adopts.
func (cf *configurator) handleConfiguratorComplete(c *fiber.Ctx) error {
	t, err := cf.resolve(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	comp, err := t.engine.Complete(ctx, t.req.Choices, productconfig.CompleteOptions{UseDefaults: t.req.UseDefaults})
	if err != nil {
		return configErr(err)
	}
	choices := append([]productconfig.Choice(nil), t.req.Choices...)
	have := map[string]bool{}
	for _, ch := range choices {
		have[ch.Option] = true
	}
	for _, id := range comp.Selected {
		if !have[id] {
			choices = append(choices, productconfig.Choice{Option: id})
		}
	}
	out, err := t.evaluate(ctx, choices)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
