package productconfig

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-air/gini"
	"github.com/go-air/gini/z"
)

// Report is the result of the publish checks on a catalogue.
type Report struct {
	// Valid: at least one complete configuration exists.
	Valid bool `json:"valid"`
	// Conflict names a minimal set of rules and groups that together admit
	// no configuration (when !Valid).
	Conflict     []string `json:"conflict,omitempty"`
	ConflictText string   `json:"conflict_text,omitempty"`
	// Dead lists options that can never be chosen, Core options that every
	// configuration includes.
	Dead []string `json:"dead,omitempty"`
	Core []string `json:"core,omitempty"`
	// Reasons explains each dead or core option by id.
	Reasons map[string]string `json:"reasons,omitempty"`
}

// Err returns an ECONFLICT *Error naming the conflicting rules when the
// catalogue cannot be published, and nil otherwise.
func (r *Report) Err() error {
	if r.Valid {
		return nil
	}
	return &Error{Code: ECONFLICT, Message: "catalogue has no valid configuration: " + r.ConflictText, Rules: r.Conflict}
}

// CheckCatalog validates, compiles and checks c for publishing.
func CheckCatalog(ctx context.Context, c *Catalog) (*Report, error) {
	e, err := Compile(c)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	return e.Check(ctx)
}

// Check runs the publish checks: satisfiability (with a minimal conflict
// over rule-activation literals when unsatisfiable), dead and core options.
func (e *Engine) Check(ctx context.Context) (rep *Report, err error) {
	defer catchTooHard(&err)
	g := e.solver()
	defer e.release(g)
	rep = &Report{}
	g.Assume(e.m.acts...)
	if solveCtx(ctx, g) != 1 {
		core := e.minimalCore(ctx, g, g.Why(nil))
		var labels []string
		for _, l := range core {
			el := e.m.elems[e.m.actOf[l]]
			rep.Conflict = append(rep.Conflict, el.id)
			labels = append(labels, fmt.Sprintf("%s %q (%s)", el.kind, el.id, el.label))
		}
		if len(labels) == 0 {
			rep.ConflictText = "the option structure itself is contradictory"
		} else {
			rep.ConflictText = strings.Join(labels, "; ")
		}
		return rep, nil
	}
	rep.Valid = true
	st, err := e.evaluate(ctx, g, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	rep.Reasons = map[string]string{}
	for _, o := range st.Options {
		switch {
		case !o.Available:
			rep.Dead = append(rep.Dead, o.ID)
		case o.Forced:
			rep.Core = append(rep.Core, o.ID)
		default:
			continue
		}
		rep.Reasons[o.ID] = o.Reason.Text
	}
	return rep, nil
}

// minimalCore shrinks a core of activation literals by deletion until
// every remaining element is needed.
func (e *Engine) minimalCore(ctx context.Context, g *gini.Gini, why []z.Lit) []z.Lit {
	var core []z.Lit
	for _, l := range why {
		if _, ok := e.m.actOf[l]; ok {
			core = append(core, l)
		}
	}
	for i := 0; i < len(core); {
		trial := append(append([]z.Lit(nil), core[:i]...), core[i+1:]...)
		g.Assume(trial...)
		if solveCtx(ctx, g) == -1 {
			core = trial
			continue
		}
		i++
	}
	return core
}
