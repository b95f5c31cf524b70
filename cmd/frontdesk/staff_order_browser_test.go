package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserStaffOrder walks what a support agent does beside a chat: in
// the 390 px console the customer's orders, parcels and invoices link to
// the staff's pages (opening beside the console); the order page shows the
// customer, lines, totals, invoices and parcels with their latest scan;
// the parcel page shows every scan and takes a new one live. The same
// walk from the staff's customer page at 360 px and on a desktop, and the
// not-found page, with axe finding no serious violation on any of them.
func TestBrowserStaffOrder(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			desktop, mobile := viewports[0], viewports[1]

			// orderAndParcel checks the order page open in p, follows its
			// first parcel and checks that; it returns the parcel's
			// tracking number.
			orderAndParcel := func(t *testing.T, p *page, label string) string {
				p.waitJS("order page", `/^Order NW-/.test(document.querySelector('h1').textContent) && document.querySelector('main a[href^="/staff/customers/"]') !== null`)
				for _, want := range []string{"Items", "Total", "Invoices", "Parcels", "Chats and cases about this order"} {
					p.waitText("main", want)
				}
				p.waitJS("invoice link", `document.querySelector('main a[href^="/staff/invoices/INV-"]') !== null`)
				p.waitJS("parcel with its latest scan", `document.querySelector('#parcels a[href^="/staff/shipments/"]') !== null && /Latest: /.test(document.getElementById('parcels').textContent)`)
				p.check()
				p.screenshot("order-" + label)
				p.submit(`#parcels a[href^="/staff/shipments/"]`)
				p.waitJS("parcel page", `/^Parcel /.test(document.querySelector('h1').textContent) && document.querySelectorAll('[data-timeline] li').length > 0`)
				p.waitText("[data-live-state]", "Live")
				p.check()
				p.screenshot("parcel-" + label)
				return strings.TrimPrefix(p.text("h1"), "Parcel ")
			}

			t.Run("FromTheConsole", func(t *testing.T) {
				a := b.agentConsole(t, srv, mobile)
				defer a.away()
				c := b.newPage(t, srv, phone360)
				c.signIn("customer@example.com", "demo")
				c.openChat()
				c.run("ask for a person", chromedp.Click(chromedp.ID("fd-person")))
				c.waitText("#fd-state", "in the queue")
				a.run("claim", chromedp.Click(chromedp.CSS("#queue .claim")))
				a.waitText("#chat-h", "Chat with Ada Becker")
				a.waitJS("order links", `document.querySelector('#cust-orders a[href^="/staff/orders/NW-"]') !== null`)
				a.waitJS("parcel links", `document.querySelector('#cust-parcels a[href^="/staff/shipments/"]') !== null`)
				a.waitJS("invoice links", `document.querySelector('#cust-invoices a[href^="/staff/invoices/INV-"]') !== null`)
				a.waitJS("beside the console", `Array.prototype.every.call(document.querySelectorAll('#cust-body a[href]'), function (l) { return l.target === '_blank' && /noopener/.test(l.rel); })`)
				a.check()
				a.screenshot("console-panel-390")
				href := get(a, "order link", chromedp.Evaluate[string](`document.querySelector('#cust-orders a').getAttribute('href')`))

				p := b.newPage(t, srv, mobile)
				p.signIn("agent@example.com", "demo")
				p.visit(href)
				tn := orderAndParcel(t, p, "390")
				// A new scan reaches the open parcel page.
				postTracking(t, srv, tn, "staff-live-"+kind, "out_for_delivery", "With the driver, staff test")
				p.waitText("[data-timeline]", "With the driver, staff test")
				p.waitText("[data-status]", "Out for delivery")
				p.check()
				p.screenshot("parcel-live-390")
			})

			for _, vp := range []viewport{phone360, desktop} {
				t.Run("FromTheCustomerPage/"+vp.name, func(t *testing.T) {
					p := b.newPage(t, srv, vp)
					p.signIn("agent@example.com", "demo")
					p.visit("/staff/customers?q=customer%40example.com")
					p.submit(`main a[href^="/staff/customers/"]`)
					p.waitJS("order links", `document.querySelector('main a[href^="/staff/orders/NW-"]') !== null`)
					p.waitJS("parcel links", `document.querySelector('main a[href^="/staff/shipments/"]') !== null`)
					p.check()
					p.submit(`main a[href^="/staff/orders/NW-"]`)
					orderAndParcel(t, p, vp.name)
					p.submit(`main a[href^="/staff/orders/NW-"]`)
					p.waitJS("back on the order", `/^Order NW-/.test(document.querySelector('h1').textContent)`)
					p.submit(`main a[href^="/staff/invoices/INV-"]`)
					p.waitJS("invoice", `/^Invoice INV-/.test(document.querySelector('h1').textContent)`)
					p.check()

					p.visit(fmt.Sprintf("/staff/orders/NO-SUCH-%d", time.Now().Unix()%1000))
					p.waitText("main", "There is no order numbered")
					p.check()
					p.screenshot("missing-" + vp.name)
				})
			}
		})
	}
}
