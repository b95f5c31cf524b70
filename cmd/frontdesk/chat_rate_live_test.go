package main

import "testing"

// isRated matches a rating as every follower hears it (no id).
func isRated(conv int64, rating int, comment string) func(wsFrame) bool {
	return func(f wsFrame) bool {
		return f.Type == "rated" && f.ID == "" && f.ConversationID == conv && f.Rating == rating && f.Comment == comment
	}
}

// TestChatRatingReachesEveryTab: a customer's rating of a closed chat
// reaches their other open tab at once (no reconnect), and the agent who
// held the chat and a supervisor who opened it see it live, comment
// included; rating again is heard again. Real sockets, both stores.
func TestChatRatingReachesEveryTab(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			a := agentOnline(t, srv, "agent@example.com")
			defer a.send(map[string]any{"type": "status", "status": "away"})
			cust := signIn(t, srv, "customer@example.com")
			tab1, _ := cust.hello(0, 0)
			ack := tab1.say("r1", "I need a person about my parcel")
			conv := ack.ConversationID
			tab1.next("queued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
			claim(t, a, conv)
			tab2, _ := cust.hello(conv, 0)

			admin := signIn(t, srv, "admin@example.com").dial("/ws/agent")
			admin.next("admin welcome", isType("welcome"))
			admin.send(map[string]any{"type": "open", "conversation_id": conv})
			admin.next("conversation opened", func(f wsFrame) bool { return f.ConversationID == conv && f.Type != "queue" })

			a.send(map[string]any{"type": "end", "conversation_id": conv})
			for _, w := range []*wsConn{tab1, tab2} {
				w.next("closed", func(f wsFrame) bool { return f.Type == "state" && f.State == "closed" })
			}

			tab1.send(map[string]any{"type": "rate", "id": "rate1", "conversation_id": conv, "rating": 4, "comment": "Kind and quick"})
			if f, _ := tab1.next("answer to the rating", func(f wsFrame) bool { return f.Type == "rated" && f.ID != "" || f.Type == "error" }); f.Type != "rated" || f.ID != "rate1" || f.Rating != 4 {
				t.Fatalf("rate: %+v", f)
			}
			tab2.next("the rating in the other tab", isRated(conv, 4, "Kind and quick"))
			a.next("the rating in the agent's console", isRated(conv, 4, "Kind and quick"))
			admin.next("the rating in the supervisor's console", isRated(conv, 4, "Kind and quick"))

			// Rating again replaces the rating, and everybody hears it.
			tab2.send(map[string]any{"type": "rate", "id": "rate2", "conversation_id": conv, "rating": 2, "comment": ""})
			tab1.next("the new rating in the first tab", isRated(conv, 2, ""))
			a.next("the new rating in the agent's console", isRated(conv, 2, ""))

			// Another customer's tab hears nothing of it.
			other, _ := newGuest(t, srv).hello(0, 0)
			other.send(map[string]any{"type": "rate", "id": "rate3", "conversation_id": conv, "rating": 1})
			if f, skipped := other.next("refused", func(f wsFrame) bool { return f.Type == "error" || f.Type == "rated" }); f.Type != "error" {
				t.Fatalf("another's rating: %+v (after %+v)", f, skipped)
			}
			if c := convState(t, srv, conv); c.Rating == nil || *c.Rating != 2 {
				t.Fatalf("stored rating %v, want 2", c.Rating)
			}
		})
	}
}
