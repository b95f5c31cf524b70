package inbound

import (
	"errors"
	"strings"
	"testing"
)

func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n"))
}

func TestParseReply(t *testing.T) {
	raw := crlf(`
From: Ada Lovelace <Ada@Example.com>
To: support+k3xq9@shop.example
Subject: =?utf-8?q?Re=3A_Sofa_d=C3=A9livery?=
Date: Mon, 3 Jun 2024 10:00:00 +0200
Message-ID: <CAF-1@mail.example>
In-Reply-To: <c42.r1@shop.example>
References: <c42.ack@shop.example> <c42.r1@shop.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Thanks, Monday is fine. Caf=E9 colour please.

On Sun, 2 Jun 2024 at 09:00, Northwind Support <support+k3xq9@shop.example> wrote:
> Your sofa ships Monday.
> Kind regards
`)
	m, err := Parse(raw, "ada@example.com", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.From != "ada@example.com" || m.FromName != "Ada Lovelace" {
		t.Fatalf("from=%q name=%q", m.From, m.FromName)
	}
	if m.Subject != "Re: Sofa délivery" {
		t.Fatalf("subject=%q", m.Subject)
	}
	if m.MessageID != "CAF-1@mail.example" || strings.Join(m.InReplyTo, ",") != "c42.r1@shop.example" || strings.Join(m.References, ",") != "c42.ack@shop.example,c42.r1@shop.example" {
		t.Fatalf("ids: %q %q %q", m.MessageID, m.InReplyTo, m.References)
	}
	if m.Text != "Thanks, Monday is fine. Café colour please." {
		t.Fatalf("text=%q", m.Text)
	}
	if !strings.HasPrefix(m.Quoted, "On Sun, 2 Jun 2024") || !strings.Contains(m.Quoted, "> Your sofa ships Monday.") {
		t.Fatalf("quoted=%q", m.Quoted)
	}
	if m.Auto != "" || !m.Answerable() {
		t.Fatalf("a person's reply taken as automatic: %q", m.Auto)
	}
}

func TestParseHTMLIsSanitizedAndFolded(t *testing.T) {
	raw := crlf(`
From: bob@example.com
Subject: Broken lamp
Message-ID: <h1@example.com>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>
<p>Hello,</p><p>the lamp <b>flickers</b>. See <a href="https://example.com/photo">my photo</a>.<br>Order 1042.</p>
<img src="x" onerror="alert(2)">
<ul><li>bought in May</li><li>used twice</li></ul>
<div class="gmail_quote">On Fri, 1 Mar 2024, Support &lt;support@shop.example&gt; wrote:<blockquote>How can we help?</blockquote></div>
</body></html>
`)
	m, err := Parse(raw, "bob@example.com", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Hello,\n\nthe lamp flickers. See my photo (https://example.com/photo).\nOrder 1042.\n\n- bought in May\n- used twice"
	if m.Text != want {
		t.Fatalf("text=\n%q\nwant\n%q", m.Text, want)
	}
	for _, bad := range []string{"alert", "color:red", "onerror", "<b>"} {
		if strings.Contains(m.Text+m.Quoted, bad) {
			t.Fatalf("%q survived sanitizing: %q / %q", bad, m.Text, m.Quoted)
		}
	}
	if !strings.Contains(m.Quoted, "> How can we help?") {
		t.Fatalf("quoted=%q", m.Quoted)
	}
}

func TestParseAttachments(t *testing.T) {
	raw := crlf(`
From: bob@example.com
Subject: Photos
Message-ID: <a1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Two photos and a program.
--b1
Content-Type: image/png
Content-Disposition: attachment; filename="../../etc/photo.png"
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--b1
Content-Type: application/x-msdownload
Content-Disposition: attachment; filename="setup.exe"
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA
--b1
Content-Type: application/pdf
Content-Disposition: attachment; filename="big.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURlY29kZT4+
--b1--
`)
	m, err := Parse(raw, "bob@example.com", Limits{MaxAttachmentBytes: 20})
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Two photos and a program." || len(m.Attachments) != 3 {
		t.Fatalf("text=%q attachments=%d", m.Text, len(m.Attachments))
	}
	png, exe, pdf := m.Attachments[0], m.Attachments[1], m.Attachments[2]
	if png.Filename != "photo.png" || png.ContentType != "image/png" || png.Refused != "" || string(png.Data) != "\x89PNG\r\n\x1a\n" {
		t.Fatalf("png: %+v", png)
	}
	if exe.Refused == "" || exe.Data != nil {
		t.Fatalf("a program was kept: %+v", exe)
	}
	if pdf.Refused == "" || pdf.Data != nil || pdf.Size <= 20 {
		t.Fatalf("an oversize file was kept: %+v", pdf)
	}
}

func TestParseAutomaticMail(t *testing.T) {
	base := "From: someone@example.com\r\nSubject: x\r\nMessage-ID: <x@example.com>\r\n"
	tests := []struct {
		name, headers, envelope string
		auto                    bool
	}{
		{"person", "", "someone@example.com", false},
		{"auto-submitted no", "Auto-Submitted: no\r\n", "someone@example.com", false},
		{"auto-replied", "Auto-Submitted: auto-replied\r\n", "someone@example.com", true},
		{"auto-generated", "Auto-Submitted: auto-generated; owner-email=x@y\r\n", "someone@example.com", true},
		{"precedence bulk", "Precedence: bulk\r\n", "someone@example.com", true},
		{"precedence junk", "Precedence: junk\r\n", "someone@example.com", true},
		{"precedence list", "Precedence: list\r\n", "someone@example.com", true},
		{"x-autoreply", "X-Autoreply: yes\r\n", "someone@example.com", true},
		{"x-autorespond", "X-Autorespond: vacation\r\n", "someone@example.com", true},
		{"list-id", "List-Id: <news.example.com>\r\n", "someone@example.com", true},
		{"null sender", "", "", true},
		{"mailer-daemon", "", "MAILER-DAEMON@mx.example.com", true},
		{"null return path", "Return-Path: <>\r\n", "someone@example.com", true},
		{"report", "Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n", "someone@example.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := "\r\nhello\r\n"
			if strings.Contains(tt.headers, "multipart/report") {
				body = "\r\n--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--r--\r\n"
			}
			m, err := Parse([]byte(base+tt.headers+body), tt.envelope, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Auto != ""; got != tt.auto {
				t.Fatalf("auto=%q, want automatic=%v", m.Auto, tt.auto)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	tests := map[string]string{
		"no from":             "Subject: x\r\n\r\nhi\r\n",
		"no closing boundary": "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nhalf a message",
		"boundary never seen": "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\njust text\r\n",
		"empty boundary":      "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n",
		"broken base64":       "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!! not base64 ****\r\n--zz--\r\n",
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(raw), "a@example.com", Limits{}); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err=%v, want ErrMalformed", err)
			}
		})
	}
}

func TestParseWithoutMessageIDIsStable(t *testing.T) {
	raw := []byte("From: a@example.com\r\nSubject: x\r\n\r\nhi\r\n")
	a, _ := Parse(raw, "a@example.com", Limits{})
	b, _ := Parse(raw, "a@example.com", Limits{})
	if a.MessageID == "" || a.MessageID != b.MessageID {
		t.Fatalf("ids %q %q, want one stable digest", a.MessageID, b.MessageID)
	}
}

func TestFoldQuoted(t *testing.T) {
	tests := []struct{ name, in, text, quoted string }{
		{"none", "Just a question.", "Just a question.", ""},
		{"trailing quote", "Yes please.\n\n> Shall we send it?\n> Thanks", "Yes please.", "> Shall we send it?\n> Thanks"},
		{"inline answers stay", "> Which colour?\nBlue.\n> Which size?\nLarge.", "> Which colour?\nBlue.\n> Which size?\nLarge.", ""},
		{"outlook", "Fine.\n\n-----Original Message-----\nFrom: Support\nSent: Monday", "Fine.", "-----Original Message-----\nFrom: Support\nSent: Monday"},
		{"outlook no separator", "Fine.\n\nFrom: Support <s@shop.example>\nSent: Monday, 3 June\nSubject: x", "Fine.", "From: Support <s@shop.example>\nSent: Monday, 3 June\nSubject: x"},
		{"german", "Danke.\n\nAm 03.06.2024 um 10:00 schrieb Support <s@shop.example>:\n> Hallo", "Danke.", "Am 03.06.2024 um 10:00 schrieb Support <s@shop.example>:\n> Hallo"},
		{"wrapped attribution", "Ok.\n\nOn Mon, 3 Jun 2024 at 10:00, Northwind Support\n<support@shop.example> wrote:\n> hi", "Ok.", "On Mon, 3 Jun 2024 at 10:00, Northwind Support\n<support@shop.example> wrote:\n> hi"},
		{"all quoted is text", "> forwarded text", "> forwarded text", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, quoted := FoldQuoted(tt.in)
			if text != tt.text || quoted != tt.quoted {
				t.Fatalf("got text=%q quoted=%q\nwant text=%q quoted=%q", text, quoted, tt.text, tt.quoted)
			}
		})
	}
}
