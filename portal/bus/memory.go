// Package bus holds the in-process Bus, the default for a single node.
package bus

import (
	"context"
	"sync"

	"github.com/frontdesk/frontdesk/portal"
)

// Memory is an in-process portal.Bus.
type Memory struct {
	mu   sync.RWMutex
	subs map[string]map[*subscriber]struct{}
	// Buffer is each subscriber's queue length; default 16.
	Buffer int
}

var _ portal.Bus = (*Memory)(nil)

type subscriber struct {
	ch chan []byte
}

// NewMemory returns an empty bus.
func NewMemory() *Memory { return &Memory{subs: map[string]map[*subscriber]struct{}{}} }

// Publish hands payload to every current subscriber of topic without
// blocking; a full subscriber misses it.
func (m *Memory) Publish(ctx context.Context, topic string, payload []byte) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for s := range m.subs[topic] {
		select {
		case s.ch <- payload:
		default:
		}
	}
	return nil
}

// Subscribe registers a subscriber on topic.
func (m *Memory) Subscribe(topic string) (<-chan []byte, func()) {
	n := m.Buffer
	if n == 0 {
		n = 16
	}
	s := &subscriber{ch: make(chan []byte, n)}
	m.mu.Lock()
	if m.subs[topic] == nil {
		m.subs[topic] = map[*subscriber]struct{}{}
	}
	m.subs[topic][s] = struct{}{}
	m.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			m.mu.Lock()
			delete(m.subs[topic], s)
			if len(m.subs[topic]) == 0 {
				delete(m.subs, topic)
			}
			m.mu.Unlock()
		})
	}
}
