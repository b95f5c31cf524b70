package portal

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"unicode/utf8"
)

// Bus carries events ("shipment 42 changed", a chat message) between the
// parts of a node and, in a cluster, between nodes. There is one per
// process: the in-process one (portal/bus) for a single node, the
// PostgreSQL LISTEN/NOTIFY one (portal/postgres) for several. Both pass
// the conformance suite in portal/bus/bustest.
//
// What every implementation guarantees:
//   - a subscriber on any node gets each message published on its topic
//     after it subscribed exactly once, and one publisher's messages on a
//     topic in the order they were published;
//   - this node's subscribers get this node's publishes before Publish
//     returns (so a message is on its way to this node's sockets before the
//     publisher answers its client);
//   - a networked bus loses nothing while its listening connection is down
//     for a short while: it catches up from a durable sequence;
//   - payloads are JSON of up to MaxBusPayload bytes; larger or invalid
//     payloads are refused with an error (EINVALID, ETOOLARGE).
type Bus interface {
	// Node identifies this process on the bus: BusMessage.Node of the
	// messages it publishes.
	Node() string
	// Publish delivers payload to every subscriber of topic, on this node
	// at once and on the others soon after. It never blocks on slow
	// subscribers.
	Publish(ctx context.Context, topic string, payload []byte) error
	// Subscribe calls fn for every message on topic until cancel is
	// called (a call already under way may still finish). fn must return
	// quickly, must not modify the payload, and must not call Publish or
	// cancel; hand longer work to a goroutine (see SubscribeChan).
	Subscribe(topic string, fn func(BusMessage)) (cancel func())
}

// BusMessage is one message on a Bus.
type BusMessage struct {
	Topic string
	// Node is the publisher's Bus.Node().
	Node    string
	Payload []byte
}

// MaxBusPayload is the largest payload a Bus carries. PostgreSQL's NOTIFY
// takes under 8,000 bytes; the PostgreSQL bus sends larger payloads by
// reference to their stored row.
const MaxBusPayload = 1 << 20

// CheckBusPayload is the rule every Bus applies to what it is given.
func CheckBusPayload(topic string, payload []byte) error {
	if topic == "" || len(topic) > 200 || !utf8.ValidString(topic) || strings.ContainsRune(topic, 0) {
		return Errorf(EINVALID, "bus: a topic is 1 to 200 bytes of text")
	}
	if len(payload) > MaxBusPayload {
		return Errorf(ETOOLARGE, "bus: payload for %s is %d bytes, over the %d-byte limit: send ids, not rows", topic, len(payload), MaxBusPayload)
	}
	if !json.Valid(payload) || !utf8.Valid(payload) {
		return Errorf(EINVALID, "bus: payload for %s is not JSON", topic)
	}
	return nil
}

// SubscribeChan receives topic's messages on a channel holding up to n
// (default 16), for a subscriber that works in its own goroutine. A
// subscriber that lets the channel fill misses messages rather than stall
// the bus; it should re-read the store.
func SubscribeChan(b Bus, topic string, n int) (<-chan BusMessage, func()) {
	if n <= 0 {
		n = 16
	}
	ch := make(chan BusMessage, n)
	var mu sync.Mutex
	done := false
	cancel := b.Subscribe(topic, func(m BusMessage) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		select {
		case ch <- m:
		default:
		}
	})
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			cancel()
			mu.Lock()
			done = true
			mu.Unlock()
		})
	}
}

// ErrBusClosed is what a closed bus's Publish returns.
var ErrBusClosed = errors.New("bus: closed")
