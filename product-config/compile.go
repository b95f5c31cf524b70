package productconfig

import (
	"fmt"
	"sort"

	"github.com/go-air/gini"
	"github.com/go-air/gini/z"
)

// element is a group or rule whose clauses are guarded by an activation
// literal, so failed-assumption cores name it.
type element struct {
	kind  string // "group" or "rule"
	id    string
	label string
}

// model is a catalogue compiled to CNF. base is never solved directly:
// solvers are copies of it.
type model struct {
	cat     *Catalog
	base    *gini.Gini
	opt     []z.Lit // literal of option i
	idx     map[string]int
	optOf   map[z.Var]int // option variable -> index
	acts    []z.Lit       // activation literal of elements[i]
	elems   []element
	actOf   map[z.Lit]int
	bundles []z.Lit // literal of price rule i: all its options chosen
	// paths[i] lists the exactly-one groups option i and its ancestors
	// select in: options with clashing paths cannot be chosen together.
	paths [][]pathStep
	check *checker
	t     z.Lit // constant true
	nvars int
}

type pathStep struct{ group, member int }

// encoder writes clauses into a gini solver.
type encoder struct {
	g *gini.Gini
	t z.Lit // constant true
}

func (e *encoder) clause(ls ...z.Lit) {
	for _, l := range ls {
		e.g.Add(l)
	}
	e.g.Add(0)
}

// and returns a literal equivalent to the conjunction of ls.
func (e *encoder) and(ls []z.Lit) z.Lit {
	switch len(ls) {
	case 0:
		return e.t
	case 1:
		return ls[0]
	}
	v := e.g.Lit()
	long := make([]z.Lit, 0, len(ls)+1)
	for _, l := range ls {
		e.clause(v.Not(), l)
		long = append(long, l.Not())
	}
	e.clause(append(long, v)...)
	return v
}

// totalizer returns outputs o where o[k] is true iff at least k+1 of ins are.
func (e *encoder) totalizer(ins []z.Lit) []z.Lit {
	if len(ins) == 1 {
		return []z.Lit{ins[0]}
	}
	a := e.totalizer(ins[:len(ins)/2])
	b := e.totalizer(ins[len(ins)/2:])
	p, q := len(a), len(b)
	r := make([]z.Lit, p+q)
	for i := range r {
		r[i] = e.g.Lit()
	}
	// at(x, i): literal "count >= i" of x, i in 0..len(x)+1.
	at := func(x []z.Lit, i int) z.Lit {
		switch {
		case i == 0:
			return e.t
		case i > len(x):
			return e.t.Not()
		}
		return x[i-1]
	}
	for i := 0; i <= p; i++ {
		for j := 0; j <= q; j++ {
			if i+j >= 1 { // a>=i and b>=j -> r>=i+j
				e.clauseS(at(a, i).Not(), at(b, j).Not(), r[i+j-1])
			}
			if i+j+1 <= p+q { // a<i+1 and b<j+1 -> r<i+j+1
				e.clauseS(at(a, i+1), at(b, j+1), r[i+j].Not())
			}
		}
	}
	return r
}

// clauseS adds a clause, simplifying the constants.
func (e *encoder) clauseS(ls ...z.Lit) {
	out := ls[:0:0]
	for _, l := range ls {
		if l == e.t {
			return
		}
		if l == e.t.Not() {
			continue
		}
		out = append(out, l)
	}
	e.clause(out...)
}

// pbLeq returns a literal that implies sum(ws[i] * ins[i]) <= k, encoded as a
// BDD with memoised (index, budget) nodes. Negative weights are normalised.
func (e *encoder) pbLeq(ins []z.Lit, ws []int64, k int64) z.Lit {
	type term struct {
		l z.Lit
		w int64
	}
	var ts []term
	for i, l := range ins {
		w := ws[i]
		switch {
		case w > 0:
			ts = append(ts, term{l, w})
		case w < 0:
			ts = append(ts, term{l.Not(), -w})
			k -= w
		}
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].w > ts[j].w })
	rest := make([]int64, len(ts)+1)
	for i := len(ts) - 1; i >= 0; i-- {
		rest[i] = rest[i+1] + ts[i].w
	}
	type key struct {
		i int
		k int64
	}
	memo := map[key]z.Lit{}
	var node func(i int, k int64) z.Lit
	node = func(i int, k int64) z.Lit {
		if k < 0 {
			return e.t.Not()
		}
		if rest[i] <= k {
			return e.t
		}
		if v, ok := memo[key{i, k}]; ok {
			return v
		}
		hi := node(i+1, k)
		lo := node(i+1, k-ts[i].w)
		v := e.g.Lit()
		e.clauseS(v.Not(), hi)
		e.clauseS(v.Not(), ts[i].l.Not(), lo)
		memo[key{i, k}] = v
		return v
	}
	return node(0, k)
}

// compile translates a validated catalogue to CNF.
func compile(c *Catalog) (*model, error) {
	g := gini.New()
	m := &model{cat: c, base: g, idx: map[string]int{}, optOf: map[z.Var]int{}, actOf: map[z.Lit]int{}}
	e := &encoder{g: g}
	e.t = g.Lit()
	e.clause(e.t)
	m.t = e.t
	m.opt = make([]z.Lit, len(c.Options))
	for i, o := range c.Options {
		m.opt[i] = g.Lit()
		m.idx[o.ID] = i
		m.optOf[m.opt[i].Var()] = i
	}
	lit := func(id string) z.Lit { return m.opt[m.idx[id]] }
	groups := map[string]*Group{}
	for i := range c.Groups {
		groups[c.Groups[i].ID] = &c.Groups[i]
	}
	// Structure: a child implies its parent; a mandatory option is implied
	// by its parent.
	for i, o := range c.Options {
		p := c.parentOf(o, groups)
		switch {
		case p != "":
			e.clause(m.opt[i].Not(), lit(p))
			if o.Mandatory {
				e.clause(lit(p).Not(), m.opt[i])
			}
		case o.Mandatory:
			e.clause(m.opt[i])
		}
	}
	act := func(kind, id, label string) z.Lit {
		a := g.Lit()
		m.actOf[a] = len(m.elems)
		m.acts = append(m.acts, a)
		m.elems = append(m.elems, element{kind: kind, id: id, label: label})
		return a
	}
	members := map[string][]z.Lit{}
	for i, o := range c.Options {
		if o.Group != "" {
			members[o.Group] = append(members[o.Group], m.opt[i])
		}
	}
	for _, gr := range c.Groups {
		ms := members[gr.ID]
		name := gr.Name
		if name == "" {
			name = gr.ID
		}
		var a z.Lit
		var guard []z.Lit
		switch gr.Kind {
		case GroupOne:
			a = act("group", gr.ID, "exactly one "+name+" must be chosen")
		default:
			switch {
			case gr.Max > 0 && gr.Min > 0:
				a = act("group", gr.ID, fmt.Sprintf("between %d and %d of %s must be chosen", gr.Min, gr.Max, name))
			case gr.Max > 0:
				a = act("group", gr.ID, fmt.Sprintf("at most %d of %s may be chosen", gr.Max, name))
			default:
				a = act("group", gr.ID, fmt.Sprintf("at least %d of %s must be chosen", gr.Min, name))
			}
		}
		guard = append(guard, a.Not())
		if gr.Parent != "" {
			guard = append(guard, lit(gr.Parent).Not())
		}
		if gr.Kind == GroupOne {
			e.clause(append(append([]z.Lit{}, guard...), ms...)...)
			e.atMostOne(a, ms)
			continue
		}
		e.cardinality(a, guard, ms, gr.Min, gr.Max)
	}
	for ri := range c.Rules {
		r := &c.Rules[ri]
		a := act("rule", r.ID, r.label(c))
		switch r.Kind {
		case RuleRequires:
			then := make([]z.Lit, len(r.Then))
			for i, id := range r.Then {
				then[i] = lit(id)
			}
			for _, id := range r.If {
				e.clause(append([]z.Lit{a.Not(), lit(id).Not()}, then...)...)
			}
		case RuleExcludes:
			ls := make([]z.Lit, len(r.Options))
			for i, id := range r.Options {
				ls[i] = lit(id)
			}
			e.atMostOne(a, ls)
		case RuleCardinality:
			ls := make([]z.Lit, len(r.Options))
			for i, id := range r.Options {
				ls[i] = lit(id)
			}
			e.cardinality(a, []z.Lit{a.Not()}, ls, r.Min, r.Max)
		case RuleCompat:
			cl := []z.Lit{a.Not()}
			for _, gid := range r.Columns {
				if p := groups[gid].Parent; p != "" {
					cl = append(cl, lit(p).Not())
				}
			}
			for _, row := range r.Rows {
				var cells []z.Lit
				for _, id := range row {
					if id != "" {
						cells = append(cells, lit(id))
					}
				}
				if len(cells) == 0 {
					cl = append(cl, e.t)
					continue
				}
				y := g.Lit() // y -> every cell of the row
				for _, l := range cells {
					e.clause(y.Not(), l)
				}
				cl = append(cl, y)
			}
			e.clauseS(cl...)
		case RuleResource:
			var ins []z.Lit
			var ws []int64
			for i, o := range c.Options {
				w := o.Attrs[r.Attr]
				if r.Provides != "" {
					w -= o.Attrs[r.Provides]
				}
				if w != 0 {
					ins = append(ins, m.opt[i])
					ws = append(ws, w)
				}
			}
			e.clauseS(a.Not(), e.pbLeq(ins, ws, r.Limit))
		case RuleFormula:
			for _, cl := range e.formula(r.Expr, lit) {
				e.clauseS(append(cl, a.Not())...)
			}
		}
	}
	for _, p := range c.PriceRules {
		ls := make([]z.Lit, len(p.When))
		for i, id := range p.When {
			ls[i] = lit(id)
		}
		m.bundles = append(m.bundles, e.and(ls))
	}
	gidx := map[string]int{}
	for i, gr := range c.Groups {
		gidx[gr.ID] = i
	}
	m.paths = make([][]pathStep, len(c.Options))
	for i := range c.Options {
		for j := i; j >= 0; {
			o := c.Options[j]
			if gr := groups[o.Group]; gr != nil && gr.Kind == GroupOne {
				m.paths[i] = append(m.paths[i], pathStep{gidx[gr.ID], j})
			}
			p := c.parentOf(o, groups)
			if p == "" {
				break
			}
			j = m.idx[p]
		}
	}
	m.check = newChecker(c, m.idx)
	m.nvars = int(g.MaxVar())
	return m, nil
}

// atMostOne: when a holds, at most one of ls is true. Pairwise for small
// sets, a guarded sequential counter for large ones.
func (e *encoder) atMostOne(a z.Lit, ls []z.Lit) {
	if len(ls) <= 12 {
		for i := range ls {
			for j := i + 1; j < len(ls); j++ {
				e.clause(a.Not(), ls[i].Not(), ls[j].Not())
			}
		}
		return
	}
	s := make([]z.Lit, len(ls))
	for i := range ls {
		s[i] = e.g.Lit() // s[i]: some of ls[0..i] is true
		e.clause(a.Not(), ls[i].Not(), s[i])
		if i > 0 {
			e.clause(a.Not(), s[i-1].Not(), s[i])
			e.clause(a.Not(), s[i-1].Not(), ls[i].Not())
		}
	}
}

// cardinality: when the guard is false (all guard literals false), between
// lo and hi (0 = unbounded) of ls are true. The upper bound only needs the
// activation literal, guard[0].
func (e *encoder) cardinality(a z.Lit, guard, ls []z.Lit, lo, hi int) {
	if lo <= 1 && (hi == 0 || hi >= len(ls)) {
		if lo == 1 {
			e.clause(append(append([]z.Lit{}, guard...), ls...)...)
		}
		return
	}
	o := e.totalizer(ls)
	if lo > 0 {
		e.clause(append(append([]z.Lit{}, guard...), o[lo-1])...)
	}
	if hi > 0 && hi < len(ls) {
		e.clause(a.Not(), o[hi].Not())
	}
}

// formula returns clauses equivalent to x (with Tseitin variables when the
// direct CNF would be large).
func (e *encoder) formula(x *Expr, lit func(string) z.Lit) [][]z.Lit {
	n := nnf(x.flatten(), false, lit)
	if cls, ok := n.cnf(64); ok {
		return cls
	}
	return [][]z.Lit{{e.tseitin(n)}}
}

// nnfNode is a formula in negation normal form.
type nnfNode struct {
	op   string // "lit", "and", "or"
	lit  z.Lit
	args []*nnfNode
}

func nnf(x *Expr, neg bool, lit func(string) z.Lit) *nnfNode {
	switch x.Op {
	case "var":
		l := lit(x.Var)
		if neg {
			l = l.Not()
		}
		return &nnfNode{op: "lit", lit: l}
	case "not":
		return nnf(x.Args[0], !neg, lit)
	case "and", "or":
		op := x.Op
		if neg {
			op = map[string]string{"and": "or", "or": "and"}[op]
		}
		n := &nnfNode{op: op}
		for _, a := range x.Args {
			n.args = append(n.args, nnf(a, neg, lit))
		}
		return n
	case "imp":
		return nnf(Or(Not(x.Args[0]), x.Args[1]), neg, lit)
	case "eq":
		a, b := x.Args[0], x.Args[1]
		return nnf(And(Or(Not(a), b), Or(a, Not(b))), neg, lit)
	}
	panic("productconfig: bad expression op " + x.Op)
}

// cnf distributes n into clauses, giving up beyond max clauses.
func (n *nnfNode) cnf(max int) ([][]z.Lit, bool) {
	switch n.op {
	case "lit":
		return [][]z.Lit{{n.lit}}, true
	case "and":
		var out [][]z.Lit
		for _, a := range n.args {
			cs, ok := a.cnf(max)
			if !ok || len(out)+len(cs) > max {
				return nil, false
			}
			out = append(out, cs...)
		}
		return out, true
	}
	out := [][]z.Lit{{}}
	for _, a := range n.args {
		cs, ok := a.cnf(max)
		if !ok || len(out)*len(cs) > max {
			return nil, false
		}
		var next [][]z.Lit
		for _, o := range out {
			for _, c := range cs {
				next = append(next, append(append([]z.Lit{}, o...), c...))
			}
		}
		out = next
	}
	return out, true
}

// tseitin returns a literal implying n (Plaisted-Greenbaum, positive polarity).
func (e *encoder) tseitin(n *nnfNode) z.Lit {
	if n.op == "lit" {
		return n.lit
	}
	v := e.g.Lit()
	ls := make([]z.Lit, len(n.args))
	for i, a := range n.args {
		ls[i] = e.tseitin(a)
	}
	if n.op == "and" {
		for _, l := range ls {
			e.clause(v.Not(), l)
		}
	} else {
		e.clause(append([]z.Lit{v.Not()}, ls...)...)
	}
	return v
}
