package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	productconfig "github.com/frontdesk/frontdesk/product-config"
	"github.com/gofiber/fiber/v2"
)

// handleCatalogRuleAdd adds a requires or excludes rule between two
// options to the draft (starting a draft from the current version when
// there is none).
func (cf *configurator) handleCatalogRuleAdd(c *fiber.Ctx) error {
	ctx := c.UserContext()
	page, err := cf.loadCatalogEdit(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	fail := func(msg string) error {
		page.Error = msg
		return cf.render(c, fiber.StatusBadRequest, "editor_catalog", "Catalogue: "+page.Product.Name, page)
	}
	if page.Catalog == nil {
		return fail("Fix the catalogue's JSON first.")
	}
	cat := page.Catalog
	a, b := c.FormValue("a"), c.FormValue("b")
	label := strings.TrimSpace(c.FormValue("label"))
	for _, id := range []string{a, b} {
		if cat.OptionIndex(id) < 0 {
			return fail(fmt.Sprintf("Unknown option %q: choose both options from the lists.", id))
		}
	}
	if a == b {
		return fail("Choose two different options.")
	}
	r := productconfig.Rule{Label: label}
	switch productconfig.RuleKind(c.FormValue("kind")) {
	case productconfig.RuleRequires:
		r.Kind, r.If, r.Then = productconfig.RuleRequires, []string{a}, []string{b}
	case productconfig.RuleExcludes:
		r.Kind, r.Options = productconfig.RuleExcludes, []string{a, b}
	default:
		return fail("Choose the kind of rule: requires or excludes.")
	}
	ids := map[string]bool{}
	for _, x := range cat.Rules {
		ids[x.ID] = true
	}
	for n := len(cat.Rules) + 1; ; n++ {
		if id := "rule-" + strconv.Itoa(n); !ids[id] {
			r.ID = id
			break
		}
	}
	cat.Rules = append(cat.Rules, r)
	if err := cat.Validate(); err != nil {
		return fail(portal.ErrorMessage(configErr(err)))
	}
	v, err := cf.store.SaveDraft(ctx, page.Product.ID, prettyCatalog(cat), page.Note, currentUser(c).Email)
	if err != nil {
		return err
	}
	cf.audit(c, "catalog.rule_add", "product", strconv.FormatInt(page.Product.ID, 10), fmt.Sprintf("%s %s: %s %s", r.ID, r.Kind, a, b))
	cf.setFlash(c, "ok", fmt.Sprintf("Rule %s added to draft version %d.", r.ID, v.Version))
	return c.Redirect("/editor/catalog/"+page.Product.Slug, fiber.StatusSeeOther)
}
