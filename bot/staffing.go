package bot

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Whether a person can take a chat is asked on every customer's hello
// (and hand-off, sweep, queue refresh): it needs the chat settings
// (business hours) and the agents' presence. A node keeps both from the
// store until something changes them, and every change publishes on the
// bus, which reaches every node:
//
//   - a chosen status (SetStatus) and an agent gone (AgentGone) publish
//     EventPresence;
//   - an agent whose sockets come back after the grace becomes available
//     with a heartbeat: a node's heartbeat publishes EventPresence for each
//     agent it records who was not in its previous heartbeat;
//   - saved chat settings (SaveSettings) publish EventSettings.
//
// What changes with time alone is computed at each ask: business hours
// from the kept settings at now, and the agents seen within the grace at
// now; when the earliest available agent's heartbeat kept here runs out
// of the grace, the store is read again (a later heartbeat may have
// renewed it). Nothing is kept for a length of time: while the bus
// cannot promise delivery (a listener reconnecting), or after it lost
// messages, every ask reads the store.
type staffing struct {
	mu sync.Mutex
	// gen counts invalidations: a read that began before one is not kept.
	gen    uint64
	loaded bool
	set    portal.ChatSettings
	loc    *time.Location
	// presence: the agents seen within the grace when read.
	presence []*portal.AgentPresence
	// until: when the earliest kept available agent's heartbeat runs out
	// of the grace; past it the kept state is read again.
	until time.Time
}

// staffState is what the staffing answers from: one read of the store.
type staffState struct {
	set      portal.ChatSettings
	loc      *time.Location
	presence []*portal.AgentPresence
}

func (s *staffing) invalidate() {
	s.mu.Lock()
	s.gen++
	s.loaded = false
	s.presence = nil
	s.mu.Unlock()
}

// busHealth is what a networked bus reports: nil while it delivers every
// message (portal/postgres.Bus).
type busHealth interface{ Healthy() error }

// staffState returns the settings and presence, kept or read.
func (e *Engine) staffState(ctx context.Context) (staffState, error) {
	now := e.now()
	s := &e.staffing
	trusted := true
	if h, ok := e.bus.(busHealth); ok && h.Healthy() != nil {
		trusted = false // events may be missed: read, and keep nothing
		s.invalidate()
	}
	s.mu.Lock()
	if trusted && s.loaded && now.Before(s.until) {
		st := staffState{set: s.set, loc: s.loc, presence: s.presence}
		s.mu.Unlock()
		return st, nil
	}
	gen := s.gen
	s.mu.Unlock()

	set, err := e.store.ChatSettings(ctx)
	if err != nil {
		return staffState{}, err
	}
	ps, err := e.store.FindAgentPresence(ctx, now.Add(-e.cfg.AgentGrace))
	if err != nil {
		return staffState{}, err
	}
	st := staffState{set: set, loc: set.Location(), presence: ps}
	if !trusted {
		return st, nil
	}
	until := now.Add(e.cfg.AgentGrace) // nobody available: until a change says so
	for _, p := range ps {
		if p.Status != portal.AgentAvailable {
			continue
		}
		if end := p.SeenAt.Add(e.cfg.AgentGrace); end.Before(until) {
			until = end
		}
	}
	s.mu.Lock()
	if s.gen == gen {
		s.loaded, s.set, s.loc, s.presence, s.until = true, st.set, st.loc, st.presence, until
	}
	s.mu.Unlock()
	return st, nil
}

// available returns the agents in st who chose available and were seen
// within the grace at now, except one.
func (e *Engine) available(st staffState, now time.Time, except int64) map[int64]bool {
	cutoff := now.Add(-e.cfg.AgentGrace)
	out := map[int64]bool{}
	for _, p := range st.presence {
		if p.Status == portal.AgentAvailable && p.AgentID != except && !p.SeenAt.Before(cutoff) {
			out[p.AgentID] = true
		}
	}
	return out
}

// onStaffEvent drops the kept staffing when an event may change it.
func (e *Engine) onStaffEvent(m portal.BusMessage) {
	var k struct {
		Kind EventKind `json:"k"`
	}
	if json.Unmarshal(m.Payload, &k) != nil {
		return
	}
	if k.Kind == EventPresence || k.Kind == EventSettings {
		e.staffing.invalidate()
	}
}

// SaveSettings stores the chat settings and tells every node.
func (e *Engine) SaveSettings(ctx context.Context, set portal.ChatSettings) error {
	if err := e.store.SaveChatSettings(ctx, set); err != nil {
		return err
	}
	e.publish(ctx, Event{Kind: EventSettings})
	return nil
}
