package productconfig

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-air/gini"
)

// ETOOHARD is the code of errors for catalogues whose check did not finish
// within the caller's context (deadline, client gone, shutdown).
const ETOOHARD = "too_hard"

// ErrTooHard says a check gave up: the rules are too hard for the solver
// within the time allowed (a "pigeonhole" of many options is the classic
// case). It is not a verdict on the catalogue.
var ErrTooHard = &Error{Code: ETOOHARD, Message: "This catalogue is too hard to check in the time allowed. Simplify its rules (fewer options under one constraint, fewer overlapping limits) and try again."}

// solveSlice is how long the solver runs between looks at the context.
const solveSlice = 50 * time.Millisecond

// abandoned carries the context's error out of solveCtx to catchTooHard.
type abandoned struct{ err error }

// solveCtx solves like g.Solve, but stops when ctx ends: the solver runs in
// slices (keeping what it learned between them) and checks ctx in
// between. It unwinds to the entry point's catchTooHard rather than
// returning an error, so that every SAT call in the package's searches
// honours the context without each caller threading an error through.
func solveCtx(ctx context.Context, g *gini.Gini) int {
	if ctx.Done() == nil {
		return g.Solve()
	}
	for {
		if err := ctx.Err(); err != nil {
			panic(abandoned{err})
		}
		if r := g.Try(solveSlice); r != 0 {
			return r
		}
	}
}

// catchTooHard, deferred by each entry point, turns an abandoned solve
// into ErrTooHard (wrapping the context's error).
func catchTooHard(err *error) {
	r := recover()
	if r == nil {
		return
	}
	a, ok := r.(abandoned)
	if !ok {
		panic(r)
	}
	*err = fmt.Errorf("%w (%w)", ErrTooHard, a.err)
}

// IsTooHard reports whether err is a check that gave up.
func IsTooHard(err error) bool { return errors.Is(err, ErrTooHard) }
