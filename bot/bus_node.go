package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"math"

	"github.com/frontdesk/frontdesk/portal"
)

// NodeTopic is the portal.Bus topic chat events travel on between nodes.
const NodeTopic = "chat"

// NodeBus is the Bus of one node in a cluster: events reach this node's
// subscribers at once (with the stored message in hand), and reach the
// other nodes through a portal.Bus (PostgreSQL LISTEN/NOTIFY), carrying ids
// only; there, sockets read the messages from the store by sequence.
type NodeBus struct {
	local  *MemoryBus
	remote portal.Bus
	node   string
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
}

var _ Bus = (*NodeBus)(nil)

type nodeEnvelope struct {
	Node  string `json:"n"`
	Event Event  `json:"e"`
}

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
				nb.local.Publish(ctx, env.Event)
			}
		}
	}()
	return nb
}

// Publish delivers e here and announces it to the other nodes.
func (b *NodeBus) Publish(ctx context.Context, e Event) error {
	b.local.Publish(ctx, e)
	p, err := json.Marshal(nodeEnvelope{Node: b.node, Event: e})
	if err != nil {
		return err
	}
	if err := b.remote.Publish(ctx, NodeTopic, p); err != nil {
		// The message is stored: other nodes' sockets get it with the
		// next event or when their clients resume.
		b.log.Warn("chat bus: publish to other nodes", "err", err)
	}
	return nil
}

// Subscribe receives every event, local and remote.
func (b *NodeBus) Subscribe(fn func(Event)) func() { return b.local.Subscribe(fn) }

// Close stops relaying.
func (b *NodeBus) Close() {
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
