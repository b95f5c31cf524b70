package bot

import (
	"log/slog"
	"math"
	"slices"
	"sync"

	"github.com/frontdesk/frontdesk/portal"
)

// Client is one connected socket. Notify must not block: a client queues
// the event and, when its queue is full, drops its connection (it resumes
// later by sequence number) rather than stall everyone else.
type Client interface {
	Notify(e Event)
}

// Hub routes bus events to the sockets connected to this process: events
// of a conversation to the sockets watching it, queue and presence events
// to every agent socket.
type Hub struct {
	mu sync.RWMutex
	// convs: the sockets following each conversation (a slice, as parts:
	// a conversation has a socket or two).
	convs  map[int64][]Client
	agents map[Client]struct{}
	// parts: the customer sockets by participant key (a slice: nearly
	// every participant has one socket, and an idle socket should cost
	// little).
	parts  map[string][]Client
	cancel func()
}

// NewHub subscribes a hub to the chat events on bus (the engine's bus).
func NewHub(bus portal.Bus) *Hub {
	h := &Hub{convs: map[int64][]Client{}, agents: map[Client]struct{}{}, parts: map[string][]Client{}}
	h.cancel = bus.Subscribe(Topic, func(m portal.BusMessage) {
		e, err := decodeEvent(m.Payload)
		if err != nil {
			slog.Warn("chat hub: bad event", "node", m.Node, "err", err)
			return
		}
		h.dispatch(e)
	})
	return h
}

// Close stops routing.
func (h *Hub) Close() { h.cancel() }

// Join makes c receive conversation id's events.
func (h *Hub) Join(id int64, c Client) {
	h.mu.Lock()
	if !slices.Contains(h.convs[id], c) {
		h.convs[id] = append(h.convs[id], c)
	}
	h.mu.Unlock()
}

// Leave stops c receiving conversation id's events.
func (h *Hub) Leave(id int64, c Client) {
	h.mu.Lock()
	if list := removeClient(h.convs[id], c); len(list) == 0 {
		delete(h.convs, id)
	} else {
		h.convs[id] = list
	}
	h.mu.Unlock()
}

// removeClient removes c from list, in place.
func removeClient(list []Client, c Client) []Client {
	for i, x := range list {
		if x == c {
			last := len(list) - 1
			list[i], list[last] = list[last], nil
			return list[:last]
		}
	}
	return list
}

// JoinAgents makes c receive queue, state and presence events of every
// conversation.
func (h *Hub) JoinAgents(c Client) {
	h.mu.Lock()
	h.agents[c] = struct{}{}
	h.mu.Unlock()
}

// LeaveAgents undoes JoinAgents.
func (h *Hub) LeaveAgents(c Client) {
	h.mu.Lock()
	delete(h.agents, c)
	h.mu.Unlock()
}

// JoinParticipant makes c receive the participant's new conversations
// (EventStarted).
func (h *Hub) JoinParticipant(key string, c Client) {
	if key == "" {
		return
	}
	h.mu.Lock()
	h.parts[key] = append(h.parts[key], c)
	h.mu.Unlock()
}

// LeaveParticipant undoes JoinParticipant.
func (h *Hub) LeaveParticipant(key string, c Client) {
	h.mu.Lock()
	list := removeClient(h.parts[key], c)
	if len(list) == 0 {
		delete(h.parts, key)
	} else {
		h.parts[key] = list
	}
	h.mu.Unlock()
}

// Watchers counts the clients watching a conversation.
func (h *Hub) Watchers(id int64) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.convs[id])
}

func (h *Hub) dispatch(e Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if e.Kind == EventStarted {
		for _, c := range h.parts[e.Participant] {
			c.Notify(e)
		}
		return
	}
	if e.ConversationID != 0 {
		for _, c := range h.convs[e.ConversationID] {
			c.Notify(e)
		}
	}
	switch e.Kind {
	case EventQueue, EventState, EventPresence, EventSettings, EventAssigned:
		for c := range h.agents {
			if e.ConversationID == 0 || !slices.Contains(h.convs[e.ConversationID], c) {
				c.Notify(e)
			}
		}
	}
}

// Resync makes every socket on this node re-read its conversations from the
// store and every agent refresh the queue: call it when events may have
// been lost (the bus was cut off longer than it catches up on).
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
