package main

import (
	"net/http"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// TestChatAgentSignOut: what signing out does to an agent's chats.
// Signed out of their last session, the agent has left: their chats go
// back to the queue at once (the grace here is far longer than the test
// waits) and they are recorded away. Signed out of one session while
// another (a console on another device) stays signed in, they keep their
// chats, also past the grace. Real sockets, both stores.
func TestChatAgentSignOut(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Run("LastSessionGivesChatsBackAtOnce", func(t *testing.T) {
				srv := MustStartServer(t, kind, withGrace("10m"))
				carl := mustAgent(t, srv, "carl@example.com", "Carl")
				mustAgent(t, srv, "dana@example.com", "Dana")
				dana := agentOnline(t, srv, "dana@example.com")
				sess := signIn(t, srv, "carl@example.com")
				a := sess.dial("/ws/agent")
				a.next("agent welcome", isType("welcome"))
				a.send(map[string]any{"type": "status", "status": "available"})
				a.next("available", func(f wsFrame) bool { return f.Type == "queue" && f.Status == "available" })
				_, w, conv := askPerson(t, srv)
				claim(t, a, conv)
				w.next("Carl", func(f wsFrame) bool { return f.Type == "state" && f.State == "agent" && f.AgentName == "Carl" })

				if st := sess.post("/agent", "/logout", nil); st != http.StatusSeeOther {
					t.Fatalf("sign out: status %d", st)
				}
				a.waitClosed("the signed-out console")
				w.next("given back", systemWith("Carl is no longer available"))
				w.next("queued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
				dana.queueWhere("the chat back in the queue", inQueue(conv))
				if st, err := srv.Chat.Status(t.Context(), carl.ID); err != nil || st != portal.AgentAway {
					t.Fatalf("Carl's status after signing out: %s %v, want away", st, err)
				}
			})

			t.Run("AnotherSessionKeepsChats", func(t *testing.T) {
				srv := MustStartServer(t, kind, withGrace(testGrace))
				carl := mustAgent(t, srv, "carl@example.com", "Carl")
				mustAgent(t, srv, "dana@example.com", "Dana")
				phone := signIn(t, srv, "carl@example.com")
				stays := agentOnline(t, srv, "carl@example.com") // another session
				leaves := phone.dial("/ws/agent")
				leaves.next("agent welcome", isType("welcome"))
				_, w, conv := askPerson(t, srv)
				claim(t, leaves, conv)
				if st := phone.post("/agent", "/logout", nil); st != http.StatusSeeOther {
					t.Fatalf("sign out: status %d", st)
				}
				leaves.waitClosed("the signed-out console")

				// The control: Dana's tab closes with a chat of hers; once
				// it is given back, a sweep past the grace has run.
				dana := agentOnline(t, srv, "dana@example.com")
				_, dw, dconv := askPerson(t, srv)
				claim(t, dana, dconv)
				dana.c.Close()
				dw.next("Dana's chat given back", systemWith("Dana is no longer available"))

				if got := convState(t, srv, conv); got.State != portal.ConvAgent || got.AgentID == nil || *got.AgentID != carl.ID {
					t.Fatalf("chat %s, agent %v; want still Carl's (his other session is signed in, its console open)", got.State, got.AgentID)
				}
				// His console on the other session still serves the chat.
				stays.send(map[string]any{"type": "send", "conversation_id": conv, "id": "still-here", "text": "Still with you"})
				if f, _ := stays.next("ack", func(f wsFrame) bool { return f.Type == "ack" && f.ID == "still-here" || f.Type == "error" }); f.Type != "ack" {
					t.Fatalf("reply from the other session: %+v", f)
				}
				w.next("the reply", func(f wsFrame) bool { return isMessage("agent")(f) && f.Text == "Still with you" })
			})
		})
	}
}
