-- The customer analysis (issue 17) computed by one node of a cluster and
-- loaded by the others: a lease (holder until lease_until) and the latest
-- result (gzip'd gob, made at made_at).
CREATE TABLE customer_analysis (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	holder TEXT NOT NULL DEFAULT '',
	lease_until TIMESTAMPTZ,
	made_at TIMESTAMPTZ,
	data BYTEA
);
INSERT INTO customer_analysis (id) VALUES (1);
