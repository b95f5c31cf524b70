package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// handleProductList shows the products customers can configure.
func (cf *configurator) handleProductList(c *fiber.Ctx) error {
	products, _, err := cf.store.FindProducts(c.UserContext(), portal.ProductFilter{PublishedOnly: true, Limit: 100})
	if err != nil {
		return err
	}
	return cf.render(c, fiber.StatusOK, "configure_list", "Configure a product", fiber.Map{"Products": products})
}
