package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCases: a customer opens a case from "Contact us" about an
// order, an agent finds it in the views with its SLA badge and replies
// (waiting on the customer), the customer answers on the case page, which
// reopens it, and the agent solves it; every page at desktop and 390 px
// with no serious axe violation.
func TestBrowserCases(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			for _, vp := range viewports {
				t.Run(vp.name, func(t *testing.T) {
					body := fmt.Sprintf("My sofa has not arrived (%s, %s).", kind, vp.name)
					cust := b.newPage(t, srv, vp)
					cust.signIn("customer@example.com", "demo")
					cust.visit("/contact")
					cust.check()
					get(cust, "pick an order", chromedp.Evaluate[bool](`(function(){var s=document.getElementById('c-order'); s.selectedIndex=1; return true})()`))
					cust.run("fill the form",
						chromedp.SetValue(chromedp.ID("c-topic"), "delivery"),
						chromedp.SendKeys(chromedp.ID("c-body"), body))
					cust.submit(`form[action="/contact"] button[type=submit]`)
					cust.waitText(".flash", "Your case number is")
					caseURL := cust.location()
					if !strings.HasPrefix(caseURL, "/account/cases/") {
						t.Fatalf("after the form at %q", caseURL)
					}
					cust.waitText(".case-thread", body)
					cust.check()
					id := strings.TrimPrefix(caseURL, "/account/cases/")

					agent := b.newPage(t, srv, vp)
					agent.signIn("agent@example.com", "demo")
					agent.visit("/agent/cases?view=unassigned")
					agent.waitText("table.cases", "A delivery: order")
					agent.waitText(`table.cases tr:has(a[href="/agent/cases/`+id+`"]) .badge.sla`, "First response:")
					agent.check()
					agent.submit(`a[href="/agent/cases/` + id + `"]`)
					agent.waitText(".case-thread", body)
					agent.check()
					agent.run("reply", chromedp.SendKeys(chromedp.ID("r-body"), "It arrives on Friday. Does that suit you?"),
						chromedp.SetValue(chromedp.ID("r-status"), "pending"))
					agent.submit(`form[action$="/reply"] button[type=submit]`)
					agent.waitText(".flash", "Reply sent")
					agent.waitText(".case-meta", "Pending")
					agent.check()

					cust.visit(caseURL)
					cust.waitText(".case-thread", "It arrives on Friday.")
					cust.run("answer", chromedp.SendKeys(chromedp.ID("case-reply"), "Friday suits me, thank you."))
					cust.submit(`form[action$="/reply"] button[type=submit]`)
					cust.waitText(".flash", "Thank you.")
					cust.waitText(".case-thread", "Friday suits me")
					cust.check()

					agent.visit("/agent/cases/" + id)
					agent.waitText(".case-thread", "Reopened by the customer")
					agent.waitText(".case-meta", "Open")
					agent.run("solve", chromedp.SetValue(chromedp.ID("u-status"), "solved"))
					agent.submit(`form[action$="/update"] button[type=submit]`)
					agent.waitText(".flash", "Case updated.")
					agent.waitText(".case-meta", "Solved")
					agent.check()
					for _, view := range []string{"mine", "breaching", "open", "all"} {
						agent.visit("/agent/cases?view=" + view)
						agent.check()
					}
					agent.visit("/agent/alerts")
					agent.waitText("main", "New case")
					agent.check()

					cust.visit(caseURL)
					cust.waitText("main", "Solved")
					cust.visit("/account/history")
					cust.waitText("main", "Case C-")
					cust.check()
					cust.visit("/account/cases")
					cust.waitText(".case-list", "Case C-"+fmt.Sprintf("%06s", id))
					cust.waitText(".case-list", "Solved")
					cust.check()

					// The console shows the unread alerts, and a customer's
					// message raises the count live.
					agent.visit("/agent")
					agent.waitText(".agent-alerts .badge", "new alert")
					agent.check()
					var n int
					fmt.Sscanf(get(agent, "alert count", chromedp.Text(chromedp.CSS(".agent-alerts .badge"))), "%d", &n)
					cust.visit(caseURL)
					cust.run("answer again", chromedp.SendKeys(chromedp.ID("case-reply"), "One more thing: the legs."))
					cust.submit(`form[action$="/reply"] button[type=submit]`)
					cust.waitText(".flash", "Thank you.")
					agent.waitText(".agent-alerts .badge", fmt.Sprintf("%d new alerts", n+1))
					agent.waitText("#agent-alert", "Customer replied on case C-")

					admin := b.newPage(t, srv, vp)
					admin.signIn("admin@example.com", "demo")
					admin.visit("/admin/cases")
					admin.check()
				})
			}
		})
	}
}
