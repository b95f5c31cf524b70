package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// mailServer starts Frontdesk taking mail for support@shop.example.
func mailServer(t *testing.T, kind string, opts ...func(*Main)) *testServer {
	t.Helper()
	return MustStartServer(t, kind, append([]func(*Main){func(m *Main) {
		m.Config.SMTPListen = "127.0.0.1:0"
		m.Config.SupportAddress = "support@shop.example"
		m.Config.MailFrom = "Northwind Living <no-reply@shop.example>"
	}}, opts...)...)
}

// sendMail delivers msg with a real SMTP client and returns the reply code
// of the step that failed (RCPT, DATA or its end), or 250.
func sendMail(t testing.TB, addr, from, to, msg string) int {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	step := func(err error) int {
		var te *textproto.Error
		if !errors.As(err, &te) {
			t.Fatalf("not an SMTP reply: %v", err)
		}
		return te.Code
	}
	if err := c.Mail(from); err != nil {
		return step(err)
	}
	if err := c.Rcpt(to); err != nil {
		return step(err)
	}
	w, err := c.Data()
	if err != nil {
		return step(err)
	}
	if _, err := io.WriteString(w, strings.ReplaceAll(msg, "\n", "\r\n")); err != nil {
		return step(err)
	}
	if err := w.Close(); err != nil {
		return step(err)
	}
	c.Quit()
	return 250
}

func mustSend(t testing.TB, srv *testServer, from, to, msg string) {
	t.Helper()
	if got := sendMail(t, srv.SMTPAddr(), from, to, msg); got != 250 {
		t.Fatalf("SMTP code %d, want 250 for:\n%s", got, msg)
	}
}

func caseOf(t testing.TB, srv *testServer, messageID string) *portal.Case {
	t.Helper()
	c, err := srv.Store.FindCaseByMessageID(context.Background(), messageID)
	if err != nil {
		t.Fatalf("case of %s: %v", messageID, err)
	}
	return c
}

func entriesOf(t testing.TB, srv *testServer, caseID int64) []*portal.CaseEntry {
	t.Helper()
	es, err := srv.Store.FindCaseEntries(context.Background(), caseID, true)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func countCases(t testing.TB, srv *testServer) int {
	t.Helper()
	_, n, err := srv.Store.FindCases(context.Background(), portal.CaseFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func emailsTo(t testing.TB, srv *testServer, to string) []*portal.Email {
	t.Helper()
	es, err := srv.Store.FindEmails(context.Background(), to, 100)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// A 1x1 PNG.
var pngBytes, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")

const newCaseMail = `From: Ada Customer <customer@example.com>
To: support@shop.example
Subject: The lamp flickers
Message-ID: <first@mail.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Hello, the lamp from order 1042 flickers. A photo is attached.
--b1
Content-Type: image/png
Content-Disposition: attachment; filename="lamp.png"
Content-Transfer-Encoding: base64

%s
--b1--
`

// TestInboundMail follows one customer's email conversation through the
// listener on both stores: a new case with an attachment and an
// acknowledgement, a reply by token, an agent's threaded reply, the
// customer's answer to it by In-Reply-To (which reopens the case), a
// resend stored once, an out-of-office that is kept but not answered, and
// malformed and oversize mail refused with nothing stored.
func TestInboundMail(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := mailServer(t, kind, func(m *Main) { m.Config.SMTPMaxSize = 64 << 10 })
			ctx := context.Background()

			// A new case, linked to the customer, with the photo stored.
			mustSend(t, srv, "customer@example.com", "support@shop.example", fmt.Sprintf(newCaseMail, base64.StdEncoding.EncodeToString(pngBytes)))
			cs := caseOf(t, srv, "first@mail.example")
			customer, _ := srv.Store.FindUserByEmail(ctx, "customer@example.com")
			if cs.Channel != portal.ChannelEmail || cs.CustomerID == nil || *cs.CustomerID != customer.ID || cs.Subject != "The lamp flickers" || cs.Status != portal.CaseNew {
				t.Fatalf("new case: %+v", cs)
			}
			es := entriesOf(t, srv, cs.ID)
			if len(es) != 1 || es[0].Kind != portal.EntryCustomer || !strings.Contains(es[0].Body, "lamp from order 1042 flickers") || len(es[0].Attachments) != 1 {
				t.Fatalf("entries: %+v", es)
			}
			att := es[0].Attachments[0]
			if att.Filename != "lamp.png" || att.ContentType != "image/png" || att.Size != int64(len(pngBytes)) {
				t.Fatalf("attachment: %+v", att)
			}
			acks := emailsTo(t, srv, "customer@example.com")
			if len(acks) != 1 || !strings.Contains(acks[0].Body, cs.Number()) || acks[0].AutoSubmitted != "auto-replied" ||
				acks[0].InReplyTo != "first@mail.example" || !strings.Contains(acks[0].From, "support+"+cs.Token+"@shop.example") {
				t.Fatalf("acknowledgement: %+v", acks)
			}

			agentUser, _ := srv.Store.FindUserByEmail(ctx, "agent@example.com")
			if _, n, err := srv.Store.FindStaffNotifications(ctx, agentUser.ID, 10); err != nil || n == 0 {
				t.Fatalf("staff not alerted of the emailed case (%d alerts, %v)", n, err)
			}

			// A reply by the case's token, from a colleague in copy.
			mustSend(t, srv, "colleague@example.org", "support+"+cs.Token+"@shop.example", `From: colleague@example.org
To: support+`+cs.Token+`@shop.example
Subject: Re: The lamp flickers
Message-ID: <second@mail.example>

It flickers in the evening too.
`)
			if got := caseOf(t, srv, "second@mail.example"); got.ID != cs.ID {
				t.Fatalf("reply by token filed into case %d, want %d", got.ID, cs.ID)
			}

			// The agent answers; the email is threaded and comes from the reply address.
			agent := signIn(t, srv, "agent@example.com")
			if got := agent.post(fmt.Sprintf("/agent/cases/%d", cs.ID), fmt.Sprintf("/agent/cases/%d/reply", cs.ID), url.Values{"body": {"Please send the order number."}, "status": {portal.CasePending}}); got != http.StatusSeeOther {
				t.Fatalf("agent reply: status %d", got)
			}
			var reply *portal.Email
			for _, e := range emailsTo(t, srv, "customer@example.com") {
				if strings.Contains(e.Body, "Please send the order number.") {
					reply = e
				}
			}
			if reply == nil || reply.MessageID == "" || reply.InReplyTo != "second@mail.example" ||
				strings.Join(reply.References, " ") != "first@mail.example second@mail.example" || !strings.Contains(reply.From, "support+"+cs.Token+"@shop.example") {
				t.Fatalf("agent's email: %+v", reply)
			}
			if got, _ := srv.Store.FindCase(ctx, cs.ID); got.Status != portal.CasePending {
				t.Fatalf("status after the reply %q, want pending", got.Status)
			}

			// The customer answers it to the plain address: In-Reply-To finds
			// the case, and the answer reopens it.
			answer := `From: customer@example.com
To: support@shop.example
Subject: Re: your message
Message-ID: <third@mail.example>
In-Reply-To: <` + reply.MessageID + `>
References: <first@mail.example> <` + reply.MessageID + `>

It is 1042.

On Mon, 7 Dec 2026, Northwind Living wrote:
> Please send the order number.
`
			mustSend(t, srv, "customer@example.com", "support@shop.example", answer)
			got := caseOf(t, srv, "third@mail.example")
			if got.ID != cs.ID || got.Status != portal.CaseOpen {
				t.Fatalf("answer by In-Reply-To: case %d status %q, want case %d open", got.ID, got.Status, cs.ID)
			}
			var last *portal.CaseEntry
			for _, e := range entriesOf(t, srv, cs.ID) {
				if e.MessageID == "third@mail.example" {
					last = e
				}
			}
			if last == nil || last.MessageID != "third@mail.example" || last.Body != "It is 1042." || !strings.Contains(last.Quoted, "> Please send the order number.") {
				t.Fatalf("answer entry: %+v", last)
			}

			// The same message again is answered 250 and stored once.
			before := len(entriesOf(t, srv, cs.ID))
			mustSend(t, srv, "customer@example.com", "support@shop.example", answer)
			if n := len(entriesOf(t, srv, cs.ID)); n != before {
				t.Fatalf("resent message: %d entries, want %d", n, before)
			}

			// An out-of-office to the case: kept, not reopening, not answered.
			srv.Store.UpdateCase(ctx, cs.ID, portal.CaseUpdate{Status: ptrTo(portal.CaseSolved)}, nil, nil)
			outboxBefore := len(emailsTo(t, srv, "customer@example.com"))
			mustSend(t, srv, "customer@example.com", "support+"+cs.Token+"@shop.example", `From: customer@example.com
Subject: Out of office
Message-ID: <ooo@mail.example>
Auto-Submitted: auto-replied

I am away until Monday.
`)
			if got := caseOf(t, srv, "ooo@mail.example"); got.ID != cs.ID || got.Status != portal.CaseSolved {
				t.Fatalf("out-of-office: case %d status %q, want case %d still solved", got.ID, got.Status, cs.ID)
			}
			// An autoresponder writing from a new address opens a case but gets no answer.
			mustSend(t, srv, "", "support@shop.example", `From: MAILER-DAEMON@mx.example.net
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce@mx.example.net>
Content-Type: multipart/report; report-type=delivery-status; boundary="r"

--r
Content-Type: text/plain

Delivery failed.
--r
Content-Type: message/delivery-status

Action: failed
--r--
`)
			caseOf(t, srv, "bounce@mx.example.net")
			if n := len(emailsTo(t, srv, "customer@example.com")); n != outboxBefore {
				t.Fatalf("an automatic email was answered: %d emails, want %d", n, outboxBefore)
			}
			if n := len(emailsTo(t, srv, "mailer-daemon@mx.example.net")); n != 0 {
				t.Fatalf("a bounce was answered: %d emails", n)
			}

			// Malformed and oversize mail: refused, nothing stored.
			cases := countCases(t, srv)
			if got := sendMail(t, srv.SMTPAddr(), "x@example.com", "support@shop.example", "From: x@example.com\nMessage-ID: <bad@example.com>\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\nhalf a message\n"); got != 554 {
				t.Fatalf("malformed: code %d, want 554", got)
			}
			big := "From: x@example.com\nMessage-ID: <big@example.com>\n\n" + strings.Repeat(strings.Repeat("x", 76)+"\n", 1000)
			if got := sendMail(t, srv.SMTPAddr(), "x@example.com", "support@shop.example", big); got != 552 {
				t.Fatalf("oversize: code %d, want 552", got)
			}
			if got := sendMail(t, srv.SMTPAddr(), "x@example.com", "sales@shop.example", newCaseMail); got != 550 {
				t.Fatalf("another recipient: code %d, want 550", got)
			}
			if n := countCases(t, srv); n != cases {
				t.Fatalf("%d cases after refused mail, want %d", n, cases)
			}
			for _, id := range []string{"bad@example.com", "big@example.com"} {
				if _, err := srv.Store.FindCaseByMessageID(ctx, id); !portal.IsNotFound(err) {
					t.Fatalf("refused message %s was stored (%v)", id, err)
				}
			}

			// The photo: the customer and staff get it, another customer 404.
			path := fmt.Sprintf("/account/cases/%d/files/%d", cs.ID, att.ID)
			if code, body := signIn(t, srv, "customer@example.com").get(path); code != 200 || body != string(pngBytes) {
				t.Fatalf("customer: %d, %d bytes", code, len(body))
			}
			if code, _ := signIn(t, srv, "ben.nowak@example.net").get(path); code != 404 {
				t.Fatalf("another customer: %d, want 404", code)
			}
			if code, _ := signIn(t, srv, "ben.nowak@example.net").get(fmt.Sprintf("/agent/cases/%d/files/%d", cs.ID, att.ID)); code == 200 {
				t.Fatalf("another customer through the staff path: %d", code)
			}
			if code, body := agent.get(fmt.Sprintf("/agent/cases/%d/files/%d", cs.ID, att.ID)); code != 200 || body != string(pngBytes) {
				t.Fatalf("agent: %d", code)
			}
			if code, _ := agent.get(fmt.Sprintf("/agent/cases/%d/files/%d", cs.ID+1000, att.ID)); code != 404 {
				t.Fatalf("attachment under another case: %d, want 404", code)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

// get fetches path without following redirects.
func (u *chatUser) get(path string) (int, string) {
	u.tb.Helper()
	c := &http.Client{Jar: u.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := c.Get(u.srv.URL + path)
	if err != nil {
		u.tb.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b)
}
