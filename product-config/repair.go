package productconfig

import (
	"context"
	"fmt"

	"github.com/go-air/gini/z"
)

// Repair proposes how to get a disabled option: drop the smallest set of
// earlier choices that makes Want possible again.
type Repair struct {
	Want   Choice   `json:"want"`
	Drop   []Choice `json:"drop"`
	Keep   []Choice `json:"keep"`
	Reason *Reason  `json:"reason,omitempty"` // why Want was not available
}

// Repair computes a minimum-cardinality set of choices to drop so that want
// becomes possible, by implicit hitting sets: cores over the choices are
// collected until a smallest set hitting all of them leaves a satisfiable
// rest. It fails with ECONFLICT when want is impossible on its own.
func (e *Engine) Repair(ctx context.Context, choices []Choice, want Choice) (_ *Repair, err error) {
	defer catchTooHard(&err)
	cl, err := e.choiceLits(choices)
	if err != nil {
		return nil, fmt.Errorf("repair: %w", err)
	}
	j, ok := e.m.idx[want.Option]
	if !ok {
		return nil, Errorf(ENOTFOUND, "repair: unknown option %q", want.Option)
	}
	wl := e.m.opt[j]
	if want.Exclude {
		wl = wl.Not()
	}
	// Drop any earlier choice on the same option: want replaces it.
	var prior []int
	for i, c := range choices {
		if c.Option != want.Option {
			prior = append(prior, i)
		}
	}
	g := e.solver()
	defer e.release(g)
	pos := make(map[z.Lit]int, len(cl))
	for _, i := range prior {
		pos[cl[i]] = i
	}
	var cores [][]int
	var first *Reason
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("repair: %w", err)
		}
		drop := minHittingSet(cores)
		dropped := make(map[int]bool, len(drop))
		for _, i := range drop {
			dropped[i] = true
		}
		var lits []z.Lit
		for _, i := range prior {
			if !dropped[i] {
				lits = append(lits, cl[i])
			}
		}
		g.Assume(e.assumptions(append(lits, wl)...)...)
		if solveCtx(ctx, g) == 1 {
			r := &Repair{Want: want, Reason: first}
			for i, c := range choices {
				if dropped[i] || c.Option == want.Option {
					r.Drop = append(r.Drop, c)
				} else {
					r.Keep = append(r.Keep, c)
				}
			}
			return r, nil
		}
		why := g.Why(nil)
		if first == nil {
			rs := e.reason(why, wl, choices, cl, "Not available")
			first = &rs
		}
		var core []int
		for _, l := range why {
			if i, ok := pos[l]; ok && !dropped[i] {
				core = append(core, i)
			}
		}
		if len(core) == 0 {
			rs := e.reason(why, wl, choices, cl, "Not available")
			return nil, &Error{Code: ECONFLICT, Message: "repair: " + rs.Text, Rules: rs.Rules}
		}
		cores = append(cores, core)
	}
}

// ApplyRepair returns the choices after the repair: kept choices then Want.
func ApplyRepair(r *Repair) []Choice {
	return append(append([]Choice(nil), r.Keep...), r.Want)
}

// minHittingSet returns a smallest set of indices meeting every core, by
// enumerating subsets of the cores' union in order of size.
func minHittingSet(cores [][]int) []int {
	if len(cores) == 0 {
		return nil
	}
	seen := map[int]bool{}
	var univ []int
	for _, c := range cores {
		for _, x := range c {
			if !seen[x] {
				seen[x] = true
				univ = append(univ, x)
			}
		}
	}
	hits := func(set []int) bool {
		in := make(map[int]bool, len(set))
		for _, x := range set {
			in[x] = true
		}
		for _, c := range cores {
			ok := false
			for _, x := range c {
				if in[x] {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	for k := 1; k <= len(univ); k++ {
		idx := make([]int, k)
		for i := range idx {
			idx[i] = i
		}
		for {
			set := make([]int, k)
			for i, p := range idx {
				set[i] = univ[p]
			}
			if hits(set) {
				return set
			}
			// next combination
			i := k - 1
			for i >= 0 && idx[i] == len(univ)-k+i {
				i--
			}
			if i < 0 {
				break
			}
			idx[i]++
			for j := i + 1; j < k; j++ {
				idx[j] = idx[j-1] + 1
			}
		}
	}
	return univ
}
