-- Mail into cases: the quoted history below a customer's emailed answer is
-- kept apart from the new text (shown folded); attachments that came by
-- mail keep their bytes in the database, written in the same transaction
-- as their entry (so an accepted message is never half stored, and every
-- node can serve them); automatic replies we send say so (RFC 3834).
ALTER TABLE case_entries ADD COLUMN quoted TEXT NOT NULL DEFAULT '';
CREATE TABLE case_attachment_data (
	attachment_id BIGINT PRIMARY KEY REFERENCES case_attachments (id) ON DELETE CASCADE,
	data BYTEA NOT NULL
);
ALTER TABLE outbox ADD COLUMN auto_submitted TEXT NOT NULL DEFAULT '';
