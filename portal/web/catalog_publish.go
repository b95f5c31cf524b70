package web

import (
	"fmt"
	"strconv"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// handleCatalogPublish runs the publish checks on the draft and publishes
// it. A catalogue with no valid configuration is refused, naming the
// conflicting rules.
func (cf *configurator) handleCatalogPublish(c *fiber.Ctx) error {
	ctx := c.UserContext()
	page, err := cf.loadCatalogEdit(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	if page.Draft == nil {
		page.Error = "There is no draft to publish. Save a draft first."
		return cf.render(c, fiber.StatusConflict, "editor_catalog", "Catalogue: "+page.Product.Name, page)
	}
	if page.Report == nil {
		if page.Error == "" {
			page.Error = "The draft is not a valid catalogue."
		}
		return cf.render(c, fiber.StatusBadRequest, "editor_catalog", "Catalogue: "+page.Product.Name, page)
	}
	if err := page.Report.Err(); err != nil {
		page.Error = "Cannot publish: " + portal.ErrorMessage(configErr(err))
		return cf.render(c, fiber.StatusConflict, "editor_catalog", "Catalogue: "+page.Product.Name, page)
	}
	v, err := cf.store.PublishDraft(ctx, page.Product.ID, currentUser(c).Email)
	if err != nil {
		return err
	}
	cf.audit(c, "catalog.publish", "product", strconv.FormatInt(page.Product.ID, 10),
		fmt.Sprintf("version %d; %d dead, %d always included", v.Version, len(page.Report.Dead), len(page.Report.Core)))
	cf.setFlash(c, "ok", fmt.Sprintf("Published version %d of %s. %d options can never be chosen; %d are always included.",
		v.Version, page.Product.Name, len(page.Report.Dead), len(page.Report.Core)))
	return c.Redirect("/editor/catalog/"+page.Product.Slug, fiber.StatusSeeOther)
}

// handleCatalogDiscard deletes the product's draft.
func (cf *configurator) handleCatalogDiscard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := cf.loadProduct(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	if err := cf.store.DiscardDraft(ctx, p.ID); err != nil {
		return err
	}
	cf.audit(c, "catalog.discard", "product", strconv.FormatInt(p.ID, 10), "draft discarded")
	cf.setFlash(c, "ok", "Draft discarded.")
	return c.Redirect("/editor/catalog/"+p.Slug, fiber.StatusSeeOther)
}
