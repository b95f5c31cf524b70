-- Files sent with an outgoing email (issue 16: an agent's reply carries
-- its attachments): a JSON list of {name, type, size, key}, the key naming
-- the bytes in the attachments directory; '' when none.
ALTER TABLE outbox ADD COLUMN attachments TEXT NOT NULL DEFAULT '';
