package productconfig

import (
	"context"
	"fmt"
	"sync"

	"github.com/go-air/gini"
)

// Session is one customer's configuration in progress. It keeps its own
// incremental solver, so learnt clauses carry over from choice to choice.
// Methods are safe for concurrent use.
type Session struct {
	e       *Engine
	mu      sync.Mutex
	g       *gini.Gini
	choices []Choice
}

// NewSession starts a session with the given earlier choices (may be nil).
func (e *Engine) NewSession(choices []Choice) *Session {
	return &Session{e: e, g: e.m.base.Copy(), choices: append([]Choice(nil), choices...)}
}

// Choices returns a copy of the session's choices, oldest first.
func (s *Session) Choices() []Choice {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Choice(nil), s.choices...)
}

// State evaluates the current choices.
func (s *Session) State(ctx context.Context) (*State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state(ctx, s.choices)
}

func (s *Session) state(ctx context.Context, choices []Choice) (*State, error) {
	cl, err := s.e.choiceLits(choices)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return s.e.evaluate(ctx, s.g, choices, cl)
}

// Choose records c (replacing an earlier choice on the same option) and
// returns the new state. When c is not possible it fails with ECONFLICT
// and the reason; the choices are left unchanged (see Repair).
func (s *Session) Choose(ctx context.Context, c Choice) (*State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := withChoice(s.choices, c)
	st, err := s.state(ctx, next)
	if err != nil {
		return nil, err
	}
	s.choices = next
	return st, nil
}

// Unchoose removes the choice on option id and returns the new state.
func (s *Session) Unchoose(ctx context.Context, id string) (*State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next []Choice
	for _, c := range s.choices {
		if c.Option != id {
			next = append(next, c)
		}
	}
	st, err := s.state(ctx, next)
	if err != nil {
		return nil, err
	}
	s.choices = next
	return st, nil
}

// Repair proposes the smallest set of earlier choices to drop to allow c.
func (s *Session) Repair(ctx context.Context, c Choice) (*Repair, error) {
	return s.e.Repair(ctx, s.Choices(), c)
}

// ApplyRepair replaces the choices with r's and returns the new state.
func (s *Session) ApplyRepair(ctx context.Context, r *Repair) (*State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := ApplyRepair(r)
	st, err := s.state(ctx, next)
	if err != nil {
		return nil, fmt.Errorf("apply repair: %w", err)
	}
	s.choices = next
	return st, nil
}

// Complete returns the cheapest (or defaults-first) completion of the
// session's choices without changing them.
func (s *Session) Complete(ctx context.Context, opt CompleteOptions) (*Completion, error) {
	return s.e.Complete(ctx, s.Choices(), opt)
}

func withChoice(choices []Choice, c Choice) []Choice {
	next := make([]Choice, 0, len(choices)+1)
	for _, x := range choices {
		if x.Option != c.Option {
			next = append(next, x)
		}
	}
	return append(next, c)
}
