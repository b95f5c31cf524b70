package mail

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/frontdesk/frontdesk/portal"
)

func TestMessageThreadsAReply(t *testing.T) {
	e := &portal.Email{ID: 7, To: "ada@example.com", Subject: "Re: Your case C-000042 – sofa", Body: "Hello Ada,\nthe sofa ships Monday.\n",
		From: "Northwind Support <support+k3xq9@shop.example>", MessageID: "c42.r3.abc@shop.example",
		InReplyTo: "CAF=ada@mail.example", References: []string{"c42.ack@shop.example", "CAF=ada@mail.example"}, CreatedAt: time.Unix(1700000000, 0)}
	raw, err := Message("Frontdesk <no-reply@shop.example>", e, time.Unix(1700000100, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	from, _ := r.Header.AddressList("From")
	if len(from) != 1 || from[0].Address != "support+k3xq9@shop.example" || from[0].Name != "Northwind Support" {
		t.Fatalf("From=%v, want the case's reply address", from)
	}
	if id, _ := r.Header.MessageID(); id != e.MessageID {
		t.Fatalf("Message-ID=%q, want %q", id, e.MessageID)
	}
	if got, _ := r.Header.MsgIDList("In-Reply-To"); len(got) != 1 || got[0] != e.InReplyTo {
		t.Fatalf("In-Reply-To=%q", got)
	}
	if got, _ := r.Header.MsgIDList("References"); strings.Join(got, " ") != strings.Join(e.References, " ") {
		t.Fatalf("References=%q, want %q", got, e.References)
	}
	if got, _ := r.Header.Subject(); got != e.Subject {
		t.Fatalf("Subject=%q, want %q", got, e.Subject)
	}
	p, err := r.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(p.Body)
	if got, want := string(body), "Hello Ada,\r\nthe sofa ships Monday.\r\n"; got != want {
		t.Fatalf("body=%q, want %q", got, want)
	}
	if !bytes.Contains(raw, []byte("To: ada@example.com\r\n")) {
		t.Fatalf("To header not plain:\n%s", raw)
	}
}

func TestMessageIDIsStableAcrossRetries(t *testing.T) {
	e := &portal.Email{ID: 9, To: "ada@example.com", Subject: "Reset", Body: "x", CreatedAt: time.Unix(1700000000, 0)}
	a, _ := Message("Frontdesk <no-reply@shop.example>", e, time.Unix(1700000100, 0), nil)
	b, _ := Message("Frontdesk <no-reply@shop.example>", e, time.Unix(1700000900, 0), nil)
	ra, _ := gomail.CreateReader(bytes.NewReader(a))
	rb, _ := gomail.CreateReader(bytes.NewReader(b))
	ia, _ := ra.Header.MessageID()
	ib, _ := rb.Header.MessageID()
	if ia != ib || !strings.HasSuffix(ia, "@shop.example") {
		t.Fatalf("Message-IDs %q and %q, want one stable ID at the sender's domain", ia, ib)
	}
}
