package inbound

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// CaseStore is what the intake needs of the store.
type CaseStore interface {
	FindUserByEmail(ctx context.Context, email string) (*portal.User, error)
	FindCaseByToken(ctx context.Context, token string) (*portal.Case, error)
	FindCaseByMessageID(ctx context.Context, messageID string) (*portal.Case, error)
	CreateCase(ctx context.Context, c *portal.Case, first *portal.CaseEntry, mail portal.CaseMail) error
	AddCaseEntry(ctx context.Context, e *portal.CaseEntry, status string, mail portal.CaseMail) (*portal.Case, error)
}

// Intake files inbound mail into cases: by the reply token in the address,
// else by In-Reply-To and References, else into a new case for the
// customer with that address (or a guest's case). Each message is one
// transaction (entry, attachments, acknowledgement), committed before
// ReceiveEmail returns.
type Intake struct {
	Store CaseStore
	// Files keeps attachments (casefiles.Store); nil keeps none.
	Files FileStore
	// Cases files a person's mail through the case workflow
	// (casework.Service): a new case gets its acknowledgement (case
	// number, expected answer time, from the case's reply address), and
	// staff are alerted of new cases and replies.
	Cases Workflow
}

// Workflow is the part of the case workflow the intake uses.
type Workflow interface {
	Open(ctx context.Context, c *portal.Case, first *portal.CaseEntry, verified bool) error
	CustomerMessage(ctx context.Context, e *portal.CaseEntry) (*portal.Case, error)
}

// FileStore keeps an attachment's bytes and returns its key and the type
// detected from them; a type or size it does not accept is EINVALID.
type FileStore interface {
	Put(name string, r io.Reader, max int64) (key string, size int64, contentType string, err error)
}

var _ Receiver = (*Intake)(nil)

// Receiver files one parsed message; the listener answers 250 once it
// returns nil.
type Receiver interface {
	ReceiveEmail(ctx context.Context, m *portal.InboundEmail) error
}

// ReceiveEmail files m. A message whose Message-ID is already stored is
// not stored again and is no error (the sender is told 250 again).
func (in *Intake) ReceiveEmail(ctx context.Context, m *portal.InboundEmail) error {
	if _, err := in.Store.FindCaseByMessageID(ctx, m.MessageID); err == nil {
		return nil // a resend: stored already
	} else if !portal.IsNotFound(err) {
		return err
	}
	c, err := in.findCase(ctx, m)
	if err != nil {
		return err
	}
	entry, err := in.entry(m)
	if err != nil {
		return err
	}
	if c != nil {
		entry.CaseID = c.ID
		if m.Auto != "" {
			// Automatic mail (an out-of-office, a bounce) is kept as a
			// note: it neither reopens the case nor is answered.
			entry.Kind, entry.AuthorID = portal.EntryNote, nil
			entry.Body = "Automatic email (" + m.Auto + ") from " + m.From + ":\n\n" + entry.Body
		}
		if m.Auto == "" {
			_, err = in.Cases.CustomerMessage(ctx, entry)
		} else {
			_, err = in.Store.AddCaseEntry(ctx, entry, "", nil)
		}
		return ignoreDuplicate(err)
	}
	nc := &portal.Case{Channel: portal.ChannelEmail, Email: m.From, Name: m.FromName, Subject: portal.Excerpt(m.Subject, 200), Body: entry.Body}
	if u, err := in.Store.FindUserByEmail(ctx, m.From); err == nil && u.Role == portal.RoleCustomer && u.DisabledAt == nil {
		nc.CustomerID, entry.AuthorID = &u.ID, &u.ID
		if nc.Name == "" {
			nc.Name = u.Name
		}
	} else if err != nil && !portal.IsNotFound(err) {
		return err
	}
	if m.Answerable() {
		// The mail came from this address: it is the customer's.
		return ignoreDuplicate(in.Cases.Open(ctx, nc, entry, true))
	}
	return ignoreDuplicate(in.Store.CreateCase(ctx, nc, entry, nil))
}

// findCase returns the case m answers, or nil for a new one. The reply
// token is a secret of the case, so any sender may use it (a colleague in
// copy); threading headers are not secret, so they count only when the
// sender is the case's customer.
func (in *Intake) findCase(ctx context.Context, m *portal.InboundEmail) (*portal.Case, error) {
	if m.ReplyToken != "" {
		c, err := in.Store.FindCaseByToken(ctx, m.ReplyToken)
		if err == nil {
			return c, nil
		} else if !portal.IsNotFound(err) {
			return nil, err
		}
	}
	ids := append(append([]string(nil), m.InReplyTo...), reversed(m.References)...)
	for _, id := range ids {
		c, err := in.Store.FindCaseByMessageID(ctx, id)
		if portal.IsNotFound(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		if c.Email == m.From {
			return c, nil
		}
	}
	return nil, nil
}

// entry is the customer entry m makes: its new text, the quoted history
// apart, the files kept (stored before the entry's transaction, which
// records them: a file without its entry is never shown), and a line for
// each file that was not kept.
func (in *Intake) entry(m *portal.InboundEmail) (*portal.CaseEntry, error) {
	body := m.Text
	var refused []string
	e := &portal.CaseEntry{Kind: portal.EntryCustomer, Channel: portal.ChannelEmail, AuthorName: firstNonEmpty(m.FromName, m.From),
		MessageID: m.MessageID, InReplyTo: strings.Join(m.InReplyTo, " "), References: strings.Join(m.References, " "), Quoted: m.Quoted}
	for _, a := range m.Attachments {
		if a.Refused == "" && in.Files == nil {
			a.Refused = "Files are not kept."
		}
		if a.Refused != "" {
			refused = append(refused, fmt.Sprintf("%s: %s", a.Filename, a.Refused))
			continue
		}
		key, size, ct, err := in.Files.Put(a.Filename, bytes.NewReader(a.Data), int64(len(a.Data)))
		if portal.ErrorCode(err) == portal.EINVALID {
			refused = append(refused, portal.ErrorMessage(err))
			continue
		} else if err != nil {
			return nil, err
		}
		e.Attachments = append(e.Attachments, &portal.CaseAttachment{Filename: a.Filename, ContentType: ct, Size: size, StorageKey: key})
	}
	if strings.TrimSpace(body) == "" {
		body = "(The email has no text.)"
		if m.Subject != "" {
			body = m.Subject
		}
	}
	if len(refused) > 0 {
		body += "\n\nFiles not kept:\n- " + strings.Join(refused, "\n- ")
	}
	e.Body = cut(body, portal.MaxCaseTextLen)
	return e, nil
}

func ignoreDuplicate(err error) error {
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return nil // the same Message-ID, stored by a concurrent delivery
	}
	return err
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
