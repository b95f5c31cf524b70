package web

import (
	"strconv"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// handleQuoteOrder orders a quote. A quote priced with an older catalogue
// is re-checked and re-priced first; the customer must have seen the new
// price (the form carries the version they reviewed), otherwise they are
// sent back to the quote with the differences.
func (cf *configurator) handleQuoteOrder(c *fiber.Ctx) error {
	q, p, cfg, err := cf.loadQuote(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	u := currentUser(c)
	back := func(kind, msg string) error {
		cf.setFlash(c, kind, msg)
		return c.Redirect("/account/quotes/"+q.Number, fiber.StatusSeeOther)
	}
	if q.Status != portal.QuoteOpen {
		return back("error", "This quote has already been ordered.")
	}
	r, err := cf.recheck(ctx, p, q, cfg)
	if err != nil {
		return err
	}
	reviewed, _ := strconv.Atoi(c.FormValue("version"))
	if r.Stale {
		if r.Conflict != "" {
			return back("error", "This configuration is no longer possible: "+r.Conflict)
		}
		if reviewed != r.NewVersion {
			return back("error", "The catalogue changed since this quote was made. Check the new price below, then order again.")
		}
		nq, err := cf.store.RepriceQuote(ctx, q.ID, u.ID, portal.QuoteReprice{VersionID: r.version.ID, Config: mustJSON(r.New),
			Breakdown: mustJSON(r.New.Quote), Currency: r.New.Quote.Currency, TotalMinor: r.New.Quote.Total})
		if err != nil {
			return err
		}
		q, cfg = nq, r.New
	}
	total := q.TotalMinor
	o := &portal.Order{Email: u.Email, Status: portal.OrderPlaced, PaymentStatus: portal.PaymentPending, Currency: q.Currency,
		SubtotalMinor: total, TotalMinor: total, TaxMinor: total * 19 / 119, // prices include 19% VAT
		ShippingAddress: portal.Address{Name: u.Name, Postcode: u.Postcode}, BillingAddress: portal.Address{Name: u.Name, Postcode: u.Postcode},
		Items: []portal.OrderItem{{SKU: p.Slug + "-v" + strconv.Itoa(cfg.Version), Name: p.Name + " (configured)", Quantity: 1,
			UnitPriceMinor: total, TotalMinor: total, Config: mustJSON(cfg)}}}
	for try := 0; ; try++ {
		o.Number = newNumber("CF-", 8)
		err = cf.store.OrderQuote(ctx, q.ID, u.ID, o)
		if err == nil || try == 3 || portal.ErrorCode(err) != portal.EINVALID {
			break
		}
	}
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return back("error", portal.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	cf.setFlash(c, "ok", "Thank you! Order "+o.Number+" is placed and goes to production.")
	return c.Redirect("/account/orders/"+o.Number, fiber.StatusSeeOther)
}
