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
	occ       [][]int // checks (clauses, then specials) mentioning option i
	inGroup   []int   // index in groups of option i's group, or -1
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
	k.inGroup = make([]int, len(c.Options))
	k.subGroups = make([][]int, len(c.Options))
	for i, gr := range c.Groups {
		if gr.Kind == GroupOne && gr.Parent != "" {
			k.subGroups[idx[gr.Parent]] = append(k.subGroups[idx[gr.Parent]], i)
		}
	}
	for i, o := range c.Options {
		k.oneGroup[i] = -1
		k.inGroup[i] = -1
		if o.Group != "" {
			k.inGroup[i] = gi[o.Group]
		}
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
	var specialOpts [][]int
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
			specialOpts = append(specialOpts, xs)
			k.special = append(k.special, func(sel []bool) bool { return count(sel, xs) <= 1 })
		case RuleCardinality:
			xs, lo, hi := ids(r.Options), r.Min, r.Max
			specialOpts = append(specialOpts, xs)
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
			var all []int
			for _, g := range r.Columns {
				for i, o := range c.Options {
					if o.Group == g {
						all = append(all, i)
					}
				}
			}
			specialOpts = append(specialOpts, append(all, parents...))
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
			var xs []int
			for i, o := range c.Options {
				if o.Attrs[attr] != 0 || prov != "" && o.Attrs[prov] != 0 {
					xs = append(xs, i)
				}
			}
			specialOpts = append(specialOpts, xs)
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
			var xs []int
			var walk func(e *Expr)
			walk = func(e *Expr) {
				if e.Op == "var" {
					xs = append(xs, idx[e.Var])
				}
				for _, a := range e.Args {
					walk(a)
				}
			}
			walk(x)
			specialOpts = append(specialOpts, xs)
			k.special = append(k.special, func(sel []bool) bool { return evalExpr(x, sel, idx) })
		}
	}
	k.occ = make([][]int, len(c.Options))
	for ci, cl := range k.clauses {
		for _, l := range cl {
			k.occ[abs(l)-1] = append(k.occ[abs(l)-1], ci)
		}
	}
	for si, xs := range specialOpts {
		for _, x := range xs {
			k.occ[x] = append(k.occ[x], len(k.clauses)+si)
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
	for i := range k.parent {
		if !k.linkOK(sel, i) {
			return false
		}
	}
	for gi := range k.groups {
		if !k.groupOK(sel, gi) {
			return false
		}
	}
	for ci := range k.clauses {
		if !k.checkOK(sel, ci) {
			return false
		}
	}
	for si := range k.special {
		if !k.checkOK(sel, len(k.clauses)+si) {
			return false
		}
	}
	return true
}

// validDelta reports whether sel is valid, given that it was valid before
// the options in changed were flipped: only constraints on them are checked.
// sc holds per-caller scratch space.
func (k *checker) validDelta(sel []bool, changed []int, sc *scratch) bool {
	if sc.stamp == nil {
		sc.stamp = make([]int, len(k.clauses)+len(k.special)+len(k.groups))
	}
	sc.epoch++
	nc := len(k.clauses) + len(k.special)
	group := func(gi int) bool {
		if gi < 0 || sc.stamp[nc+gi] == sc.epoch {
			return true
		}
		sc.stamp[nc+gi] = sc.epoch
		return k.groupOK(sel, gi)
	}
	for _, x := range changed {
		if !k.linkOK(sel, x) || !group(k.inGroup[x]) {
			return false
		}
		for _, c := range k.children[x] {
			if !k.linkOK(sel, c) {
				return false
			}
		}
		for _, gi := range k.subGroups[x] {
			if !group(gi) {
				return false
			}
		}
		for _, ci := range k.occ[x] {
			if sc.stamp[ci] == sc.epoch {
				continue
			}
			sc.stamp[ci] = sc.epoch
			if !k.checkOK(sel, ci) {
				return false
			}
		}
	}
	return true
}

// scratch marks constraints already checked by validDelta.
type scratch struct {
	stamp []int
	epoch int
}

func (k *checker) linkOK(sel []bool, i int) bool {
	if p := k.parent[i]; p >= 0 {
		return !(sel[i] && !sel[p] || k.mandatory[i] && sel[p] && !sel[i])
	}
	return !k.mandatory[i] || sel[i]
}

func (k *checker) groupOK(sel []bool, gi int) bool {
	g := k.groups[gi]
	if g.parent >= 0 && !sel[g.parent] {
		return true
	}
	n := 0
	for _, x := range g.members {
		if sel[x] {
			n++
		}
	}
	return !(g.one && n != 1 || !g.one && (n < g.min || g.max > 0 && n > g.max))
}

func (k *checker) checkOK(sel []bool, ci int) bool {
	if ci >= len(k.clauses) {
		return k.special[ci-len(k.clauses)](sel)
	}
	for _, l := range k.clauses[ci] {
		if l > 0 && sel[l-1] || l < 0 && !sel[-l-1] {
			return true
		}
	}
	return false
}

// flipTo rewrites sel (a valid assignment) so that option i is chosen:
// its ancestors are chosen, their exactly-one siblings (with descendants)
// dropped, and mandatory children added. It appends the flipped options to
// changed; the caller checks the result and undoes the flips.
func (k *checker) flipTo(sel []bool, i int, changed []int) []int {
	var clear func(x int)
	clear = func(x int) {
		if !sel[x] {
			return
		}
		sel[x] = false
		changed = append(changed, x)
		for _, c := range k.children[x] {
			clear(c)
		}
	}
	var fill func(x int)
	fill = func(x int) {
		if !sel[x] {
			changed = append(changed, x)
		}
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
	return changed
}
