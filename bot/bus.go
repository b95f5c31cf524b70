package bot

import (
	"encoding/json"
	"time"

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
	// EventSettings: the chat settings (business hours) changed.
	EventSettings EventKind = "settings"
	// EventAssigned: a chat was given to AgentID (a transfer, by Author)
	// or, with Author "taken:NAME", taken from them by a supervisor.
	EventAssigned EventKind = "assigned"
	// EventStarted: Participant has a new conversation; their other
	// sockets follow it.
	EventStarted EventKind = "started"
	// EventVote: the customer voted the bot's answer at Seq helpful or
	// not (Helpful); every socket following the conversation shows it
	// (the customer's other tabs, agents who opened it).
	EventVote EventKind = "vote"
	// EventRated: the customer rated the closed chat (Rating, with the
	// comment in Text); every socket following the conversation shows it.
	EventRated EventKind = "rated"
)

// Topic is the bus topic chat events travel on.
const Topic = "chat"

// Event is what travels on the bus (topic Topic), as JSON. A message event
// carries its stored message when it fits (it nearly always does), so that
// sockets on every node send it without reading the store; the other
// events carry ids, and listeners load what they need.
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
	// Helpful is the vote of an EventVote.
	Helpful bool `json:"h,omitempty"`
	// Rating is the customer's rating of an EventRated (1-5).
	Rating int `json:"r,omitempty"`

	// Message is the stored message of a message event; nil when it was
	// too large to travel, and listeners read the store.
	Message *portal.Message `json:"-"`
}

// maxInlineMessage is the largest message body an event carries; a larger
// one is read from the store by the sockets that need it.
const maxInlineMessage = 16 << 10

// wireEvent is an Event on the bus.
type wireEvent struct {
	Event
	M *wireMessage `json:"m,omitempty"`
}

type wireMessage struct {
	ID        int64     `json:"id"`
	ClientID  string    `json:"cid,omitempty"`
	AuthorID  *int64    `json:"aid,omitempty"`
	Body      string    `json:"b"`
	Meta      string    `json:"meta,omitempty"`
	CreatedAt time.Time `json:"at"`
}

// encodeEvent is e's bus payload.
func encodeEvent(e Event) []byte {
	w := wireEvent{Event: e}
	if m := e.Message; m != nil && len(m.Body)+len(m.Meta) <= maxInlineMessage {
		w.M = &wireMessage{ID: m.ID, ClientID: m.ClientID, AuthorID: m.AuthorID, Body: m.Body, Meta: m.Meta, CreatedAt: m.CreatedAt}
	}
	b, _ := json.Marshal(w)
	return b
}

// decodeEvent reads a bus payload.
func decodeEvent(p []byte) (Event, error) {
	var w wireEvent
	if err := json.Unmarshal(p, &w); err != nil {
		return Event{}, err
	}
	e := w.Event
	if m := w.M; m != nil && e.Kind == EventMessage {
		e.Message = &portal.Message{ID: m.ID, ConversationID: e.ConversationID, Seq: e.Seq, ClientID: m.ClientID, Author: e.Author,
			AuthorID: m.AuthorID, Body: m.Body, Internal: e.Internal, Meta: m.Meta, CreatedAt: m.CreatedAt}
	}
	return e, nil
}
