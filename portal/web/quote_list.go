package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// quoteRow is one quote in the customer's list.
type quoteRow struct {
	*portal.Quote
	ProductName string
}

// handleQuoteList shows the signed-in customer's quotes.
func (cf *configurator) handleQuoteList(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	page := pageParam(c)
	quotes, total, err := cf.store.FindQuotes(ctx, portal.QuoteFilter{CustomerID: &u.ID, Limit: perPage, Offset: (page - 1) * perPage})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	rows := make([]quoteRow, 0, len(quotes))
	for _, q := range quotes {
		if _, ok := names[q.ProductID]; !ok {
			ps, _, err := cf.store.FindProducts(ctx, portal.ProductFilter{ID: &q.ProductID, Limit: 1})
			if err != nil {
				return err
			}
			if len(ps) == 1 {
				names[q.ProductID] = ps[0].Name
			}
		}
		rows = append(rows, quoteRow{Quote: q, ProductName: names[q.ProductID]})
	}
	return cf.render(c, fiber.StatusOK, "quotes", "Your quotes", fiber.Map{"Quotes": rows, "Pager": newPager(c, page, perPage, total)})
}
