package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// NodeTopic is the portal.Bus topic chat events travel on between nodes.
const NodeTopic = "chat"

// NodeBus is the Bus of one node in a cluster: events reach this node's
// subscribers at once (with the stored message in hand), and reach the
// other nodes through a portal.Bus (PostgreSQL LISTEN/NOTIFY), carrying ids
// only; there, sockets read the messages from the store by sequence.
//
// Publishing to the other nodes happens in the background, several events
// to a notification: a chat message need not wait for a round trip to the
// database before it is acknowledged or answered. Events are hints, so one
// that never reaches the other nodes (the database is down) costs only
// time: their sockets catch up from the store on the next event or resume.
type NodeBus struct {
	local  *MemoryBus
	remote portal.Bus
	node   string
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	out     []Event // waiting to go to the other nodes, in order
	sending bool    // a goroutine is sending out
	closed  bool
	sent    sync.WaitGroup
}

var _ Bus = (*NodeBus)(nil)

// nodeEnvelope carries one node's events (or, from older nodes, one event).
type nodeEnvelope struct {
	Node   string  `json:"n"`
	Event  *Event  `json:"e,omitempty"`
	Events []Event `json:"es,omitempty"`
}

// maxRelayQueue bounds the events waiting for the other nodes; past it,
// the oldest are dropped (the other nodes catch up from the store).
const maxRelayQueue = 10000

// maxEnvelope keeps a notification's payload under the bus's limit
// (postgres.MaxPayload).
const maxEnvelope = 6000

// NewNodeBus starts relaying remote events; Close stops it.
func NewNodeBus(remote portal.Bus, log *slog.Logger) *NodeBus {
	if log == nil {
		log = slog.Default()
	}
	b := make([]byte, 8)
	rand.Read(b)
	ctx, cancel := context.WithCancel(context.Background())
	nb := &NodeBus{local: NewMemoryBus(), remote: remote, node: hex.EncodeToString(b), log: log, cancel: cancel, done: make(chan struct{})}
	ch, unsub := remote.Subscribe(NodeTopic)
	go func() {
		defer close(nb.done)
		defer unsub()
		for {
			select {
			case <-ctx.Done():
				return
			case p := <-ch:
				var env nodeEnvelope
				if err := json.Unmarshal(p, &env); err != nil {
					nb.log.Warn("chat bus: bad event", "err", err)
					continue
				}
				if env.Node == nb.node {
					continue // already delivered locally
				}
				if env.Event != nil {
					nb.local.Publish(ctx, *env.Event)
				}
				for _, e := range env.Events {
					nb.local.Publish(ctx, e)
				}
			}
		}
	}()
	return nb
}

// Publish delivers e here and queues it for the other nodes.
func (b *NodeBus) Publish(ctx context.Context, e Event) error {
	b.local.Publish(ctx, e)
	e.Message = nil
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	if len(b.out) >= maxRelayQueue {
		b.out = b.out[1:]
	}
	b.out = append(b.out, e)
	if !b.sending {
		b.sending = true
		b.sent.Add(1)
		go b.send()
	}
	return nil
}

// send publishes the queued events to the other nodes, as many to a
// notification as fit, until the queue is empty.
func (b *NodeBus) send() {
	defer b.sent.Done()
	for {
		b.mu.Lock()
		evs := b.out
		b.out = nil
		if len(evs) == 0 {
			b.sending = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		for len(evs) > 0 {
			p, n := b.envelope(evs)
			evs = evs[n:]
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := b.remote.Publish(ctx, NodeTopic, p)
			cancel()
			if err != nil {
				// The messages are stored: other nodes' sockets get them
				// with the next event or when their clients resume.
				b.log.Warn("chat bus: publish to other nodes", "events", n, "err", err)
			}
		}
	}
}

// envelope encodes the first events of evs (at least one) that fit in one
// notification and says how many it took.
func (b *NodeBus) envelope(evs []Event) ([]byte, int) {
	n := len(evs)
	for {
		p, _ := json.Marshal(nodeEnvelope{Node: b.node, Events: evs[:n]})
		if len(p) <= maxEnvelope || n == 1 {
			return p, n
		}
		n = max(1, n*maxEnvelope/len(p))
	}
}

// Subscribe receives every event, local and remote.
func (b *NodeBus) Subscribe(fn func(Event)) func() { return b.local.Subscribe(fn) }

// Close sends what is queued for the other nodes and stops relaying.
func (b *NodeBus) Close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.sent.Wait()
	b.cancel()
	<-b.done
}

// Resync makes every socket on this node re-read its conversations from the
// store and every agent refresh the queue: call it when events may have
// been lost (the bus reconnected).
func (h *Hub) Resync() {
	h.mu.RLock()
	ids := make([]int64, 0, len(h.convs))
	for id := range h.convs {
		ids = append(ids, id)
	}
	h.mu.RUnlock()
	for _, id := range ids {
		// A sequence past any real one makes sockets catch up from the store.
		h.dispatch(Event{Kind: EventMessage, ConversationID: id, Seq: math.MaxInt64})
	}
	h.dispatch(Event{Kind: EventQueue})
}
