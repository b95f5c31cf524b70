package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	productconfig "github.com/frontdesk/frontdesk/product-config"
	"github.com/gofiber/fiber/v2"
)

// cfgGroup is a group of options on the configurator page.
type cfgGroup struct {
	ID, Name, Hint string
	Radio          bool
	Options        []*cfgOption
}

// cfgOption is one option on the page, with its nested groups and options.
type cfgOption struct {
	ID, Name, Price, Reason string
	Radio                   bool
	InputName               string
	Chosen, Excluded        bool
	Available, Forced       bool
	Heading                 bool // a mandatory top-level option shown as a section
	Groups                  []*cfgGroup
	Children                []*cfgOption
}

// Checked reports whether the option's box is ticked.
func (o *cfgOption) Checked() bool { return o.Chosen || o.Forced }

// Open reports whether the option's nested choices are shown.
func (o *cfgOption) Open() bool { return o.Chosen || o.Forced }

// configuratorPage is what the configurator template receives.
type configuratorPage struct {
	Product     *portal.Product
	Version     int
	Sections    []*cfgOption
	State       *stateJSON
	ChoicesJSON string
	Query       string
	Error       string
}

// buildTree arranges the catalogue as nested sections for the page.
func buildTree(cat *productconfig.Catalog, st *productconfig.State) []*cfgOption {
	states := map[string]productconfig.OptionState{}
	for _, o := range st.Options {
		states[o.ID] = o
	}
	opts := map[string]*cfgOption{}
	for _, o := range cat.Options {
		s := states[o.ID]
		v := &cfgOption{ID: o.ID, Name: o.Name, Chosen: s.Chosen, Excluded: s.Excluded, Available: s.Available, Forced: s.Forced, InputName: "o"}
		if o.Price != 0 {
			v.Price = "+" + formatMoney(o.Price, cat.Currency)
			if o.Price < 0 {
				v.Price = formatMoney(o.Price, cat.Currency)
			}
		}
		if s.Reason != nil && (!s.Available || s.Forced) {
			v.Reason = s.Reason.Text
		}
		opts[o.ID] = v
	}
	groups := map[string]*cfgGroup{}
	var topGroups []*cfgGroup
	for _, g := range cat.Groups {
		v := &cfgGroup{ID: g.ID, Name: g.Name, Radio: g.Kind == productconfig.GroupOne}
		switch {
		case v.Radio:
			v.Hint = "Choose one"
		case g.Max > 0 && g.Min > 0:
			v.Hint = fmt.Sprintf("Choose %d to %d", g.Min, g.Max)
		case g.Max > 0:
			v.Hint = fmt.Sprintf("Choose up to %d", g.Max)
		case g.Min > 0:
			v.Hint = fmt.Sprintf("Choose at least %d", g.Min)
		default:
			v.Hint = "Choose any"
		}
		groups[g.ID] = v
		if p := opts[g.Parent]; g.Parent != "" && p != nil {
			p.Groups = append(p.Groups, v)
		} else {
			topGroups = append(topGroups, v)
		}
	}
	var sections []*cfgOption
	for _, o := range cat.Options {
		v := opts[o.ID]
		switch {
		case o.Group != "" && groups[o.Group] != nil:
			g := groups[o.Group]
			v.Radio = g.Radio
			if g.Radio {
				v.InputName = "g." + g.ID
			}
			g.Options = append(g.Options, v)
		case o.Parent != "" && opts[o.Parent] != nil:
			opts[o.Parent].Children = append(opts[o.Parent].Children, v)
		default:
			if o.Mandatory {
				v.Heading = true
			}
			sections = append(sections, v)
		}
	}
	// Top-level groups become sections of their own, after the options.
	for _, g := range topGroups {
		sections = append(sections, &cfgOption{ID: "section-" + g.ID, Name: g.Name, Heading: true, Groups: []*cfgGroup{g}, Forced: true})
	}
	// Optional top-level options without a section gather under "Extras".
	var out, extras []*cfgOption
	for _, s := range sections {
		if s.Heading {
			out = append(out, s)
		} else {
			extras = append(extras, s)
		}
	}
	if len(extras) > 0 {
		out = append(out, &cfgOption{ID: "section-extras", Name: "Extras", Heading: true, Forced: true, Children: extras})
	}
	return out
}

// choicesFromQuery reads choices from a plain form (the page without
// JavaScript): checkboxes named "o", radio groups named "g.<group>", and
// exclusions named "x".
func choicesFromQuery(c *fiber.Ctx) []productconfig.Choice {
	var out []productconfig.Choice
	seen := map[string]bool{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		key, val := string(k), strings.TrimSpace(string(v))
		if val == "" || seen[val] {
			return
		}
		switch {
		case key == "o" || strings.HasPrefix(key, "g."):
			out = append(out, productconfig.Choice{Option: val})
		case key == "x":
			out = append(out, productconfig.Choice{Option: val, Exclude: true})
		default:
			return
		}
		seen[val] = true
	})
	return out
}

// handleConfiguratorView shows a product's configurator, server-rendered
// with the state of the choices in the query, so it works without
// JavaScript; the page script then updates it in place through the API.
func (cf *configurator) handleConfiguratorView(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := cf.loadProduct(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	v, err := cf.currentVersion(ctx, p)
	if err != nil {
		return err
	}
	e, err := cf.engine(v)
	if err != nil {
		return err
	}
	t := &configTarget{product: p, version: v, engine: e}
	choices := choicesFromQuery(c)
	page := &configuratorPage{Product: p, Version: v.Version}
	if err := checkChoices(e.Catalog(), choices); err != nil {
		page.Error = portal.ErrorMessage(err)
		choices = nil
	}
	st, err := e.Evaluate(ctx, choices)
	if productconfig.ErrorCode(err) == productconfig.ECONFLICT {
		page.Error = "Those choices do not go together: " + portal.ErrorMessage(configErr(err)) + " Your choices were reset."
		choices = nil
		st, err = e.Evaluate(ctx, nil)
	}
	if err != nil {
		return configErr(err)
	}
	page.State = newStateJSON(t, st)
	page.Sections = buildTree(e.Catalog(), st)
	b, _ := json.Marshal(page.State.Choices)
	page.ChoicesJSON = string(b)
	page.Query = choicesQuery(choices)
	status := fiber.StatusOK
	if page.Error != "" {
		status = fiber.StatusBadRequest
	}
	return cf.render(c, status, "configure", p.Name, page)
}

// choicesQuery encodes choices as the page's query string.
func choicesQuery(choices []productconfig.Choice) string {
	var parts []string
	for _, ch := range choices {
		k := "o"
		if ch.Exclude {
			k = "x"
		}
		parts = append(parts, k+"="+url.QueryEscape(ch.Option))
	}
	return strings.Join(parts, "&")
}
