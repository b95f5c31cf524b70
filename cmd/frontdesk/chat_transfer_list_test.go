package main

import "testing"

// offersTransferTo matches a queue frame whose transfer targets do (or,
// with want false, do not) include the agent id.
func offersTransferTo(id int64, want bool) func(wsFrame) bool {
	return func(f wsFrame) bool {
		if f.Type != "queue" || f.Agents == nil {
			return false
		}
		has := false
		for _, a := range f.Agents {
			has = has || a.ID == id
		}
		return has == want
	}
}

// TestChatTransferListFollowsPresence: the agents a console offers for a
// transfer change as agents become available or go away, without opening
// the chat again; an agent is never offered to themselves. Real sockets,
// both stores.
func TestChatTransferListFollowsPresence(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			me := userID(t, srv, "agent@example.com")
			a := agentOnline(t, srv, "agent@example.com")
			defer a.send(map[string]any{"type": "status", "status": "away"})
			cust := signIn(t, srv, "customer@example.com")
			w, _ := cust.hello(0, 0)
			ack := w.say("t1", "I need a person about my order")
			w.next("queued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
			claim(t, a, ack.ConversationID)
			a.next("nobody to transfer to yet", offersTransferTo(me, false))

			dora := mustAgent(t, srv, "dora@example.com", "Dora")
			d := agentOnline(t, srv, dora.Email)
			f, _ := a.next("Dora offered once she is available", offersTransferTo(dora.ID, true))
			for _, ag := range f.Agents {
				if ag.ID == me {
					t.Fatalf("the agent is offered a transfer to themselves: %+v", f.Agents)
				}
				if ag.ID == dora.ID && ag.Name != "Dora" {
					t.Fatalf("Dora named %q", ag.Name)
				}
			}

			d.send(map[string]any{"type": "status", "status": "away"})
			a.next("Dora no longer offered once away", offersTransferTo(dora.ID, false))
		})
	}
}
