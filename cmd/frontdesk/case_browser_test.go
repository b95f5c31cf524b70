package main

import (
	"fmt"
	netmail "net/mail"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/portal"
)

// TestBrowserCases: a customer opens a case from "Contact us" about an
// order, an agent finds it in the views with its SLA badge and replies
// (waiting on the customer), the customer answers the emailed reply from
// their mail program (a real SMTP client to the listener, to the reply
// address the email came from), which reopens the case and shows on the
// agent's page, answers again on the case page, and the agent closes
// it; every page at desktop and 390 px with no serious axe violation.
func TestBrowserCases(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := mailServer(t, kind)
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

					// The customer answers the emailed reply by email.
					answer := fmt.Sprintf("Friday suits me, I am in all day (%s, %s).", kind, vp.name)
					emailAnswer(t, srv, id, "It arrives on Friday.", answer)
					agent.visit("/agent/cases/" + id)
					agent.waitText(".case-thread", answer)
					agent.waitText(".case-thread", "Reopened by the customer")
					agent.waitText(".case-meta", "Open")
					agent.check()

					cust.visit(caseURL)
					cust.waitText(".case-thread", "It arrives on Friday.")
					cust.waitText(".case-thread", answer)
					cust.run("answer", chromedp.SendKeys(chromedp.ID("case-reply"), "Please ring twice, thank you."))
					cust.submit(`form[action$="/reply"] button[type=submit]`)
					cust.waitText(".flash", "Thank you.")
					cust.waitText(".case-thread", "Please ring twice")
					cust.check()

					agent.visit("/agent/cases/" + id)
					agent.waitText(".case-thread", "Please ring twice")
					agent.run("close", chromedp.SetValue(chromedp.ID("u-status"), "closed"))
					agent.submit(`form[action$="/update"] button[type=submit]`)
					agent.waitText(".flash", "Case updated.")
					agent.waitText(".case-meta", "Closed")
					agent.check()
					for _, view := range []string{"mine", "breaching", "open", "all"} {
						agent.visit("/agent/cases?view=" + view)
						agent.check()
					}
					agent.visit("/agent/alerts")
					agent.waitText("main", "New case")
					agent.check()

					cust.visit(caseURL)
					cust.waitText("main", "Closed")
					cust.visit("/account/history")
					cust.waitText("main", "Case C-")
					cust.check()
					cust.visit("/account/cases")
					cust.waitText(".case-list", "Case C-"+fmt.Sprintf("%06s", id))
					cust.waitText(".case-list", "Closed")
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

			// The calendar form at 360 px: two intervals on a day, and
			// overlapping ones refused with an error naming the day.
			admin := b.newPage(t, srv, phone360)
			admin.signIn("admin@example.com", "demo")
			admin.visit("/admin/cases")
			admin.run("hours with a lunch break", chromedp.SetValue(chromedp.ID("cal1-h1"), "09:00-12:00, 13:00-17:00"))
			admin.submit(`form.calendar:has(#cal1-h1) button[type=submit]`)
			admin.waitText(".flash", "Calendar Business hours saved.")
			if got := get(admin, "monday", chromedp.Evaluate[string](`document.getElementById('cal1-h1').value`)); got != "09:00-12:00, 13:00-17:00" {
				t.Fatalf("Monday's hours read %q after saving", got)
			}
			admin.check()
			admin.run("overlapping hours", chromedp.SetValue(chromedp.ID("cal1-h2"), "09:00-12:00, 11:00-17:00"))
			admin.submit(`form.calendar:has(#cal1-h2) button[type=submit]`)
			admin.waitText(".flash", "Tuesday: 09:00-12:00 and 11:00-17:00 overlap.")
			admin.check()
		})
	}
}

// emailAnswer sends the customer's answer to the agent's emailed reply on
// case id (the one whose text has replyText) with a real SMTP client: to
// the reply address it came from, in its thread, quoting it as mail
// programs do.
func emailAnswer(t *testing.T, srv *testServer, id, replyText, answer string) {
	t.Helper()
	var reply *portal.Email
	for _, e := range emailsTo(t, srv, "customer@example.com") {
		if strings.Contains(e.Subject, fmt.Sprintf("(case C-%06s)", id)) && strings.Contains(e.Body, replyText) {
			reply = e
		}
	}
	if reply == nil || reply.MessageID == "" {
		t.Fatalf("no threaded reply email for case %s", id)
	}
	from, err := netmail.ParseAddress(reply.From)
	if err != nil || !strings.HasPrefix(from.Address, "support+") {
		t.Fatalf("reply from %q (%v), want the case's reply address", reply.From, err)
	}
	mustSend(t, srv, "customer@example.com", from.Address, fmt.Sprintf(`From: Ada Customer <customer@example.com>
To: %s
Subject: Re: %s
Message-ID: <answer-%s-%d@mail.example>
In-Reply-To: <%s>
References: <%s>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

%s

On Monday, Customer service wrote:
> %s
`, reply.From, reply.Subject, id, reply.ID, reply.MessageID, reply.MessageID, answer, replyText))
}
