package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// Checkout of a configured product: a saved quote goes through three
// steps, each a plain form (no JavaScript needed) that carries the
// choices so far in its URL: the delivery address (from the address book,
// or a new one saved to it), the delivery option, and a confirmation page
// with everything the order will keep. handleQuoteOrder places it.

// checkoutPage is what the checkout template receives.
type checkoutPage struct {
	Quote     *portal.Quote
	Product   *portal.Product
	Config    *configuration
	Lines     []priceLineJSON
	Version   int
	Step      string // address, delivery or confirm
	Addresses []*portal.CustomerAddress
	Address   *portal.CustomerAddress
	Options   []deliveryOption
	Delivery  *deliveryOption
	Subtotal  string
	Shipping  string
	Total     string
	Form      portal.Address
	Fields    map[string]string
	Error     string
}

// checkoutURL is the checkout page with the choices so far.
func checkoutURL(number string, version int, addressID int64, delivery string) string {
	v := url.Values{"version": {strconv.Itoa(version)}}
	if addressID != 0 {
		v.Set("address", strconv.FormatInt(addressID, 10))
	}
	if delivery != "" {
		v.Set("delivery", delivery)
	}
	return "/account/quotes/" + url.PathEscape(number) + "/checkout?" + v.Encode()
}

// checkoutState loads the quote and re-checks it against the catalogue:
// the configuration to order is the quote's, or its re-priced version
// when the customer has reviewed the new price (version).
func (cf *configurator) checkoutState(c *fiber.Ctx, version int) (*checkoutPage, *quoteRecheck, error) {
	q, p, cfg, err := cf.loadQuote(c)
	if err != nil {
		return nil, nil, err
	}
	if q.Status != portal.QuoteOpen {
		return nil, nil, portal.Errorf(portal.ECONFLICT, "This quote has already been ordered.")
	}
	r, err := cf.recheck(c.UserContext(), p, q, cfg)
	if err != nil {
		return nil, nil, err
	}
	if r.Stale {
		if r.Conflict != "" {
			return nil, r, portal.Errorf(portal.ECONFLICT, "This configuration is no longer possible: %s", r.Conflict)
		}
		if version != r.NewVersion {
			return nil, r, portal.Errorf(portal.ECONFLICT, "The catalogue changed since this quote was made. Check the new price below, then order again.")
		}
		cfg = r.New
	}
	return &checkoutPage{Quote: q, Product: p, Config: cfg, Lines: priceLines(cfg.Quote), Version: r.NewVersion, Fields: map[string]string{}}, r, nil
}

// choose fills the page's address and delivery from their ids; unknown
// or another customer's address is ENOTFOUND, an unknown option EINVALID.
func (cf *configurator) choose(c *fiber.Ctx, pg *checkoutPage, addressID, delivery string) error {
	u := currentUser(c)
	if addressID != "" {
		id, err := strconv.ParseInt(addressID, 10, 64)
		if err != nil {
			return portal.FieldError("address", "Choose a delivery address.")
		}
		if pg.Address, err = cf.store.FindAddress(c.UserContext(), id, u.ID); err != nil {
			return err
		}
	}
	if delivery != "" {
		if pg.Delivery = deliveryOptionByID(delivery); pg.Delivery == nil {
			return portal.FieldError("delivery", "Choose one of the delivery options.")
		}
	}
	cur := pg.Config.Quote.Currency
	pg.Subtotal = formatMoney(pg.Config.Quote.Total, cur)
	if pg.Delivery != nil {
		pg.Shipping = formatMoney(pg.Delivery.PriceMinor, cur)
		pg.Total = formatMoney(pg.Config.Quote.Total+pg.Delivery.PriceMinor, cur)
	}
	return nil
}

// handleQuoteCheckout shows the checkout step the URL's choices lead to.
func (cf *configurator) handleQuoteCheckout(c *fiber.Ctx) error {
	version, _ := strconv.Atoi(c.Query("version"))
	pg, _, err := cf.checkoutState(c, version)
	if portal.ErrorCode(err) == portal.ECONFLICT {
		cf.setFlash(c, "error", portal.ErrorMessage(err))
		return c.Redirect("/account/quotes/"+c.Params("number"), fiber.StatusSeeOther)
	} else if err != nil {
		return err
	}
	if err := cf.choose(c, pg, c.Query("address"), c.Query("delivery")); err != nil {
		return err
	}
	return cf.renderCheckout(c, fiber.StatusOK, pg)
}

func (cf *configurator) renderCheckout(c *fiber.Ctx, status int, pg *checkoutPage) error {
	switch {
	case pg.Address == nil:
		pg.Step = "address"
		as, err := cf.store.FindAddresses(c.UserContext(), currentUser(c).ID)
		if err != nil {
			return err
		}
		pg.Addresses = as
		if pg.Form == (portal.Address{}) {
			pg.Form = portal.Address{Name: currentUser(c).Name, Postcode: currentUser(c).Postcode}
		}
	case pg.Delivery == nil:
		pg.Step = "delivery"
	default:
		pg.Step = "confirm"
	}
	pg.Options = deliveryOptions
	return cf.render(c, status, "quote_checkout", "Checkout: "+pg.Product.Name, pg)
}

// handleQuoteCheckoutAddress saves a new address to the address book
// and continues the checkout with it.
func (cf *configurator) handleQuoteCheckoutAddress(c *fiber.Ctx) error {
	version, _ := strconv.Atoi(c.FormValue("version"))
	pg, _, err := cf.checkoutState(c, version)
	if portal.ErrorCode(err) == portal.ECONFLICT {
		cf.setFlash(c, "error", portal.ErrorMessage(err))
		return c.Redirect("/account/quotes/"+c.Params("number"), fiber.StatusSeeOther)
	} else if err != nil {
		return err
	}
	a := &portal.CustomerAddress{Address: addressForm(c), CustomerID: currentUser(c).ID, Default: c.FormValue("default") == "1"}
	if err := cf.store.CreateAddress(c.UserContext(), a); portal.ErrorCode(err) == portal.EINVALID {
		pg.Form, pg.Fields, pg.Error = a.Address, fieldErrors(err), portal.ErrorMessage(err)
		return cf.renderCheckout(c, fiber.StatusBadRequest, pg)
	} else if err != nil {
		return err
	}
	return c.Redirect(checkoutURL(pg.Quote.Number, pg.Version, a.ID, ""), fiber.StatusSeeOther)
}

// handleQuoteOrder places the order from the confirmation step. A quote
// priced with an older catalogue is re-checked and re-priced first; the
// customer must have seen the new price (the form carries the version
// they reviewed), otherwise they are sent back to the quote with the
// differences. Without an address and a delivery option the customer is
// sent to the checkout.
func (cf *configurator) handleQuoteOrder(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	version, _ := strconv.Atoi(c.FormValue("version"))
	pg, r, err := cf.checkoutState(c, version)
	if portal.ErrorCode(err) == portal.ECONFLICT {
		cf.setFlash(c, "error", portal.ErrorMessage(err))
		return c.Redirect("/account/quotes/"+c.Params("number"), fiber.StatusSeeOther)
	} else if err != nil {
		return err
	}
	if c.FormValue("address") == "" || c.FormValue("delivery") == "" {
		return c.Redirect(checkoutURL(pg.Quote.Number, pg.Version, 0, ""), fiber.StatusSeeOther)
	}
	if err := cf.choose(c, pg, c.FormValue("address"), c.FormValue("delivery")); err != nil {
		return err
	}
	q, cfg := pg.Quote, pg.Config
	if r.Stale {
		nq, err := cf.store.RepriceQuote(ctx, q.ID, u.ID, portal.QuoteReprice{VersionID: r.version.ID, Config: mustJSON(cfg),
			Breakdown: mustJSON(cfg.Quote), Currency: cfg.Quote.Currency, TotalMinor: cfg.Quote.Total})
		if err != nil {
			return err
		}
		q = nq
	}
	p, addr, del := pg.Product, pg.Address.Address, pg.Delivery
	subtotal := q.TotalMinor
	total := subtotal + del.PriceMinor
	o := &portal.Order{Email: u.Email, Status: portal.OrderPlaced, PaymentStatus: portal.PaymentPending, Currency: q.Currency,
		SubtotalMinor: subtotal, ShippingMinor: del.PriceMinor, TotalMinor: total, TaxMinor: total * 19 / 119, // prices include 19% VAT
		ShippingAddress: addr, BillingAddress: addr, DeliveryOption: del.ID,
		Items: []portal.OrderItem{{SKU: p.Slug + "-v" + strconv.Itoa(cfg.Version), Name: p.Name + " (configured)", Quantity: 1,
			UnitPriceMinor: subtotal, TotalMinor: subtotal, Config: mustJSON(cfg)}}}
	for try := 0; ; try++ {
		o.Number = newNumber("CF-", 8)
		err = cf.store.CheckoutQuote(ctx, portal.QuoteCheckout{QuoteID: q.ID, CustomerID: u.ID, Order: o,
			Email:           cf.confirmationEmail(u, o, p, cfg, del),
			ProductionOrder: func(o *portal.Order) any { return productionOrder(o, p, cfg, del) }})
		if err == nil || try == 3 || portal.ErrorCode(err) != portal.EINVALID {
			break
		}
	}
	if portal.ErrorCode(err) == portal.ECONFLICT {
		cf.setFlash(c, "error", portal.ErrorMessage(err))
		return c.Redirect("/account/quotes/"+q.Number, fiber.StatusSeeOther)
	} else if err != nil {
		return err
	}
	cf.setFlash(c, "ok", "Thank you! Order "+o.Number+" is placed and goes to production. We have sent you a confirmation by email.")
	return c.Redirect("/account/orders/"+o.Number, fiber.StatusSeeOther)
}

// confirmationEmail tells the customer everything the order keeps.
func (cf *configurator) confirmationEmail(u *portal.User, o *portal.Order, p *portal.Product, cfg *configuration, del *deliveryOption) *portal.Email {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello%s,\n\nthank you for your order %s. We build it to your configuration:\n\n%s (catalogue version %d)\n", namePart(u), o.Number, p.Name, cfg.Version)
	for _, s := range cfg.Selected {
		fmt.Fprintf(&b, "  - %s\n", s.Name)
	}
	cur := cfg.Quote.Currency
	fmt.Fprintf(&b, "\nPrice\n  Base price: %s\n", formatMoney(cfg.Quote.Base, cur))
	for _, l := range priceLines(cfg.Quote) {
		fmt.Fprintf(&b, "  %s: %s\n", l.Label, l.Amount)
	}
	fmt.Fprintf(&b, "  %s: %s\n  Total: %s (including VAT)\n\n", del.Label, formatMoney(del.PriceMinor, cur), formatMoney(o.TotalMinor, cur))
	fmt.Fprintf(&b, "Delivery: %s, %s\nTo: %s\n\nPayment is taken when your order ships. Until we pack it you can change the address or cancel:\n%s\n",
		del.Label, del.Detail, o.ShippingAddress.OneLine(), cf.cfg.BaseURL+"/account/orders/"+o.Number)
	return &portal.Email{To: u.Email, Subject: "Order " + o.Number + " confirmed: " + p.Name, Body: b.String()}
}

// productionOption is one line of the bill of options.
type productionOption struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Group string `json:"group,omitempty"`
	Price int64  `json:"price_minor"`
}

// productionOrder is the order.configured webhook's payload: what the
// back office needs to build and ship the product.
func productionOrder(o *portal.Order, p *portal.Product, cfg *configuration, del *deliveryOption) any {
	opts := []productionOption{}
	for _, s := range cfg.Selected {
		opts = append(opts, productionOption{ID: s.ID, Name: s.Name, Group: s.Group, Price: s.Price})
	}
	return map[string]any{
		"order_number":     o.Number,
		"customer_email":   o.Email,
		"placed_at":        o.PlacedAt,
		"product":          map[string]string{"slug": p.Slug, "name": p.Name},
		"catalog_version":  cfg.Version,
		"options":          opts,
		"price_lines":      cfg.Quote.Lines,
		"base_minor":       cfg.Quote.Base,
		"subtotal_minor":   o.SubtotalMinor,
		"shipping_minor":   o.ShippingMinor,
		"total_minor":      o.TotalMinor,
		"tax_minor":        o.TaxMinor,
		"currency":         o.Currency,
		"shipping_address": o.ShippingAddress,
		"delivery":         map[string]string{"id": del.ID, "label": del.Label},
	}
}
