package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

const emailCols = `id, to_addr, subject, body, created_at, sent_at, attempts, last_error, next_attempt_at, from_addr, message_id, in_reply_to, refs, auto_submitted, attachments`

func scanEmail(r Row) (*portal.Email, error) {
	var e portal.Email
	var refs, atts string
	err := r.Scan(&e.ID, &e.To, &e.Subject, &e.Body, &e.CreatedAt, &e.SentAt, &e.Attempts, &e.LastError, &e.NextAttemptAt,
		&e.From, &e.MessageID, &e.InReplyTo, &refs, &e.AutoSubmitted, &atts)
	e.References = strings.Fields(refs)
	if err == nil && atts != "" {
		err = json.Unmarshal([]byte(atts), &e.Attachments)
	}
	return &e, err
}

// EnqueueEmail adds an email to the outbox.
func (s *Store) EnqueueEmail(ctx context.Context, e *portal.Email) error {
	return wrap("enqueue email", s.enqueueEmailTx(ctx, s.db, e))
}

// enqueueEmailTx adds an email to the outbox on q, so that a change and
// the email telling of it are stored together.
func (s *Store) enqueueEmailTx(ctx context.Context, q Querier, e *portal.Email) error {
	e.CreatedAt = s.now()
	if e.NextAttemptAt.IsZero() {
		e.NextAttemptAt = e.CreatedAt
	}
	return insertEmail(ctx, q, e)
}

// insertEmail validates e and adds it to the outbox through q, inside the
// caller's transaction when q is one.
func insertEmail(ctx context.Context, q Querier, e *portal.Email) error {
	if err := e.Validate(); err != nil {
		return err
	}
	atts := ""
	if len(e.Attachments) > 0 {
		b, err := json.Marshal(e.Attachments)
		if err != nil {
			return err
		}
		atts = string(b)
	}
	return q.QueryRow(ctx, `INSERT INTO outbox (to_addr, subject, body, created_at, attempts, last_error, next_attempt_at, from_addr, message_id, in_reply_to, refs, auto_submitted, attachments)
		VALUES (?, ?, ?, ?, 0, '', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.To, e.Subject, e.Body, e.CreatedAt, e.NextAttemptAt, e.From, e.MessageID, e.InReplyTo, strings.Join(e.References, " "), e.AutoSubmitted, atts).Scan(&e.ID)
}

// ClaimEmails leases due emails.
func (s *Store) ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, n int) ([]*portal.Email, error) {
	// The lease condition is repeated on the outer UPDATE so that PostgreSQL
	// re-checks it after waiting for a row another node is claiming.
	rows, err := s.db.Query(ctx, `UPDATE outbox SET locked_until = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?) ORDER BY id LIMIT ?)
		AND sent_at IS NULL AND (locked_until IS NULL OR locked_until <= ?)
		RETURNING `+emailCols, now.Add(lease), now, now, limit(n, 10, 100), now)
	if err != nil {
		return nil, wrap("claim emails", err)
	}
	out, err := collect(rows, scanEmail)
	return out, wrap("claim emails", err)
}

// MarkEmailSent records delivery.
func (s *Store) MarkEmailSent(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE outbox SET sent_at = ?, locked_until = NULL, last_error = '' WHERE id = ?`, at, id)
	return wrap("mark email sent", err)
}

// MarkEmailFailed records a failed attempt and when to retry.
func (s *Store) MarkEmailFailed(ctx context.Context, id int64, msg string, next time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE outbox SET last_error = ?, next_attempt_at = ?, locked_until = NULL WHERE id = ?`, truncate(msg, 500), next, id)
	return wrap("mark email failed", err)
}

// FindEmails lists emails, newest first, optionally to one address.
func (s *Store) FindEmails(ctx context.Context, to string, n int) ([]*portal.Email, error) {
	var w where
	if to != "" {
		w.add("to_addr = ?", portal.NormalizeEmail(to))
	}
	rows, err := s.db.Query(ctx, `SELECT `+emailCols+` FROM outbox`+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.args, limit(n, 50, 500))...)
	if err != nil {
		return nil, wrap("find emails", err)
	}
	out, err := collect(rows, scanEmail)
	return out, wrap("find emails", err)
}
