package bot

import (
	"context"
	"sync"
)

// MemoryBus is the in-process Bus: Publish calls every subscriber
// synchronously. It is the default for a single node.
type MemoryBus struct {
	mu   sync.RWMutex
	next int
	subs map[int]func(Event)
}

var _ Bus = (*MemoryBus)(nil)

// NewMemoryBus returns an empty bus.
func NewMemoryBus() *MemoryBus { return &MemoryBus{subs: map[int]func(Event){}} }

// Publish calls each subscriber with e.
func (b *MemoryBus) Publish(_ context.Context, e Event) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, fn := range b.subs {
		fn(e)
	}
	return nil
}

// Subscribe adds fn until cancel is called.
func (b *MemoryBus) Subscribe(fn func(Event)) func() {
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = fn
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}
