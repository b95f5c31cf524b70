package sqlstore

import (
	"context"

	"github.com/frontdesk/frontdesk/portal"
)

// insertEntryAttachments records the attachments that came with a new
// entry (their files already stored) in the entry's transaction, so that
// a message is stored with all its files or not at all.
func insertEntryAttachments(ctx context.Context, q Querier, e *portal.CaseEntry) error {
	for _, a := range e.Attachments {
		if err := validateAttachment(a); err != nil {
			return err
		}
		a.CaseID, a.EntryID, a.CreatedAt = e.CaseID, e.ID, e.CreatedAt
		if err := q.QueryRow(ctx, `INSERT INTO case_attachments (case_id, entry_id, filename, content_type, size, storage_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.CaseID, a.EntryID, a.Filename, a.ContentType, a.Size, a.StorageKey, a.CreatedAt).Scan(&a.ID); err != nil {
			return err
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
