package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
)

type recorder struct {
	mu  sync.Mutex
	got []Event
}

func (r *recorder) Notify(e Event) {
	r.mu.Lock()
	r.got = append(r.got, e)
	r.mu.Unlock()
}

// A message event published on one node reaches another node's hub with
// the stored message in it, so that sockets there send it without reading
// the store (store once, publish once); one too large to carry arrives
// without it, and sockets read the store.
func TestEventCarriesTheMessageToOtherNodes(t *testing.T) {
	a := bus.NewMemory()
	e := New(Config{Bus: a})
	defer e.Close()
	hub := NewHub(a.Peer())
	defer hub.Close()
	c := &recorder{}
	hub.Join(7, c)
	at := time.Date(2026, 5, 1, 10, 0, 0, 123, time.UTC)
	author := int64(42)
	m := &portal.Message{ID: 9, ConversationID: 7, Seq: 3, ClientID: "c-1", Author: portal.AuthorAgent, AuthorID: &author,
		Body: `Hello <b>"there"</b>`, Meta: `{"links":[1]}`, CreatedAt: at}
	e.publish(context.Background(), Event{Kind: EventMessage, ConversationID: 7, Seq: 3, Author: m.Author, Message: m})
	big := &portal.Message{ID: 10, ConversationID: 7, Seq: 4, Author: portal.AuthorBot, Body: strings.Repeat("x", maxInlineMessage+1)}
	e.publish(context.Background(), Event{Kind: EventMessage, ConversationID: 7, Seq: 4, Author: big.Author, Message: big})
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.got) != 2 {
		t.Fatalf("got %d events, want 2", len(c.got))
	}
	got := c.got[0].Message
	if got == nil {
		t.Fatal("the message event arrived without its message: sockets would read the store")
	}
	if got.ID != m.ID || got.ConversationID != 7 || got.Seq != 3 || got.ClientID != m.ClientID || got.Author != m.Author ||
		got.AuthorID == nil || *got.AuthorID != author || got.Body != m.Body || got.Meta != m.Meta || !got.CreatedAt.Equal(at) {
		t.Fatalf("message arrived as %+v, want %+v", got, m)
	}
	if c.got[1].Message != nil || c.got[1].Seq != 4 {
		t.Fatalf("a message too large to carry arrived as %+v", c.got[1])
	}
}

// BenchmarkEventRoundTrip: what a message event costs on the bus besides
// delivery: encoding by the publisher and decoding by each node's hub.
func BenchmarkEventRoundTrip(b *testing.B) {
	author := int64(42)
	m := &portal.Message{ID: 9, ConversationID: 7, Seq: 3, ClientID: "c-1", Author: portal.AuthorAgent, AuthorID: &author,
		Body: strings.Repeat("Where is my order? ", 10), Meta: `{"links":[1]}`, CreatedAt: time.Now()}
	ev := Event{Kind: EventMessage, ConversationID: 7, Seq: 3, Author: m.Author, Message: m}
	b.ReportAllocs()
	for range b.N {
		if _, err := decodeEvent(encodeEvent(ev)); err != nil {
			b.Fatal(err)
		}
	}
}
