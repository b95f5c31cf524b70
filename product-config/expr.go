package productconfig

import (
	"fmt"
	"strings"
)

// Expr is a propositional formula over option ids, as written in feature
// model cross-tree constraints. Op is one of "var", "not", "and", "or",
// "imp" (two args) or "eq" (two args).
type Expr struct {
	Op   string  `json:"op"`
	Var  string  `json:"var,omitempty"`
	Args []*Expr `json:"args,omitempty"`
}

// Var returns the formula "option id is chosen".
func Var(id string) *Expr { return &Expr{Op: "var", Var: id} }

// Not returns the negation of e.
func Not(e *Expr) *Expr { return &Expr{Op: "not", Args: []*Expr{e}} }

// And returns the conjunction of es.
func And(es ...*Expr) *Expr { return &Expr{Op: "and", Args: es} }

// Or returns the disjunction of es.
func Or(es ...*Expr) *Expr { return &Expr{Op: "or", Args: es} }

// Implies returns a -> b.
func Implies(a, b *Expr) *Expr { return &Expr{Op: "imp", Args: []*Expr{a, b}} }

// Equiv returns a <-> b.
func Equiv(a, b *Expr) *Expr { return &Expr{Op: "eq", Args: []*Expr{a, b}} }

func (e *Expr) check(opts map[string]int) error {
	if e == nil {
		return fmt.Errorf("empty expression")
	}
	switch e.Op {
	case "var":
		if _, ok := opts[e.Var]; !ok {
			return fmt.Errorf("unknown option %q", e.Var)
		}
		return nil
	case "not":
		if len(e.Args) != 1 {
			return fmt.Errorf("not takes 1 argument, got %d", len(e.Args))
		}
	case "imp", "eq":
		if len(e.Args) != 2 {
			return fmt.Errorf("%s takes 2 arguments, got %d", e.Op, len(e.Args))
		}
	case "and", "or":
		if len(e.Args) == 0 {
			return fmt.Errorf("%s without arguments", e.Op)
		}
	default:
		return fmt.Errorf("unknown operator %q", e.Op)
	}
	for _, a := range e.Args {
		if err := a.check(opts); err != nil {
			return err
		}
	}
	return nil
}

// flatten merges nested and/or chains (FeatureIDE nests binary disj).
func (e *Expr) flatten() *Expr {
	if e.Op == "var" {
		return e
	}
	out := &Expr{Op: e.Op}
	for _, a := range e.Args {
		fa := a.flatten()
		if (e.Op == "and" || e.Op == "or") && fa.Op == e.Op {
			out.Args = append(out.Args, fa.Args...)
		} else {
			out.Args = append(out.Args, fa)
		}
	}
	return out
}

// format renders e for reasons, using option names.
func (e *Expr) format(c *Catalog) string {
	return e.flatten().fmt(c, 0)
}

func (e *Expr) fmt(c *Catalog, depth int) string {
	sub := func(a *Expr) string {
		s := a.fmt(c, depth+1)
		if a.Op != "var" && a.Op != "not" {
			s = "(" + s + ")"
		}
		return s
	}
	join := func(sep string) string {
		ps := make([]string, len(e.Args))
		for i, a := range e.Args {
			ps[i] = sub(a)
		}
		return strings.Join(ps, sep)
	}
	switch e.Op {
	case "var":
		return c.optionName(e.Var)
	case "not":
		return "not " + sub(e.Args[0])
	case "and":
		return join(" and ")
	case "or":
		return join(" or ")
	case "imp":
		if depth == 0 {
			l, r := e.Args[0], e.Args[1]
			if r.Op == "and" && allNegVars(r.Args) {
				return fmt.Sprintf("%s excludes %s", sub(l), (&Expr{Op: "or", Args: unNot(r.Args)}).fmt(c, depth+1))
			}
			if r.Op == "not" {
				return fmt.Sprintf("%s excludes %s", sub(l), sub(r.Args[0]))
			}
			return fmt.Sprintf("%s needs %s", sub(l), sub(r))
		}
		return sub(e.Args[0]) + " implies " + sub(e.Args[1])
	case "eq":
		return sub(e.Args[0]) + " if and only if " + sub(e.Args[1])
	}
	return e.Op
}

func allNegVars(es []*Expr) bool {
	for _, a := range es {
		if a.Op != "not" || a.Args[0].Op != "var" {
			return false
		}
	}
	return true
}

func unNot(es []*Expr) []*Expr {
	out := make([]*Expr, len(es))
	for i, a := range es {
		out[i] = a.Args[0]
	}
	return out
}
