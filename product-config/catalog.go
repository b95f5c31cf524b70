// Package productconfig is the product configurator engine: the catalogue
// model, its validation and JSON form, the compiler to SAT (gini), the
// interactive engine that says after every choice which options remain
// available and why the others are not, repair of conflicting choices,
// cheapest completion, publish checks, pricing and importers for
// FeatureIDE XML, SXFM and DIMACS models.
//
// The package is a pure library: it imports no store, web or cmd package.
package productconfig

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// GroupKind says how many options of a group may be chosen.
type GroupKind string

// Group kinds.
const (
	// GroupOne means exactly one member when the group is active.
	GroupOne GroupKind = "one"
	// GroupAny means between Min and Max members when the group is active.
	GroupAny GroupKind = "any"
)

// RuleKind names the kind of an editor rule.
type RuleKind string

// Rule kinds.
const (
	// RuleRequires: each option in If needs at least one option in Then.
	RuleRequires RuleKind = "requires"
	// RuleExcludes: at most one of Options may be chosen.
	RuleExcludes RuleKind = "excludes"
	// RuleCompat: the options chosen in the Columns groups must match a row
	// of Rows (an empty cell matches anything).
	RuleCompat RuleKind = "compat"
	// RuleCardinality: between Min and Max of Options are chosen (Max 0 = no limit).
	RuleCardinality RuleKind = "cardinality"
	// RuleResource: the sum of attribute Attr over chosen options is at most
	// Limit plus the sum of attribute Provides over chosen options.
	RuleResource RuleKind = "resource"
	// RuleFormula: the propositional formula Expr holds.
	RuleFormula RuleKind = "formula"
)

// Catalog is one product's configuration model. It is plain data, safe to
// marshal to JSON and back; call Validate (Compile does) before use.
type Catalog struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Currency   string      `json:"currency"`   // ISO 4217, e.g. "EUR"
	BasePrice  int64       `json:"base_price"` // minor units
	Groups     []Group     `json:"groups,omitempty"`
	Options    []Option    `json:"options"`
	Rules      []Rule      `json:"rules,omitempty"`
	PriceRules []PriceRule `json:"price_rules,omitempty"`
	// Defaults lists the editor's recommended options, used by Complete.
	Defaults []string `json:"defaults,omitempty"`
}

// Group gathers options under a cardinality: exactly one (colour, engine) or
// between Min and Max. A group with a Parent option is active only when the
// parent is chosen; its members then imply the parent.
type Group struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Kind   GroupKind `json:"kind"`
	Min    int       `json:"min,omitempty"`
	Max    int       `json:"max,omitempty"` // 0 = no upper limit
	Parent string    `json:"parent,omitempty"`
}

// Option is one choosable item. A child option implies its Parent; a
// Mandatory option is implied by its parent (or always chosen at top level).
type Option struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	Group     string           `json:"group,omitempty"`
	Parent    string           `json:"parent,omitempty"`
	Price     int64            `json:"price,omitempty"` // delta in minor units
	Mandatory bool             `json:"mandatory,omitempty"`
	Abstract  bool             `json:"abstract,omitempty"` // a heading, not a product
	Attrs     map[string]int64 `json:"attrs,omitempty"`
}

// Rule is a constraint written by an editor. Label is the human-readable
// phrase used in reasons, e.g. "a high-end graphics card needs a power supply
// of 500 W or more"; a label is generated when empty.
type Rule struct {
	ID       string     `json:"id"`
	Label    string     `json:"label,omitempty"`
	Kind     RuleKind   `json:"kind"`
	If       []string   `json:"if,omitempty"`
	Then     []string   `json:"then,omitempty"`
	Options  []string   `json:"options,omitempty"`
	Columns  []string   `json:"columns,omitempty"`
	Rows     [][]string `json:"rows,omitempty"`
	Min      int        `json:"min,omitempty"`
	Max      int        `json:"max,omitempty"`
	Attr     string     `json:"attr,omitempty"`
	Provides string     `json:"provides,omitempty"`
	Limit    int64      `json:"limit,omitempty"`
	Expr     *Expr      `json:"expr,omitempty"`
}

// PriceRule adjusts the price when all options in When are chosen: a bundle
// price or a discount (negative Delta, minor units).
type PriceRule struct {
	ID    string   `json:"id"`
	Label string   `json:"label"`
	When  []string `json:"when"`
	Delta int64    `json:"delta"`
}

// ParseCatalog decodes a catalogue from JSON and validates it.
func ParseCatalog(data []byte) (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, &Error{Code: EINVALID, Message: "parse catalogue: " + err.Error()}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// OptionIndex returns the index of option id in c.Options, or -1.
func (c *Catalog) OptionIndex(id string) int {
	for i := range c.Options {
		if c.Options[i].ID == id {
			return i
		}
	}
	return -1
}

// Validate checks ids, references and bounds, returning an EINVALID *Error
// naming the first offending element.
func (c *Catalog) Validate() error {
	bad := func(format string, args ...any) error { return Errorf(EINVALID, format, args...) }
	if len(c.Options) == 0 {
		return bad("catalogue %q has no options", c.ID)
	}
	opts := make(map[string]int, len(c.Options))
	for i, o := range c.Options {
		if strings.TrimSpace(o.ID) == "" {
			return bad("option #%d has an empty id", i+1)
		}
		if _, dup := opts[o.ID]; dup {
			return bad("duplicate option id %q", o.ID)
		}
		opts[o.ID] = i
	}
	groups := make(map[string]*Group, len(c.Groups))
	for i := range c.Groups {
		g := &c.Groups[i]
		if strings.TrimSpace(g.ID) == "" {
			return bad("group #%d has an empty id", i+1)
		}
		if _, dup := groups[g.ID]; dup {
			return bad("duplicate group id %q", g.ID)
		}
		if _, clash := opts[g.ID]; clash {
			return bad("group id %q is also an option id", g.ID)
		}
		groups[g.ID] = g
		switch g.Kind {
		case GroupOne:
		case GroupAny:
			if g.Min < 0 || g.Max < 0 || (g.Max > 0 && g.Min > g.Max) {
				return bad("group %q: bad bounds min=%d max=%d", g.ID, g.Min, g.Max)
			}
		default:
			return bad("group %q: unknown kind %q", g.ID, g.Kind)
		}
		if g.Parent != "" {
			if _, ok := opts[g.Parent]; !ok {
				return bad("group %q: unknown parent option %q", g.ID, g.Parent)
			}
		}
	}
	members := make(map[string]int)
	for _, o := range c.Options {
		if o.Group != "" {
			g, ok := groups[o.Group]
			if !ok {
				return bad("option %q: unknown group %q", o.ID, o.Group)
			}
			members[o.Group]++
			if o.Parent != "" && g.Parent != "" && o.Parent != g.Parent {
				return bad("option %q: parent %q differs from its group %q parent %q", o.ID, o.Parent, g.ID, g.Parent)
			}
		}
		if o.Parent != "" {
			if _, ok := opts[o.Parent]; !ok {
				return bad("option %q: unknown parent %q", o.ID, o.Parent)
			}
		}
	}
	for _, g := range c.Groups {
		n := members[g.ID]
		if n == 0 {
			return bad("group %q has no options", g.ID)
		}
		if g.Kind == GroupAny && g.Min > n {
			return bad("group %q: min %d exceeds its %d options", g.ID, g.Min, n)
		}
	}
	// Parent chains must not loop.
	for _, o := range c.Options {
		seen := map[string]bool{o.ID: true}
		for p := c.parentOf(o, groups); p != ""; {
			if seen[p] {
				return bad("option %q: parent cycle through %q", o.ID, p)
			}
			seen[p] = true
			p = c.parentOf(c.Options[opts[p]], groups)
		}
	}
	known := func(rule, field, id string) error {
		if _, ok := opts[id]; !ok {
			return bad("rule %q: %s: unknown option %q", rule, field, id)
		}
		return nil
	}
	ruleIDs := make(map[string]bool)
	for i, r := range c.Rules {
		if strings.TrimSpace(r.ID) == "" {
			return bad("rule #%d has an empty id", i+1)
		}
		if ruleIDs[r.ID] || groups[r.ID] != nil {
			return bad("duplicate rule id %q", r.ID)
		}
		ruleIDs[r.ID] = true
		switch r.Kind {
		case RuleRequires:
			if len(r.If) == 0 || len(r.Then) == 0 {
				return bad("rule %q: requires needs both if and then", r.ID)
			}
			for _, id := range r.If {
				if err := known(r.ID, "if", id); err != nil {
					return err
				}
			}
			for _, id := range r.Then {
				if err := known(r.ID, "then", id); err != nil {
					return err
				}
			}
		case RuleExcludes, RuleCardinality:
			if len(r.Options) < 1 || (r.Kind == RuleExcludes && len(r.Options) < 2) {
				return bad("rule %q: too few options", r.ID)
			}
			for _, id := range r.Options {
				if err := known(r.ID, "options", id); err != nil {
					return err
				}
			}
			if r.Kind == RuleCardinality && (r.Min < 0 || r.Max < 0 || (r.Max > 0 && r.Min > r.Max) || r.Min > len(r.Options)) {
				return bad("rule %q: bad bounds min=%d max=%d", r.ID, r.Min, r.Max)
			}
		case RuleCompat:
			if len(r.Columns) == 0 || len(r.Rows) == 0 {
				return bad("rule %q: compat needs columns and rows", r.ID)
			}
			for _, gid := range r.Columns {
				g, ok := groups[gid]
				if !ok {
					return bad("rule %q: unknown group %q in columns", r.ID, gid)
				}
				if g.Kind != GroupOne {
					return bad("rule %q: column group %q is not an exactly-one group", r.ID, gid)
				}
			}
			for ri, row := range r.Rows {
				if len(row) != len(r.Columns) {
					return bad("rule %q: row %d has %d cells, want %d", r.ID, ri+1, len(row), len(r.Columns))
				}
				for ci, id := range row {
					if id == "" {
						continue
					}
					if err := known(r.ID, fmt.Sprintf("row %d", ri+1), id); err != nil {
						return err
					}
					if c.Options[opts[id]].Group != r.Columns[ci] {
						return bad("rule %q: row %d: option %q is not in group %q", r.ID, ri+1, id, r.Columns[ci])
					}
				}
			}
		case RuleResource:
			if r.Attr == "" {
				return bad("rule %q: resource needs attr", r.ID)
			}
		case RuleFormula:
			if r.Expr == nil {
				return bad("rule %q: formula needs expr", r.ID)
			}
			if err := r.Expr.check(opts); err != nil {
				return bad("rule %q: %s", r.ID, err.Error())
			}
		default:
			return bad("rule %q: unknown kind %q", r.ID, r.Kind)
		}
	}
	prIDs := make(map[string]bool)
	for i, p := range c.PriceRules {
		if p.ID == "" {
			return bad("price rule #%d has an empty id", i+1)
		}
		if prIDs[p.ID] {
			return bad("duplicate price rule id %q", p.ID)
		}
		prIDs[p.ID] = true
		if len(p.When) == 0 {
			return bad("price rule %q: empty when", p.ID)
		}
		for _, id := range p.When {
			if _, ok := opts[id]; !ok {
				return bad("price rule %q: unknown option %q", p.ID, id)
			}
		}
	}
	for _, id := range c.Defaults {
		if _, ok := opts[id]; !ok {
			return bad("defaults: unknown option %q", id)
		}
	}
	return nil
}

// parentOf returns the effective parent: the option's own or its group's.
func (c *Catalog) parentOf(o Option, groups map[string]*Group) string {
	if o.Parent != "" {
		return o.Parent
	}
	if g := groups[o.Group]; g != nil {
		return g.Parent
	}
	return ""
}

// label returns the rule's label, generating one from its content when empty.
func (r *Rule) label(c *Catalog) string {
	if r.Label != "" {
		return r.Label
	}
	name := func(ids []string, sep string) string {
		ns := make([]string, len(ids))
		for i, id := range ids {
			ns[i] = c.optionName(id)
		}
		return strings.Join(ns, sep)
	}
	switch r.Kind {
	case RuleRequires:
		return fmt.Sprintf("%s needs %s", name(r.If, " or "), name(r.Then, " or "))
	case RuleExcludes:
		return fmt.Sprintf("%s cannot be combined", name(r.Options, " and "))
	case RuleCardinality:
		if r.Max > 0 {
			return fmt.Sprintf("choose between %d and %d of %s", r.Min, r.Max, name(r.Options, ", "))
		}
		return fmt.Sprintf("choose at least %d of %s", r.Min, name(r.Options, ", "))
	case RuleCompat:
		gs := make([]string, len(r.Columns))
		for i, g := range r.Columns {
			gs[i] = c.groupName(g)
		}
		return fmt.Sprintf("only listed combinations of %s are allowed", strings.Join(gs, ", "))
	case RuleResource:
		if r.Provides != "" {
			return fmt.Sprintf("total %s must not exceed the %s available", r.Attr, r.Provides)
		}
		return fmt.Sprintf("total %s must not exceed %d", r.Attr, r.Limit)
	case RuleFormula:
		return r.Expr.format(c)
	}
	return r.ID
}

func (c *Catalog) optionName(id string) string {
	if i := c.OptionIndex(id); i >= 0 && c.Options[i].Name != "" {
		return c.Options[i].Name
	}
	return id
}

func (c *Catalog) groupName(id string) string {
	for _, g := range c.Groups {
		if g.ID == id {
			if g.Name != "" {
				return g.Name
			}
			return g.ID
		}
	}
	return id
}

// sortedKeys returns map keys in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
