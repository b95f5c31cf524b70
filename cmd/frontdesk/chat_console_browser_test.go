package main

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// launcherShown reports whether the widget's launcher is rendered (not
// just whether its hidden property is set: a CSS display rule can
// override the attribute).
const launcherShown = `getComputedStyle(document.getElementById('fd-launch')).display !== 'none'`

// recordTypingAtMessage makes the page note, the moment a message of
// author enters the log (sel), what the typing line (typing) says.
func recordTypingAtMessage(p *page, sel, author, typing string) {
	p.eval("watch the log", `(function () {
		window.__typingAtMessage = null;
		new MutationObserver(function (recs) {
			recs.forEach(function (r) {
				r.addedNodes.forEach(function (n) {
					if (n.classList && n.classList.contains('`+author+`') && window.__typingAtMessage === null) {
						window.__typingAtMessage = document.getElementById('`+typing+`').textContent;
					}
				});
			});
		}).observe(document.querySelector('`+sel+`'), { childList: true });
	})()`)
}

// TestBrowserConsoleAndWidgetWalk covers what a walk through the console
// and the widget found broken: the launcher stayed rendered over the open
// panel (a button's display beat the hidden attribute); "typing…" stayed
// up after the message it announced arrived; the console's composer left
// the transcript a few lines on a desktop; and Transfer was offered with
// nobody to transfer to. Desktop and 360 px phone; both stores.
func TestBrowserConsoleAndWidgetWalk(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			for _, vp := range []viewport{viewports[0], phone360} {
				t.Run(vp.name, func(t *testing.T) {
					a := b.agentConsole(t, srv, vp)
					defer a.away()
					c := b.newPage(t, srv, vp)
					c.visit("/")
					if !get(c, "launcher shown", chromedp.Evaluate[bool](launcherShown)) {
						t.Fatal("no launcher on a page with the widget closed")
					}
					c.openChat()
					if get(c, "launcher over the panel", chromedp.Evaluate[bool](launcherShown)) {
						t.Fatal("the launcher is still shown over the open panel")
					}
					c.run("ask for a person", chromedp.Click(chromedp.ID("fd-person")))
					c.waitText("#fd-state", "in the queue")
					a.run("claim", chromedp.Click(chromedp.CSS("#queue .claim")))
					a.waitText("#chat-h", "Chat with Guest")
					a.waitJS("transfer list", `document.getElementById('agent-transfer').options.length > 0`)
					if !get(a, "transfer off", chromedp.Evaluate[bool](`document.getElementById('agent-transfer-go').disabled`)) {
						t.Fatal("Transfer is offered with nobody else available")
					}
					if vp.width >= 700 {
						// The transcript takes the height the composer leaves:
						// a good part of the window, not a few lines.
						if !get(a, "transcript height", chromedp.Evaluate[bool](`document.getElementById('agent-log').getBoundingClientRect().height >= 0.25 * window.innerHeight`)) {
							t.Fatalf("the transcript is %v px high in a %d px window", get(a, "h", chromedp.Evaluate[float64](`document.getElementById('agent-log').getBoundingClientRect().height`)), vp.height)
						}
					} else if !get(a, "chat in view", chromedp.Evaluate[bool](`document.getElementById('agent-chat').getBoundingClientRect().top < window.innerHeight`)) {
						t.Fatal("on a phone the claimed chat is out of view, below the queue")
					}

					// Typing, then the message: the widget drops "typing…".
					recordTypingAtMessage(c, "#fd-log", "agent", "fd-typing")
					a.run("reply", chromedp.SendKeys(chromedp.ID("agent-text"), "Hello, how can I help?\r"))
					c.waitText("#fd-log li.agent", "Hello, how can I help?")
					if got := get(c, "typing line", chromedp.Evaluate[string](`window.__typingAtMessage`)); got != "" {
						t.Fatalf("the widget still says %q once the agent's message is in", got)
					}
					recordTypingAtMessage(a, "#agent-log", "customer", "agent-typing")
					c.chatSay("My sofa is late.")
					a.waitText("#agent-log li.customer", "My sofa is late.")
					if got := get(a, "typing line", chromedp.Evaluate[string](`window.__typingAtMessage`)); got != "" {
						t.Fatalf("the console still says %q once the customer's message is in", got)
					}
					a.check()
					a.screenshot("console")
					c.check()
					c.run("Esc", chromedp.SendKeys(chromedp.ID("fd-text"), "\x1b"))
					c.waitJS("launcher back after Esc", launcherShown)
					a.run("close", chromedp.Click(chromedp.ID("agent-end")))
					a.waitText("#chat-state", "Ended")
				})
			}
		})
	}
}
