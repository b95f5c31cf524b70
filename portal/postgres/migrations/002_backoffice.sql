CREATE TABLE api_tokens (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name TEXT NOT NULL,
	prefix TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	scopes TEXT NOT NULL,
	created_by BIGINT NOT NULL REFERENCES users (id),
	created_at TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ,
	revoked_at TIMESTAMPTZ
);

-- JSON array of shipment statuses that email the customer; NULL means the defaults.
ALTER TABLE users ADD COLUMN notify_statuses TEXT;

CREATE INDEX invoices_number ON invoices (number);
