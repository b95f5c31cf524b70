package web

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// saveQuote finishes the customer's configuration and stores it as a quote
// priced with the current version.
func (cf *configurator) saveQuote(ctx context.Context, u *portal.User, t *configTarget) (*portal.Quote, error) {
	cfg, err := finish(ctx, t.engine, t.product, t.version, t.req.Choices)
	if err != nil {
		return nil, err
	}
	q := &portal.Quote{CustomerID: u.ID, ProductID: t.product.ID, VersionID: t.version.ID, Config: mustJSON(cfg),
		Breakdown: mustJSON(cfg.Quote), Currency: cfg.Quote.Currency, TotalMinor: cfg.Quote.Total}
	for try := 0; ; try++ {
		q.Number = newNumber("Q-", 8)
		err = cf.store.CreateQuote(ctx, q)
		if err == nil || try == 3 || portal.ErrorCode(err) != portal.EINVALID {
			break
		}
	}
	return q, err
}

// handleQuoteCreateAPI answers POST /api/v1/configurator/:slug/quotes.
func (cf *configurator) handleQuoteCreateAPI(c *fiber.Ctx) error {
	t, err := cf.resolve(c)
	if err != nil {
		return err
	}
	q, err := cf.saveQuote(c.UserContext(), currentUser(c), t)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"number": q.Number, "url": "/account/quotes/" + q.Number,
		"total": formatMoney(q.TotalMinor, q.Currency), "version": t.version.Version})
}

// handleQuoteCreate saves the configurator form as a quote and shows it.
func (cf *configurator) handleQuoteCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	slug := c.Params("slug")
	back := func(msg string) error {
		cf.setFlash(c, "error", msg)
		return c.Redirect("/configure/"+slug, fiber.StatusSeeOther)
	}
	t := &configTarget{}
	var err error
	if t.product, err = cf.loadProduct(ctx, slug); err != nil {
		return err
	}
	if t.version, err = cf.currentVersion(ctx, t.product); err != nil {
		return err
	}
	if v, _ := strconv.Atoi(c.FormValue("version")); v != t.version.Version {
		return back("The catalogue changed while you were configuring. Please check your choices again.")
	}
	if err := json.Unmarshal([]byte(c.FormValue("choices")), &t.req.Choices); err != nil {
		return back("Your choices could not be read. Please try again.")
	}
	if t.engine, err = cf.engine(t.version); err != nil {
		return err
	}
	if err := checkChoices(t.engine.Catalog(), t.req.Choices); err != nil {
		return back(portal.ErrorMessage(err))
	}
	q, err := cf.saveQuote(ctx, currentUser(c), t)
	if code := portal.ErrorCode(err); code == portal.ECONFLICT || code == portal.EINVALID {
		cf.setFlash(c, "error", portal.ErrorMessage(err))
		return c.Redirect("/configure/"+slug+"?"+choicesQuery(t.req.Choices), fiber.StatusSeeOther)
	} else if err != nil {
		return err
	}
	cf.setFlash(c, "ok", "Quote "+q.Number+" saved. You can order it any time.")
	return c.Redirect("/account/quotes/"+q.Number, fiber.StatusSeeOther)
}
