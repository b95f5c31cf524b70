package web

import (
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// handleCatalogSave validates the editor's JSON and saves it as the
// product's draft. Invalid JSON or an invalid catalogue is shown back with
// the element at fault; nothing is saved.
func (cf *configurator) handleCatalogSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	page, err := cf.loadCatalogEdit(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	page.Source, page.Note = c.FormValue("catalog"), strings.TrimSpace(c.FormValue("note"))
	page.Error, page.Report, page.Dead, page.Core = "", nil, nil, nil
	cat, err := parseCatalogSource(page.Source)
	if err != nil {
		page.Error = portal.ErrorMessage(err)
		return cf.render(c, fiber.StatusBadRequest, "editor_catalog", "Catalogue: "+page.Product.Name, page)
	}
	v, err := cf.store.SaveDraft(ctx, page.Product.ID, prettyCatalog(cat), page.Note, currentUser(c).Email)
	if err != nil {
		return err
	}
	cf.audit(c, "catalog.save", "product", strconv.FormatInt(page.Product.ID, 10), "draft version "+strconv.Itoa(v.Version))
	cf.setFlash(c, "ok", "Draft version "+strconv.Itoa(v.Version)+" saved. Check the report below before publishing.")
	return c.Redirect("/editor/catalog/"+page.Product.Slug, fiber.StatusSeeOther)
}
