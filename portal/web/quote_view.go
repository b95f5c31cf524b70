package web

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/frontdesk/frontdesk/portal"
	productconfig "github.com/frontdesk/frontdesk/product-config"
	"github.com/gofiber/fiber/v2"
)

// priceChange is an option whose price changed between versions.
type priceChange struct {
	Name, Old, New string
}

// quoteRecheck compares a quote with the current catalogue.
type quoteRecheck struct {
	Stale                  bool
	OldVersion, NewVersion int
	// Conflict explains why the quoted configuration is no longer possible.
	Conflict string
	Added    []selectedOption
	Removed  []selectedOption
	Changed  []priceChange
	OldTotal string
	NewTotal string
	New      *configuration
	version  *portal.CatalogVersion
}

// quotePage is what the quote template receives.
type quotePage struct {
	Quote   *portal.Quote
	Product *portal.Product
	Config  *configuration
	Lines   []priceLineJSON
	Total   string
	Recheck *quoteRecheck
	Order   *portal.Order
}

// loadQuote finds the signed-in customer's quote by number; another
// customer's quote is "not found", like one that does not exist.
func (cf *configurator) loadQuote(c *fiber.Ctx) (*portal.Quote, *portal.Product, *configuration, error) {
	u := currentUser(c)
	ctx := c.UserContext()
	number := c.Params("number")
	qs, _, err := cf.store.FindQuotes(ctx, portal.QuoteFilter{Number: &number, CustomerID: &u.ID, Limit: 1})
	if err != nil {
		return nil, nil, nil, err
	}
	if len(qs) == 0 {
		return nil, nil, nil, portal.Errorf(portal.ENOTFOUND, "We could not find that quote in your account.")
	}
	q := qs[0]
	ps, _, err := cf.store.FindProducts(ctx, portal.ProductFilter{ID: &q.ProductID, Limit: 1})
	if err != nil {
		return nil, nil, nil, err
	}
	if len(ps) == 0 {
		return nil, nil, nil, portal.Errorf(portal.ENOTFOUND, "The product of this quote no longer exists.")
	}
	var cfg configuration
	if err := json.Unmarshal([]byte(q.Config), &cfg); err != nil {
		return nil, nil, nil, fmt.Errorf("quote %d: config: %w", q.ID, err)
	}
	return q, ps[0], &cfg, nil
}

// recheck re-checks and re-prices a quote against the current version: the
// quoted options that still exist are kept where the rules allow, the rest
// completed at the lowest price, and the differences listed.
func (cf *configurator) recheck(ctx context.Context, p *portal.Product, q *portal.Quote, old *configuration) (*quoteRecheck, error) {
	cur, err := cf.currentVersion(ctx, p)
	if err != nil {
		return nil, err
	}
	r := &quoteRecheck{OldVersion: q.Version, NewVersion: cur.Version, version: cur, OldTotal: formatMoney(q.TotalMinor, q.Currency)}
	if cur.ID == q.VersionID {
		return r, nil
	}
	r.Stale = true
	e, err := cf.engine(cur)
	if err != nil {
		return nil, err
	}
	cat := e.Catalog()
	exists := func(cs []productconfig.Choice) []productconfig.Choice {
		var out []productconfig.Choice
		for _, ch := range cs {
			if cat.OptionIndex(ch.Option) >= 0 {
				out = append(out, ch)
			}
		}
		return out
	}
	var wanted []productconfig.Choice
	for _, s := range old.Selected {
		wanted = append(wanted, productconfig.Choice{Option: s.ID})
	}
	var comp *productconfig.Completion
	for _, choices := range [][]productconfig.Choice{exists(wanted), exists(old.Choices)} {
		comp, err = e.Complete(ctx, choices, productconfig.CompleteOptions{})
		if err == nil {
			break
		}
		if productconfig.ErrorCode(err) != productconfig.ECONFLICT {
			return nil, configErr(err)
		}
	}
	if comp == nil {
		r.Conflict = portal.ErrorMessage(configErr(err))
		return r, nil
	}
	var full []productconfig.Choice
	for _, id := range comp.Selected {
		full = append(full, productconfig.Choice{Option: id})
	}
	nc, err := finish(ctx, e, p, cur, full)
	if err != nil {
		return nil, err
	}
	nc.Choices = exists(old.Choices)
	r.New = nc
	r.NewTotal = formatMoney(nc.Quote.Total, nc.Quote.Currency)
	before := map[string]selectedOption{}
	for _, s := range old.Selected {
		before[s.ID] = s
	}
	after := map[string]bool{}
	for _, s := range nc.Selected {
		after[s.ID] = true
		if b, ok := before[s.ID]; !ok {
			r.Added = append(r.Added, s)
		} else if b.Price != s.Price {
			r.Changed = append(r.Changed, priceChange{Name: s.Name, Old: formatMoney(b.Price, old.Quote.Currency), New: formatMoney(s.Price, nc.Quote.Currency)})
		}
	}
	for _, s := range old.Selected {
		if !after[s.ID] {
			r.Removed = append(r.Removed, s)
		}
	}
	return r, nil
}

// handleQuoteView shows a quote, re-checked against the current catalogue.
func (cf *configurator) handleQuoteView(c *fiber.Ctx) error {
	q, p, cfg, err := cf.loadQuote(c)
	if err != nil {
		return err
	}
	page := &quotePage{Quote: q, Product: p, Config: cfg, Lines: priceLines(cfg.Quote), Total: formatMoney(q.TotalMinor, q.Currency)}
	ctx := c.UserContext()
	if q.Status == portal.QuoteOpen {
		if page.Recheck, err = cf.recheck(ctx, p, q, cfg); err != nil {
			return err
		}
	} else if q.OrderID != nil {
		u := currentUser(c)
		os, _, err := cf.store.FindOrders(ctx, portal.OrderFilter{ID: q.OrderID, CustomerID: &u.ID, Limit: 1})
		if err != nil {
			return err
		}
		if len(os) == 1 {
			page.Order = os[0]
		}
	}
	return cf.render(c, fiber.StatusOK, "quote", "Quote "+q.Number, page)
}
