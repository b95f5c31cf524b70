package sqlstore

import (
	"context"

	"github.com/frontdesk/frontdesk/portal"
)

// insertEntryAttachments stores the attachments that came with a new
// entry, in the entry's transaction: those with Data keep their bytes in
// case_attachment_data, the others name bytes stored elsewhere.
func insertEntryAttachments(ctx context.Context, q Querier, e *portal.CaseEntry) error {
	for _, a := range e.Attachments {
		if a.Data != nil {
			a.StorageKey = portal.AttachmentInDB
			a.Size = int64(len(a.Data))
		}
		if err := validateAttachment(a); err != nil {
			return err
		}
		a.CaseID, a.EntryID, a.CreatedAt = e.CaseID, e.ID, e.CreatedAt
		if err := q.QueryRow(ctx, `INSERT INTO case_attachments (case_id, entry_id, filename, content_type, size, storage_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.CaseID, a.EntryID, a.Filename, a.ContentType, a.Size, a.StorageKey, a.CreatedAt).Scan(&a.ID); err != nil {
			return err
		}
		if a.Data != nil {
			if _, err := q.Exec(ctx, `INSERT INTO case_attachment_data (attachment_id, data) VALUES (?, ?)`, a.ID, a.Data); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateAttachment(a *portal.CaseAttachment) error {
	if a.Filename == "" || len(a.Filename) > 255 || a.ContentType == "" || len(a.ContentType) > 255 || a.StorageKey == "" || a.Size < 0 {
		return portal.FieldError("attachment", "The attachment needs a name, a type and a stored file.")
	}
	return nil
}

// CaseAttachmentData returns the bytes of an attachment kept in the database.
func (s *Store) CaseAttachmentData(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	if err := s.db.QueryRow(ctx, `SELECT data FROM case_attachment_data WHERE attachment_id = ?`, id).Scan(&b); err != nil {
		return nil, wrap("case attachment data", notFound(err, "Attachment"))
	}
	return b, nil
}
