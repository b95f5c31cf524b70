package main

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserConsoleLiveDetails: on a 390 px console, the parcels in the
// customer panel link to the staff's parcel page (and to their order's); the transfer list follows agents becoming available and
// going away without reopening the chat; the customer's rating, given in
// the widget at 360 px, shows in the console at once. The staff history
// folds its less used filters under "More filters" on phones and shows
// them all on a desktop. axe finds no serious violation.
func TestBrowserConsoleLiveDetails(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			desktop, mobile := viewports[0], viewports[1]

			t.Run("Console", func(t *testing.T) {
				a := b.agentConsole(t, srv, mobile)
				defer a.away()
				c := b.newPage(t, srv, phone360)
				c.signIn("customer@example.com", "demo")
				c.openChat()
				c.run("ask for a person", chromedp.Click(chromedp.ID("fd-person")))
				c.waitText("#fd-state", "in the queue")
				a.run("claim", chromedp.Click(chromedp.CSS("#queue .claim")))
				a.waitText("#chat-h", "Chat with Ada Becker")

				// Parcels link to the staff's parcel page, and to their order's.
				a.waitJS("parcel links", `document.querySelector('#cust-parcels a[href^="/staff/shipments/"]') !== null`)
				a.waitJS("parcel's order link", `document.querySelector('#cust-parcels a[href^="/staff/orders/"]') !== null`)
				href := get(a, "parcel link", chromedp.Evaluate[string](`document.querySelector('#cust-parcels a[href^="/staff/shipments/"]').getAttribute('href')`))
				st := b.newPage(t, srv, mobile)
				st.signIn("agent@example.com", "demo")
				st.visit(href)
				st.waitJS("the parcel's page", `document.querySelector('[data-live-shipment] [data-status]') !== null && document.querySelector('main a[href^="/staff/orders/"]') !== null`)
				st.screenshot("staff-parcel-390")

				// The transfer list follows presence.
				a.waitText("#agent-transfer", "Nobody else is available")
				tess := mustAgent(t, srv, "tess."+kind+"@example.com", "Tess")
				tw := agentOnline(t, srv, tess.Email)
				a.waitText("#agent-transfer", "Tess")
				a.waitJS("transfer possible", `!document.getElementById('agent-transfer-go').disabled`)
				a.check()
				tw.send(map[string]any{"type": "status", "status": "away"})
				a.waitJS("Tess gone", `!document.getElementById('agent-transfer').textContent.includes('Tess') && document.getElementById('agent-transfer-go').disabled`)

				// The rating reaches the console live, and the customer's
				// other tab, which says what was given rather than thanking.
				c2 := b.newPage(t, srv, phone360)
				c2.signIn("customer@example.com", "demo")
				c2.openChat()
				a.run("close", chromedp.Click(chromedp.ID("agent-end")))
				c.run("rating form", chromedp.WaitVisible(chromedp.ID("fd-rate-send")))
				c2.run("rating form in the other tab", chromedp.WaitVisible(chromedp.ID("fd-rate-send")))
				c.run("rate", chromedp.Click(chromedp.CSS(`input[name="fd-rating"][value="5"]`)), chromedp.SendKeys(chromedp.ID("fd-rate-comment"), "Lovely help"), chromedp.Click(chromedp.ID("fd-rate-send")))
				c.waitText("#fd-extra", "Thank you for your rating.")
				c2.waitText("#fd-extra", "You rated this chat 5 out of 5.")
				c2.screenshot("other-tab-rated-360")
				a.waitText("#chat-rating", "Customer rated this chat 5/5")
				a.waitText("#chat-rating", "Lovely help")
				a.check()
				a.screenshot("console-rated-390")
			})

			t.Run("HistoryFilters", func(t *testing.T) {
				for _, vp := range []viewport{phone360, mobile} {
					h := b.newPage(t, srv, vp)
					h.signIn("agent@example.com", "demo")
					h.visit("/agent/history?customer=Ada")
					h.waitJS("folded on a phone", `!document.getElementById('h-more').open && !document.getElementById('h-rating').checkVisibility()`)
					h.screenshot("history-folded-" + vp.name)
					h.run("more filters", chromedp.Click(chromedp.CSS("#h-more > summary")))
					h.waitJS("unfolded", `document.getElementById('h-more').open && document.getElementById('h-rating').checkVisibility()`)
					h.check()
					// A folded filter in use keeps the fold open.
					h.visit("/agent/history?customer=Ada&rating=any")
					h.waitJS("open with a filter in use", `document.getElementById('h-more').open && document.getElementById('h-rating').checkVisibility()`)
				}
				h := b.newPage(t, srv, desktop)
				h.signIn("agent@example.com", "demo")
				h.visit("/agent/history")
				h.waitJS("every field on a desktop", `document.getElementById('h-more').open && document.getElementById('h-voted').checkVisibility() &&
					getComputedStyle(document.querySelector('#h-more > summary')).display === 'none'`)
			})
		})
	}
}
