package productconfig

import "fmt"

// Replicate composes copies of c into one larger catalogue (for example a
// rack of identical machines), prefixing every id with "n<k>-" and chaining
// the copies with one requires rule each, so the model grows without
// splitting into independent parts. It is used to measure growth with size.
func Replicate(c *Catalog, copies int) *Catalog {
	out := &Catalog{
		ID:        fmt.Sprintf("%s-x%d", c.ID, copies),
		Name:      fmt.Sprintf("%s x%d", c.Name, copies),
		Currency:  c.Currency,
		BasePrice: c.BasePrice * int64(copies),
	}
	pre := func(k int, id string) string {
		if id == "" {
			return ""
		}
		return fmt.Sprintf("n%d-%s", k, id)
	}
	pres := func(k int, ids []string) []string {
		if ids == nil {
			return nil
		}
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = pre(k, id)
		}
		return out
	}
	var rename func(k int, x *Expr) *Expr
	rename = func(k int, x *Expr) *Expr {
		if x == nil {
			return nil
		}
		y := &Expr{Op: x.Op, Var: pre(k, x.Var)}
		for _, a := range x.Args {
			y.Args = append(y.Args, rename(k, a))
		}
		return y
	}
	// The chaining option: the first optional, non-grouped leaf option.
	link := ""
	for _, o := range c.Options {
		if !o.Mandatory && o.Group == "" && o.Parent != "" {
			link = o.ID
			break
		}
	}
	for k := 1; k <= copies; k++ {
		for _, g := range c.Groups {
			g.ID, g.Parent = pre(k, g.ID), pre(k, g.Parent)
			g.Name = fmt.Sprintf("%s (%d)", g.Name, k)
			out.Groups = append(out.Groups, g)
		}
		for _, o := range c.Options {
			o.ID, o.Parent, o.Group = pre(k, o.ID), pre(k, o.Parent), pre(k, o.Group)
			o.Name = fmt.Sprintf("%s (%d)", o.Name, k)
			out.Options = append(out.Options, o)
		}
		for _, r := range c.Rules {
			r.ID = pre(k, r.ID)
			r.If, r.Then, r.Options = pres(k, r.If), pres(k, r.Then), pres(k, r.Options)
			r.Columns = pres(k, r.Columns)
			if r.Rows != nil {
				rows := make([][]string, len(r.Rows))
				for i, row := range r.Rows {
					rows[i] = pres(k, row)
				}
				r.Rows = rows
			}
			r.Expr = rename(k, r.Expr)
			out.Rules = append(out.Rules, r)
		}
		for _, p := range c.PriceRules {
			p.ID, p.When = pre(k, p.ID), pres(k, p.When)
			out.PriceRules = append(out.PriceRules, p)
		}
		out.Defaults = append(out.Defaults, pres(k, c.Defaults)...)
		if k > 1 && link != "" {
			out.Rules = append(out.Rules, Rule{ID: fmt.Sprintf("chain-%d", k), Kind: RuleRequires,
				If: []string{pre(k, link)}, Then: []string{pre(k-1, link)}})
		}
	}
	return out
}
