package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// waitVote polls the store until the answer seq of conv carries the vote.
func waitVote(t *testing.T, srv *testServer, conv, seq int64, helpful bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		votes, err := srv.Store.AnswerVotes(context.Background(), conv)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := votes[seq]; ok && got == helpful {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("votes of conversation %d: %v, want %d: %v", conv, votes, seq, helpful)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBrowserChatAnswerVote: on a 360 px phone, the bot's answer in the
// widget has "Helpful? Yes / No", usable from the keyboard (Enter and
// Space), with no serious axe violation and no sideways scrolling; the
// vote is stored, shown pressed, kept across a page load, and replaced
// when changed. Both stores.
func TestBrowserChatAnswerVote(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			p := b.newPage(t, srv, phone360)
			p.visit("/")
			p.openChat()
			p.chatSay("How long does delivery take?")
			p.waitText("#fd-log li.bot", "working days")
			const yes, no = `#fd-log li.bot .vote button[data-helpful="true"]`, `#fd-log li.bot .vote button[data-helpful="false"]`
			p.waitJS("vote buttons", `document.querySelectorAll('#fd-log li.bot .vote button').length === 2`)
			p.check() // axe and sideways scrolling, with the vote shown

			p.run("vote no with Enter", chromedp.Focus(chromedp.CSS(no)), chromedp.KeyEvent(kb.Enter))
			pressed := func(sel string) string {
				return `document.querySelector('` + sel + `').getAttribute('aria-pressed') === 'true'`
			}
			p.waitJS("no pressed", pressed(no)+` && !(`+pressed(yes)+`)`)
			p.waitText("#fd-log li.bot .vote-thanks", "Thanks")
			conv := get(p, "conversation", chromedp.Evaluate[int64](`window.fdChat.conv`))
			seq := get(p, "answer seq", chromedp.Evaluate[int64](`+document.querySelector('#fd-log li.bot').getAttribute('data-seq')`))
			waitVote(t, srv, conv, seq, false)
			p.check()

			// The next page shows the vote given.
			p.visit("/help")
			p.openChat()
			p.waitJS("no pressed after a page load", pressed(no))

			p.run("vote yes with Space", chromedp.Focus(chromedp.CSS(yes)), chromedp.KeyEvent(" "))
			p.waitJS("yes pressed", pressed(yes)+` && !(`+pressed(no)+`)`)
			waitVote(t, srv, conv, seq, true)
		})
	}
}
