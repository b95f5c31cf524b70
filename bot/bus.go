package bot

import (
	"context"

	"github.com/frontdesk/frontdesk/portal"
)

// EventKind says what happened in a conversation.
type EventKind string

// Event kinds. Message events are the durable ones: their message is in the
// store before the event is published, so a listener that misses one finds
// it by sequence number later. The others are best-effort.
const (
	// EventMessage: a message was stored at Seq.
	EventMessage EventKind = "message"
	// EventState: the conversation's state or owner changed.
	EventState EventKind = "state"
	// EventQueue: the queue changed (a chat entered or left it).
	EventQueue EventKind = "queue"
	// EventTyping: Author is typing.
	EventTyping EventKind = "typing"
	// EventRead: Author has read up to Seq.
	EventRead EventKind = "read"
	// EventPartial: a piece of a streamed bot answer (Text), not stored.
	EventPartial EventKind = "partial"
	// EventPresence: an agent's availability changed.
	EventPresence EventKind = "presence"
	// EventAssigned: a chat was given to AgentID (a transfer, by Author)
	// or, with Author "taken:NAME", taken from them by a supervisor.
	EventAssigned EventKind = "assigned"
	// EventStarted: Participant has a new conversation; their other
	// sockets follow it.
	EventStarted EventKind = "started"
)

// Event is what travels on a Bus. Payloads are small and carry ids only, so
// a networked bus (PostgreSQL LISTEN/NOTIFY) can carry them; listeners load
// what they need from the store.
type Event struct {
	Kind           EventKind `json:"k"`
	ConversationID int64     `json:"c,omitempty"`
	Seq            int64     `json:"s,omitempty"`
	// Internal marks a message event for an agents' note.
	Internal bool   `json:"i,omitempty"`
	Author   string `json:"a,omitempty"`
	AgentID  int64  `json:"g,omitempty"`
	// Participant is the customer side's key (EventStarted only).
	Participant string `json:"p,omitempty"`
	// Stream and Text carry a partial answer (EventPartial only).
	Stream string `json:"st,omitempty"`
	Text   string `json:"t,omitempty"`

	// Message is the stored message, when the event was published in this
	// process; a networked bus leaves it nil and listeners read the store.
	Message *portal.Message `json:"-"`
}

// Bus fans events out to every subscriber, in this process or (for a
// networked implementation) on every node.
type Bus interface {
	// Publish delivers e to every subscriber. It must not block on slow
	// subscribers.
	Publish(ctx context.Context, e Event) error
	// Subscribe calls fn for every event until the returned cancel is
	// called. fn must return quickly and must not call Publish.
	Subscribe(fn func(Event)) (cancel func())
}
