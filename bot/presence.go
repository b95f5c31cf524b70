package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Presence: an agent's chosen status (available or away) is stored, and
// each node records a heartbeat for the agents with a socket open there
// (Heartbeat, every third of the grace). An agent with no heartbeat for
// the grace, on any node, is offline; Sweep, which every node runs, gives
// their chats back. Every change Sweep makes is a conditional update of
// one conversation (from the state it saw), so however many nodes sweep
// at once, each chat moves once and its customer is told once.

// availableAgents returns the agents who chose available and have a socket
// open (heartbeat within the grace), except one.
func (e *Engine) availableAgents(ctx context.Context, except int64) (map[int64]bool, error) {
	st, err := e.staffState(ctx)
	if err != nil {
		return nil, err
	}
	return e.available(st, e.now(), except), nil
}

// AvailableAgents returns the agents who can take a chat now (chosen
// status available, a live socket on some node), except one.
func (e *Engine) AvailableAgents(ctx context.Context, except int64) (map[int64]bool, error) {
	return e.availableAgents(ctx, except)
}

// Grace returns the configured agent grace.
func (e *Engine) Grace() time.Duration { return e.cfg.AgentGrace }

// Heartbeat records that these agents have a live socket on this node and
// that the customers of these conversations are still connected. An
// agent who was not in this node's previous heartbeat may have come back
// after the grace: every node hears of it (one EventPresence), as of a
// chosen status.
func (e *Engine) Heartbeat(ctx context.Context, agents, convs []int64) error {
	now := e.now()
	if err := e.store.TouchAgents(ctx, agents, now); err != nil {
		return err
	}
	beating := make(map[int64]bool, len(agents))
	var back []int64
	e.beatMu.Lock()
	for _, id := range agents {
		beating[id] = true
		if !e.beating[id] {
			back = append(back, id)
		}
	}
	e.beating = beating
	e.beatMu.Unlock()
	if len(back) > 0 {
		ev := Event{Kind: EventPresence} // one event for all: a node's start
		if len(back) == 1 {
			ev.AgentID = back[0]
		}
		e.publish(ctx, ev)
	}
	return e.store.TouchConversations(ctx, convs, now)
}

// QueuedIDs returns the queued conversations, each mapped to true.
func (e *Engine) QueuedIDs() map[int64]bool {
	queued, _, err := e.store.FindConversations(e.ctx, portal.ConversationFilter{States: []portal.ConversationState{portal.ConvQueued}, Limit: 1000, NoTotal: true})
	if err != nil {
		e.log.Warn("queued conversations", "err", err)
		return nil
	}
	out := make(map[int64]bool, len(queued))
	for _, c := range queued {
		out[c.ID] = true
	}
	return out
}

// Sweep gives back the chats of agents who are gone, offers to leave a
// message to customers queued while nobody can take them, and takes out
// of the queue guests whose sockets are all gone for the grace.
func (e *Engine) Sweep(ctx context.Context) error {
	now := e.now()
	cutoff := now.Add(-e.cfg.AgentGrace)
	online, err := e.store.FindAgentPresence(ctx, cutoff)
	if err != nil {
		return err
	}
	isOnline := map[int64]bool{}
	for _, p := range online {
		isOnline[p.AgentID] = true
	}
	owned, _, err := e.store.FindConversations(ctx, portal.ConversationFilter{States: []portal.ConversationState{portal.ConvAgent}, Limit: 1000, NoTotal: true})
	if err != nil {
		return err
	}
	for _, c := range owned {
		if c.AgentID != nil && !isOnline[*c.AgentID] {
			if err := e.giveBack(ctx, c); err != nil {
				e.log.Error("give back chat", "conversation_id", c.ID, "err", err)
			}
		}
	}
	queued, _, err := e.store.FindConversations(ctx, portal.ConversationFilter{States: []portal.ConversationState{portal.ConvQueued}, Limit: 1000, NoTotal: true})
	if err != nil || len(queued) == 0 {
		return err
	}
	ok, why, err := e.Availability(ctx)
	if err != nil {
		return err
	}
	for _, c := range queued {
		seen := c.QueuedAt
		if c.CustomerSeenAt != nil && (seen == nil || c.CustomerSeenAt.After(*seen)) {
			seen = c.CustomerSeenAt
		}
		switch {
		case c.CustomerID == nil && seen != nil && seen.Before(cutoff):
			err = e.leftQueue(ctx, c)
		case !ok:
			err = e.offerMessage(ctx, c, portal.ConvQueued, nil, unstaffed(why, ""))
		}
		if err != nil {
			e.log.Error("sweep queue", "conversation_id", c.ID, "err", err)
		}
	}
	return nil
}

func unstaffed(why, gone string) string {
	lead := "No one is available to chat right now."
	if gone != "" {
		lead = gone + " is no longer available, and no one else can take the chat right now."
	} else if why == "closed" {
		lead = "We are outside our chat hours right now."
	}
	return lead + " Leave a message and we will answer by email."
}

// giveBack returns a chat whose agent is gone to the front of the queue
// (the customer is told; the transcript carries on), or, when nobody else
// can take it, offers to leave a message.
func (e *Engine) giveBack(ctx context.Context, c *portal.Conversation) error {
	gone := "Your agent"
	if u, err := e.cfg.Users.FindUserByID(ctx, *c.AgentID); err == nil && u.Name != "" {
		gone = u.Name
	}
	ok, why, err := e.Availability(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return e.offerMessage(ctx, c, portal.ConvAgent, c.AgentID, unstaffed(why, gone))
	}
	front, err := e.frontOfQueue(ctx)
	if err != nil {
		return err
	}
	q, zero := portal.ConvQueued, int64(0)
	_, err = e.store.UpdateConversation(ctx, c.ID, portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvAgent}, IfAgentID: c.AgentID,
		State: &q, AgentID: &zero, QueuedAt: &front})
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return nil // another node, or the agent, acted first
	} else if err != nil {
		return err
	}
	e.system(ctx, c.ID, gone+" is no longer available. You are first in the queue: the next person will be with you shortly.", map[string]any{"queue_position": 1, "requeued": true})
	e.publish(ctx, Event{Kind: EventState, ConversationID: c.ID})
	e.publish(ctx, Event{Kind: EventQueue, ConversationID: c.ID})
	return nil
}

// frontOfQueue is a queue time before everyone waiting.
func (e *Engine) frontOfQueue(ctx context.Context) (time.Time, error) {
	front := e.now()
	head, _, err := e.store.FindConversations(ctx, portal.ConversationFilter{States: []portal.ConversationState{portal.ConvQueued}, Limit: 1, NoTotal: true})
	if err != nil {
		return front, err
	}
	if len(head) == 1 && head[0].QueuedAt != nil && !head[0].QueuedAt.After(front) {
		front = head[0].QueuedAt.Add(-time.Millisecond)
	}
	return front, nil
}

// offerMessage moves a chat nobody can take back to the assistant, with the
// offer to leave a message (the widget shows the form); from is the state
// it must still be in (and owner, if any).
func (e *Engine) offerMessage(ctx context.Context, c *portal.Conversation, from portal.ConversationState, owner *int64, msg string) error {
	b, zero, fails := portal.ConvBot, int64(0), 0
	upd := portal.ConversationUpdate{From: []portal.ConversationState{from}, IfAgentID: owner, State: &b, BotFailures: &fails}
	if owner != nil {
		upd.AgentID = &zero
	}
	_, err := e.store.UpdateConversation(ctx, c.ID, upd)
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return nil
	} else if err != nil {
		return err
	}
	e.system(ctx, c.ID, msg, map[string]any{"offer": "leave_message", "reason": "busy"})
	e.publish(ctx, Event{Kind: EventState, ConversationID: c.ID})
	e.publish(ctx, Event{Kind: EventQueue, ConversationID: c.ID})
	return nil
}

// leftQueue closes a guest's queued chat once all their sockets have been
// gone for the grace: nobody is there to answer.
func (e *Engine) leftQueue(ctx context.Context, c *portal.Conversation) error {
	closed := portal.ConvClosed
	_, err := e.store.UpdateConversation(ctx, c.ID, portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvQueued}, State: &closed})
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return nil
	} else if err != nil {
		return err
	}
	e.system(ctx, c.ID, "You left the queue, so this chat has ended. Write again any time.", map[string]any{"left_queue": true})
	e.publish(ctx, Event{Kind: EventState, ConversationID: c.ID})
	e.publish(ctx, Event{Kind: EventQueue, ConversationID: c.ID})
	return nil
}

// AgentGone gives back every chat of an agent who may no longer take
// chats (disabled or given another role), at once rather than after the
// grace, and records them away.
func (e *Engine) AgentGone(ctx context.Context, agentID int64) error {
	if err := e.store.SetAgentPresence(ctx, agentID, portal.AgentAway, e.now().Add(-2*e.cfg.AgentGrace)); err != nil && !portal.IsNotFound(err) {
		e.log.Warn("agent gone: presence", "agent_id", agentID, "err", err)
	}
	owned, _, err := e.store.FindConversations(ctx, portal.ConversationFilter{States: []portal.ConversationState{portal.ConvAgent}, AgentID: &agentID, Limit: 1000, NoTotal: true})
	if err != nil {
		return err
	}
	for _, c := range owned {
		if err := e.giveBack(ctx, c); err != nil {
			return fmt.Errorf("agent gone: %w", err)
		}
	}
	e.publish(ctx, Event{Kind: EventPresence, AgentID: agentID})
	return nil
}

// Adopt attaches a guest's open conversation (from this browser's visitor
// id) to the customer who just signed in or up there, so that the chat
// carries on in their account.
func (e *Engine) Adopt(ctx context.Context, visitorID string, customer *portal.User) error {
	if visitorID == "" || customer == nil || customer.Role != portal.RoleCustomer {
		return nil
	}
	open, _, err := e.store.FindConversations(ctx, portal.ConversationFilter{VisitorID: &visitorID, GuestOnly: true,
		States: []portal.ConversationState{portal.ConvBot, portal.ConvQueued, portal.ConvAgent}, Limit: 10, NoTotal: true})
	if err != nil {
		return err
	}
	for _, c := range open {
		if _, err := e.store.UpdateConversation(ctx, c.ID, portal.ConversationUpdate{CustomerID: &customer.ID}); err != nil {
			return err
		}
		e.publish(ctx, Event{Kind: EventState, ConversationID: c.ID})
		e.publish(ctx, Event{Kind: EventQueue, ConversationID: c.ID})
	}
	return nil
}

// keyedMutex serialises work per key.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	en := k.m[key]
	if en == nil {
		en = &keyedEntry{}
		k.m[key] = en
	}
	en.refs++
	k.mu.Unlock()
	en.mu.Lock()
	return func() {
		en.mu.Unlock()
		k.mu.Lock()
		if en.refs--; en.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}
