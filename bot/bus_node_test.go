package bot_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal/bus"
)

// Events published on one node reach the other exactly once and in order,
// however many are sent at once; the publishing node gets each once too.
func TestNodeBusRelaysInOrder(t *testing.T) {
	remote := bus.NewMemory()
	remote.Buffer = 10000
	var sizes sync.Map
	raw, unsub := remote.Subscribe(bot.NodeTopic)
	defer unsub()
	go func() {
		for p := range raw {
			sizes.Store(len(p), true)
		}
	}()
	a, b := bot.NewNodeBus(remote, nil), bot.NewNodeBus(remote, nil)
	defer b.Close()
	type got struct {
		mu  sync.Mutex
		seq []int64
	}
	var atA, atB got
	record := func(g *got) func(bot.Event) {
		return func(e bot.Event) {
			g.mu.Lock()
			g.seq = append(g.seq, e.Seq)
			g.mu.Unlock()
		}
	}
	defer a.Subscribe(record(&atA))()
	defer b.Subscribe(record(&atB))()

	const n = 2000
	for i := 1; i <= n; i++ {
		a.Publish(context.Background(), bot.Event{Kind: bot.EventMessage, ConversationID: 7, Seq: int64(i), Author: "customer"})
	}
	a.Close() // sends what is queued
	deadline := time.Now().Add(10 * time.Second)
	for {
		atB.mu.Lock()
		k := len(atB.seq)
		atB.mu.Unlock()
		if k >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	for name, g := range map[string]*got{"publishing node": &atA, "other node": &atB} {
		g.mu.Lock()
		if len(g.seq) != n {
			t.Fatalf("%s got %d events, want %d", name, len(g.seq), n)
		}
		for i, s := range g.seq {
			if s != int64(i+1) {
				t.Fatalf("%s: event %d has seq %d", name, i, s)
			}
		}
		g.mu.Unlock()
	}
	sizes.Range(func(k, _ any) bool {
		if k.(int) > 7000 {
			t.Errorf("a notification of %d bytes, over PostgreSQL's limit", k)
		}
		return true
	})
}

// A node still understands the one-event notifications of older nodes.
func TestNodeBusReadsSingleEvents(t *testing.T) {
	remote := bus.NewMemory()
	nb := bot.NewNodeBus(remote, nil)
	defer nb.Close()
	ch := make(chan bot.Event, 1)
	defer nb.Subscribe(func(e bot.Event) { ch <- e })()
	p, _ := json.Marshal(map[string]any{"n": "older-node", "e": map[string]any{"k": "message", "c": 3, "s": 9}})
	remote.Publish(context.Background(), bot.NodeTopic, p)
	select {
	case e := <-ch:
		if e.ConversationID != 3 || e.Seq != 9 {
			t.Fatalf("got %+v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
}
