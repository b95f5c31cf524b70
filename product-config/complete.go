package productconfig

import (
	"context"
	"fmt"
	"math"

	"github.com/go-air/gini/z"
)

// CompleteOptions tunes Complete.
type CompleteOptions struct {
	// UseDefaults first adds the catalogue's recommended defaults that are
	// still possible (in order), then completes at minimum price.
	UseDefaults bool
}

// Completion is a full valid configuration extending the customer's choices.
type Completion struct {
	Selected []string `json:"selected"` // option ids, catalogue order
	Quote    Quote    `json:"quote"`
	// Defaults lists the defaults that were applied.
	Defaults []string `json:"defaults,omitempty"`
}

// Complete fills the remaining choices with a minimum-price valid
// configuration (after the recommended defaults when asked). Price is
// minimised exactly with core-guided MaxSAT (OLL with totalizers) over
// option prices and price rules. It fails with ECONFLICT when the choices
// admit no configuration.
func (e *Engine) Complete(ctx context.Context, choices []Choice, opt CompleteOptions) (_ *Completion, err error) {
	defer catchTooHard(&err)
	cl, err := e.choiceLits(choices)
	if err != nil {
		return nil, fmt.Errorf("complete: %w", err)
	}
	m := e.m
	g := m.base.Copy() // the objective's clauses must not leak into the pool
	enc := &encoder{g: g, t: m.t}
	hard := e.assumptions(cl...)
	g.Assume(hard...)
	if solveCtx(ctx, g) != 1 {
		r := e.reason(g.Why(nil), z.LitNull, choices, cl, "Conflict")
		return nil, &Error{Code: ECONFLICT, Message: "complete: " + r.Text, Rules: r.Rules}
	}
	out := &Completion{}
	if opt.UseDefaults {
		for _, id := range m.cat.Defaults {
			l := m.opt[m.idx[id]]
			g.Assume(hard...)
			g.Assume(l)
			if solveCtx(ctx, g) == 1 {
				hard = append(hard, l)
				out.Defaults = append(out.Defaults, id)
			}
		}
	}
	type soft struct {
		w   int64
		tot []z.Lit // totalizer outputs when the soft is "at most k violated"
		k   int
	}
	softs := map[z.Lit]*soft{}
	var order []z.Lit // deterministic assumption order
	add := func(l z.Lit, w int64, tot []z.Lit, k int) {
		if s, ok := softs[l]; ok {
			s.w += w
			return
		}
		softs[l] = &soft{w: w, tot: tot, k: k}
		order = append(order, l)
	}
	var offset int64
	term := func(l z.Lit, p int64) {
		switch {
		case p > 0:
			add(l.Not(), p, nil, 0)
		case p < 0:
			add(l, -p, nil, 0)
			offset += p
		}
	}
	for i, o := range m.cat.Options {
		term(m.opt[i], o.Price)
	}
	for k, p := range m.cat.PriceRules {
		term(m.bundles[k], p.Delta)
	}
	var lb int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("complete: %w", err)
		}
		g.Assume(hard...)
		for _, l := range order {
			if softs[l].w > 0 {
				g.Assume(l)
			}
		}
		if solveCtx(ctx, g) == 1 {
			break
		}
		var core []z.Lit
		wmin := int64(math.MaxInt64)
		for _, l := range g.Why(nil) {
			if s, ok := softs[l]; ok && s.w > 0 {
				core = append(core, l)
				wmin = min(wmin, s.w)
			}
		}
		if len(core) == 0 {
			return nil, Errorf(EINTERNAL, "complete: hard constraints became inconsistent")
		}
		lb += wmin
		for _, l := range core {
			s := softs[l]
			s.w -= wmin
			if s.tot != nil && s.k+1 < len(s.tot) {
				add(s.tot[s.k+1].Not(), wmin, s.tot, s.k+1)
			}
		}
		if len(core) > 1 {
			viol := make([]z.Lit, len(core))
			for i, l := range core {
				viol[i] = l.Not()
			}
			tot := enc.totalizer(viol)
			add(tot[1].Not(), wmin, tot, 1)
		}
	}
	for i, o := range m.cat.Options {
		if g.Value(m.opt[i]) {
			out.Selected = append(out.Selected, o.ID)
		}
	}
	q, err := m.cat.Price(out.Selected)
	if err != nil {
		return nil, fmt.Errorf("complete: %w", err)
	}
	if q.Total != m.cat.BasePrice+offset+lb {
		return nil, Errorf(EINTERNAL, "complete: price %d differs from optimum bound %d", q.Total, m.cat.BasePrice+offset+lb)
	}
	out.Quote = q
	return out, nil
}
