package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// TestChatAgentTabsAcrossNodes: one agent with a console tab on each of
// two nodes (one PostgreSQL database). Again and again a tab on node 1
// closes while the tab on node 2 claims a chat and answers: every claim
// wins, every reply reaches the customer once, and the agent stays
// online (their presence is the database's, kept by the tab that lives),
// so when the grace has passed (a control agent who left at the same time
// has had their chat given back: the sweep ran) none of their chats went
// back to the queue. Closing the last tab gives each chat back, once.
func TestChatAgentTabsAcrossNodes(t *testing.T) {
	n1 := MustStartServer(t, "postgres", withGrace(testGrace))
	n2 := MustStartServer(t, "postgres", withGrace(testGrace), func(m *Main) { m.Config.DatabaseURL = n1.Config.DatabaseURL })
	carl := mustAgent(t, n1, "carl@example.com", "Carl")
	mustAgent(t, n1, "dana@example.com", "Dana")

	stays := agentOnline(t, n2, "carl@example.com")
	type chat struct {
		w    *wsConn
		conv int64
	}
	var chats []chat
	for i := range 4 {
		closing := agentOnline(t, n1, "carl@example.com")
		// Customers on either node.
		_, w, conv := askPerson(t, []*testServer{n1, n2}[i%2])
		stays.queueWhere("chat in the queue", inQueue(conv))
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			closing.c.Close()
		}()
		claim(t, stays, conv)
		id := fmt.Sprintf("r%d", i)
		stays.send(map[string]any{"type": "send", "conversation_id": conv, "id": id, "text": "Hello " + id})
		if f, _ := stays.next("ack "+id, func(f wsFrame) bool { return f.Type == "ack" && f.ID == id || f.Type == "error" }); f.Type != "ack" {
			t.Fatalf("reply %s: %+v", id, f)
		}
		w.next("reply "+id, func(f wsFrame) bool { return f.Type == "message" && f.Author == "agent" && f.Text == "Hello "+id })
		wg.Wait()
		chats = append(chats, chat{w, conv})
	}

	// The control: Dana claims a chat and leaves as the last closing tab
	// did; once her chat is given back, a sweep past the grace has run.
	dana := agentOnline(t, n1, "dana@example.com")
	_, dw, dconv := askPerson(t, n1)
	dana.queueWhere("Dana's chat in the queue", inQueue(dconv))
	claim(t, dana, dconv)
	dana.c.Close()
	dw.next("Dana's chat given back", systemWith("Dana is no longer available"))

	told := func(conv int64) int {
		t.Helper()
		msgs, err := n1.Store.FindMessages(context.Background(), conv, 0, true, 500)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range msgs {
			if strings.Contains(m.Body, "Carl is no longer available") {
				n++
			}
		}
		return n
	}
	for _, c := range chats {
		got := convState(t, n1, c.conv)
		if got.State != portal.ConvAgent || got.AgentID == nil || *got.AgentID != carl.ID {
			t.Fatalf("chat %d: %s, agent %v; want still Carl's (his tab on node 2 lives)", c.conv, got.State, got.AgentID)
		}
		if n := told(c.conv); n != 0 {
			t.Fatalf("chat %d: the customer was told %d times that Carl left", c.conv, n)
		}
	}

	// The last tab closes: each chat goes back, once.
	stays.c.Close()
	for _, c := range chats {
		c.w.next("given back", systemWith("Carl is no longer available"))
	}
	for _, c := range chats {
		if got := convState(t, n1, c.conv); got.State == portal.ConvAgent {
			t.Fatalf("chat %d still with an agent after Carl left", c.conv)
		}
		if n := told(c.conv); n != 1 {
			t.Fatalf("chat %d: the customer was told %d times that Carl left, want once", c.conv, n)
		}
	}
}
