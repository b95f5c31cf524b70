package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/casefiles"
	"github.com/frontdesk/frontdesk/portal/mail"
	"github.com/frontdesk/frontdesk/portal/web"
)

var caseLink = regexp.MustCompile(`/account/cases/(\d+)`)

// TestCaseLoop: a customer opens a case from "Contact us" about one of
// their orders, staff see it in the views and reply, the customer answers
// on the case page (which reopens it), staff solve it; another customer
// never sees it.
func TestCaseLoop(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		MustUser(t, s, portal.RoleCustomer, "bob@example.com")
		agent := MustUser(t, s, portal.RoleAgent, "agent@example.com")
		MustUser(t, s, portal.RoleAdmin, "admin@example.com")
		order := mustOrder(t, s, ada, "NW-5001")

		cust := newClient(t, srv)
		cust.login(ada.Email)
		page := cust.get("/contact")
		wantStatus(t, page, 200)
		wantBody(t, page, "NW-5001")
		res := cust.post("/contact", url.Values{"topic": {"nope"}, "body": {"x"}})
		wantStatus(t, res, 422)
		wantBody(t, res, "Choose what your message is about.")
		res = cust.post("/contact", url.Values{"topic": {"delivery"}, "order": {"999999"}, "body": {"x"}})
		wantStatus(t, res, 422)
		wantBody(t, res, "Choose one of your orders.")
		res = cust.post("/contact", url.Values{"topic": {"delivery"}, "order": {itoa(order.ID)}, "body": {"My sofa has not arrived."}})
		wantStatus(t, res, 303)
		m := caseLink.FindStringSubmatch(res.Header.Get("Location"))
		if m == nil {
			t.Fatalf("redirect to %q", res.Header.Get("Location"))
		}
		caseID := m[1]
		page = cust.get("/account/cases/" + caseID)
		wantStatus(t, page, 200)
		wantBody(t, page, "My sofa has not arrived.")
		wantBody(t, page, "A delivery: order NW-5001")
		if mails, _ := s.FindEmails(ctx(), ada.Email, 5); len(mails) != 1 || !strings.Contains(mails[0].Body, "We will answer by") {
			t.Fatalf("acknowledgement %+v", mails)
		}
		// The case is in the customer's history; not in another's.
		wantBody(t, cust.get("/account/history"), "/account/cases/"+caseID)
		bob := newClient(t, srv)
		bob.login("bob@example.com")
		wantStatus(t, bob.get("/account/cases/"+caseID), 404)
		wantStatus(t, bob.post("/account/cases/"+caseID+"/reply", url.Values{"body": {"hi"}}), 404)

		staff := newClient(t, srv)
		staff.login(agent.Email)
		for _, view := range []string{"mine", "unassigned", "breaching", "open", "all"} {
			wantStatus(t, staff.get("/agent/cases?view="+view), 200)
		}
		list := staff.get("/agent/cases?view=unassigned")
		wantBody(t, list, "A delivery: order NW-5001")
		wantBody(t, list, "First response:")
		wantBody(t, staff.get("/agent/cases?view=all&q=NW-5001"), "/agent/cases/"+caseID)
		wantStatus(t, staff.get("/agent/cases?view=bogus"), 400)
		alerts := staff.get("/agent/alerts")
		wantBody(t, alerts, "New case")

		wantStatus(t, staff.post("/agent/cases/"+caseID+"/note", url.Values{"body": {"Carrier says Friday."}}), 303)
		wantStatus(t, staff.post("/agent/cases/"+caseID+"/update", url.Values{"assignee": {itoa(agent.ID)}, "priority": {"high"}, "tags": {"delivery, late"}}), 303)
		wantStatus(t, staff.post("/agent/cases/"+caseID+"/reply", url.Values{"body": {"It comes on Friday."}, "status": {"pending"}}), 303)
		view := staff.get("/agent/cases/" + caseID)
		wantBody(t, view, "Carrier says Friday.")
		wantBody(t, view, "Targets paused")
		wantBody(t, staff.get("/agent/cases?view=mine"), "A delivery: order NW-5001")

		page = cust.get("/account/cases/" + caseID)
		wantBody(t, page, "It comes on Friday.")
		if strings.Contains(page.body, "Carrier says Friday.") {
			t.Fatal("customer sees the internal note")
		}
		wantStatus(t, cust.post("/account/cases/"+caseID+"/reply", url.Values{"body": {"Friday is fine, thanks."}}), 303)
		view = staff.get("/agent/cases/" + caseID)
		wantBody(t, view, "Reopened by the customer")
		wantBody(t, staff.get("/agent/alerts"), "Customer replied")

		res = staff.post("/agent/cases/bulk", url.Values{"ids": {caseID}, "status": {"solved"}, "back": {"/agent/cases?view=all"}})
		wantStatus(t, res, 303)
		wantBody(t, cust.get("/account/cases/"+caseID), "Solved")

		// Customers and guests cannot reach the staff's pages.
		wantStatus(t, cust.get("/agent/cases"), 403)
		wantStatus(t, cust.get("/agent/cases/"+caseID), 403)
		// Bad input is a clear 4xx.
		wantStatus(t, staff.get("/agent/cases/999999"), 404)
		wantStatus(t, staff.get("/admin/cases"), 403)
		wantStatus(t, staff.post("/admin/cases/rules", url.Values{"metric": {"resolution"}, "percent": {"50"}, "action": {"raise_priority"}}), 403)
		wantStatus(t, staff.post("/agent/cases/"+caseID+"/update", url.Values{"assignee": {"x"}}), 303)

		// A guest writes through the form; the address gets no copy of the message.
		guest := newClient(t, srv)
		res = guest.post("/contact", url.Values{"topic": {"other"}, "email": {"guest@example.com"}, "body": {"Secret text"}})
		wantStatus(t, res, 200)
		wantBody(t, res, "Your case number is")
		if mails, _ := s.FindEmails(ctx(), "guest@example.com", 5); len(mails) != 1 || strings.Contains(mails[0].Body, "Secret text") {
			t.Fatalf("guest acknowledgement %+v", mails)
		}

		admin := newClient(t, srv)
		admin.login("admin@example.com")
		wantStatus(t, admin.get("/admin/cases"), 200)
		wantStatus(t, admin.post("/admin/cases/teams", url.Values{"name": {"Deliveries"}, "lead": {itoa(agent.ID)}, "members": {itoa(agent.ID)}}), 303)
		wantStatus(t, admin.post("/admin/cases/calendars", url.Values{"name": {"Berlin"}, "time_zone": {"Europe/Berlin"}, "open_1": {"08:00"}, "close_1": {"16:30"}, "holidays": {"2026-12-24\n2026-12-25"}}), 303)
		wantStatus(t, admin.post("/admin/cases/policies", url.Values{"priority": {"urgent"}, "calendar": {"1"}, "first_response": {"15"}, "next_response": {"30"}, "resolution": {"120"}}), 303)
		wantStatus(t, admin.post("/admin/cases/rules", url.Values{"metric": {"resolution"}, "percent": {"75"}, "action": {"notify_lead"}}), 303)
		page = admin.get("/admin/cases")
		wantBody(t, page, "Deliveries")
		wantBody(t, page, "Europe/Berlin")
		wantBody(t, page, "2026-12-25")
		wantBody(t, page, "At 75% of the Resolution target")
		set, _ := s.SLASettings(ctx())
		if set.Policies["urgent"].FirstResponse.Minutes() != 15 {
			t.Fatalf("policy not saved: %+v", set.Policies["urgent"])
		}
		res = admin.post("/admin/cases/calendars", url.Values{"name": {"Bad"}, "time_zone": {"Nowhere/City"}, "open_1": {"08:00"}, "close_1": {"16:30"}})
		wantStatus(t, res, 303)
		wantBody(t, admin.get("/admin/cases"), "Choose a time zone")
	})
}

// TestCaseAPI opens a case from the back office, reads it and adds to it.
func TestCaseAPI(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		mustOrder(t, s, ada, "NW-7001")
		tok := mustToken(t, s, portal.ScopeCasesWrite, portal.ScopeRead)
		readOnly := mustToken(t, s, portal.ScopeRead)
		res := apiCall(t, srv, "POST", "/api/v1/cases", tok, `{"customer_email":"ada@example.com","subject":"Broken mug","body":"One mug broke.","priority":"high","order_number":"NW-7001","tags":["phone"]}`)
		wantStatus(t, res, 201)
		wantBody(t, res, `"priority":"high"`)
		wantBody(t, res, `"order_number":"NW-7001"`)
		m := regexp.MustCompile(`"number":"(C-\d+)"`).FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("no number in %s", res.body)
		}
		// Linked to the customer's account.
		if cs, n, _ := s.FindCases(ctx(), portal.CaseFilter{CustomerID: &ada.ID}); n != 1 || cs[0].Channel != portal.ChannelAPI {
			t.Fatalf("cases of ada %d", n)
		}
		wantStatus(t, apiCall(t, srv, "POST", "/api/v1/cases/"+m[1]+"/messages", tok, `{"kind":"note","body":"Replacement sent."}`), 200)
		wantStatus(t, apiCall(t, srv, "POST", "/api/v1/cases/"+m[1]+"/messages", tok, `{"kind":"customer","body":"Thanks!"}`), 200)
		res = apiCall(t, srv, "GET", "/api/v1/cases/"+m[1], readOnly, "")
		wantStatus(t, res, 200)
		wantBody(t, res, "Thanks!")
		if strings.Contains(res.body, "Replacement sent.") {
			t.Fatal("the API shows internal notes as messages")
		}
		for _, tc := range []struct {
			method, path, token, body string
			want                      int
		}{
			{"POST", "/api/v1/cases", readOnly, `{"customer_email":"a@example.com","body":"x"}`, 403},
			{"POST", "/api/v1/cases", tok, `{"customer_email":"not an address","body":"x"}`, 400},
			{"POST", "/api/v1/cases", tok, `{"customer_email":"a@example.com","body":""}`, 400},
			{"POST", "/api/v1/cases", tok, `{"customer_email":"a@example.com","body":"x","priority":"meh"}`, 400},
			{"POST", "/api/v1/cases", tok, `{"customer_email":"a@example.com","body":"x","order_number":"NOPE"}`, 400},
			{"POST", "/api/v1/cases", tok, `{"customer_email":"a@example.com","body":"x","extra":1}`, 400},
			{"POST", "/api/v1/cases/" + m[1] + "/messages", tok, `{"kind":"reply","body":"x"}`, 400},
			{"GET", "/api/v1/cases/C-999999", tok, "", 404},
			{"GET", "/api/v1/cases/zzz", tok, "", 404},
		} {
			if res := apiCall(t, srv, tc.method, tc.path, tc.token, tc.body); res.StatusCode != tc.want {
				t.Fatalf("%s %s %s: status=%d, want %d: %s", tc.method, tc.path, tc.body, res.StatusCode, tc.want, res.body)
			}
		}
	})
}

// postMultipart submits a form with one file in "files".
func (c *client) postMultipart(path string, fields map[string]string, filename string, content []byte) *response {
	c.tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if c.csrf == "" {
		c.get("/")
	}
	mw.WriteField("_csrf", c.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if filename != "" {
		fw, _ := mw.CreateFormFile("files", filename)
		fw.Write(content)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// A 1x1 PNG.
var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// TestCaseAttachments: files sent with the contact form and replies are
// stored, checked by their bytes, and served only to the case's customer
// and staff.
func TestCaseAttachments(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		files := &casefiles.Store{Dir: t.TempDir()}
		srv, err := web.New(web.TestConfig(t, web.Config{Store: s, BaseURL: "http://portal.test", BodyLimit: 64 << 10,
			Attachments: files}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		MustUser(t, s, portal.RoleCustomer, "bob@example.com")
		MustUser(t, s, portal.RoleAgent, "agent@example.com")
		cust := newClient(t, srv)
		cust.login(ada.Email)
		cust.get("/contact")
		res := cust.postMultipart("/contact", map[string]string{"topic": "product", "body": "The lamp arrived scratched, photo attached."}, "lamp.png", tinyPNG)
		wantStatus(t, res, 303)
		caseID := caseLink.FindStringSubmatch(res.Header.Get("Location"))[1]
		page := cust.get("/account/cases/" + caseID)
		wantBody(t, page, "lamp.png")
		link := regexp.MustCompile(`/account/cases/\d+/files/\d+`).FindString(page.body)
		if link == "" {
			t.Fatalf("no file link: %.600s", page.body)
		}
		got := cust.get(link)
		wantStatus(t, got, 200)
		if got.body != string(tinyPNG) || got.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download %q %q", got.Header.Get("Content-Type"), got.Header.Get("Content-Disposition"))
		}
		bob := newClient(t, srv)
		bob.login("bob@example.com")
		wantStatus(t, bob.get(link), 404)
		wantStatus(t, newClient(t, srv).get(link), 303) // guests sign in first
		staff := newClient(t, srv)
		staff.login("agent@example.com")
		staff.get("/agent/cases")
		staffLink := strings.Replace(link, "/account/", "/agent/", 1)
		wantStatus(t, staff.get(staffLink), 200)
		// The file must belong to the case in the URL.
		other := regexp.MustCompile(`/agent/cases/\d+/`).ReplaceAllString(staffLink, "/agent/cases/999999/")
		wantStatus(t, staff.get(other), 404)

		// HTML posing as an image is refused, and nothing is stored.
		res = cust.postMultipart("/account/cases/"+caseID+"/reply", map[string]string{"body": "another"}, "x.png", []byte("<html><script>alert(1)</script></html>"))
		wantStatus(t, res, 303)
		wantBody(t, cust.get("/account/cases/"+caseID), "only images")
		if es, _ := s.FindCaseEntries(ctx(), mustInt(t, caseID), true); len(es) != 1 {
			t.Fatalf("%d entries after a refused upload, want 1", len(es))
		}
		// Staff reply with a file: the customer sees it on the case page and
		// gets it attached to the reply's email.
		pdf := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
		res = staff.postMultipart("/agent/cases/"+caseID+"/reply", map[string]string{"body": "Sorry! A replacement is on its way."}, "label.pdf", pdf)
		wantStatus(t, res, 303)
		wantBody(t, cust.get("/account/cases/"+caseID), "label.pdf")
		mails, err := s.FindEmails(ctx(), ada.Email, 1)
		if err != nil || len(mails) != 1 || !strings.Contains(mails[0].Body, "A replacement is on its way") {
			t.Fatalf("reply email %+v %v", mails, err)
		}
		raw, err := mail.Message("Frontdesk <no-reply@shop.example>", mails[0], time.Now(), files)
		if err != nil {
			t.Fatal(err)
		}
		text, got2 := readMIME(t, raw)
		if !strings.Contains(text, "A replacement is on its way") || len(got2) != 1 || got2["label.pdf"] != string(pdf) {
			t.Fatalf("email text %q, files %q", text, got2)
		}
	})
}

// readMIME parses an email with go-message: its text and its attachments
// (by file name).
func readMIME(tb testing.TB, raw []byte) (string, map[string]string) {
	tb.Helper()
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("parse email: %v\n%s", err, raw)
	}
	var text string
	files := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("email part: %v", err)
		}
		b, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *gomail.InlineHeader:
			text += string(b)
		case *gomail.AttachmentHeader:
			name, _ := h.Filename()
			files[name] = string(b)
		}
	}
	return text, files
}

func mustInt(tb testing.TB, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}
