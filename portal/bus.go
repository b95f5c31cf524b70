package portal

import "context"

// Bus carries small notifications ("shipment 42 changed") between the
// parts of a node and, in a cluster, between nodes. Payloads stay small
// (ids, not rows): receivers fetch what they need from the store.
type Bus interface {
	Publish(ctx context.Context, topic string, payload []byte) error
	// Subscribe delivers payloads published on topic until cancel is
	// called. A subscriber that falls behind loses payloads rather than
	// stalling publishers; it should re-read the store.
	Subscribe(topic string) (ch <-chan []byte, cancel func())
}
