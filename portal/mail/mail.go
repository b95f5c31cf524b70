// Package mail delivers the outbox: by SMTP in production, or as .eml files
// in a directory during development, so reset links can be followed.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/frontdesk/frontdesk/portal"
)

// Files opens the stored bytes of an email's attachments (the case
// attachments directory, casefiles.Store).
type Files interface {
	Open(key string) (*os.File, error)
}

// Message renders an email as RFC 5322 text. The header is written by
// go-message (address lists, encoded words, Message-ID lists); the body is
// UTF-8 text sent as 8bit, so links stay whole. An email with attachments
// is multipart/mixed: the text, then each file (base64), read from files.
func Message(from string, e *portal.Email, now time.Time, files Files) ([]byte, error) {
	var h gomail.Header
	if e.From != "" {
		from = e.From
	}
	if a, err := gomail.ParseAddress(from); err == nil {
		h.SetAddressList("From", []*gomail.Address{a})
	} else {
		h.Set("From", from)
	}
	h.Set("To", e.To)
	h.SetSubject(e.Subject)
	h.SetDate(now)
	h.SetMessageID(MessageID(from, e))
	if e.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{e.InReplyTo})
	}
	if len(e.References) > 0 {
		h.SetMsgIDList("References", e.References)
	}
	if e.AutoSubmitted != "" {
		h.Set("Auto-Submitted", e.AutoSubmitted)
	}
	h.Set("MIME-Version", "1.0")
	body := strings.ReplaceAll(strings.ReplaceAll(e.Body, "\r\n", "\n"), "\n", "\r\n")
	var b bytes.Buffer
	var err error
	if len(e.Attachments) == 0 {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", "8bit")
		err = writeSingle(&b, h, body)
	} else {
		err = writeMixed(&b, h, body, e.Attachments, files)
	}
	if err != nil {
		return nil, fmt.Errorf("mail: render: %w", err)
	}
	return b.Bytes(), nil
}

func writeSingle(b *bytes.Buffer, h gomail.Header, body string) error {
	w, err := gomail.CreateSingleInlineWriter(b, h)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, body); err != nil {
		return err
	}
	return w.Close()
}

// writeMixed writes a multipart/mixed message: the text and the files.
func writeMixed(b *bytes.Buffer, h gomail.Header, body string, atts []portal.OutgoingFile, files Files) error {
	if files == nil {
		return fmt.Errorf("%d attachments but no attachments directory", len(atts))
	}
	mw, err := gomail.CreateWriter(b, h)
	if err != nil {
		return err
	}
	var th gomail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	th.Set("Content-Transfer-Encoding", "8bit")
	tw, err := mw.CreateSingleInline(th)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(tw, body); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	for _, a := range atts {
		if err := writeAttachment(mw, a, files); err != nil {
			return err
		}
	}
	return mw.Close()
}

func writeAttachment(mw *gomail.Writer, a portal.OutgoingFile, files Files) error {
	f, err := files.Open(a.StorageKey)
	if err != nil {
		return fmt.Errorf("attachment %q: %w", a.Filename, err)
	}
	defer f.Close()
	var ah gomail.AttachmentHeader
	ah.SetContentType(a.ContentType, nil)
	ah.SetFilename(a.Filename)
	ah.Set("Content-Transfer-Encoding", "base64")
	w, err := mw.CreateAttachment(ah)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("attachment %q: %w", a.Filename, err)
	}
	return w.Close()
}

// MessageID is the Message-ID e is sent with (without angle brackets): its
// stored one, or one derived from its outbox row and the sender's domain,
// so that every retry carries the same ID.
func MessageID(from string, e *portal.Email) string {
	if e.MessageID != "" {
		return e.MessageID
	}
	domain := "frontdesk"
	if i := strings.LastIndexByte(addrOnly(from), '@'); i >= 0 && i < len(addrOnly(from))-1 {
		domain = addrOnly(from)[i+1:]
	}
	return fmt.Sprintf("outbox-%d-%d@%s", e.ID, e.CreatedAt.Unix(), domain)
}

// DirMailer writes each email as an .eml file under Dir.
type DirMailer struct {
	Dir    string
	From   string
	Logger *slog.Logger
	// Files holds attachments' bytes (nil: emails with attachments fail).
	Files Files
}

var _ portal.Mailer = (*DirMailer)(nil)

// Send writes the file and logs where it went.
func (m *DirMailer) Send(ctx context.Context, e *portal.Email) error {
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	name := filepath.Join(m.Dir, fmt.Sprintf("%s-%06d.eml", e.CreatedAt.UTC().Format("20060102T150405"), e.ID))
	msg, err := Message(m.From, e, time.Now(), m.Files)
	if err != nil {
		return err
	}
	if err := os.WriteFile(name, msg, 0o600); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if m.Logger != nil {
		m.Logger.Info("email written", "to", e.To, "subject", e.Subject, "file", name)
	}
	return nil
}

// SMTPMailer sends through an SMTP server given as
// smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465.
type SMTPMailer struct {
	URL  *url.URL
	From string
	// Files holds attachments' bytes (nil: emails with attachments fail).
	Files Files
}

var _ portal.Mailer = (*SMTPMailer)(nil)

// NewSMTPMailer parses the server URL.
func NewSMTPMailer(raw, from string) (*SMTPMailer, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
		return nil, fmt.Errorf("mail: FRONTDESK_SMTP_URL must look like smtp://user:pass@host:587")
	}
	return &SMTPMailer{URL: u, From: from}, nil
}

// Send delivers one email.
func (m *SMTPMailer) Send(ctx context.Context, e *portal.Email) error {
	msg, err := Message(m.From, e, time.Now(), m.Files)
	if err != nil {
		return err
	}
	host := m.URL.Hostname()
	port := m.URL.Port()
	if port == "" {
		port = map[string]string{"smtp": "587", "smtps": "465"}[m.URL.Scheme]
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	if m.URL.Scheme == "smtps" {
		conn, err = tls.DialWithDialer(&d, "tcp", net.JoinHostPort(host, port), &tls.Config{ServerName: host})
	} else {
		conn, err = d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	}
	if err != nil {
		return fmt.Errorf("mail: dial: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: hello: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok && m.URL.Scheme == "smtp" {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if m.URL.User != nil {
		pw, _ := m.URL.User.Password()
		if err := c.Auth(smtp.PlainAuth("", m.URL.User.Username(), pw, host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(addrOnly(m.From)); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := c.Rcpt(e.To); err != nil {
		return fmt.Errorf("mail: rcpt: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	return c.Quit()
}

func addrOnly(from string) string {
	if i := strings.LastIndexByte(from, '<'); i >= 0 {
		return strings.TrimSuffix(from[i+1:], ">")
	}
	return from
}

// Outbox is the part of the store the worker uses.
type Outbox interface {
	ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*portal.Email, error)
	MarkEmailSent(ctx context.Context, id int64, at time.Time) error
	MarkEmailFailed(ctx context.Context, id int64, msg string, next time.Time) error
}

// Worker drains the outbox through a Mailer, retrying failures with backoff.
type Worker struct {
	Outbox Outbox
	Mailer portal.Mailer
	Logger *slog.Logger
	// Interval between polls; default 2s.
	Interval time.Duration
	// MaxAttempts before an email is given up; default 8.
	MaxAttempts int
	Now         func() time.Time
}

// Run polls until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	if w.Interval == 0 {
		w.Interval = 2 * time.Second
	}
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		if _, err := w.Drain(ctx); err != nil && ctx.Err() == nil {
			w.log().Error("outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *Worker) log() *slog.Logger {
	if w.Logger == nil {
		return slog.Default()
	}
	return w.Logger
}

// Drain sends every due email once and returns how many were sent.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	max := w.MaxAttempts
	if max == 0 {
		max = 8
	}
	sent := 0
	for {
		batch, err := w.Outbox.ClaimEmails(ctx, now(), 2*time.Minute, 20)
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		for _, e := range batch {
			sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := w.Mailer.Send(sctx, e)
			cancel()
			if err == nil {
				sent++
				if err := w.Outbox.MarkEmailSent(ctx, e.ID, now()); err != nil {
					return sent, err
				}
				continue
			}
			next := now().Add(time.Duration(1<<min(e.Attempts, 10)) * 30 * time.Second)
			if e.Attempts >= max {
				next = now().Add(100 * 365 * 24 * time.Hour) // given up; visible to admins
			}
			w.log().Warn("send email", "email_id", e.ID, "attempts", e.Attempts, "err", err)
			if err := w.Outbox.MarkEmailFailed(ctx, e.ID, err.Error(), next); err != nil {
				return sent, err
			}
		}
	}
}
