package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/portal"
)

// waitUnanswered polls the store until a question from conv is recorded
// as unanswered.
func waitUnanswered(t *testing.T, srv *testServer, conv int64, question string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := srv.Store.FindUnansweredQuestions(context.Background(), portal.GapFilter{Since: time.Now().Add(-time.Hour), Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range list {
			if u.Question == question && u.ConversationID != nil && *u.ConversationID == conv {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q of conversation %d not recorded as unanswered (have %d others)", question, conv, len(list))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestChatFeedsContentGaps: questions the bot could not answer, and
// questions after which the customer asked for a person, reach the
// editors' content gaps with their conversation; the gaps page shows them
// under Chat, turns one into a draft once however often it is clicked, and
// passes axe on a phone and a desktop.
func TestChatFeedsContentGaps(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			const unanswerable = "Can I pay with seashells and moonbeams?"
			t.Run("Unanswered", func(t *testing.T) {
				w, _ := newGuest(t, srv).hello(0, 0)
				ack := w.say("g1", unanswerable)
				if r, _ := w.next("bot answer", isMessage("bot")); !strings.Contains(r.Text, "could not find an answer") {
					t.Fatalf("bot answered %q", r.Text)
				}
				waitUnanswered(t, srv, ack.ConversationID, unanswerable)
			})
			t.Run("HandOffAfterAnAnswer", func(t *testing.T) {
				w, _ := newGuest(t, srv).hello(0, 0)
				const q = "How long does delivery take?"
				ack := w.say("h1", q)
				if r, _ := w.next("bot answer", isMessage("bot")); !strings.Contains(string(r.Meta), `"links"`) {
					t.Fatalf("%q not answered: %+v", q, r)
				}
				w.say("h2", "talk to a human")
				waitUnanswered(t, srv, ack.ConversationID, q)
			})
			t.Run("HandOffButtonAfterAnAnswer", func(t *testing.T) {
				w, _ := newGuest(t, srv).hello(0, 0)
				const q = "Do you deliver on weekends?"
				ack := w.say("b1", q)
				if r, _ := w.next("bot answer", isMessage("bot")); !strings.Contains(string(r.Meta), `"links"`) {
					t.Fatalf("%q not answered: %+v", q, r)
				}
				w.send(map[string]any{"type": "handoff"})
				waitUnanswered(t, srv, ack.ConversationID, q)
			})

			b := MustBrowser(t)
			for _, vp := range viewports {
				t.Run(vp.name+"/GapsPage", func(t *testing.T) {
					question := "Do you take seashells from " + vp.name + " users?"
					w, _ := newGuest(t, srv).hello(0, 0)
					ack := w.say("v1", question)
					waitUnanswered(t, srv, ack.ConversationID, question)
					button := `form:has(input[name="query"][value="` + question + `"]) button`

					p := b.newPage(t, srv, vp)
					p.signIn("editor@example.com", "demo")
					p.visit("/editor/gaps") // axe runs on every visit
					p.waitText("#chat-h + p + .table-wrap", question)
					// The same page open in a second tab, as before a double click.
					p2 := b.newPage(t, srv, vp)
					p2.signIn("editor@example.com", "demo")
					p2.visit("/editor/gaps")

					p.submit(button)
					first := p.location()
					if !strings.Contains(first, "/editor/articles/") {
						t.Fatalf("draft at %s", first)
					}
					p.waitText(".flash", "Draft created")
					p.check()
					p2.submit(button)
					if again := p2.location(); again != first {
						t.Fatalf("second click opened %s, first %s", again, first)
					}
					p2.waitText(".flash", "already has an article")
					p2.check()
					// Reloaded, the gap links its article instead.
					p.visit("/editor/gaps")
					if n := get(p, "draft link", chromedp.Evaluate[int](`document.querySelectorAll('a[href="`+strings.TrimPrefix(first, srv.URL)+`"]').length`)); n != 1 {
						t.Fatalf("%d links to the draft on the gaps page", n)
					}
				})
			}
		})
	}
}
