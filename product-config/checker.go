package productconfig

// checker evaluates a full option assignment against the catalogue with all
// groups and rules active. The engine uses it to prove options available by
// local moves from a solver model, without a SAT call.
type checker struct {
	cat       *Catalog
	parent    []int
	mandatory []bool
	children  [][]int
	groups    []cgroup
	clauses   [][]int // option literals: i+1 chosen, -(i+1) not chosen
	special   []func(sel []bool) bool
	oneGroup  []int   // index in groups of option i's exactly-one group, or -1
	subGroups [][]int // exactly-one groups whose parent is option i
}

type cgroup struct {
	members  []int
	one      bool
	min, max int
	parent   int
}

func newChecker(c *Catalog, idx map[string]int) *checker {
	k := &checker{cat: c, parent: make([]int, len(c.Options)), mandatory: make([]bool, len(c.Options)), children: make([][]int, len(c.Options))}
	groups := map[string]*Group{}
	gi := map[string]int{}
	for i := range c.Groups {
		groups[c.Groups[i].ID] = &c.Groups[i]
		gi[c.Groups[i].ID] = i
		gr := c.Groups[i]
		cg := cgroup{one: gr.Kind == GroupOne, min: gr.Min, max: gr.Max, parent: -1}
		if gr.Parent != "" {
			cg.parent = idx[gr.Parent]
		}
		k.groups = append(k.groups, cg)
	}
	k.oneGroup = make([]int, len(c.Options))
	k.subGroups = make([][]int, len(c.Options))
	for i, gr := range c.Groups {
		if gr.Kind == GroupOne && gr.Parent != "" {
			k.subGroups[idx[gr.Parent]] = append(k.subGroups[idx[gr.Parent]], i)
		}
	}
	for i, o := range c.Options {
		k.oneGroup[i] = -1
		if gr := groups[o.Group]; gr != nil && gr.Kind == GroupOne {
			k.oneGroup[i] = gi[o.Group]
		}
		k.parent[i] = -1
		if p := c.parentOf(o, groups); p != "" {
			k.parent[i] = idx[p]
			k.children[idx[p]] = append(k.children[idx[p]], i)
		}
		k.mandatory[i] = o.Mandatory
		if o.Group != "" {
			g := &k.groups[gi[o.Group]]
			g.members = append(g.members, i)
		}
	}
	ids := func(xs []string) []int {
		out := make([]int, len(xs))
		for i, x := range xs {
			out[i] = idx[x]
		}
		return out
	}
	count := func(sel []bool, xs []int) int {
		n := 0
		for _, x := range xs {
			if sel[x] {
				n++
			}
		}
		return n
	}
	for _, r := range c.Rules {
		switch r.Kind {
		case RuleRequires:
			then := ids(r.Then)
			for _, a := range ids(r.If) {
				cl := []int{-(a + 1)}
				for _, t := range then {
					cl = append(cl, t+1)
				}
				k.clauses = append(k.clauses, cl)
			}
		case RuleExcludes:
			xs := ids(r.Options)
			k.special = append(k.special, func(sel []bool) bool { return count(sel, xs) <= 1 })
		case RuleCardinality:
			xs, lo, hi := ids(r.Options), r.Min, r.Max
			k.special = append(k.special, func(sel []bool) bool {
				n := count(sel, xs)
				return n >= lo && (hi == 0 || n <= hi)
			})
		case RuleCompat:
			var parents []int
			for _, g := range r.Columns {
				if p := groups[g].Parent; p != "" {
					parents = append(parents, idx[p])
				}
			}
			rows := make([][]int, len(r.Rows))
			for i, row := range r.Rows {
				for _, id := range row {
					if id != "" {
						rows[i] = append(rows[i], idx[id])
					}
				}
			}
			k.special = append(k.special, func(sel []bool) bool {
				for _, p := range parents {
					if !sel[p] {
						return true
					}
				}
				for _, row := range rows {
					if count(sel, row) == len(row) {
						return true
					}
				}
				return false
			})
		case RuleResource:
			attr, prov, limit := r.Attr, r.Provides, r.Limit
			k.special = append(k.special, func(sel []bool) bool {
				var sum int64
				for i, o := range c.Options {
					if sel[i] {
						sum += o.Attrs[attr]
						if prov != "" {
							sum -= o.Attrs[prov]
						}
					}
				}
				return sum <= limit
			})
		case RuleFormula:
			x := r.Expr
			k.special = append(k.special, func(sel []bool) bool { return evalExpr(x, sel, idx) })
		}
	}
	return k
}

func evalExpr(x *Expr, sel []bool, idx map[string]int) bool {
	switch x.Op {
	case "var":
		return sel[idx[x.Var]]
	case "not":
		return !evalExpr(x.Args[0], sel, idx)
	case "and":
		for _, a := range x.Args {
			if !evalExpr(a, sel, idx) {
				return false
			}
		}
		return true
	case "or":
		for _, a := range x.Args {
			if evalExpr(a, sel, idx) {
				return true
			}
		}
		return false
	case "imp":
		return !evalExpr(x.Args[0], sel, idx) || evalExpr(x.Args[1], sel, idx)
	case "eq":
		return evalExpr(x.Args[0], sel, idx) == evalExpr(x.Args[1], sel, idx)
	}
	return false
}

// valid reports whether sel satisfies structure, groups and rules.
func (k *checker) valid(sel []bool) bool {
	for i, p := range k.parent {
		if p >= 0 {
			if sel[i] && !sel[p] || k.mandatory[i] && sel[p] && !sel[i] {
				return false
			}
		} else if k.mandatory[i] && !sel[i] {
			return false
		}
	}
	for _, g := range k.groups {
		if g.parent >= 0 && !sel[g.parent] {
			continue
		}
		n := 0
		for _, x := range g.members {
			if sel[x] {
				n++
			}
		}
		if g.one && n != 1 || !g.one && (n < g.min || g.max > 0 && n > g.max) {
			return false
		}
	}
	for _, cl := range k.clauses {
		ok := false
		for _, l := range cl {
			if l > 0 && sel[l-1] || l < 0 && !sel[-l-1] {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, f := range k.special {
		if !f(sel) {
			return false
		}
	}
	return true
}

// flipTo rewrites sel (a valid assignment) so that option i is chosen:
// its ancestors are chosen, their exactly-one siblings (with descendants)
// dropped, and mandatory children added. The caller checks the result.
func (k *checker) flipTo(sel []bool, i int) {
	var clear func(x int)
	clear = func(x int) {
		if !sel[x] {
			return
		}
		sel[x] = false
		for _, c := range k.children[x] {
			clear(c)
		}
	}
	var fill func(x int)
	fill = func(x int) {
		sel[x] = true
		for _, c := range k.children[x] {
			if k.mandatory[c] && !sel[c] {
				fill(c)
			}
		}
		for _, gi := range k.subGroups[x] {
			any := false
			for _, mb := range k.groups[gi].members {
				any = any || sel[mb]
			}
			if !any {
				fill(k.groups[gi].members[0])
			}
		}
	}
	for x := i; x >= 0; x = k.parent[x] {
		if sel[x] {
			break
		}
		if g := k.oneGroup[x]; g >= 0 {
			for _, other := range k.groups[g].members {
				if other != x {
					clear(other)
				}
			}
		}
		fill(x)
	}
}
