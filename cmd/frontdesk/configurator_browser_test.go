package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/portal"
)

// waitJS polls until the JavaScript expression is true, up to 15 seconds.
func (p *page) waitJS(what, expr string) {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s never became true (last err %v)", what, expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// choose clicks an option and waits until the configurator shows it chosen.
func (p *page) choose(id string) {
	p.t.Helper()
	p.run("choose "+id, chromedp.Click(chromedp.ID("opt-"+id)))
	p.waitJS("chosen "+id, `document.querySelector('[data-option="`+id+`"]').classList.contains('on')`)
}

func TestBrowserConfigurator(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Parallel() // each store has its own server and browser
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			for _, vp := range viewports {
				t.Run(vp.name, func(t *testing.T) {
					t.Run("ConfigurePCQuoteAndOrder", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						p.signIn("customer@example.com", "demo")
						p.visit("/configure")
						p.visit("/configure/custom-pc")
						p.choose("corsair-vs-series")
						p.choose("geforce-gtx")
						p.choose("1080-ti-series")
						p.choose("msi-gaming-x-11g")
						p.waitText("#why-vs450", "needs a power supply of 500 W or more")
						if total := p.text("#cfg-total"); !strings.HasPrefix(total, "€") {
							t.Fatalf("total %q", total)
						}
						p.check()
						// Insisting on the too-small power supply offers to drop the card.
						p.run("insist", chromedp.Click(chromedp.ID("opt-vs450")))
						p.waitText("#cfg-repair-drop", "MSI GAMING X 11G")
						p.check()
						p.run("keep", chromedp.Click(chromedp.ID("cfg-repair-cancel")))
						p.waitText("#cfg-status", "Kept your choices")
						p.run("complete", chromedp.Click(chromedp.ID("cfg-complete")))
						p.waitText("#cfg-status", "Completed")
						p.submit("#cfg-save")
						p.waitText(".flash", "saved")
						if loc := p.location(); !strings.HasPrefix(loc, "/account/quotes/Q-") {
							t.Fatalf("after saving at %q", loc)
						}
						p.waitText("#quote-options", "MSI GAMING X 11G")
						p.check()
						p.submit("#quote-order")
						p.fillAddress(portal.Address{Name: "Ada Becker", Line1: "Invalidenstraße 7", Postcode: "10115", City: "Berlin", Country: "DE"})
						p.submit("#checkout-address-save")
						p.submit("#checkout-delivery-next")
						p.waitText("#checkout-options", "MSI GAMING X 11G")
						p.submit("#checkout-confirm")
						p.waitText(".flash", "is placed")
						if loc := p.location(); !strings.HasPrefix(loc, "/account/orders/CF-") {
							t.Fatalf("after ordering at %q", loc)
						}
						p.check()
					})
					t.Run("EditorAddsRuleAndPublishes", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						p.signIn("editor@example.com", "demo")
						p.visit("/editor/catalog")
						p.visit("/editor/catalog/trail-bike")
						p.run("rule",
							chromedp.SetValue(chromedp.ID("rule-a"), "child-seat"),
							chromedp.SetValue(chromedp.ID("rule-kind"), "requires"),
							chromedp.SetValue(chromedp.ID("rule-b"), "rack"),
							chromedp.SendKeys(chromedp.ID("rule-label"), "the child seat mounts on the rear rack"))
						p.submit("#rule-add")
						p.waitText(".flash", "added to draft")
						p.check()
						p.submit("#catalog-publish")
						p.waitText(".flash", "Published version")
						p.check()
					})
				})
			}
		})
	}
}
