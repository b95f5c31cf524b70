package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// fillAddress types an address into the address fields (partials.html).
func (p *page) fillAddress(a portal.Address) {
	p.t.Helper()
	p.run("fill address",
		chromedp.SetValue(chromedp.ID("addr-name"), a.Name),
		chromedp.SetValue(chromedp.ID("addr-line1"), a.Line1),
		chromedp.SetValue(chromedp.ID("addr-postcode"), a.Postcode),
		chromedp.SetValue(chromedp.ID("addr-city"), a.City),
		chromedp.SetValue(chromedp.ID("addr-country"), a.Country))
}

// TestBrowserCheckoutAndCancel takes a configured bike from a quote
// through the checkout (address, delivery, confirmation) to a confirmed
// order, sends it to another address and cancels it before it is packed.
func TestBrowserCheckoutAndCancel(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			// The retailer's system: a real receiver that checks signatures.
			rcv := storetest.NewReceiver(t, "unset", 0, time.Now)
			admin := b.newPage(t, srv, viewports[0])
			admin.signIn("admin@example.com", "demo")
			admin.visit("/admin/webhooks")
			admin.run("endpoint", chromedp.SetValue(chromedp.ID("url"), rcv.Server.URL+"/frontdesk"),
				chromedp.Click(chromedp.CSS(`input[name=event][value="order.cancelled"]`)),
				chromedp.SetValue(chromedp.ID("patterns"), "order.configured, order.address_changed"))
			admin.submit(`form[action="/admin/webhooks"] button[type=submit]`)
			secret := admin.text("code.token")
			if !strings.HasPrefix(secret, "whsec_") {
				t.Fatalf("secret %q", secret)
			}
			rcv.SetSecret(secret)
			admin.check()
			for _, vp := range []viewport{viewports[0], phone360} {
				t.Run(vp.name, func(t *testing.T) {
					p := b.newPage(t, srv, vp)
					p.signIn("customer@example.com", "demo")
					p.visit("/configure/trail-bike")
					p.run("complete", chromedp.Click(chromedp.ID("cfg-complete")))
					p.waitText("#cfg-status", "Completed")
					p.submit("#cfg-save")
					p.waitText(".flash", "saved")
					p.check()
					p.submit("#quote-order")
					p.waitText(".steps [aria-current=step]", "Address")
					p.check()
					p.fillAddress(portal.Address{Name: "Ada Becker", Line1: "Invalidenstraße 7", Postcode: "10115", City: "Berlin", Country: "DE"})
					p.submit("#checkout-address-save")
					p.waitText(".steps [aria-current=step]", "Delivery")
					p.check()
					p.run("express", chromedp.Click(chromedp.CSS(`input[name=delivery][value=express]`)))
					p.submit("#checkout-delivery-next")
					p.waitText(".steps [aria-current=step]", "Confirm")
					p.waitText("#checkout-options", "frame")
					p.check()
					p.submit("#checkout-confirm")
					p.waitText(".flash", "is placed")
					if loc := p.location(); !strings.HasPrefix(loc, "/account/orders/CF-") {
						t.Fatalf("after ordering at %q", loc)
					}
					p.waitText("main", "Invalidenstraße 7")
					p.waitText("main", "Your configuration")
					p.waitText("main", "Express delivery")
					p.check()

					p.submit(`a[href$="/address"]`)
					p.check()
					p.fillAddress(portal.Address{Name: "Ada Becker", Line1: "Hafenstraße 2", Postcode: "20095", City: "Hamburg", Country: "DE"})
					p.submit(`form[action$="/address"] button[type=submit]`)
					p.waitText(".flash", "will go to the new address")
					p.waitText("main", "Hafenstraße 2")
					p.check()

					p.submit("a.button.danger")
					p.check()
					p.submit(`form[action$="/cancel"] button[type=submit]`)
					p.waitText(".flash", "is cancelled")
					p.waitText("main", "This order is cancelled.")
					p.check()
				})
			}
			// Every change reached the receiver, signed, once per event.
			deadline := time.Now().Add(30 * time.Second)
			want := map[string]int{portal.EventOrderConfigured: 2, portal.EventOrderAddressChanged: 2, portal.EventOrderCancelled: 2}
			for {
				got := rcv.TypeCounts()
				if fmt.Sprint(got) == fmt.Sprint(want) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the receiver processed %v, want %v", got, want)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if _, bad, _ := rcv.Snapshot(); bad != 0 {
				t.Fatalf("%d requests with a bad signature", bad)
			}
			admin.visit("/admin/webhooks?status=delivered")
			admin.waitText("main", "order.cancelled")
		})
	}
}
