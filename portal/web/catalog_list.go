package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	productconfig "github.com/frontdesk/frontdesk/product-config"
	"github.com/gofiber/fiber/v2"
)

type productForm struct{ Slug, Name, Summary string }

func (cf *configurator) renderCatalogList(c *fiber.Ctx, status int, form productForm, errMsg string) error {
	products, _, err := cf.store.FindProducts(c.UserContext(), portal.ProductFilter{Limit: 200})
	if err != nil {
		return err
	}
	return cf.render(c, status, "editor_catalog_list", "Catalogue", fiber.Map{"Products": products, "Form": form, "Error": errMsg})
}

// handleCatalogList shows the editor's products with their versions.
func (cf *configurator) handleCatalogList(c *fiber.Ctx) error {
	return cf.renderCatalogList(c, fiber.StatusOK, productForm{}, "")
}

// handleCatalogCreate adds a product with a starter draft to edit.
func (cf *configurator) handleCatalogCreate(c *fiber.Ctx) error {
	form := productForm{Slug: strings.TrimSpace(c.FormValue("slug")), Name: strings.TrimSpace(c.FormValue("name")), Summary: strings.TrimSpace(c.FormValue("summary"))}
	p := &portal.Product{Slug: form.Slug, Name: form.Name, Summary: form.Summary}
	ctx := c.UserContext()
	err := cf.store.CreateProduct(ctx, p)
	if portal.ErrorCode(err) == portal.EINVALID {
		return cf.renderCatalogList(c, fiber.StatusBadRequest, form, portal.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	starter := &productconfig.Catalog{ID: p.Slug, Name: p.Name, Currency: "EUR", BasePrice: 10000,
		Groups:  []productconfig.Group{{ID: "colour", Name: "Colour", Kind: productconfig.GroupOne}},
		Options: []productconfig.Option{{ID: "black", Name: "Black", Group: "colour"}, {ID: "white", Name: "White", Group: "colour", Price: 500}}}
	if _, err := cf.store.SaveDraft(ctx, p.ID, prettyCatalog(starter), "Starter catalogue", currentUser(c).Email); err != nil {
		return err
	}
	cf.audit(c, "product.create", "product", strconv.FormatInt(p.ID, 10), fmt.Sprintf("%s (%s)", p.Name, p.Slug))
	cf.setFlash(c, "ok", "Product "+p.Name+" created with a starter draft.")
	return c.Redirect("/editor/catalog/"+p.Slug, fiber.StatusSeeOther)
}

func prettyCatalog(cat *productconfig.Catalog) string {
	b, err := jsonIndent(cat)
	if err != nil {
		panic(err) // plain data
	}
	return b
}
