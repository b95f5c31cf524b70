package portal

import (
	"crypto/rand"
	"encoding/hex"
	"net/mail"
	"strings"
)

// NewMessageID returns a new random Message-ID (without angle brackets) at
// domain. Random, so that nobody can guess the ID of a reply we sent and
// thread a message of their own into someone else's case.
func NewMessageID(domain string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return hex.EncodeToString(b) + "@" + domain
}

// AddressDomain returns the domain of an email address ("" when none).
func AddressDomain(addr string) string {
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}

// ReplyAddress returns the address that files mail into the case:
// support+<token>@domain for the support address support@domain.
func (c *Case) ReplyAddress(support string) string {
	at := strings.LastIndexByte(support, '@')
	if at <= 0 || c.Token == "" {
		return support
	}
	return support[:at] + "+" + c.Token + support[at:]
}

// maxReferences bounds the References header we write: the thread's first
// message and its latest ones are what mail programs use.
const maxReferences = 20

// ThreadEmail makes e a message of the case's email thread: it comes from
// the case's reply address (shown as name), carries messageID, and its
// In-Reply-To and References name the thread's messages (thread is the
// case's entries, oldest first), so the customer's mail program shows one
// conversation and the answer finds the case again by address or header.
func ThreadEmail(e *Email, c *Case, support, name, messageID string, thread []*CaseEntry) {
	e.From = (&mail.Address{Name: name, Address: c.ReplyAddress(support)}).String()
	e.MessageID = messageID
	var refs []string
	for _, t := range thread {
		if t.MessageID == "" || t.MessageID == messageID || !t.Public() {
			continue
		}
		refs = append(refs, t.MessageID)
		if t.Kind == EntryCustomer {
			e.InReplyTo = t.MessageID
		}
	}
	if e.InReplyTo == "" && len(refs) > 0 {
		e.InReplyTo = refs[len(refs)-1]
	}
	if len(refs) > maxReferences {
		refs = append(refs[:1:1], refs[len(refs)-maxReferences+1:]...)
	}
	e.References = refs
}
