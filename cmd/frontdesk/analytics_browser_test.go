package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCustomerAnalytics signs in as the demo manager and reads the
// analytics dashboard and a segment list, at desktop and phone widths, with
// axe-core and the no-sideways-scrolling check on every page; then the
// support report.
func TestBrowserCustomerAnalytics(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			for _, vp := range viewports {
				t.Run(vp.name, func(t *testing.T) {
					p := b.newPage(t, srv, vp)
					p.signIn("manager@example.com", "demo")
					if got := p.location(); got != "/reports/customers" {
						t.Fatalf("manager landed on %q", got)
					}
					// The server refits at start; the page shows the
					// analysis once it has finished (its script reloads it).
					deadline := time.Now().Add(30 * time.Second)
					for !strings.Contains(p.text("main"), "RFM grid") {
						if time.Now().After(deadline) {
							t.Fatalf("no analysis shown: %.300s", p.text("main"))
						}
						if strings.Contains(p.text("main"), "No analysis has run yet") {
							p.submit(`form[action="/reports/customers/refit"] button`)
						} else {
							p.waitText("main", "RFM grid")
						}
					}
					p.check()
					if testing.Verbose() {
						p.screenshot("dashboard")
					}
					if n := get(p, "charts", chromedp.Evaluate[int](`document.querySelectorAll('main svg.chart[role=img]').length`)); n != 3 {
						t.Fatalf("%d charts, want 3", n)
					}
					// Open the first segment that has customers.
					p.submit(`main table tbody tr th a`)
					if !strings.HasPrefix(p.location(), "/reports/customers/list?segment=") {
						t.Fatalf("segment link went to %q", p.location())
					}
					p.check()
					p.waitText("main", "customers match")
					// Filter by score with the form, as a person would.
					p.visit("/reports/customers/list")
					p.run("filter", chromedp.SetValue(chromedp.ID("min_r"), "4"))
					p.submit(`form.list-filter button[type=submit]`)
					if !strings.Contains(p.location(), "min_r=4") {
						t.Fatalf("filter went to %q", p.location())
					}
					p.check()
					href := get(p, "csv link", chromedp.Evaluate[string](`document.querySelector('a[download]').getAttribute('href')`))
					if !strings.Contains(href, "/reports/customers/list.csv?") || !strings.Contains(href, "min_r=4") {
						t.Fatalf("CSV link %q", href)
					}
					// The same list exported in the background.
					p.submit(`form[action^="/reports/customers/exports"] button`)
					p.waitText("main", "The file is ready")
					p.check()
					// The support report, grouped by week through its form.
					p.visit("/reports/support")
					p.run("by week", chromedp.SetValue(chromedp.ID("by"), "week"))
					p.submit(`form[action="/reports/support"] button[type=submit]`)
					p.waitText("main", "Week of")
					p.check()
					// Cases only: untick the chat, as a person would.
					p.run("untick chat", chromedp.Click(chromedp.CSS(`input[name=channel][value=chat]`)))
					p.submit(`form[action="/reports/support"] button[type=submit]`)
					p.waitText("main", "The chat is not among the chosen channels.")
					if loc := p.location(); !strings.Contains(loc, "channel=email") || strings.Contains(loc, "channel=chat") {
						t.Fatalf("channels went to %q", loc)
					}
					p.check()
					if testing.Verbose() {
						p.screenshot("support")
					}
				})
			}
			// The support report's form at the narrowest phone width.
			t.Run("360px", func(t *testing.T) {
				p := b.newPage(t, srv, viewport{"narrow", 360, 740, true})
				p.signIn("manager@example.com", "demo")
				p.visit("/reports/support?channel=email&channel=portal&by=week")
				p.waitText("main", "Cases opened")
				p.check()
			})
		})
	}
}
