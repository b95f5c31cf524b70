package portal

import (
	"context"
	"time"
)

// Email is a message waiting in, or sent from, the outbox. Writing it to the
// outbox in the same store as the change that caused it means a crash never
// loses a reset link or a case number.
type Email struct {
	ID            int64
	To            string
	Subject       string
	Body          string // plain text
	CreatedAt     time.Time
	SentAt        *time.Time
	Attempts      int
	LastError     string
	NextAttemptAt time.Time
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
