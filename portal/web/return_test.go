package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/storetest"
	"github.com/frontdesk/frontdesk/portal/web"
)

func mustReturnServer(tb testing.TB, s portal.Store) *web.Server {
	tb.Helper()
	srv, err := web.New(web.TestConfig(tb, web.Config{Store: s, BaseURL: "http://portal.test", WebhookSecrets: hookSecrets, DataDir: tb.TempDir()}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	return srv
}

func pngPhoto(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// postReturn sends the return form as a browser does (multipart, with photos).
func (c *client) postReturn(order string, fields map[string]string, photos map[string][]byte) *response {
	c.tb.Helper()
	if c.csrf == "" {
		c.get("/")
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", c.csrf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, b := range photos {
		fw, _ := w.CreateFormFile("photos", name)
		fw.Write(b)
	}
	w.Close()
	req := httptest.NewRequest("POST", "/account/orders/"+order+"/return", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

var returnURL = regexp.MustCompile(`^/account/returns/(\d+)$`)

// TestReturnFromRequestToRefund walks a return through every step: the
// customer asks with a photo, an agent approves, the label prints, the
// carrier's webhook brings the parcel back, the back office refunds by
// API; each step emails the customer and shows in the history.
func TestReturnFromRequestToRefund(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := mustReturnServer(t, s)
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		MustUser(t, s, portal.RoleCustomer, "bob@example.com")
		MustUser(t, s, portal.RoleAgent, "agent@example.com")
		storetest.MustDeliveredOrder(t, s, ada, "A-1", time.Now().Add(-48*time.Hour))

		c := newClient(t, srv)
		c.login("ada@example.com")
		wantBody(t, c.get("/account/orders/A-1"), `href="/account/orders/A-1/return"`)
		form := c.get("/account/orders/A-1/return")
		wantStatus(t, form, 200)
		wantBody(t, form, "Oak dining chair")
		wantBody(t, form, "cannot be returned (hygiene")
		wantBody(t, form, "Made to order")

		t.Run("RefusedRequests", func(t *testing.T) {
			res := c.postReturn("A-1", map[string]string{"qty_1": "2", "kind": "return", "reason": "damaged"}, nil)
			wantStatus(t, res, 422)
			wantBody(t, res, "at most 1 of Oak dining chair")
			res = c.postReturn("A-1", map[string]string{"qty_1": "1", "kind": "return", "reason": "damaged"}, map[string][]byte{"notes.txt": []byte("not a picture")})
			wantStatus(t, res, 422)
			wantBody(t, res, "JPEG, PNG or WebP")
			res = c.postReturn("A-1", map[string]string{"qty_1": "lots", "kind": "return", "reason": "damaged"}, nil)
			wantStatus(t, res, 422)
			pic := pngPhoto(t)
			res = c.postReturn("A-1", map[string]string{"qty_1": "1", "kind": "return", "reason": "damaged"}, map[string][]byte{"1.png": pic, "2.png": pic, "3.png": pic, "4.png": pic})
			wantStatus(t, res, 422)
			wantBody(t, res, "at most 3 photos")
			res = c.postReturn("A-1", map[string]string{"qty_1": "1", "kind": "barter", "reason": "damaged"}, nil)
			wantStatus(t, res, 422)
			wantBody(t, res, "refund or an exchange")
		})

		res := c.postReturn("A-1", map[string]string{"qty_1": "1", "kind": "return", "reason": "damaged", "note": "The leg is cracked."}, map[string][]byte{"leg.png": pngPhoto(t)})
		wantStatus(t, res, 303)
		m := returnURL.FindStringSubmatch(res.Header.Get("Location"))
		if m == nil {
			t.Fatalf("redirect to %q", res.Header.Get("Location"))
		}
		page := c.get(m[0])
		wantStatus(t, page, 200)
		wantBody(t, page, "Waiting for approval")
		rs, _, err := s.FindReturns(ctx(), portal.ReturnFilter{CustomerID: &ada.ID})
		if err != nil || len(rs) != 1 || len(rs[0].Photos) != 1 {
			t.Fatalf("returns %+v, %v", rs, err)
		}
		r := rs[0]
		photo := fmt.Sprintf("%s/photos/%d", m[0], r.Photos[0].ID)
		if res := c.get(photo); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("photo: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}

		t.Run("Isolation", func(t *testing.T) {
			bob := newClient(t, srv)
			bob.login("bob@example.com")
			for _, p := range []string{m[0], photo, m[0] + "/label", "/account/orders/A-1/return"} {
				res := bob.get(p)
				wantStatus(t, res, 404)
				if strings.Contains(res.body, "cracked") || strings.Contains(res.body, "Oak dining chair") {
					t.Fatalf("%s leaks ada's return to bob", p)
				}
			}
			wantStatus(t, bob.postReturn("A-1", map[string]string{"qty_1": "1", "kind": "return", "reason": "damaged"}, nil), 404)
			wantStatus(t, bob.get("/agent/returns"), 403)
			guest := newClient(t, srv)
			for _, p := range []string{m[0], photo, "/agent/returns", fmt.Sprintf("/agent/returns/%d", r.ID)} {
				if res := guest.get(p); res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
					t.Fatalf("guest %s: %d %s", p, res.StatusCode, res.Header.Get("Location"))
				}
			}
		})

		agent := newClient(t, srv)
		agent.login("agent@example.com")
		list := agent.get("/agent/returns")
		wantStatus(t, list, 200)
		wantBody(t, list, fmt.Sprintf(`href="/agent/returns/%d"`, r.ID))
		view := agent.get(fmt.Sprintf("/agent/returns/%d", r.ID))
		wantBody(t, view, "The leg is cracked.")
		wantBody(t, view, fmt.Sprintf(`src="/agent/returns/%d/photos/%d"`, r.ID, r.Photos[0].ID))
		wantStatus(t, agent.get(fmt.Sprintf("/agent/returns/%d/photos/%d", r.ID, r.Photos[0].ID)), 200)
		wantBody(t, agent.get(fmt.Sprintf("/staff/customers/%d", ada.ID)), fmt.Sprintf(`href="/agent/returns/%d"`, r.ID))
		wantStatus(t, agent.get("/agent/returns?status=bogus"), 400)
		wantStatus(t, agent.post(fmt.Sprintf("/agent/returns/%d/approve", r.ID), map[string][]string{"note": {"Sorry about the leg."}}), 303)

		rs, _, _ = s.FindReturns(ctx(), portal.ReturnFilter{ID: &r.ID})
		r = rs[0]
		if r.Status != portal.ReturnApproved || r.RMA == "" || r.TrackingNumber == "" {
			t.Fatalf("after approval: %+v", r)
		}
		page = c.get(m[0])
		wantBody(t, page, r.RMA)
		wantBody(t, page, m[0]+"/label")
		label := c.get(m[0] + "/label")
		if label.StatusCode != 200 || label.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(label.body, "%PDF-") {
			t.Fatalf("label: %d %s", label.StatusCode, label.Header.Get("Content-Type"))
		}

		// The carrier brings the parcel back: the return is received.
		wantStatus(t, hook(t, srv, "frontdesk", `{"events":[`+fdEvent("back-1", r.TrackingNumber, "delivered", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))+`]}`, hookSecrets["frontdesk"], 0), 200)
		rs, _, _ = s.FindReturns(ctx(), portal.ReturnFilter{ID: &r.ID})
		if rs[0].Status != portal.ReturnReceived {
			t.Fatalf("after the carrier's delivery: %s", rs[0].Status)
		}

		tok := mustToken(t, s, portal.ScopeReturnsWrite, portal.ScopeRead)
		readOnly := mustToken(t, s, portal.ScopeRead)
		wantStatus(t, apiCall(t, srv, "POST", "/api/v1/returns/"+r.RMA+"/refund", readOnly, `{}`), 403)
		wantStatus(t, apiCall(t, srv, "POST", "/api/v1/returns/"+r.RMA+"/refund", tok, `{"amount_minor":"lots"}`), 400)
		wantStatus(t, apiCall(t, srv, "POST", "/api/v1/returns/RMA-NOPE/refund", tok, `{}`), 404)
		ref := apiCall(t, srv, "POST", "/api/v1/returns/"+r.RMA+"/refund", tok, `{"reference":"PSP-9"}`)
		wantStatus(t, ref, 200)
		var got web.APIReturn
		if err := json.Unmarshal([]byte(ref.body), &got); err != nil || got.Status != portal.ReturnRefunded || got.RefundedMinor != 18900 || got.RefundReference != "PSP-9" {
			t.Fatalf("refund answer %s (%v)", ref.body, err)
		}
		wantStatus(t, apiCall(t, srv, "POST", "/api/v1/returns/"+r.RMA+"/refund", tok, `{"reference":"PSP-9"}`), 409)
		listed := apiCall(t, srv, "GET", "/api/v1/returns?status=refunded", tok, "")
		wantStatus(t, listed, 200)
		wantBody(t, listed, r.RMA)

		page = c.get(m[0])
		wantBody(t, page, "Refunded")
		wantBody(t, page, "PSP-9")
		wantBody(t, c.get("/account/history?kind=return"), "Return "+r.RMA)
		emails, _ := s.FindEmails(ctx(), "ada@example.com", 20)
		var subjects []string
		for _, e := range emails {
			subjects = append(subjects, e.Subject)
		}
		for _, want := range []string{"Waiting for approval", "Approved", "Back with us", "Refunded"} {
			if !strings.Contains(strings.Join(subjects, "|"), want) {
				t.Fatalf("no email saying %q: %q", want, subjects)
			}
		}
	})
}

// TestExchangeThroughTheAPI: an exchange reserves the replacement on
// approval, refuses a refund, and is completed by the back office.
func TestExchangeThroughTheAPI(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := mustReturnServer(t, s)
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		MustUser(t, s, portal.RoleAgent, "agent@example.com")
		storetest.MustDeliveredOrder(t, s, ada, "A-1", time.Now().Add(-24*time.Hour))
		c := newClient(t, srv)
		c.login("ada@example.com")
		wantBody(t, c.get("/account/orders/A-1/return"), "The same item again")
		res := c.postReturn("A-1", map[string]string{"qty_1": "1", "kind": "exchange", "reason": "changed_mind"}, nil)
		wantStatus(t, res, 303)
		m := returnURL.FindStringSubmatch(res.Header.Get("Location"))
		if m == nil {
			t.Fatalf("redirect to %q", res.Header.Get("Location"))
		}
		agent := newClient(t, srv)
		agent.login("agent@example.com")
		wantBody(t, agent.get("/agent/returns/"+m[1]), "Approve and send the label")
		wantStatus(t, agent.post("/agent/returns/"+m[1]+"/approve", map[string][]string{}), 303)
		wantStatus(t, agent.post("/agent/returns/"+m[1]+"/approve", map[string][]string{}), 303) // a second approval is refused with a message
		wantBody(t, agent.get("/agent/returns/"+m[1]), "cannot be approved")
		page := c.get(m[0])
		wantBody(t, page, "Reserved for you")
		rs, _, _ := s.FindReturns(ctx(), portal.ReturnFilter{CustomerID: &ada.ID})
		rma := rs[0].RMA
		tok := mustToken(t, s, portal.ScopeReturnsWrite, portal.ScopeRead)
		wantStatus(t, apiCall(t, srv, "POST", "/api/v1/returns/"+rma+"/refund", tok, `{}`), 409)
		view := apiCall(t, srv, "GET", "/api/v1/returns/"+rma, tok, "")
		wantStatus(t, view, 200)
		wantBody(t, view, `"reserved":[{"sku":"NW-CHAIR-07"`)
		wantStatus(t, apiCall(t, srv, "POST", "/api/v1/returns/"+rma+"/exchange", tok, `{"note":"Sent with DHL 123"}`), 200)
		page = c.get(m[0])
		wantBody(t, page, "Replacement sent")
		wantBody(t, page, "Sent with DHL 123")
	})
}
