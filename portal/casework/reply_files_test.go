package casework_test

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/casefiles"
	"github.com/frontdesk/frontdesk/portal/casework"
	"github.com/frontdesk/frontdesk/portal/mail"
)

// TestReplyEmailCarriesFiles: an agent's reply's files go with its email,
// up to 10 MB in total, in order; a file that would pass the cap is linked
// in the text instead (the customer downloads it in their account). The
// outbox email is rendered with go-message and parsed back.
func TestReplyEmailCarriesFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes func(t *testing.T, now func() time.Time) []store
	}{
		{"SQLite", func(t *testing.T, now func() time.Time) []store { return openSQLite(t, now) }},
		{"PostgreSQL", func(t *testing.T, now func() time.Time) []store { return openPostgres(t, now, 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
			s := tc.nodes(t, clk.Now)[0]
			files := &casefiles.Store{Dir: t.TempDir()}
			svc := casework.New(casework.Config{Store: s, BaseURL: "http://shop.test", Now: clk.Now, SupportAddress: "support@shop.test"})
			ada := user(t, s, portal.RoleCustomer, "ada@example.com")
			agent := user(t, s, portal.RoleAgent, "agent@example.com")
			c := &portal.Case{Email: ada.Email, CustomerID: &ada.ID, Body: "Manuals, please", Subject: "Manuals"}
			if err := svc.Open(ctx, c, nil, true); err != nil {
				t.Fatal(err)
			}
			// 6 MB and 3 MB fit in 10 MB; 5 MB between them does not.
			content := map[string]string{}
			var atts []*portal.CaseAttachment
			for _, f := range []struct {
				name string
				mb   int
			}{{"a.txt", 6}, {"b.txt", 5}, {"c.txt", 3}} {
				body := strings.Repeat(f.name+" line\n", f.mb<<20/11)
				key, size, ct, err := files.Put(f.name, strings.NewReader(body), casefiles.MaxFileSize)
				if err != nil {
					t.Fatal(err)
				}
				content[f.name] = body
				atts = append(atts, &portal.CaseAttachment{Filename: f.name, ContentType: ct, Size: size, StorageKey: key})
			}
			if _, _, err := svc.Reply(ctx, agent, c.ID, "Here they are.", "", atts); err != nil {
				t.Fatal(err)
			}
			es, err := s.FindCaseEntries(ctx, c.ID, false)
			if err != nil || len(es) != 2 || len(es[1].Attachments) != 3 {
				t.Fatalf("entries %+v %v: want the reply with its 3 files", es, err)
			}
			linked := es[1].Attachments[1]
			mails, err := s.FindEmails(ctx, ada.Email, 1)
			if err != nil || len(mails) != 1 {
				t.Fatalf("reply email %v %v", mails, err)
			}
			m := mails[0]
			if len(m.Attachments) != 2 || m.Attachments[0].Filename != "a.txt" || m.Attachments[1].Filename != "c.txt" {
				t.Fatalf("email files %+v, want a.txt and c.txt", m.Attachments)
			}
			wantLink := "- b.txt: http://shop.test/account/cases/" + strconv.FormatInt(c.ID, 10) + "/files/" + strconv.FormatInt(linked.ID, 10)
			if !strings.Contains(m.Body, "Too large to send by email, in your account:") || !strings.Contains(m.Body, wantLink) {
				t.Fatalf("body lacks the link %q:\n%s", wantLink, m.Body)
			}

			raw, err := mail.Message("Frontdesk <no-reply@shop.test>", m, clk.Now(), files)
			if err != nil {
				t.Fatal(err)
			}
			mr, err := gomail.CreateReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if ct, _, _ := mr.Header.ContentType(); ct != "multipart/mixed" {
				t.Fatalf("content type %q", ct)
			}
			if from := mr.Header.Get("From"); !strings.Contains(from, "support+"+c.Token+"@shop.test") {
				t.Fatalf("From %q: the reply comes from the case's address", from)
			}
			var text string
			got := map[string]string{}
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(p.Body)
				switch h := p.Header.(type) {
				case *gomail.InlineHeader:
					text += string(b)
				case *gomail.AttachmentHeader:
					name, _ := h.Filename()
					if ct, _, _ := h.ContentType(); ct != "text/plain" {
						t.Errorf("%s: type %q", name, ct)
					}
					got[name] = string(b)
				}
			}
			if !strings.Contains(text, "Here they are.") || !strings.Contains(text, wantLink) {
				t.Fatalf("text part %q", text)
			}
			if len(got) != 2 || got["a.txt"] != content["a.txt"] || got["c.txt"] != content["c.txt"] {
				t.Fatalf("attachments %d, want a.txt and c.txt whole", len(got))
			}

			// Without the attachments directory the email cannot be built:
			// the outbox retries rather than send it without its files.
			if _, err := mail.Message("Frontdesk <no-reply@shop.test>", m, clk.Now(), nil); err == nil {
				t.Fatal("rendered an email with files without reading them")
			}
		})
	}
}
