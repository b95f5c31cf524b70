package productconfig

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-air/gini"
	"github.com/go-air/gini/z"
)

// Engine answers configuration questions for one compiled catalogue. It is
// safe for concurrent use: each call borrows one of a pool of incremental
// solvers (copies of the compiled base), so learnt clauses are reused
// across calls.
type Engine struct {
	m    *model
	pool chan *gini.Gini
}

// Compile validates c and compiles it to SAT. The catalogue must not be
// modified afterwards.
func Compile(c *Catalog) (*Engine, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m, err := compile(c)
	if err != nil {
		return nil, fmt.Errorf("compile %q: %w", c.ID, err)
	}
	return &Engine{m: m, pool: make(chan *gini.Gini, 16)}, nil
}

// Catalog returns the compiled catalogue.
func (e *Engine) Catalog() *Catalog { return e.m.cat }

// Vars returns the number of SAT variables of the compiled catalogue
// (options plus auxiliary variables).
func (e *Engine) Vars() int { return e.m.nvars }

func (e *Engine) solver() *gini.Gini {
	select {
	case g := <-e.pool:
		return g
	default:
		return e.m.base.Copy()
	}
}

func (e *Engine) release(g *gini.Gini) {
	select {
	case e.pool <- g:
	default:
	}
}

// Choice is one decision of the customer: option chosen, or explicitly
// excluded when Exclude is set.
type Choice struct {
	Option  string `json:"option"`
	Exclude bool   `json:"exclude,omitempty"`
}

// Reason explains why an option is disabled or forced: the customer's
// choices and the rules (or groups) responsible, from a failed-assumption
// core.
type Reason struct {
	Choices []string `json:"choices,omitempty"` // option ids of the choices involved
	Rules   []string `json:"rules,omitempty"`   // rule or group ids involved
	Text    string   `json:"text"`
}

// OptionState is what the configurator shows for one option.
type OptionState struct {
	ID       string `json:"id"`
	Chosen   bool   `json:"chosen,omitempty"`   // selected by the customer
	Excluded bool   `json:"excluded,omitempty"` // excluded by the customer
	// Available: choosing it still leaves a complete valid configuration.
	Available bool `json:"available"`
	// Forced: every valid completion includes it.
	Forced bool    `json:"forced,omitempty"`
	Reason *Reason `json:"reason,omitempty"` // why disabled, or why forced
}

// State is the configurator's answer after a choice.
type State struct {
	Choices []Choice      `json:"choices"`
	Options []OptionState `json:"options"`
	// Complete: every option is decided (chosen, excluded, forced or disabled).
	Complete bool `json:"complete"`
	// Quote prices the chosen and forced options.
	Quote Quote `json:"quote"`
	// SATCalls and LocalMoves count solver calls and models proved by
	// local moves, for tuning.
	SATCalls   int `json:"sat_calls"`
	LocalMoves int `json:"local_moves"`
}

// choiceLits maps choices to literals, rejecting unknown or contradictory ones.
func (e *Engine) choiceLits(choices []Choice) ([]z.Lit, error) {
	ls := make([]z.Lit, len(choices))
	seen := make(map[string]int, len(choices))
	for i, c := range choices {
		j, ok := e.m.idx[c.Option]
		if !ok {
			return nil, Errorf(ENOTFOUND, "unknown option %q", c.Option)
		}
		if k, dup := seen[c.Option]; dup {
			return nil, Errorf(EINVALID, "option %q chosen twice (choices %d and %d)", c.Option, k+1, i+1)
		}
		seen[c.Option] = i
		ls[i] = e.m.opt[j]
		if c.Exclude {
			ls[i] = ls[i].Not()
		}
	}
	return ls, nil
}

// assumptions returns all activation literals followed by extra.
func (e *Engine) assumptions(extra ...z.Lit) []z.Lit {
	out := make([]z.Lit, 0, len(e.m.acts)+len(extra))
	return append(append(out, e.m.acts...), extra...)
}

// Evaluate computes the state of every option under choices. It fails with
// ECONFLICT (and a reason) when the choices admit no valid configuration.
func (e *Engine) Evaluate(ctx context.Context, choices []Choice) (st *State, err error) {
	defer catchTooHard(&err)
	cl, err := e.choiceLits(choices)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	g := e.solver()
	defer e.release(g)
	return e.evaluate(ctx, g, choices, cl)
}

func (e *Engine) evaluate(ctx context.Context, g *gini.Gini, choices []Choice, cl []z.Lit) (*State, error) {
	m := e.m
	n := len(m.opt)
	base := e.assumptions(cl...)
	st := &State{Choices: append([]Choice(nil), choices...), Options: make([]OptionState, n)}
	// Propagate the base assumptions once in a test scope; every probe then
	// adds one assumption on top of it.
	g.Assume(base...)
	res, prop := g.Test(make([]z.Lit, 0, 2*n))
	if res == -1 {
		g.Untest()
		g.Assume(base...)
		solveCtx(ctx, g)
		r := e.reason(g.Why(nil), z.LitNull, choices, cl, "Conflict")
		return nil, &Error{Code: ECONFLICT, Message: r.Text, Rules: r.Rules}
	}
	defer g.Untest()
	solve := func(extra z.Lit) bool {
		st.SATCalls++
		if extra != z.LitNull {
			g.Assume(extra)
		}
		return solveCtx(ctx, g) == 1
	}
	if !solve(z.LitNull) {
		r := e.reason(g.Why(nil), z.LitNull, choices, cl, "Conflict")
		return nil, &Error{Code: ECONFLICT, Message: r.Text, Rules: r.Rules}
	}
	canT := make([]bool, n)
	canF := make([]bool, n)
	mark := func() {
		for i, l := range m.opt {
			if g.Value(l) {
				canT[i] = true
			} else {
				canF[i] = true
			}
		}
	}
	mark()
	for _, c := range choices {
		j := m.idx[c.Option]
		st.Options[j].Chosen = !c.Exclude
		st.Options[j].Excluded = c.Exclude
	}
	for i := range st.Options {
		os := &st.Options[i]
		os.ID = m.cat.Options[i].ID
		if os.Excluded {
			os.Reason = &Reason{Choices: []string{os.ID}, Text: "Not available: you excluded " + m.cat.Options[i].Name}
		}
	}
	// Options fixed by unit propagation from the choices need no SAT call:
	// their reason is the assumptions reached through the implication graph.
	failed := make([]bool, n)
	bcpTrue := make([]bool, n)
	for _, l := range prop {
		i, ok := m.optOf[l.Var()]
		if !ok {
			continue
		}
		os := &st.Options[i]
		if os.Chosen || os.Excluded {
			continue
		}
		if l == m.opt[i] {
			bcpTrue[i] = true
			r := e.reason(e.trace(g, l), l.Not(), choices, cl, "Required")
			os.Reason = &r
		} else {
			failed[i] = true
			canF[i] = true
			r := e.reason(e.trace(g, l), l.Not(), choices, cl, "Not available")
			os.Reason = &r
		}
	}
	// Which undecided options can still be chosen? First local moves from
	// the model found, then batched SAT calls for the rest.
	var cands []int
	for i, os := range st.Options {
		if !os.Chosen && !os.Excluded && !canT[i] && !failed[i] {
			cands = append(cands, i)
		}
	}
	if len(cands) > 0 {
		model := make([]bool, n)
		for i, l := range m.opt {
			model[i] = g.Value(l)
		}
		var changed []int
		var sc scratch
		for _, i := range cands {
			if canT[i] {
				continue
			}
			changed = m.check.flipTo(model, i, changed[:0])
			ok := true
			for _, j := range changed {
				os := st.Options[j]
				if os.Chosen && !model[j] || os.Excluded && model[j] {
					ok = false
					break
				}
			}
			if ok && m.check.validDelta(model, changed, &sc) {
				st.LocalMoves++
				for _, j := range changed {
					if model[j] {
						canT[j] = true
					} else {
						canF[j] = true
					}
				}
			}
			for _, j := range changed {
				model[j] = !model[j]
			}
		}
		keep := cands[:0]
		for _, i := range cands {
			if !canT[i] {
				keep = append(keep, i)
			}
		}
		cands = keep
	}
	seed := map[int]int{}
	for i, os := range st.Options {
		if os.Chosen {
			for _, p := range m.paths[i] {
				seed[p.group] = p.member
			}
		}
	}
	err := e.cover(ctx, g, cands, false, seed, &st.SATCalls, canT, mark, func(i int, core []z.Lit) {
		failed[i] = true
		r := e.reason(core, m.opt[i], choices, cl, "Not available")
		st.Options[i].Reason = &r
	})
	if err != nil {
		return nil, err
	}
	for i := range st.Options {
		os := &st.Options[i]
		os.Available = os.Chosen || !os.Excluded && !failed[i]
	}
	// Which available options are in every valid completion?
	cands = cands[:0]
	for i, os := range st.Options {
		if bcpTrue[i] {
			os.Forced = true
			st.Options[i].Forced = true
			continue
		}
		if os.Available && !os.Chosen && !canF[i] {
			cands = append(cands, i)
		}
	}
	err = e.cover(ctx, g, cands, true, nil, &st.SATCalls, canF, mark, func(i int, core []z.Lit) {
		st.Options[i].Forced = true
		r := e.reason(core, m.opt[i].Not(), choices, cl, "Required")
		st.Options[i].Reason = &r
	})
	if err != nil {
		return nil, err
	}
	var sel []string
	st.Complete = true
	for i, os := range st.Options {
		if os.Chosen || os.Forced {
			sel = append(sel, m.cat.Options[i].ID)
		}
		if os.Available && !os.Chosen && !os.Forced {
			st.Complete = false
		}
	}
	q, err := m.cat.Price(sel)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	st.Quote = q
	return st, nil
}

// reason turns a failed-assumption core into a human-readable Reason.
func (e *Engine) reason(core []z.Lit, probe z.Lit, choices []Choice, cl []z.Lit, prefix string) Reason {
	m := e.m
	inCore := make(map[z.Lit]bool, len(core))
	for _, l := range core {
		inCore[l] = true
	}
	var r Reason
	var chose, excluded, labels []string
	for i, l := range cl {
		if inCore[l] && l != probe {
			o := m.cat.Options[m.idx[choices[i].Option]]
			r.Choices = append(r.Choices, o.ID)
			if choices[i].Exclude {
				excluded = append(excluded, o.Name)
			} else {
				chose = append(chose, o.Name)
			}
		}
	}
	var groups []string
	for _, l := range core {
		if k, ok := m.actOf[l]; ok {
			r.Rules = append(r.Rules, m.elems[k].id)
			if m.elems[k].kind == "group" {
				groups = append(groups, m.elems[k].label)
			} else {
				labels = append(labels, m.elems[k].label)
			}
		}
	}
	// Editor rules carry the explanation; group cardinalities are context.
	if len(labels) == 0 {
		labels, groups = groups, nil
	}
	defer func() {
		if len(groups) > 0 {
			r.Text += " (given that " + strings.Join(groups, "; ") + ")"
		}
	}()
	var parts []string
	if len(chose) > 0 {
		parts = append(parts, "you chose "+joinAnd(chose))
	}
	if len(excluded) > 0 {
		parts = append(parts, "you excluded "+joinAnd(excluded))
	}
	who := strings.Join(parts, " and ")
	switch {
	case who != "" && len(labels) > 0:
		r.Text = fmt.Sprintf("%s: %s, but %s", prefix, who, strings.Join(labels, "; "))
	case who != "":
		r.Text = fmt.Sprintf("%s: %s", prefix, who)
	case len(labels) > 0:
		if prefix == "Not available" {
			prefix = "Never available"
		} else if prefix == "Required" {
			prefix = "Always required"
		}
		r.Text = fmt.Sprintf("%s: %s", prefix, strings.Join(labels, "; "))
	default:
		if prefix == "Not available" {
			r.Text = "Never available: ruled out by the product structure"
		} else {
			r.Text = prefix + ": required by the product structure"
		}
	}
	return r
}

func joinAnd(xs []string) string {
	if len(xs) <= 1 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// cover decides for each candidate i whether its literal (negated when neg)
// is consistent with the assumptions already in g's test scope. Instead of
// one call per candidate it assumes a batch of statically compatible
// candidates: a model proves every candidate it satisfies (mark records
// it in proven), and a core containing a single batch literal proves that
// candidate inconsistent (fail receives the core). Other cores shrink the
// batch by all but one of their literals, so each round makes progress.
func (e *Engine) cover(ctx context.Context, g *gini.Gini, cands []int, neg bool, seed map[int]int, calls *int, proven []bool, mark func(), fail func(int, []z.Lit)) error {
	m := e.m
	lit := func(i int) z.Lit {
		if neg {
			return m.opt[i].Not()
		}
		return m.opt[i]
	}
	done := make(map[int]bool)
	pending := cands
	var lits []z.Lit
	for len(pending) > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
		sel := make(map[int]int, len(seed))
		for k, v := range seed {
			sel[k] = v
		}
		var batch, rest []int
		for _, i := range pending {
			if done[i] || proven[i] {
				continue
			}
			ok := true
			if !neg {
				for _, p := range m.paths[i] {
					if v, set := sel[p.group]; set && v != p.member {
						ok = false
						break
					}
				}
			}
			if !ok && len(batch) > 0 {
				rest = append(rest, i)
				continue
			}
			if !neg {
				for _, p := range m.paths[i] {
					sel[p.group] = p.member
				}
			}
			batch = append(batch, i)
		}
		for len(batch) > 0 {
			lits = lits[:0]
			for _, i := range batch {
				lits = append(lits, lit(i))
			}
			*calls++
			g.Assume(lits...)
			if solveCtx(ctx, g) == 1 {
				mark()
				break
			}
			core := g.Why(nil)
			inCore := make(map[z.Lit]bool, len(core))
			for _, l := range core {
				inCore[l] = true
			}
			var hit []int
			keep := batch[:0]
			for _, i := range batch {
				if inCore[lit(i)] {
					hit = append(hit, i)
				} else {
					keep = append(keep, i)
				}
			}
			switch len(hit) {
			case 0:
				return Errorf(EINTERNAL, "evaluate: base assumptions became inconsistent")
			case 1:
				done[hit[0]] = true
				fail(hit[0], core)
			default:
				keep = append(keep, hit[0])
				rest = append(rest, hit[1:]...)
			}
			batch = keep
		}
		pending = rest
	}
	return nil
}

// respects reports whether sel keeps the customer's choices.
func respects(sel []bool, os []OptionState) bool {
	for i, o := range os {
		if o.Chosen && !sel[i] || o.Excluded && sel[i] {
			return false
		}
	}
	return true
}

// trace returns the assumptions that imply l by unit propagation in the
// current test scope, walking gini's implication graph. The false side of
// the probe, l.Not(), is added so reason() can exclude it.
func (e *Engine) trace(g *gini.Gini, l z.Lit) []z.Lit {
	seen := map[z.Var]bool{l.Var(): true}
	stack := []z.Lit{l}
	var core, buf []z.Lit
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		buf = g.Reasons(buf[:0], x)
		if len(buf) == 0 {
			core = append(core, x)
			continue
		}
		for _, r := range buf {
			if !seen[r.Var()] {
				seen[r.Var()] = true
				stack = append(stack, r)
			}
		}
	}
	return core
}
