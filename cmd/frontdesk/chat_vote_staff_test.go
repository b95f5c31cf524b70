package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestChatVotesForStaff: the customers' votes on the bot's answers are
// shown to staff: per chat in the history (a column, and a filter), beside
// each answer in the history's transcript, with the assistant's share of
// helpful answers beside the agents' satisfaction, and per past chat in
// the console's customer panel. Both stores.
func TestChatVotesForStaff(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			cust := signIn(t, srv, "customer@example.com")
			cw, _ := cust.hello(0, 0)
			unhelpful, useq := askBot(t, cw)
			sendVote(cw, unhelpful, useq, false)
			cw.next("vote", isVoted(unhelpful, useq, false))
			gw, _ := newGuest(t, srv).hello(0, 0)
			helpful, hseq := askBot(t, gw)
			sendVote(gw, helpful, hseq, true)
			gw.next("vote", isVoted(helpful, hseq, true))

			staff := signIn(t, srv, "agent@example.com")
			link := func(conv int64) string { return fmt.Sprintf(`href="/agent/history/%d"`, conv) }
			st, body := staff.get("/agent/history")
			if st != 200 {
				t.Fatalf("history: status %d", st)
			}
			if !strings.Contains(body, "Bot answers voted") || !strings.Contains(body, "0 helpful, 1 not helpful") || !strings.Contains(body, "1 helpful, 0 not helpful") {
				t.Fatal("the history does not show each chat's votes")
			}
			if !strings.Contains(body, "Customers voted on 2 answers: 50% helpful (1 helpful, 1 not helpful).") {
				t.Fatal("the history does not show the assistant's share of helpful answers")
			}
			for _, tc := range []struct {
				voted     string
				in, notIn int64
			}{{"not_helpful", unhelpful, helpful}, {"helpful", helpful, unhelpful}} {
				st, body := staff.get("/agent/history?voted=" + tc.voted)
				if st != 200 || !strings.Contains(body, link(tc.in)) || strings.Contains(body, link(tc.notIn)) {
					t.Fatalf("voted=%s: status %d, has %d: %v, has %d: %v", tc.voted, st, tc.in, strings.Contains(body, link(tc.in)), tc.notIn, strings.Contains(body, link(tc.notIn)))
				}
			}
			if st, body := staff.get("/agent/history?voted=any"); st != 200 || !strings.Contains(body, link(helpful)) || !strings.Contains(body, link(unhelpful)) {
				t.Fatalf("voted=any: status %d", st)
			}
			if st, _ := staff.get("/agent/history?voted=sideways"); st != http.StatusBadRequest {
				t.Fatalf("an unknown vote filter: status %d, want 400", st)
			}
			st, body = staff.get(fmt.Sprintf("/agent/history/%d", unhelpful))
			if st != 200 || !strings.Contains(body, `<span class="vote-mark not-helpful">Customer voted: not helpful</span>`) ||
				!strings.Contains(body, "Bot answers voted by the customer: 0 helpful, 1 not helpful") {
				t.Fatalf("transcript: status %d, vote shown: %v", st, strings.Contains(body, "Customer voted"))
			}

			// The customer's next chat: the console's panel shows the
			// votes of the one before.
			cw.send(map[string]any{"type": "end", "conversation_id": unhelpful})
			cw.next("ended", func(f wsFrame) bool { return f.Type == "state" && f.State == "closed" })
			next := cw.say("q-next", "Hello again")
			a := staff.dial("/ws/agent")
			a.next("agent welcome", isType("welcome"))
			a.send(map[string]any{"type": "open", "conversation_id": next.ConversationID})
			f, _ := a.next("customer panel", isType("conversation"))
			found := false
			for _, c := range f.Chats {
				if c.ID == unhelpful {
					found = true
					if c.Helpful != 0 || c.NotHelpful != 1 {
						t.Fatalf("past chat %d: %d helpful, %d not, want 0 and 1", c.ID, c.Helpful, c.NotHelpful)
					}
				}
			}
			if !found || next.ConversationID == unhelpful {
				t.Fatalf("past chats %+v (this chat %d): the voted one %d is missing", f.Chats, next.ConversationID, unhelpful)
			}
		})
	}
}

// TestBrowserAnswerVotesForStaff: on a 390 px phone, an agent who claims
// a chat sees the customer's vote beside the bot's answer in the console,
// and a changed vote at once; the history lists the chat under its vote,
// with the vote beside the answer in the transcript. No serious axe
// violation, no sideways scrolling. Both stores.
func TestBrowserAnswerVotesForStaff(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			phone := viewports[1]
			a := b.agentConsole(t, srv, phone)

			cw, _ := signIn(t, srv, "customer@example.com").hello(0, 0)
			conv, seq := askBot(t, cw)
			sendVote(cw, conv, seq, false)
			cw.next("vote", isVoted(conv, seq, false))
			cw.send(map[string]any{"type": "handoff"})
			cw.next("queued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })

			a.run("claim", chromedp.Click(chromedp.CSS("#queue .claim")))
			mark := fmt.Sprintf(`#agent-log li.bot[data-seq="%d"] .vote-mark`, seq)
			a.waitText(mark, "Customer voted: not helpful")
			a.check()
			a.screenshot("console-vote-390")
			sendVote(cw, conv, seq, true)
			a.waitText(mark, "Customer voted: helpful")
			a.waitJS("shown as helpful", `document.querySelector('`+mark+`').classList.contains('helpful')`)

			h := b.newPage(t, srv, phone)
			h.signIn("agent@example.com", "demo")
			h.visit("/agent/history?voted=helpful") // checks axe and width
			h.waitText("table", "1 helpful, 0 not helpful")
			h.waitText("#bot-votes-h + p", "Customers voted on 1 answer: 100% helpful")
			h.screenshot("history-votes-390")
			h.visit(fmt.Sprintf("/agent/history/%d", conv))
			h.waitText(".chat-log li.bot .vote-mark.helpful", "Customer voted: helpful")
			h.screenshot("transcript-votes-390")
		})
	}
}
