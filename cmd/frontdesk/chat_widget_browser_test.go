package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chatSockets reads the open chat sockets from the server's /metrics.
func chatSockets(t *testing.T, srv *testServer) int {
	t.Helper()
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "frontdesk_chat_sockets "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("frontdesk_chat_sockets %q", v)
			}
			return int(n)
		}
	}
	t.Fatal("no frontdesk_chat_sockets in /metrics")
	return 0
}

// waitSockets polls until the server holds want chat sockets.
func waitSockets(t *testing.T, srv *testServer, want string, ok func(int) bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		n := chatSockets(t, srv)
		if ok(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("chat sockets: %d, want %s", n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// widgetIdle reports whether the page's widget holds no socket and is not
// trying to open one.
func (p *page) widgetIdle() bool {
	p.t.Helper()
	return get(p, "widget state", chromedp.Evaluate[bool](`!window.fdChat.started && window.fdChat.ws === null`))
}

// TestBrowserChatConnectsOnlyWhenNeeded: a page view with the widget closed
// and no conversation holds no socket; opening the widget connects, closing
// it with no conversation disconnects; a conversation going keeps a socket
// with the panel closed, on the next pages too (new messages mark the
// launcher), until it ends.
func TestBrowserChatConnectsOnlyWhenNeeded(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			p := b.newPage(t, srv, viewports[0])
			zero := func(n int) bool { return n == 0 }
			one := func(n int) bool { return n == 1 }

			p.visit("/")
			p.visit("/help")
			if !p.widgetIdle() || chatSockets(t, srv) != 0 {
				t.Fatalf("a page view with the widget closed holds a socket (sockets: %d)", chatSockets(t, srv))
			}

			p.openChat()
			waitSockets(t, srv, "1 with the widget open", one)
			p.run("close chat", chromedp.Click(chromedp.ID("fd-close")))
			waitSockets(t, srv, "0 once closed with no conversation", zero)
			if !p.widgetIdle() {
				t.Fatal("the closed widget still connects")
			}

			p.openChat()
			p.chatSay("How long does delivery take?")
			p.waitText("#fd-log li.bot", "working days")
			p.run("close chat", chromedp.Click(chromedp.ID("fd-close")))
			if p.widgetIdle() {
				t.Fatal("the widget let its socket go with a conversation going")
			}
			waitSockets(t, srv, "1 with a conversation going", one)

			// The next page: the conversation is followed with the panel
			// closed; a new message marks the launcher.
			p.visit("/")
			p.waitJS("the closed widget connected", `window.fdChat.ws !== null && window.fdChat.ws.readyState === 1`)
			waitSockets(t, srv, "1 on the next page with a conversation going", one)
			p.eval("ask from the closed widget", `window.fdChat.frame({type: 'send', id: 'closed-1', text: 'Do you deliver on weekends?'})`)
			p.waitText("#fd-launch", "new message")

			// The conversation ends: the closed widget lets the socket go,
			// and the next page view opens none.
			p.eval("end", `window.fdChat.frame({type: 'end'})`)
			waitSockets(t, srv, "0 once the conversation ended", zero)
			p.visit("/help")
			if !p.widgetIdle() || chatSockets(t, srv) != 0 {
				t.Fatalf("a page view after the conversation ended holds a socket (sockets: %d)", chatSockets(t, srv))
			}
		})
	}
}
