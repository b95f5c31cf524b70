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
				f := map[string]any{"type": "vote", "id": "v" + strconv.FormatInt(seq, 10), "conversation_id": conv, "seq": seq}
				if helpful != nil {
					f["helpful"] = helpful
				}
				w.send(f)
				r, _ := w.next("vote answer", func(f wsFrame) bool { return f.Type == "voted" || f.Type == "error" })
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
