package portal

import "time"

// InboundEmail is a message Frontdesk's SMTP listener accepted, parsed and
// normalized: the new text apart from the quoted history, the threading
// headers, and whether a program rather than a person sent it.
type InboundEmail struct {
	// MessageID identifies the message (without angle brackets); a message
	// without one gets a digest of its bytes, so a resend is still one mail.
	MessageID string
	From      string // the author's address, normalized
	FromName  string
	// To is the support address it came to; ReplyToken is the part after
	// "+" (support+<token>@domain), which names a case.
	To         string
	ReplyToken string
	Subject    string
	Date       time.Time
	InReplyTo  []string
	References []string
	// Text is the new text (HTML sanitized and turned into text); Quoted is
	// the quoted history below it, kept but folded away.
	Text   string
	Quoted string
	// Auto says why the message was sent by a program (an auto-reply,
	// bulk or list mail, a bounce); such mail is stored but never answered.
	Auto        string
	Attachments []EmailAttachment
	// Size is the size of the raw message in bytes.
	Size int
}

// EmailAttachment is a file that came with an inbound email. Refused says
// why it was not kept (type or size); Data is then empty.
type EmailAttachment struct {
	Filename    string
	ContentType string
	Size        int
	Data        []byte
	Refused     string
}

// Answerable reports whether the message may get an automatic answer (an
// acknowledgement): not when a program sent it, so two autoresponders
// cannot write to each other for ever.
func (m *InboundEmail) Answerable() bool { return m.Auto == "" }
