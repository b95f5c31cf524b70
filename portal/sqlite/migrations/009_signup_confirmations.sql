-- Sign-up confirmed by email: the account is created only when the link
-- mailed to the address is used. Only the password hash is kept.
CREATE TABLE signup_confirmations (
	token_hash TEXT PRIMARY KEY,
	email TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	time_zone TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER
);
CREATE INDEX signup_confirmations_email ON signup_confirmations (email);
