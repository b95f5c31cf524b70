package web

import (
	"context"
	"fmt"

	"github.com/frontdesk/frontdesk/portal"
	productconfig "github.com/frontdesk/frontdesk/product-config"
	"github.com/gofiber/fiber/v2"
)

// configRequest is what the configurator's JSON API receives. Version is
// the catalogue version the page was built with; 0 means the current one.
type configRequest struct {
	Version     int                    `json:"version"`
	Choices     []productconfig.Choice `json:"choices"`
	Want        *productconfig.Choice  `json:"want,omitempty"`
	UseDefaults bool                   `json:"use_defaults,omitempty"`
}

// configTarget is a resolved request: the product, its current version and
// engine, and the validated choices.
type configTarget struct {
	product *portal.Product
	version *portal.CatalogVersion
	engine  *productconfig.Engine
	req     configRequest
}

// resolve decodes a configurator API request and checks it against the
// current catalogue: a stale version or an unknown option is a clear 4xx.
func (cf *configurator) resolve(c *fiber.Ctx) (*configTarget, error) {
	var t configTarget
	if err := jsonBody(c, &t.req); err != nil {
		return nil, err
	}
	ctx := c.UserContext()
	var err error
	if t.product, err = cf.loadProduct(ctx, c.Params("slug")); err != nil {
		return nil, err
	}
	if t.version, err = cf.currentVersion(ctx, t.product); err != nil {
		return nil, err
	}
	if t.req.Version != 0 && t.req.Version != t.version.Version {
		return nil, &portal.Error{Code: portal.ECONFLICT, Fields: map[string]string{"version": fmt.Sprint(t.version.Version)},
			Message: fmt.Sprintf("The catalogue for %s has changed since you opened this page (your version %d, now version %d). Reload the page to continue with the current options and prices.",
				t.product.Name, t.req.Version, t.version.Version)}
	}
	if t.engine, err = cf.engine(t.version); err != nil {
		return nil, err
	}
	if err := checkChoices(t.engine.Catalog(), t.req.Choices); err != nil {
		return nil, err
	}
	if t.req.Want != nil {
		if err := checkChoices(t.engine.Catalog(), []productconfig.Choice{*t.req.Want}); err != nil {
			return nil, err
		}
	}
	return &t, nil
}

// optionJSON is one option's state as the page script shows it.
type optionJSON struct {
	ID        string `json:"id"`
	Chosen    bool   `json:"chosen,omitempty"`
	Excluded  bool   `json:"excluded,omitempty"`
	Available bool   `json:"available"`
	Forced    bool   `json:"forced,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// priceLineJSON is one line of the price breakdown, formatted.
type priceLineJSON struct {
	Label  string `json:"label"`
	Amount string `json:"amount"`
}

// stateJSON is the configurator's answer to every change.
type stateJSON struct {
	Product  string                 `json:"product"`
	Version  int                    `json:"version"`
	Choices  []productconfig.Choice `json:"choices"`
	Options  []optionJSON           `json:"options"`
	Complete bool                   `json:"complete"`
	Base     string                 `json:"base"`
	Lines    []priceLineJSON        `json:"lines"`
	Total    string                 `json:"total"`
	Quote    productconfig.Quote    `json:"quote"`
}

func newStateJSON(t *configTarget, st *productconfig.State) *stateJSON {
	out := &stateJSON{Product: t.product.Slug, Version: t.version.Version, Choices: st.Choices, Complete: st.Complete, Quote: st.Quote,
		Base: formatMoney(st.Quote.Base, st.Quote.Currency), Total: formatMoney(st.Quote.Total, st.Quote.Currency)}
	if out.Choices == nil {
		out.Choices = []productconfig.Choice{}
	}
	for _, o := range st.Options {
		oj := optionJSON{ID: o.ID, Chosen: o.Chosen, Excluded: o.Excluded, Available: o.Available, Forced: o.Forced}
		if o.Reason != nil {
			oj.Reason = o.Reason.Text
		}
		out.Options = append(out.Options, oj)
	}
	out.Lines = priceLines(st.Quote)
	return out
}

func priceLines(q productconfig.Quote) []priceLineJSON {
	lines := []priceLineJSON{}
	for _, l := range q.Lines {
		if l.Amount == 0 {
			continue
		}
		amt := formatMoney(l.Amount, q.Currency)
		if l.Amount > 0 {
			amt = "+" + amt
		}
		lines = append(lines, priceLineJSON{Label: l.Label, Amount: amt})
	}
	return lines
}

// evaluate computes the state of choices under t's engine.
func (t *configTarget) evaluate(ctx context.Context, choices []productconfig.Choice) (*stateJSON, error) {
	st, err := t.engine.Evaluate(ctx, choices)
	if err != nil {
		return nil, configErr(err)
	}
	return newStateJSON(t, st), nil
}

// handleConfiguratorEvaluate answers POST /api/v1/configurator/:slug/evaluate:
// every option's state, reasons and the live price after a choice.
func (cf *configurator) handleConfiguratorEvaluate(c *fiber.Ctx) error {
	t, err := cf.resolve(c)
	if err != nil {
		return err
	}
	out, err := t.evaluate(c.UserContext(), t.req.Choices)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
