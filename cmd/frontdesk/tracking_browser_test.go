package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/tracking"
)

// postTracking sends a signed Frontdesk-format webhook to the server.
func postTracking(t *testing.T, srv *testServer, tn, id, status, msg string) {
	t.Helper()
	postTrackingETA(t, srv, tn, id, status, msg, "")
}

// postTrackingETA is postTracking with a delivery estimate (RFC 3339), if any.
func postTrackingETA(t *testing.T, srv *testServer, tn, id, status, msg, eta string) {
	t.Helper()
	body := fmt.Sprintf(`{"events":[{"id":%q,"tracking_number":%q,"carrier":"DHL","status":%q,"message":%q,"city":"Berlin","country":"DE","occurred_at":%q,"estimated_delivery":%q}]}`,
		id, tn, status, msg, time.Now().UTC().Format(time.RFC3339), eta)
	ts, sig := tracking.Sign([]byte(testWebhookSecret), time.Now(), []byte(body))
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/webhooks/tracking/frontdesk", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(tracking.HeaderTimestamp, ts)
	req.Header.Set(tracking.HeaderSignature, sig)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("webhook: status %d", res.StatusCode)
	}
}

func TestBrowserTracking(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Parallel() // each store has its own server and browser
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			customer, err := srv.Store.FindUserByEmail(context.Background(), "customer@example.com")
			if err != nil {
				t.Fatal(err)
			}
			orders, _, _ := srv.Store.FindOrders(context.Background(), portal.OrderFilter{CustomerID: &customer.ID, Limit: 1})
			for _, vp := range viewports {
				t.Run(vp.name, func(t *testing.T) {
					t.Run("CustomerSeesNewEventLive", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						p.signIn("customer@example.com", "demo")
						p.submit(`main .list a[href^="/account/orders/` + orders[0].Number + `"]`)
						p.check()
						p.submit(`main a[href^="/account/shipments/"]`)
						p.check()
						tn := strings.TrimPrefix(p.text("main h1"), "Parcel ")
						p.waitText("[data-live-state]", "Live")
						msg := "Handed to the courier " + vp.name
						postTracking(t, srv, tn, "live-"+vp.name, "out_for_delivery", msg)
						p.waitText("[data-timeline] li:first-child", msg)
						p.waitText("[data-status]", "Out for delivery")
						p.check()
						// The page got it without a reload: the marker survives.
						if fresh := get(p, "no reload", chromedp.Evaluate[bool](`document.querySelector('[data-timeline] li.fresh') !== null`)); !fresh {
							t.Fatal("the new event was not added live")
						}
					})
					t.Run("CustomerOpensHistoryAndInvoice", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						p.signIn("customer@example.com", "demo")
						p.visit("/account/history?kind=invoice")
						p.submit(`main .history a`)
						p.check()
						if h := p.text("main h1"); !strings.HasPrefix(h, "Invoice INV-") {
							t.Fatalf("heading %q", h)
						}
					})
					t.Run("GuestTracksAnOrder", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						p.visit("/track")
						p.run("wrong details", chromedp.SendKeys(chromedp.ID("number"), orders[0].Number), chromedp.SendKeys(chromedp.ID("contact"), "someone.else@example.com"))
						p.submit(`form[action="/track"] button`)
						p.waitText(".error", "We could not find an order")
						p.check()
						p.run("right details", chromedp.Clear(chromedp.ID("contact")), chromedp.SendKeys(chromedp.ID("contact"), "customer@example.com"))
						p.submit(`form[action="/track"] button`)
						p.waitText("main h2", "Order "+orders[0].Number)
						p.check()
						if n := get(p, "timeline", chromedp.Evaluate[int](`document.querySelectorAll('[data-timeline] li').length`)); n == 0 {
							t.Fatal("no timeline for the guest")
						}
					})
				})
			}
			// A guest at 360 px tracks the parcel by its tracking number,
			// typed in lower case, opens the signed link and sees a
			// webhook event arrive with its status in words.
			t.Run("GuestFollowsSignedLinkLive", func(t *testing.T) {
				ships, _, err := srv.Store.FindShipments(context.Background(), portal.ShipmentFilter{OrderID: &orders[0].ID, Limit: 1})
				if err != nil || len(ships) == 0 {
					t.Fatalf("no parcel for order %s: %v", orders[0].Number, err)
				}
				tn := ships[0].TrackingNumber
				p := b.newPage(t, srv, viewport{"narrow", 360, 740, true})
				p.visit("/track")
				p.run("details", chromedp.SendKeys(chromedp.ID("number"), strings.ToLower(tn)), chromedp.SendKeys(chromedp.ID("contact"), "customer@example.com"))
				p.submit(`form[action="/track"] button`)
				p.waitText("main h2", "Order "+orders[0].Number)
				p.check()
				p.submit(`main a[href^="/track/shipments/` + fmt.Sprint(ships[0].ID) + `?"]`)
				p.waitText("main h1", "Parcel "+tn)
				p.check()
				p.waitText("[data-live-state]", "Live")
				msg := "Nobody answered the door"
				eta := time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC)
				postTrackingETA(t, srv, tn, "guest-live", "attempt_failed", msg, eta.Format(time.RFC3339))
				p.waitText("[data-timeline] li:first-child", msg)
				p.waitText("[data-timeline] li:first-child .badge", "Delivery attempt failed")
				p.waitText("[data-status]", "Delivery attempt failed")
				p.waitText("[data-eta]", "14 Mar 2031")
				p.check()
				if fresh := get(p, "no reload", chromedp.Evaluate[bool](`document.querySelector('[data-timeline] li.fresh') !== null`)); !fresh {
					t.Fatal("the new event was not added live")
				}
			})
		})
	}
}
