// Package inbound is Frontdesk's own mail intake: an SMTP listener (on
// emersion/go-smtp) for the support address, and a parser (on
// emersion/go-message) that turns each message into a portal.InboundEmail:
// threading headers, the new text apart from the quoted history, sanitized
// HTML as text, attachments within limits, and whether a program sent it.
package inbound

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // ISO-8859-*, Windows-125x, Shift_JIS, ... as UTF-8
	gomail "github.com/emersion/go-message/mail"
	"github.com/frontdesk/frontdesk/portal"
)

// ErrMalformed wraps every reason a message cannot be read as MIME; the
// listener answers it with 554 and stores nothing.
var ErrMalformed = errors.New("malformed message")

// Limits bound what is kept of a message. Zero fields mean the defaults.
type Limits struct {
	// MaxAttachmentBytes is the largest attachment kept (default 10 MiB).
	MaxAttachmentBytes int
	// MaxAttachments is how many attachments are kept (default 10).
	MaxAttachments int
	// MaxTextBytes caps the text kept (default 64 KiB); the rest is cut.
	MaxTextBytes int
	// AllowedTypes are the attachment media types kept; a type ending in
	// "/*" allows the whole family (default: AllowedTypes).
	AllowedTypes []string
}

// AllowedTypes are the attachment types kept by default: pictures, PDF,
// plain text and CSV, and office documents. Programs and archives are not
// kept: an agent would have to open them.
var AllowedTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/heic", "application/pdf", "text/plain", "text/csv",
	"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"}

func (l Limits) withDefaults() Limits {
	if l.MaxAttachmentBytes == 0 {
		l.MaxAttachmentBytes = 10 << 20
	}
	if l.MaxAttachments == 0 {
		l.MaxAttachments = 10
	}
	if l.MaxTextBytes == 0 {
		l.MaxTextBytes = 64 << 10
	}
	if l.AllowedTypes == nil {
		l.AllowedTypes = AllowedTypes
	}
	return l
}

func (l Limits) allows(mediaType string) bool {
	for _, t := range l.AllowedTypes {
		if t == mediaType || (strings.HasSuffix(t, "/*") && strings.HasPrefix(mediaType, strings.TrimSuffix(t, "*"))) {
			return true
		}
	}
	return false
}

// Parse reads one raw message. envelopeFrom is the SMTP MAIL FROM ("" for
// the null sender of a bounce). A message that is not valid MIME, or has no
// author, is an error wrapping ErrMalformed.
func Parse(raw []byte, envelopeFrom string, lim Limits) (*portal.InboundEmail, error) {
	lim = lim.withDefaults()
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	h := r.Header
	m := &portal.InboundEmail{Size: len(raw)}
	from, err := h.AddressList("From")
	if err != nil || len(from) == 0 {
		return nil, fmt.Errorf("%w: no valid From address", ErrMalformed)
	}
	m.From, m.FromName = portal.NormalizeEmail(from[0].Address), from[0].Name
	if m.Subject, err = h.Subject(); err != nil {
		m.Subject = h.Get("Subject")
	}
	m.Subject = oneLine(m.Subject, 500)
	if d, err := h.Date(); err == nil {
		m.Date = d
	}
	m.MessageID = msgID(h.MessageID())
	if m.MessageID == "" {
		sum := sha256.Sum256(raw)
		m.MessageID = "sha256-" + hex.EncodeToString(sum[:16]) + "@frontdesk.invalid"
	}
	m.InReplyTo = msgIDs(h, "In-Reply-To")
	m.References = msgIDs(h, "References")
	m.Auto = autoReason(h, envelopeFrom, m.From)

	var plain, html strings.Builder
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		mediaType, _, _ := p.Header.(interface {
			ContentType() (string, map[string]string, error)
		}).ContentType()
		mediaType = strings.ToLower(mediaType)
		if mediaType == "" {
			mediaType = "text/plain"
		}
		ih, inline := p.Header.(*gomail.InlineHeader)
		if inline && (mediaType == "text/plain" || mediaType == "text/html") {
			b, err := io.ReadAll(io.LimitReader(p.Body, int64(4*lim.MaxTextBytes)))
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
			}
			if _, err := io.Copy(io.Discard, p.Body); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
			}
			dst := &plain
			if mediaType == "text/html" {
				dst = &html
			}
			if dst.Len() > 0 {
				dst.WriteString("\n\n")
			}
			dst.Write(b)
			continue
		}
		if mediaType == "message/delivery-status" {
			m.Auto = firstNonEmpty(m.Auto, "bounce (delivery status)")
		}
		var name string
		if inline {
			_, params, _ := ih.ContentDisposition()
			name = params["filename"]
		} else {
			name, _ = p.Header.(*gomail.AttachmentHeader).Filename()
		}
		a, err := readAttachment(p.Body, name, mediaType, lim, len(m.Attachments))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		m.Attachments = append(m.Attachments, a)
	}
	text := plain.String()
	if strings.TrimSpace(text) == "" && html.Len() > 0 {
		text = HTMLToText(html.String())
	}
	text = strings.ToValidUTF8(strings.ReplaceAll(text, "\r\n", "\n"), "\uFFFD")
	m.Text, m.Quoted = FoldQuoted(text)
	m.Text = cut(m.Text, lim.MaxTextBytes)
	m.Quoted = cut(m.Quoted, lim.MaxTextBytes)
	return m, nil
}

// readAttachment reads one attachment, keeping it only within the limits.
// The body is always read to its end, so a broken encoding is an error
// even in a file that is not kept.
func readAttachment(body io.Reader, name, mediaType string, lim Limits, kept int) (portal.EmailAttachment, error) {
	a := portal.EmailAttachment{Filename: safeFilename(name, mediaType), ContentType: mediaType}
	b, err := io.ReadAll(io.LimitReader(body, int64(lim.MaxAttachmentBytes)+1))
	if err != nil {
		return a, err
	}
	n, err := io.Copy(io.Discard, body)
	if err != nil {
		return a, err
	}
	a.Size = len(b) + int(n)
	switch {
	case !lim.allows(mediaType):
		a.Refused = "This type of file is not accepted."
	case a.Size > lim.MaxAttachmentBytes:
		a.Refused = fmt.Sprintf("The file is larger than %d MB.", lim.MaxAttachmentBytes>>20)
	case kept >= lim.MaxAttachments:
		a.Refused = fmt.Sprintf("Only %d files are kept per message.", lim.MaxAttachments)
	default:
		a.Data = b
	}
	return a, nil
}

// safeFilename keeps the base name of a file, without path or control
// characters, and names a file that came without one.
func safeFilename(name, mediaType string) string {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		name = "attachment"
		if exts, _ := mime.ExtensionsByType(mediaType); len(exts) > 0 {
			name += exts[0]
		}
	}
	return cut(name, 200)
}

var bounceSender = regexp.MustCompile(`(?i)^(mailer-daemon|postmaster)@`)

// autoReason says why a message was sent by a program, or "" when a
// person wrote it (RFC 3834 Auto-Submitted, Precedence, the auto-reply
// headers mail programs set, list headers, and bounces).
func autoReason(h gomail.Header, envelopeFrom, from string) string {
	if v := strings.ToLower(strings.TrimSpace(strings.SplitN(h.Get("Auto-Submitted"), ";", 2)[0])); v != "" && v != "no" {
		return "auto-submitted: " + v
	}
	switch v := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); v {
	case "bulk", "junk", "list", "auto_reply":
		return "precedence: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response"} {
		if h.Has(k) {
			return strings.ToLower(k)
		}
	}
	if h.Has("List-Id") || h.Has("List-Unsubscribe") {
		return "mailing list"
	}
	if ct, _, _ := h.ContentType(); strings.EqualFold(ct, "multipart/report") {
		return "bounce (multipart/report)"
	}
	rp := strings.Trim(strings.TrimSpace(h.Get("Return-Path")), "<>")
	if h.Has("Return-Path") && rp == "" {
		return "bounce (null return path)"
	}
	if envelopeFrom == "" || envelopeFrom == "<>" {
		return "bounce (null sender)"
	}
	for _, a := range []string{envelopeFrom, rp, from} {
		if bounceSender.MatchString(a) {
			return "bounce (" + strings.ToLower(strings.SplitN(a, "@", 2)[0]) + ")"
		}
	}
	return ""
}

// msgID cleans one Message-ID: go-message's parse, or the text between the
// angle brackets of a header it could not parse.
func msgID(id string, err error) string {
	if err != nil || id == "" {
		return ""
	}
	if strings.ContainsAny(id, " \t\r\n<>") || len(id) > 500 {
		return ""
	}
	return id
}

var looseMsgID = regexp.MustCompile(`<([^<>\s]{1,500})>`)

func msgIDs(h gomail.Header, key string) []string {
	ids, err := h.MsgIDList(key)
	if err != nil {
		ids = nil
		for _, m := range looseMsgID.FindAllStringSubmatch(h.Get(key), -1) {
			ids = append(ids, m[1])
		}
	}
	var out []string
	for _, id := range ids {
		if id = msgID(id, nil); id != "" {
			out = append(out, id)
		}
	}
	if len(out) > 50 { // the thread's root and its latest replies are enough
		out = append(out[:1:1], out[len(out)-49:]...)
	}
	return out
}

func oneLine(s string, max int) string {
	return cut(strings.Join(strings.Fields(s), " "), max)
}

// cut shortens s to at most max bytes without splitting a character.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
