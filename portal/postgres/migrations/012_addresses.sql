-- The customer's address book; at most one default address each.
CREATE TABLE customer_addresses (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	line1 TEXT NOT NULL,
	line2 TEXT NOT NULL DEFAULT '',
	city TEXT NOT NULL,
	region TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL,
	country TEXT NOT NULL,
	is_default INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX customer_addresses_customer ON customer_addresses (customer_id, id);
CREATE UNIQUE INDEX customer_addresses_one_default ON customer_addresses (customer_id) WHERE is_default = 1;
