package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
)

// botOnly reads the support report's "answered by the bot without a
// person" for one conversation from the store, as the report does.
func botOnly(t *testing.T, srv *testServer, conv int64) bool {
	t.Helper()
	now := time.Now()
	cs, err := srv.Store.ConversationStats(context.Background(), portal.SupportFilter{From: now.Add(-time.Hour), To: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var mine []portal.ConversationStat
	for _, c := range cs {
		if c.ID == conv {
			mine = append(mine, c)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("conversation %d: %d rows in the stats", conv, len(mine))
	}
	return analytics.SummarizeSupport(mine, now.Add(-time.Hour), now.Add(time.Hour), false, time.UTC, nil).BotOnly == 1
}

// TestChatAnswerVote: a customer votes "Helpful? Yes / No" on a bot
// answer of their own chat, once per answer (voting again replaces it);
// nobody votes on another's chat or on anything but the bot's answers; a
// "not helpful" chat is no longer counted as answered by the bot, and its
// question joins the content gaps; the votes come back on reconnecting.
// Real sockets, both stores.
func TestChatAnswerVote(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			g := newGuest(t, srv)
			w, _ := g.hello(0, 0)
			const q = "How long does delivery take?"
			ack := w.say("q1", q)
			ans, _ := w.next("bot answer", isMessage("bot"))
			if !strings.Contains(string(ans.Meta), `"links"`) {
				t.Fatalf("%q not answered: %+v", q, ans)
			}
			conv := ack.ConversationID
			vote := func(w *wsConn, conv, seq int64, helpful any) wsFrame {
				t.Helper()
				id := "v" + strconv.FormatInt(seq, 10)
				f := map[string]any{"type": "vote", "id": id, "conversation_id": conv, "seq": seq}
				if helpful != nil {
					f["helpful"] = helpful
				}
				w.send(f)
				// The answer to this frame (by id; a frame that is not JSON
				// has none), not the vote as every follower hears it.
				r, _ := w.next("vote answer", func(f wsFrame) bool {
					return (f.Type == "voted" || f.Type == "error") && f.ID == id || f.Code == "invalid_json"
				})
				return r
			}

			t.Run("Refused", func(t *testing.T) {
				if r := vote(w, conv, ack.Seq, true); r.Type != "error" || r.Code != portal.ENOTFOUND {
					t.Fatalf("vote on the customer's own message: %+v, want not_found", r)
				}
				if r := vote(w, conv, ans.Seq, nil); r.Type != "error" || r.Code != portal.EINVALID {
					t.Fatalf("vote saying nothing: %+v, want invalid", r)
				}
				if r := vote(w, conv, ans.Seq, "maybe"); r.Type != "error" || r.Code != "invalid_json" {
					t.Fatalf("vote of a string: %+v, want invalid_json", r)
				}
				other, _ := newGuest(t, srv).hello(0, 0)
				if r := vote(other, conv, ans.Seq, false); r.Type != "error" || r.Code != portal.ENOTFOUND {
					t.Fatalf("another guest's vote: %+v, want not_found", r)
				}
				votes, err := srv.Store.AnswerVotes(context.Background(), conv)
				if err != nil || len(votes) != 0 {
					t.Fatalf("refused votes stored: %v %v", votes, err)
				}
			})
			t.Run("HelpfulThenNot", func(t *testing.T) {
				if r := vote(w, conv, ans.Seq, true); r.Type != "voted" || r.Helpful == nil || !*r.Helpful || r.Seq != ans.Seq {
					t.Fatalf("yes: %+v", r)
				}
				if !botOnly(t, srv, conv) {
					t.Fatal("a chat whose answer helped is not counted as answered by the bot")
				}
				if r := vote(w, conv, ans.Seq, false); r.Type != "voted" || r.Helpful == nil || *r.Helpful {
					t.Fatalf("no: %+v", r)
				}
				if botOnly(t, srv, conv) {
					t.Fatal("a chat whose answer did not help is counted as answered by the bot")
				}
				waitUnanswered(t, srv, conv, q)
				votes, err := srv.Store.AnswerVotes(context.Background(), conv)
				if err != nil || len(votes) != 1 || votes[ans.Seq] {
					t.Fatalf("votes %v %v, want one, not helpful", votes, err)
				}
			})
			t.Run("BackOnReconnect", func(t *testing.T) {
				w2, _ := g.hello(conv, 0)
				f, _ := w2.next("votes", isType("votes"))
				if got, ok := f.Votes[strconv.FormatInt(ans.Seq, 10)]; !ok || got || f.ConversationID != conv {
					t.Fatalf("votes on reconnect: %+v", f)
				}
			})
		})
	}
}

// askBot has the customer on w ask a question the bot answers from the
// knowledge base; it returns the conversation and the answer's seq.
func askBot(t *testing.T, w *wsConn) (conv, seq int64) {
	t.Helper()
	id := "q" + strconv.FormatInt(time.Now().UnixNano(), 36)
	ack := w.say(id, "How long does delivery take?")
	ans, _ := w.next("bot answer", func(f wsFrame) bool { return isMessage("bot")(f) && f.Seq > ack.Seq })
	if !strings.Contains(string(ans.Meta), `"links"`) {
		t.Fatalf("not answered from the knowledge base: %+v", ans)
	}
	return ack.ConversationID, ans.Seq
}

// sendVote votes on w without waiting for the answer.
func sendVote(w *wsConn, conv, seq int64, helpful bool) {
	w.send(map[string]any{"type": "vote", "id": "v" + strconv.FormatInt(seq, 10), "conversation_id": conv, "seq": seq, "helpful": helpful})
}

// isVoted matches the vote on seq as every follower hears it (no id).
func isVoted(conv, seq int64, helpful bool) func(wsFrame) bool {
	return func(f wsFrame) bool {
		return f.Type == "voted" && f.ID == "" && f.ConversationID == conv && f.Seq == seq && f.Helpful != nil && *f.Helpful == helpful
	}
}

// TestChatVoteReachesEveryTab: a customer's vote on a bot answer reaches
// their other open tab at once (no reconnect), and an agent who opens the
// chat sees the votes given and then each new one live; a vote that
// changes nothing is not told again. Real sockets, both stores.
func TestChatVoteReachesEveryTab(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			cust := signIn(t, srv, "customer@example.com")
			tab1, _ := cust.hello(0, 0)
			conv, seq := askBot(t, tab1)
			tab2, _ := cust.hello(conv, 0)
			tab2.collect(seq)

			sendVote(tab1, conv, seq, false)
			if f, _ := tab1.next("answer to the vote", func(f wsFrame) bool { return f.Type == "voted" && f.ID != "" || f.Type == "error" }); f.Type != "voted" {
				t.Fatalf("vote: %+v", f)
			}
			tab2.next("the vote in the other tab", isVoted(conv, seq, false))

			agent := signIn(t, srv, "agent@example.com").dial("/ws/agent")
			agent.next("agent welcome", isType("welcome"))
			agent.send(map[string]any{"type": "open", "conversation_id": conv})
			agent.collect(seq)
			f, _ := agent.next("votes on open", isType("votes"))
			if got, ok := f.Votes[strconv.FormatInt(seq, 10)]; !ok || got || f.ConversationID != conv {
				t.Fatalf("votes on open: %+v, want %d: false", f, seq)
			}

			sendVote(tab2, conv, seq, true)
			tab1.next("the changed vote in the first tab", isVoted(conv, seq, true))
			agent.next("the changed vote in the console", isVoted(conv, seq, true))

			// The same vote again changes nothing: the others hear nothing
			// (the next thing they hear is the vote after it).
			sendVote(tab2, conv, seq, true)
			tab2.next("answer to the same vote", func(f wsFrame) bool { return f.Type == "voted" && f.ID != "" && *f.Helpful })
			sendVote(tab2, conv, seq, false)
			if _, skipped := tab1.next("the vote after", isVoted(conv, seq, false)); hasVoted(skipped) {
				t.Fatalf("an unchanged vote was told to the other tab: %+v", skipped)
			}
			if _, skipped := agent.next("the vote after", isVoted(conv, seq, false)); hasVoted(skipped) {
				t.Fatalf("an unchanged vote was told to the agent: %+v", skipped)
			}
		})
	}
}

func hasVoted(fs []wsFrame) bool {
	for _, f := range fs {
		if f.Type == "voted" {
			return true
		}
	}
	return false
}

// TestChatVoteAcrossNodes: two nodes on one PostgreSQL database; the
// customer has a tab on each and an agent follows the chat on the second:
// a vote given on one node reaches the tab and the console on the other.
func TestChatVoteAcrossNodes(t *testing.T) {
	n1 := MustStartServer(t, "postgres")
	n2 := MustStartServer(t, "postgres", func(m *Main) { m.Config.DatabaseURL = n1.Config.DatabaseURL })
	tab1, _ := signIn(t, n1, "customer@example.com").hello(0, 0)
	conv, seq := askBot(t, tab1)
	tab2, _ := signIn(t, n2, "customer@example.com").hello(conv, 0)
	tab2.collect(seq)
	agent := signIn(t, n2, "agent@example.com").dial("/ws/agent")
	agent.next("agent welcome", isType("welcome"))
	agent.send(map[string]any{"type": "open", "conversation_id": conv})
	agent.collect(seq)

	sendVote(tab1, conv, seq, false)
	tab2.next("the vote in the tab on the other node", isVoted(conv, seq, false))
	agent.next("the vote in the console on the other node", isVoted(conv, seq, false))
	sendVote(tab2, conv, seq, true)
	tab1.next("the changed vote back on the first node", isVoted(conv, seq, true))
	agent.next("the changed vote in the console", isVoted(conv, seq, true))
}
