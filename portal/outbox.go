package portal

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Email is a message waiting in, or sent from, the outbox. Writing it to the
// outbox in the same store as the change that caused it means a crash never
// loses a reset link or a case number.
type Email struct {
	ID      int64
	To      string
	Subject string
	Body    string // plain text
	// From overrides the configured sender in the From header, e.g. a
	// case's reply address support+<token>@domain; empty means the sender.
	From string
	// MessageID is the Message-ID without angle brackets; empty means one
	// derived from the outbox row (stable across retries).
	MessageID string
	// InReplyTo and References thread a reply (Message-IDs without angle
	// brackets), so the customer's mail program shows one conversation.
	InReplyTo  string
	References []string
	// AutoSubmitted is the RFC 3834 Auto-Submitted value of a message a
	// program sent ("auto-replied" for an acknowledgement), so that the
	// other side's autoresponder does not answer it; empty for a person's.
	AutoSubmitted string
	// Attachments are files sent with the email (an agent's reply's),
	// read from the attachments directory when the email is sent.
	Attachments   []OutgoingFile
	CreatedAt     time.Time
	SentAt        *time.Time
	Attempts      int
	LastError     string
	NextAttemptAt time.Time
}

// OutgoingFile is a stored file to attach to an outgoing email: StorageKey
// names its bytes in the attachments directory (see CaseAttachment).
type OutgoingFile struct {
	Filename    string `json:"name"`
	ContentType string `json:"type"`
	Size        int64  `json:"size"`
	StorageKey  string `json:"key"`
}

// OutboxService queues outgoing email.
type OutboxService interface {
	EnqueueEmail(ctx context.Context, e *Email) error
	// ClaimEmails leases up to limit due emails for lease, so that two nodes
	// never send the same message at once.
	ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Email, error)
	MarkEmailSent(ctx context.Context, id int64, at time.Time) error
	MarkEmailFailed(ctx context.Context, id int64, msg string, next time.Time) error
	// FindEmails lists the outbox, newest first (for admins and tests).
	FindEmails(ctx context.Context, to string, limit int) ([]*Email, error)
}

// Mailer delivers one email (SMTP, or a file in development).
type Mailer interface {
	Send(ctx context.Context, e *Email) error
}

// Validate checks an email before it is queued: one recipient, headers on
// one line, Message-IDs without angle brackets or spaces.
func (e *Email) Validate() error {
	if err := ValidateEmail(NormalizeEmail(e.To)); err != nil {
		return err
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		return FieldError("subject", "Subject must be one line.")
	}
	if e.From != "" {
		if _, err := mail.ParseAddress(e.From); err != nil || strings.ContainsAny(e.From, "\r\n") {
			return FieldError("from", "Sender must be one email address.")
		}
	}
	if strings.ContainsAny(e.AutoSubmitted, "\r\n") || len(e.AutoSubmitted) > 100 {
		return FieldError("auto_submitted", "Auto-Submitted must be one short line.")
	}
	for _, id := range append([]string{e.MessageID, e.InReplyTo}, e.References...) {
		if strings.ContainsAny(id, "<> \t\r\n") {
			return FieldError("message_id", "A Message-ID is written without angle brackets or spaces.")
		}
	}
	return nil
}
