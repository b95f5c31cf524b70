package bot

import (
	"testing"

	"github.com/frontdesk/frontdesk/portal/bus"
)

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.got)
	r.got = nil
	return n
}

// A conversation's sockets each get its events once, however often they
// joined; an agent following it gets a state change once; sockets that
// left get nothing, and the conversation is forgotten with its last one.
func TestHubDeliversOncePerSocket(t *testing.T) {
	hub := NewHub(bus.NewMemory())
	defer hub.Close()
	c1, c2, a, b := &recorder{}, &recorder{}, &recorder{}, &recorder{}
	hub.Join(7, c1)
	hub.Join(7, c1)
	hub.Join(7, c2)
	hub.JoinAgents(a)
	hub.Join(7, a)
	hub.JoinAgents(b)
	if n := hub.Watchers(7); n != 3 {
		t.Fatalf("%d watchers, want 3", n)
	}
	hub.dispatch(Event{Kind: EventMessage, ConversationID: 7, Seq: 1})
	for name, want := range map[*recorder]int{c1: 1, c2: 1, a: 1, b: 0} {
		if got := name.count(); got != want {
			t.Errorf("message: %d events, want %d", got, want)
		}
	}
	hub.dispatch(Event{Kind: EventState, ConversationID: 7})
	for name, want := range map[*recorder]int{c1: 1, c2: 1, a: 1, b: 1} {
		if got := name.count(); got != want {
			t.Errorf("state: %d events, want %d", got, want)
		}
	}
	hub.Leave(7, c1)
	hub.Leave(7, c1)
	hub.dispatch(Event{Kind: EventMessage, ConversationID: 7, Seq: 2})
	if c1.count() != 0 || c2.count() != 1 {
		t.Error("a socket that left still gets events, or one that stayed does not")
	}
	hub.Leave(7, c2)
	hub.Leave(7, a)
	hub.mu.RLock()
	_, kept := hub.convs[7]
	hub.mu.RUnlock()
	if kept || hub.Watchers(7) != 0 {
		t.Error("a conversation nobody follows is still held")
	}
}
