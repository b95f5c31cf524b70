// Package bus holds the in-process Bus, the default for a single node, and
// the fan-out the networked bus delivers through.
package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"

	"github.com/frontdesk/frontdesk/portal"
)

// Memory is the in-process portal.Bus: Publish calls this process's
// subscribers of the topic, in the publisher's goroutine.
type Memory struct {
	node string
	*medium
}

// medium is what the peers of a Memory share.
type medium struct {
	mu sync.RWMutex
	// subs holds each topic's subscribers. A slice is never changed once
	// stored (Subscribe and cancel store a new one), so Publish calls
	// them without holding the lock, and a subscriber may subscribe or
	// cancel from its callback's goroutine.
	subs   map[string][]*subscriber
	closed bool
}

var _ portal.Bus = (*Memory)(nil)

type subscriber struct {
	fn func(portal.BusMessage)
}

// NewMemory returns an empty bus with a new node id.
func NewMemory() *Memory {
	return &Memory{node: newNode(), medium: &medium{subs: map[string][]*subscriber{}}}
}

// Peer returns the bus of another node in this process (tests of several
// nodes): it shares m's subscribers, with its own node id.
func (m *Memory) Peer() *Memory { return &Memory{node: newNode(), medium: m.medium} }

func newNode() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Node identifies this process.
func (m *Memory) Node() string { return m.node }

// Publish hands payload to every current subscriber of topic.
func (m *Memory) Publish(_ context.Context, topic string, payload []byte) error {
	if err := portal.CheckBusPayload(topic, payload); err != nil {
		return err
	}
	m.mu.RLock()
	closed := m.closed
	m.mu.RUnlock()
	if closed {
		return portal.ErrBusClosed
	}
	m.Deliver(portal.BusMessage{Topic: topic, Node: m.node, Payload: payload})
	return nil
}

// Deliver hands msg to this process's subscribers of its topic, whoever
// published it: a networked bus delivers other nodes' messages with it.
func (m *Memory) Deliver(msg portal.BusMessage) {
	m.mu.RLock()
	subs := m.subs[msg.Topic]
	m.mu.RUnlock()
	for _, s := range subs {
		s.fn(msg)
	}
}

// Subscribe calls fn for every message on topic until cancel.
func (m *Memory) Subscribe(topic string, fn func(portal.BusMessage)) func() {
	s := &subscriber{fn: fn}
	m.mu.Lock()
	old := m.subs[topic]
	list := make([]*subscriber, len(old), len(old)+1)
	copy(list, old)
	m.subs[topic] = append(list, s)
	m.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			old := m.subs[topic]
			list := make([]*subscriber, 0, len(old))
			for _, x := range old {
				if x != s {
					list = append(list, x)
				}
			}
			if len(list) == 0 {
				delete(m.subs, topic)
			} else {
				m.subs[topic] = list
			}
		})
	}
}

// Close makes Publish refuse further messages (on every peer).
func (m *Memory) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return nil
}
