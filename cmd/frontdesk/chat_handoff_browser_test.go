package main

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// phone360 is the narrowest phone the widget must work on.
var phone360 = viewport{"phone360", 360, 640, true}

// composerInView fails unless the widget's message box and Send button
// are fully inside the viewport.
func (p *page) composerInView(what string) {
	p.t.Helper()
	p.waitJS(what+": composer in view", `(function () {
		var h = window.innerHeight, w = window.innerWidth;
		return ['fd-text', 'fd-send'].every(function (id) {
			var r = document.getElementById(id).getBoundingClientRect();
			return r.height > 0 && r.top >= 0 && r.bottom <= h + 0.5 && r.left >= 0 && r.right <= w + 0.5;
		});
	})()`)
}

// TestBrowserHandoff covers what agents and customers see of the hand-off:
// the console keeps the agent's status across a reload, alerts (title
// count, unread marker), the customer's name, timestamps, Enter to send, a
// disabled composer after the end; the widget at 360 px keeps its composer
// in view under the leave-a-message and rating forms, hides the launcher
// while open and closes on Esc.
func TestBrowserHandoff(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind, withGrace("2s"))
			b := MustBrowser(t)
			desktop := viewports[0]

			t.Run("LeaveMessageFormKeepsComposerInView", func(t *testing.T) {
				c := b.newPage(t, srv, phone360)
				c.visit("/")
				c.openChat()
				if !get(c, "launcher hidden", chromedp.Evaluate[bool](`document.getElementById('fd-launch').hidden`)) {
					t.Fatal("the launcher stays visible over the open panel")
				}
				c.run("ask for a person", chromedp.Click(chromedp.ID("fd-person")))
				c.run("form", chromedp.WaitVisible(chromedp.ID("fd-leave-email")))
				c.composerInView("leave-a-message form")
				c.check()
				c.screenshot("leave-message-360")
				c.run("Esc", chromedp.SendKeys(chromedp.ID("fd-text"), "\x1b"))
				c.waitJS("closed by Esc", `document.getElementById('fd-chat').hidden && !document.getElementById('fd-launch').hidden`)
			})

			t.Run("CustomerSeesTheAgentLeave", func(t *testing.T) {
				a := b.agentConsole(t, srv, desktop)
				c := b.newPage(t, srv, phone360)
				c.visit("/")
				c.openChat()
				c.run("ask for a person", chromedp.Click(chromedp.ID("fd-person")))
				c.waitText("#fd-state", "in the queue")
				a.run("claim", chromedp.Click(chromedp.CSS("#queue .claim")))
				c.waitText("#fd-state", "chatting with Demo Agent")
				// The agent's tab closes; after the grace, with nobody else
				// available, the customer is told and offered a message.
				a.run("leave", chromedp.Navigate("about:blank"))
				c.waitText("#fd-log", "Demo Agent is no longer available")
				c.run("form", chromedp.WaitVisible(chromedp.ID("fd-leave-email")))
				c.composerInView("after the agent left")
				c.check()
				c.screenshot("agent-left-360")
			})

			t.Run("DisabledAgentsConsoleStops", func(t *testing.T) {
				dora := mustAgent(t, srv, "dora."+kind+"@example.com", "Dora")
				a := b.newPage(t, srv, desktop)
				a.signIn(dora.Email, "demo")
				a.visit("/agent")
				a.waitText("#agent-conn", "Connected")
				admin := signIn(t, srv, "admin@example.com")
				if st := admin.post("/admin/staff", fmt.Sprintf("/admin/staff/%d/disable", dora.ID), nil); st != http.StatusSeeOther {
					t.Fatalf("disable: status %d", st)
				}
				a.waitText("#agent-conn", "You were signed out")
				a.waitJS("composer off", `document.getElementById('agent-status').disabled`)
			})

			t.Run("ConsoleAlertsNamesAndClose", func(t *testing.T) {
				a := b.agentConsole(t, srv, desktop)
				defer a.away()
				// The status is the agent's: a reload keeps it.
				a.waitJS("stored available", `document.getElementById('agent-status').value === 'available'`)
				a.visit("/agent")
				a.waitText("#agent-conn", "Connected")
				a.waitJS("still available after a reload", `document.getElementById('agent-status').value === 'available'`)

				c1 := b.newPage(t, srv, phone360)
				c1.signIn("customer@example.com", "demo")
				c1.openChat()
				c1.run("ask for a person", chromedp.Click(chromedp.ID("fd-person")))
				c1.waitText("#fd-state", "in the queue")
				a.waitJS("title badge", `/^\(1\) /.test(document.title)`)
				a.run("claim", chromedp.Click(chromedp.CSS("#queue .claim")))
				a.waitText("#chat-h", "Chat with Ada Becker")
				// The customer beside the chat: orders link to their page,
				// parcels with status, invoices, past chats.
				a.waitJS("order links", `document.querySelector('#cust-orders a[href^="/staff/orders/"]') !== null`)
				for _, h := range []string{"Parcels", "Invoices", "Past chats"} {
					a.waitText("#cust-body", h)
				}
				a.screenshot("console-customer")
				// A quick reply by its shortcut, placeholders filled in.
				a.run("quick reply", chromedp.SendKeys(chromedp.ID("agent-text"), "/status\t"))
				a.waitJS("expanded", `/^I am checking order NW-\d+ for you now\.$/.test(document.getElementById('agent-text').value)`)
				a.eval("clear", `document.getElementById('agent-text').value = ''`)
				c2 := b.newPage(t, srv, phone360)
				c2.visit("/")
				c2.openChat()
				c2.run("ask for a person", chromedp.Click(chromedp.ID("fd-person")))
				c2.waitText("#fd-state", "in the queue")
				a.run("claim 2", chromedp.Click(chromedp.CSS("#queue .claim")))
				a.waitText("#chat-h", "Chat with Guest")
				// Enter sends; the message carries a time.
				a.run("reply with Enter", chromedp.SendKeys(chromedp.ID("agent-text"), "Hello, how can I help?\r"))
				c2.waitText("#fd-log li.agent", "Hello, how can I help?")
				a.waitJS("timestamp", `/\d\d:\d\d/.test(document.querySelector('#agent-log li.agent .who').textContent)`)
				// The other chat's new message is marked unread and counted.
				c1.chatSay("Is my sofa on its way?")
				a.waitJS("unread marker", `document.querySelector('#mine li[data-conversation] .unread') !== null`)
				a.waitJS("title counts unread", `/^\(1\) /.test(document.title)`)
				a.check()
				a.screenshot("console-unread")
				// Closing disables the composer and says why.
				a.run("close", chromedp.Click(chromedp.ID("agent-end")))
				a.waitJS("composer disabled", `document.getElementById('agent-text').disabled && document.getElementById('agent-send').disabled`)
				a.waitText("#chat-state", "Ended")
				c2.run("rating form", chromedp.WaitVisible(chromedp.ID("fd-rate-send")))
				c2.composerInView("rating form")
				c2.check()
				c2.screenshot("rating-360")
				// The unread chat opens with its messages; then it is read.
				a.run("open chat 1", chromedp.Click(chromedp.CSS("#mine .open-chat")))
				a.waitText("#agent-log", "Is my sofa on its way?")
				a.waitJS("read", `document.querySelector('#mine .unread') === null`)
				a.run("close 1", chromedp.Click(chromedp.ID("agent-end")))
				a.waitJS("composer disabled", `document.getElementById('agent-text').disabled`)
				c1.run("rating form", chromedp.WaitVisible(chromedp.ID("fd-rate-send")))
				c1.run("rate", chromedp.Click(chromedp.CSS(`input[name="fd-rating"][value="4"]`)), chromedp.SendKeys(chromedp.ID("fd-rate-comment"), "Kind and quick"), chromedp.Click(chromedp.ID("fd-rate-send")))
				c1.waitText("#fd-extra", "Thank you for your rating.")

				// The history: every chat, searchable, with ratings, on a
				// phone too.
				for _, vp := range viewports {
					h := b.newPage(t, srv, vp)
					h.signIn("agent@example.com", "demo")
					h.visit("/agent/history?customer=Ada&rating=any")
					h.waitText("table", "Kind and quick")
					h.waitText("#csat-h + .table-wrap", "Demo Agent")
					h.screenshot("history-" + vp.name)
					h.eval("open", `document.querySelector('table a[href^="/agent/history/"]').click()`)
					h.waitText("h1", "Chat with Ada Becker")
					h.waitText("ol.chat-log", "Is my sofa on its way?")
					h.check()
				}
			})
		})
	}
}
