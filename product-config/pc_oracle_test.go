package productconfig

import (
	"bufio"
	"bytes"
	"context"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/crillab/gophersat/solver"
	"github.com/go-air/gini"
	"github.com/go-air/gini/z"
)

// cnfOracle answers satisfiability questions straight from the DIMACS file
// of the same model, independently of the importer and compiler under test.
type cnfOracle struct {
	clauses [][]int
	byName  map[string]int
	g       *gini.Gini
}

func mustOracle(tb testing.TB, file string) *cnfOracle {
	tb.Helper()
	o := &cnfOracle{byName: map[string]int{}, g: gini.New()}
	sc := bufio.NewScanner(bytes.NewReader(mustRead(tb, file)))
	var cur []int
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "p "):
		case strings.HasPrefix(line, "c "):
			f := strings.SplitN(line, " ", 3)
			n, _ := strconv.Atoi(f[1])
			o.byName[f[2]] = n
		default:
			for _, tok := range strings.Fields(line) {
				n, err := strconv.Atoi(tok)
				if err != nil {
					tb.Fatalf("oracle: bad token %q", tok)
				}
				if n == 0 {
					o.clauses = append(o.clauses, cur)
					for _, l := range cur {
						o.g.Add(z.Dimacs2Lit(l))
					}
					o.g.Add(0)
					cur = nil
				} else {
					cur = append(cur, n)
				}
			}
		}
	}
	return o
}

// lit maps an option of the imported catalogue to an oracle literal by name.
func (o *cnfOracle) lit(tb testing.TB, c *Catalog, id string, neg bool) int {
	tb.Helper()
	v, ok := o.byName[c.Options[c.OptionIndex(id)].Name]
	if !ok {
		tb.Fatalf("oracle: no variable for %q", id)
	}
	if neg {
		return -v
	}
	return v
}

func (o *cnfOracle) sat(lits []int) bool {
	for _, l := range lits {
		o.g.Assume(z.Dimacs2Lit(l))
	}
	return o.g.Solve() == 1
}

// satAssignment reports whether a full assignment (true set, root true)
// satisfies every clause.
func (o *cnfOracle) satAssignment(trueVars map[int]bool) bool {
	for _, cl := range o.clauses {
		ok := false
		for _, l := range cl {
			if l > 0 && trueVars[l] || l < 0 && !trueVars[-l] {
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

func TestEvaluate_PC_NoDeadEnds(t *testing.T) {
	ctx := context.Background()
	c := mustPC(t)
	e := mustCompile(t, c)
	o := mustOracle(t, "pc-richmond__Sprey2020.dimacs")
	rng := rand.New(rand.NewSource(42))
	for s := 0; s < 4; s++ {
		sess := e.NewSession(nil)
		st, err := sess.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for step := 0; ; step++ {
			var base []int
			for _, ch := range sess.Choices() {
				base = append(base, o.lit(t, c, ch.Option, ch.Exclude))
			}
			var open []int
			for i, os := range st.Options {
				if os.Chosen || os.Excluded {
					continue
				}
				if got, want := os.Available, o.sat(append(base, o.lit(t, c, os.ID, false))); got != want {
					t.Fatalf("session %d step %d: %s available=%v, oracle %v", s, step, os.ID, got, want)
				}
				if got, want := os.Forced, os.Available && !o.sat(append(base, o.lit(t, c, os.ID, true))); got != want {
					t.Fatalf("session %d step %d: %s forced=%v, oracle %v", s, step, os.ID, got, want)
				}
				if !os.Available {
					if os.Reason == nil || os.Reason.Text == "" {
						t.Fatalf("session %d step %d: %s disabled without reason", s, step, os.ID)
					}
					// The reason's choices alone must rule the option out.
					var lits []int
					for _, id := range os.Reason.Choices {
						for _, ch := range sess.Choices() {
							if ch.Option == id {
								lits = append(lits, o.lit(t, c, id, ch.Exclude))
							}
						}
					}
					if o.sat(append(lits, o.lit(t, c, os.ID, false))) {
						t.Fatalf("session %d step %d: %s reason %q does not explain it", s, step, os.ID, os.Reason.Text)
					}
				}
				if os.Available && !os.Forced {
					open = append(open, i)
				}
			}
			if len(open) == 0 || step == 30 {
				break
			}
			ch := Choice{Option: c.Options[open[rng.Intn(len(open))]].ID, Exclude: rng.Intn(5) == 0}
			if st, err = sess.Choose(ctx, ch); err != nil {
				t.Fatalf("session %d step %d: offered choice %v led to a dead end: %v", s, step, ch, err)
			}
		}
		comp, err := sess.Complete(ctx, CompleteOptions{})
		if err != nil {
			t.Fatalf("session %d: complete: %v", s, err)
		}
		trueVars := map[int]bool{1: true} // the root
		for _, id := range comp.Selected {
			trueVars[o.lit(t, c, id, false)] = true
		}
		if !o.satAssignment(trueVars) {
			t.Fatalf("session %d: completion %v violates the CNF", s, comp.Selected)
		}
	}
}

// TestComplete_PC_Cheapest checks the cheapest completion against an
// independent solver: gophersat must find no valid configuration cheaper
// by one cent (a pseudo-Boolean bound over the DIMACS model).
func TestComplete_PC_Cheapest(t *testing.T) {
	c := mustPC(t)
	e := mustCompile(t, c)
	o := mustOracle(t, "pc-richmond__Sprey2020.dimacs")
	for _, choices := range [][]Choice{nil, {{Option: "1080-ti-series"}}, {{Option: "stufe-3"}}, {{Option: "stufe-3"}, {Option: "1080-ti-series"}}} {
		comp, err := e.Complete(context.Background(), choices, CompleteOptions{})
		if err != nil {
			t.Fatalf("choices %v: %v", choices, err)
		}
		var cons []solver.PBConstr
		for _, cl := range o.clauses {
			cons = append(cons, solver.PropClause(cl...))
		}
		for _, ch := range choices {
			cons = append(cons, solver.PropClause(o.lit(t, c, ch.Option, ch.Exclude)))
		}
		var lits, ws []int
		for _, opt := range c.Options {
			if opt.Price > 0 {
				lits = append(lits, -o.lit(t, c, opt.ID, false))
				ws = append(ws, int(opt.Price))
			}
		}
		// sum(price * chosen) <= best-1  <=>  sum(price * not chosen) >= total-(best-1)
		var all int
		for _, w := range ws {
			all += w
		}
		best := int(comp.Quote.Total - c.BasePrice)
		bound := func(b int) solver.Status {
			pb := solver.ParsePBConstrs(append(cons[:len(cons):len(cons)], solver.GtEq(lits, ws, all-b)))
			return solver.New(pb).Solve()
		}
		if got := bound(best); got != solver.Sat { // control: the optimum itself is reachable
			t.Fatalf("choices %v: gophersat finds nothing at %d (status %v)", choices, comp.Quote.Total, got)
		}
		if got := bound(best - 1); got != solver.Unsat {
			t.Fatalf("choices %v: gophersat found a configuration cheaper than %d (status %v)", choices, comp.Quote.Total, got)
		}
	}
}

func TestRepair_PC_Minimal(t *testing.T) {
	ctx := context.Background()
	c := mustPC(t)
	e := mustCompile(t, c)
	o := mustOracle(t, "pc-richmond__Sprey2020.dimacs")
	possible := func(choices []Choice) bool {
		var lits []int
		for _, ch := range choices {
			lits = append(lits, o.lit(t, c, ch.Option, ch.Exclude))
		}
		return o.sat(lits)
	}
	rng := rand.New(rand.NewSource(3))
	checked := 0
	for s := 0; s < 6 && checked < 12; s++ {
		sess := e.NewSession(nil)
		st, _ := sess.State(ctx)
		for step := 0; step < 8; step++ {
			var open []int
			for i, os := range st.Options {
				if os.Available && !os.Chosen && !os.Forced {
					open = append(open, i)
				}
			}
			if len(open) == 0 {
				break
			}
			st, _ = sess.Choose(ctx, Choice{Option: c.Options[open[rng.Intn(len(open))]].ID})
		}
		var disabled []string
		for _, os := range st.Options {
			if !os.Available && !os.Excluded {
				disabled = append(disabled, os.ID)
			}
		}
		for k := 0; k < 3 && len(disabled) > 0; k++ {
			want := Choice{Option: disabled[rng.Intn(len(disabled))]}
			r, err := sess.Repair(ctx, want)
			if ErrorCode(err) == ECONFLICT {
				continue // never available at all
			}
			if err != nil {
				t.Fatal(err)
			}
			if !possible(ApplyRepair(r)) {
				t.Fatalf("repair %+v does not admit %v", r, want)
			}
			assertNoSmallerRepair(t, sess.Choices(), want, len(dropsExcept(r, want)), possible)
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no repair checked")
	}
}
