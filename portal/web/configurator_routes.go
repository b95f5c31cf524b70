package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync"

	"github.com/frontdesk/frontdesk/portal"
	productconfig "github.com/frontdesk/frontdesk/product-config"
	"github.com/gofiber/fiber/v2"
)

// configurator serves the product configurator: customer pages, its JSON
// API, quotes, and the editor console. It keeps compiled engines per
// catalogue version, so a customer's every click costs only the solver.
type configurator struct {
	*Server
	mu      sync.Mutex
	engines map[int64]*productconfig.Engine // by catalogue version id
}

// maxEngines bounds the engine cache; versions are immutable once
// published, so evicting only costs a recompile.
const maxEngines = 32

// configuratorRoutes adds the configurator's pages and API.
func (s *Server) configuratorRoutes() {
	cf := &configurator{Server: s, engines: map[int64]*productconfig.Engine{}}
	app := s.App
	customer := s.requireRole(portal.RoleCustomer)
	editor := s.requireRole(portal.RoleEditor, portal.RoleAdmin)

	app.Get("/configure", cf.handleProductList)
	app.Get("/configure/:slug", cf.handleConfiguratorView)
	app.Post("/configure/:slug/quote", customer, cf.handleQuoteCreate)
	app.Get("/account/quotes", customer, cf.handleQuoteList)
	app.Get("/account/quotes/:number", customer, cf.handleQuoteView)
	app.Get("/account/quotes/:number/checkout", customer, cf.handleQuoteCheckout)
	app.Post("/account/quotes/:number/checkout/address", customer, cf.handleQuoteCheckoutAddress)
	app.Post("/account/quotes/:number/order", customer, cf.handleQuoteOrder)

	app.Get("/editor/catalog", editor, cf.handleCatalogList)
	app.Post("/editor/catalog", editor, cf.handleCatalogCreate)
	app.Get("/editor/catalog/:slug", editor, cf.handleCatalogEdit)
	app.Post("/editor/catalog/:slug/draft", editor, cf.handleCatalogSave)
	app.Post("/editor/catalog/:slug/rules", editor, cf.handleCatalogRuleAdd)
	app.Post("/editor/catalog/:slug/publish", editor, cf.handleCatalogPublish)
	app.Post("/editor/catalog/:slug/discard", editor, cf.handleCatalogDiscard)

	api := app.Group("/api/v1/configurator")
	api.Post("/:slug/evaluate", cf.handleConfiguratorEvaluate)
	api.Post("/:slug/repair", cf.handleConfiguratorRepair)
	api.Post("/:slug/complete", cf.handleConfiguratorComplete)
	api.Post("/:slug/quotes", s.requireRole(portal.RoleCustomer), cf.handleQuoteCreateAPI)
}

// configErr maps the engine's error codes to the portal's, keeping the
// engine's message (it names the option, rule or line at fault).
func configErr(err error) error {
	if err == nil {
		return nil
	}
	var pe *productconfig.Error
	if !errors.As(err, &pe) {
		return err
	}
	code := map[string]string{
		productconfig.EINVALID:  portal.EINVALID,
		productconfig.ECONFLICT: portal.ECONFLICT,
		productconfig.ENOTFOUND: portal.ENOTFOUND,
		// Not the request's fault, but not worth retrying either (a
		// 503 would have the load balancer try every node in turn).
		productconfig.ETOOHARD: portal.EINVALID,
	}[pe.Code]
	if code == "" {
		return err
	}
	return &portal.Error{Code: code, Message: pe.Message, Err: err}
}

// loadProduct finds a product by its URL name.
func (cf *configurator) loadProduct(ctx context.Context, slug string) (*portal.Product, error) {
	ps, _, err := cf.store.FindProducts(ctx, portal.ProductFilter{Slug: &slug, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "We could not find that product.")
	}
	return ps[0], nil
}

// currentVersion returns the product's published version customers see.
func (cf *configurator) currentVersion(ctx context.Context, p *portal.Product) (*portal.CatalogVersion, error) {
	vs, _, err := cf.store.FindCatalogVersions(ctx, portal.CatalogVersionFilter{ProductID: &p.ID, Current: true})
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "%s cannot be configured yet.", p.Name)
	}
	return vs[0], nil
}

// engine returns the compiled engine of a version, compiling it once.
func (cf *configurator) engine(v *portal.CatalogVersion) (*productconfig.Engine, error) {
	if v.Status == portal.VersionPublished {
		cf.mu.Lock()
		e := cf.engines[v.ID]
		cf.mu.Unlock()
		if e != nil {
			return e, nil
		}
	}
	cat, err := productconfig.ParseCatalog([]byte(v.Catalog))
	if err != nil {
		return nil, fmt.Errorf("catalogue version %d: %w", v.ID, err)
	}
	e, err := productconfig.Compile(cat)
	if err != nil {
		return nil, fmt.Errorf("compile version %d: %w", v.ID, err)
	}
	if v.Status == portal.VersionPublished {
		cf.mu.Lock()
		if len(cf.engines) >= maxEngines {
			clear(cf.engines)
		}
		cf.engines[v.ID] = e
		cf.mu.Unlock()
	}
	return e, nil
}

// configuration is a product as the customer configured it: what an order
// line carries to production, and what a quote keeps.
type configuration struct {
	Product     string                 `json:"product"`
	ProductName string                 `json:"product_name"`
	Version     int                    `json:"version"`
	Choices     []productconfig.Choice `json:"choices"`
	Selected    []selectedOption       `json:"selected"`
	Quote       productconfig.Quote    `json:"quote"`
}

// selectedOption is one option in a finished configuration.
type selectedOption struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Group string `json:"group,omitempty"`
	Price int64  `json:"price"`
}

// finish turns choices into a finished configuration: options the
// customer left undecided are left out, and when that is not a valid
// configuration the customer must decide (or complete) first.
func finish(ctx context.Context, e *productconfig.Engine, p *portal.Product, v *portal.CatalogVersion, choices []productconfig.Choice) (*configuration, error) {
	st, err := e.Evaluate(ctx, choices)
	if err != nil {
		return nil, configErr(err)
	}
	all := append([]productconfig.Choice(nil), choices...)
	for _, o := range st.Options {
		if !o.Chosen && !o.Excluded && !o.Forced && o.Available {
			all = append(all, productconfig.Choice{Option: o.ID, Exclude: true})
		}
	}
	fin, err := e.Evaluate(ctx, all)
	if productconfig.ErrorCode(err) == productconfig.ECONFLICT {
		return nil, portal.Errorf(portal.ECONFLICT, "The configuration is not finished yet: make the remaining choices, or use “Complete it for me”.")
	} else if err != nil {
		return nil, configErr(err)
	}
	cat := e.Catalog()
	cfg := &configuration{Product: p.Slug, ProductName: p.Name, Version: v.Version, Choices: choices, Quote: fin.Quote}
	for _, o := range fin.Options {
		if o.Chosen || o.Forced {
			opt := cat.Options[cat.OptionIndex(o.ID)]
			if opt.Abstract {
				continue
			}
			cfg.Selected = append(cfg.Selected, selectedOption{ID: opt.ID, Name: opt.Name, Group: opt.Group, Price: opt.Price})
		}
	}
	return cfg, nil
}

// checkChoices rejects options the catalogue does not have, naming them.
func checkChoices(cat *productconfig.Catalog, choices []productconfig.Choice) error {
	for _, ch := range choices {
		if cat.OptionIndex(ch.Option) < 0 {
			return &portal.Error{Code: portal.EINVALID, Message: fmt.Sprintf("Unknown option %q: this product has no such option.", ch.Option),
				Fields: map[string]string{"choices": ch.Option}}
		}
	}
	return nil
}

// newNumber returns prefix plus n random digits, for quote and order numbers.
func newNumber(prefix string, n int) string {
	b := []byte(prefix)
	for i := 0; i < n; i++ {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b = append(b, byte('0'+d.Int64()))
	}
	return string(b)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain data
	}
	return string(b)
}

// jsonBody decodes a request body, as EINVALID when malformed.
func jsonBody(c *fiber.Ctx, v any) error {
	if err := json.Unmarshal(c.Body(), v); err != nil {
		return portal.Errorf(portal.EINVALID, "The request body is not valid JSON: %v.", err)
	}
	return nil
}
