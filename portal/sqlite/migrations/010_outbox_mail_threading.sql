-- Outgoing mail threads: a case reply comes from the case's reply address
-- (support+<token>@domain) with a stored Message-ID and In-Reply-To and
-- References headers, so the customer's answer finds its case again.
ALTER TABLE outbox ADD COLUMN from_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN in_reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN refs TEXT NOT NULL DEFAULT '';
