package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// returnViewports are the sizes the return scenario runs at: a desktop
// and the narrowest phone the portal supports.
var returnViewports = []viewport{{"desktop", 1280, 900, false}, {"phone360", 360, 740, true}}

// TestBrowserReturn: a customer asks to return a damaged chair with a
// photo, an agent approves it, the customer gets the label, the carrier
// brings the parcel back, the back office refunds by API, and the
// customer sees each step, at desktop size and at 360 px, with no
// serious axe violation on any page.
func TestBrowserReturn(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			ctx := context.Background()
			customer, err := srv.Store.FindUserByEmail(ctx, "customer@example.com")
			if err != nil {
				t.Fatal(err)
			}
			admin, err := srv.Store.FindUserByEmail(ctx, "admin@example.com")
			if err != nil {
				t.Fatal(err)
			}
			token := "fdk_" + auth.NewToken()
			if err := srv.Store.CreateAPIToken(ctx, &portal.APIToken{Name: "erp", Prefix: token[:10], Hash: auth.HashToken(token), Scopes: []string{portal.ScopeReturnsWrite}, CreatedBy: admin.ID}); err != nil {
				t.Fatal(err)
			}
			img := image.NewRGBA(image.Rect(0, 0, 8, 8))
			img.Set(2, 2, color.RGBA{180, 40, 40, 255})
			var pic bytes.Buffer
			png.Encode(&pic, img)
			photo := filepath.Join(t.TempDir(), "cracked-leg.png")
			if err := os.WriteFile(photo, pic.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, vp := range returnViewports {
				t.Run(vp.name, func(t *testing.T) {
					number := "NW-RET-" + strings.ToUpper(vp.name)
					storetest.MustDeliveredOrder(t, srv.Store, customer, number, time.Now().Add(-48*time.Hour))

					p := b.newPage(t, srv, vp)
					p.signIn("customer@example.com", "demo")
					p.visit("/account/orders/" + number)
					p.submit(`a.button[href="/account/orders/` + number + `/return"]`)
					p.check()
					p.run("fill the return form",
						chromedp.SetValue(chromedp.ID("qty_1"), "1"),
						chromedp.SetValue(chromedp.ID("reason"), "damaged"),
						chromedp.SendKeys(chromedp.ID("note"), "A leg is cracked."),
						chromedp.SetUploadFiles(chromedp.ID("photos"), []string{photo}),
					)
					p.submit(`form.return-form button[type=submit]`)
					p.waitText("#return-status", "Waiting for approval")
					p.check()
					m := regexp.MustCompile(`/account/returns/(\d+)$`).FindStringSubmatch(p.location())
					if m == nil {
						t.Fatalf("after the request the page is %s", p.location())
					}
					id := m[1]

					a := b.newPage(t, srv, vp)
					a.signIn("agent@example.com", "demo")
					a.visit("/agent/returns")
					a.submit(`a[href="/agent/returns/` + id + `"]`)
					a.check()
					if n := a.count(`ul.photos img`, ""); n != 1 {
						t.Fatalf("the agent sees %d photos, want 1", n)
					}
					a.run("note", chromedp.SendKeys(chromedp.ID("approve-note"), "Sorry about the leg."))
					a.submit(`form[action="/agent/returns/` + id + `/approve"] button`)
					a.waitText(".flash", "Approved")
					a.check()

					p.visit("/account/returns/" + id)
					p.waitText("#return-status", "Approved")
					ct := get(p, "fetch the label", chromedp.Evaluate[string](`fetch(document.querySelector('a[href$="/label"]').href).then(function (r) { return r.headers.get('content-type'); })`, chromedp.EvalAwaitPromise))
					if ct != "application/pdf" {
						t.Fatalf("the label link answers %q", ct)
					}
					rs, _, err := srv.Store.FindReturns(ctx, portal.ReturnFilter{CustomerID: &customer.ID, OrderID: nil, Statuses: []string{portal.ReturnApproved}, Limit: 50})
					if err != nil {
						t.Fatal(err)
					}
					var r *portal.Return
					for _, x := range rs {
						if fmt.Sprint(x.ID) == id {
							r = x
						}
					}
					if r == nil {
						t.Fatalf("return %s is not approved in the store", id)
					}
					postTracking(t, srv, r.TrackingNumber, "back-"+id, "delivered", "Delivered to the returns desk")
					p.visit("/account/returns/" + id)
					p.waitText("#return-status", "Back with us")

					req, _ := http.NewRequest("POST", srv.URL+"/api/v1/returns/"+r.RMA+"/refund", strings.NewReader(`{"reference":"PSP-`+id+`"}`))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/json")
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					res.Body.Close()
					if res.StatusCode != 200 {
						t.Fatalf("refund: status %d", res.StatusCode)
					}
					p.visit("/account/returns/" + id)
					p.waitText("#return-status", "Refunded")
					p.waitText("main", "PSP-"+id)
					p.visit("/account/history?kind=return")
					p.waitText("main", r.RMA)
				})
			}
		})
	}
}
