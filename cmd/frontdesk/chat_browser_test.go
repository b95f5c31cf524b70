package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// openChat opens the floating widget and waits until it is connected. A
// panel left open on the previous page opens again by itself (and its
// launcher is hidden): then there is nothing to click.
func (p *page) openChat() {
	p.t.Helper()
	p.run("widget", chromedp.WaitReady(chromedp.ID("fd-chat")))
	if get(p, "panel closed", chromedp.Evaluate[bool](`document.getElementById('fd-chat').hidden`)) {
		p.run("open chat", chromedp.Click(chromedp.ID("fd-launch")))
	}
	p.run("panel open", chromedp.WaitVisible(chromedp.ID("fd-text")))
	p.waitText("#fd-conn", "Connected")
}

// chatSay types a message into the widget and sends it.
func (p *page) chatSay(text string) {
	p.t.Helper()
	p.run("say "+text, chromedp.SendKeys(chromedp.ID("fd-text"), text), chromedp.Click(chromedp.ID("fd-send")))
}

// eval runs a script, failing the test on error.
func (p *page) eval(what, js string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js+`; true`)); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// count returns how many elements match sel whose text contains want.
func (p *page) count(sel, want string) int {
	p.t.Helper()
	return get(p, "count "+sel, chromedp.Evaluate[int](`Array.prototype.filter.call(document.querySelectorAll(`+jsString(sel)+`), function (e) { return e.textContent.indexOf(`+jsString(want)+`) >= 0; }).length`))
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// agentConsole signs an agent in, opens the console and makes them available.
func (b *browser) agentConsole(t *testing.T, srv *testServer, vp viewport) *page {
	t.Helper()
	a := b.newPage(t, srv, vp)
	a.signIn("agent@example.com", "demo")
	a.visit("/agent")
	a.waitText("#agent-conn", "Connected")
	a.run("available", chromedp.SetValue(chromedp.ID("agent-status"), "available"))
	a.eval("status change", `document.getElementById('agent-status').dispatchEvent(new Event('change'))`)
	return a
}

func (a *page) away() {
	a.run("away", chromedp.SetValue(chromedp.ID("agent-status"), "away"))
	a.eval("status change", `document.getElementById('agent-status').dispatchEvent(new Event('change'))`)
}

func TestBrowserChat(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			for _, vp := range viewports {
				t.Run(vp.name, func(t *testing.T) {
					t.Run("GuestGetsAnArticleAnswer", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						p.visit("/")
						p.openChat()
						p.chatSay("How long does delivery take?")
						p.waitText("#fd-log li.bot", "working days")
						if n := p.count("#fd-log li.bot a", "How long does delivery take?"); n != 1 {
							t.Fatalf("answer links to the article %d times, want 1", n)
						}
						p.check()
					})

					t.Run("LeaveAMessageWhenNobodyIsOnline", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						p.visit("/chat")
						p.waitText("#fd-conn", "Connected")
						p.run("ask for a person", chromedp.Click(chromedp.ID("fd-person")))
						p.run("form", chromedp.WaitVisible(chromedp.ID("fd-leave-email")))
						p.check()
						p.run("fill",
							chromedp.SendKeys(chromedp.ID("fd-leave-email"), "guest."+vp.name+"@example.com"),
							chromedp.SendKeys(chromedp.ID("fd-leave-text"), "Please call me about my sofa."),
							chromedp.Click(chromedp.ID("fd-leave-send")))
						p.waitText("#fd-extra", "case number is C-")
						mails, err := srv.Store.FindEmails(context.Background(), "guest."+vp.name+"@example.com", 5)
						if err != nil || len(mails) != 1 || !strings.Contains(mails[0].Subject, "case C-") {
							t.Fatalf("emails %+v err=%v", mails, err)
						}
					})

					t.Run("AgentClaimsAndRepliesThroughADrop", func(t *testing.T) {
						a := b.agentConsole(t, srv, vp)
						defer a.away()
						c := b.newPage(t, srv, vp)
						c.signIn("customer@example.com", "demo")
						c.openChat()
						c.run("ask for a person", chromedp.Click(chromedp.ID("fd-person")))
						c.waitText("#fd-state", "in the queue")

						a.waitText("#queue", "waiting")
						a.run("claim", chromedp.Click(chromedp.CSS("#queue .claim")))
						a.run("chat", chromedp.WaitVisible(chromedp.ID("agent-text")))
						a.waitText("#cust-body", "customer@example.com")
						a.check()
						a.run("reply", chromedp.SendKeys(chromedp.ID("agent-text"), "Hello, this is Alex."), chromedp.Click(chromedp.ID("agent-send")))
						c.waitText("#fd-log li.agent", "Hello, this is Alex.")
						c.waitText("#fd-state", "chatting with")

						// The customer's connection drops: they write while
						// offline and the agent writes meanwhile.
						c.eval("drop", `fdChat.__connect = fdChat.connect; fdChat.connect = function () {}; fdChat.ws.close()`)
						c.waitText("#fd-conn", "Offline")
						c.chatSay("Are you still there?")
						a.run("reply 2", chromedp.SendKeys(chromedp.ID("agent-text"), "Your sofa ships Monday."), chromedp.Click(chromedp.ID("agent-send")))
						a.waitText("#agent-log", "Your sofa ships Monday.")
						c.eval("back", `fdChat.connect = fdChat.__connect; fdChat.reconnectNow()`)
						c.waitText("#fd-conn", "Connected")
						c.waitText("#fd-log", "Your sofa ships Monday.")
						a.waitText("#agent-log", "Are you still there?")
						deadline := time.Now().Add(10 * time.Second)
						for c.count("#fd-log li.pending", "") > 0 && time.Now().Before(deadline) {
							time.Sleep(50 * time.Millisecond)
						}
						for _, want := range []string{"Hello, this is Alex.", "Your sofa ships Monday.", "Are you still there?"} {
							if n := c.count("#fd-log li:not(.pending)", want); n != 1 {
								t.Fatalf("customer sees %q %d times, want once", want, n)
							}
						}
						if n := a.count("#agent-log li", "Are you still there?"); n != 1 {
							t.Fatalf("agent sees the offline message %d times, want once", n)
						}
						c.check()

						a.run("close", chromedp.Click(chromedp.ID("agent-end")))
						c.run("rating form", chromedp.WaitVisible(chromedp.ID("fd-rate-send")))
						c.run("rate", chromedp.Click(chromedp.CSS(`input[name="fd-rating"][value="5"]`)), chromedp.Click(chromedp.ID("fd-rate-send")))
						c.waitText("#fd-extra", "Thank you for your rating.")

						// The transcript is in the customer's history.
						c.visit("/account/history?kind=chat")
						// (By script: on a phone the open chat widget covers the page.)
						c.run("list", chromedp.WaitVisible(chromedp.CSS(`ul.history a[href^="/account/chats/"]`)))
						c.eval("open the chat", `document.querySelector('ul.history a[href^="/account/chats/"]').click()`)
						c.waitText("h1", "Chat of")
						c.waitText("ol.chat-log", "Your sofa ships Monday.")
						c.waitText("main", "you rated it 5/5")
						c.check()
						c.visit("/account/chats")
						c.waitText("ul.history", "Chat:")
						c.check()
					})
				})
			}
		})
	}
}
