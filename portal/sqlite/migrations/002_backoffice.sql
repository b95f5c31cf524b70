CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT NOT NULL,
	prefix TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	scopes TEXT NOT NULL,
	created_by INTEGER NOT NULL REFERENCES users (id),
	created_at INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at INTEGER
);

-- JSON array of shipment statuses that email the customer; NULL means the defaults.
ALTER TABLE users ADD COLUMN notify_statuses TEXT;

CREATE INDEX invoices_number ON invoices (number);
