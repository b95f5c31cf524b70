package web

import (
	"github.com/frontdesk/frontdesk/portal"
	productconfig "github.com/frontdesk/frontdesk/product-config"
	"github.com/gofiber/fiber/v2"
)

// dropJSON is one earlier choice a repair would undo.
type dropJSON struct {
	Option  string `json:"option"`
	Exclude bool   `json:"exclude,omitempty"`
	Name    string `json:"name"`
}

// repairJSON proposes how to get an option the customer insists on.
type repairJSON struct {
	Want    productconfig.Choice   `json:"want"`
	Name    string                 `json:"name"`
	Drop    []dropJSON             `json:"drop"`
	Reason  string                 `json:"reason,omitempty"`
	Choices []productconfig.Choice `json:"choices"` // after the repair
}

// handleConfiguratorRepair answers POST /api/v1/configurator/:slug/repair:
// the smallest set of earlier choices to drop so that want becomes possible.
// Nothing changes until the page applies Choices.
func (cf *configurator) handleConfiguratorRepair(c *fiber.Ctx) error {
	t, err := cf.resolve(c)
	if err != nil {
		return err
	}
	if t.req.Want == nil {
		return portal.FieldError("want", "Say which option you want (want.option).")
	}
	r, err := t.engine.Repair(c.UserContext(), t.req.Choices, *t.req.Want)
	if err != nil {
		return configErr(err)
	}
	cat := t.engine.Catalog()
	out := repairJSON{Want: r.Want, Name: cat.Options[cat.OptionIndex(r.Want.Option)].Name, Drop: []dropJSON{}, Choices: productconfig.ApplyRepair(r)}
	for _, d := range r.Drop {
		out.Drop = append(out.Drop, dropJSON{Option: d.Option, Exclude: d.Exclude, Name: cat.Options[cat.OptionIndex(d.Option)].Name})
	}
	if r.Reason != nil {
		out.Reason = r.Reason.Text
	}
	return c.JSON(out)
}
