package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/frontdesk/frontdesk/portal"
	productconfig "github.com/frontdesk/frontdesk/product-config"
	"github.com/gofiber/fiber/v2"
)

// optionRef names an option in the editor's lists.
type optionRef struct {
	ID, Name, Reason string
}

// catalogEditPage is what the editor template receives.
type catalogEditPage struct {
	Product  *portal.Product
	Versions []*portal.CatalogVersion
	Draft    *portal.CatalogVersion
	Editing  int // the version number the text area holds
	Source   string
	Note     string
	Catalog  *productconfig.Catalog
	Report   *productconfig.Report
	Dead     []optionRef
	Core     []optionRef
	Error    string
	Options  []optionRef
}

func jsonIndent(v any) (string, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return string(b), err
}

// parseCatalogSource parses the editor's JSON, turning a syntax error's
// byte offset into a line and column.
func parseCatalogSource(src string) (*productconfig.Catalog, error) {
	// Decode once here for the syntax error's position, which the
	// engine's parser does not keep.
	var probe productconfig.Catalog
	err := json.Unmarshal([]byte(src), &probe)
	var cat *productconfig.Catalog
	if err == nil {
		cat, err = productconfig.ParseCatalog([]byte(src))
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := lineCol(src, se.Offset)
		return nil, portal.Errorf(portal.EINVALID, "JSON syntax error at line %d, column %d: %v.", line, col, se)
	case errors.As(err, &te):
		line, col := lineCol(src, te.Offset)
		return nil, portal.Errorf(portal.EINVALID, "At line %d, column %d: field %q must be %s, not %s.", line, col, te.Field, te.Type, te.Value)
	case err != nil:
		if productconfig.ErrorCode(err) == productconfig.EINTERNAL {
			return nil, portal.Errorf(portal.EINVALID, "The catalogue is not valid: %v.", err)
		}
		return nil, configErr(err)
	}
	return cat, nil
}

func lineCol(src string, off int64) (int, int) {
	if off > int64(len(src)) {
		off = int64(len(src))
	}
	before := []byte(src[:off])
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// loadCatalogEdit gathers the editor page: versions, the draft (or the
// current version to start one from) and its publish report.
func (cf *configurator) loadCatalogEdit(ctx context.Context, slug string) (*catalogEditPage, error) {
	p, err := cf.loadProduct(ctx, slug)
	if err != nil {
		return nil, err
	}
	vs, _, err := cf.store.FindCatalogVersions(ctx, portal.CatalogVersionFilter{ProductID: &p.ID, Limit: 50})
	if err != nil {
		return nil, err
	}
	page := &catalogEditPage{Product: p, Versions: vs}
	for _, v := range vs {
		if v.Status == portal.VersionDraft && page.Draft == nil {
			page.Draft = v
		}
	}
	base := page.Draft
	if base == nil && len(vs) > 0 {
		base = vs[0]
	}
	if base != nil {
		page.Editing, page.Source, page.Note = base.Version, base.Catalog, base.Note
		if cat, err := parseCatalogSource(base.Catalog); err == nil {
			page.Source = prettyCatalog(cat)
			if err := cf.analyse(ctx, page, cat); err != nil {
				return nil, err
			}
		} else {
			page.Error = portal.ErrorMessage(err)
		}
	}
	return page, nil
}

// analyse runs the publish checks on cat and names the options involved.
func (cf *configurator) analyse(ctx context.Context, page *catalogEditPage, cat *productconfig.Catalog) error {
	page.Catalog = cat
	page.Options = page.Options[:0]
	for _, o := range cat.Options {
		page.Options = append(page.Options, optionRef{ID: o.ID, Name: o.Name})
	}
	rep, err := productconfig.CheckCatalog(ctx, cat)
	if err != nil {
		if code := productconfig.ErrorCode(err); code == productconfig.EINVALID || code == productconfig.ETOOHARD {
			page.Error = portal.ErrorMessage(configErr(err))
			return nil
		}
		return fmt.Errorf("check catalogue: %w", err)
	}
	page.Report = rep
	name := func(id string) optionRef {
		if i := cat.OptionIndex(id); i >= 0 {
			return optionRef{ID: id, Name: cat.Options[i].Name, Reason: rep.Reasons[id]}
		}
		return optionRef{ID: id, Name: id, Reason: rep.Reasons[id]}
	}
	page.Dead, page.Core = nil, nil
	for _, id := range rep.Dead {
		page.Dead = append(page.Dead, name(id))
	}
	for _, id := range rep.Core {
		page.Core = append(page.Core, name(id))
	}
	return nil
}

// handleCatalogEdit shows a product's catalogue editor.
func (cf *configurator) handleCatalogEdit(c *fiber.Ctx) error {
	page, err := cf.loadCatalogEdit(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	return cf.render(c, fiber.StatusOK, "editor_catalog", "Catalogue: "+page.Product.Name, page)
}
