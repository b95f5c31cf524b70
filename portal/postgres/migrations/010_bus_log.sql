-- The bus's durable sequence: every message published on the PostgreSQL bus
-- is a row, so that a node whose listening connection dropped catches up on
-- what it missed, and payloads too large for NOTIFY travel by reference.
-- Ids are taken under an advisory lock, so they follow commit order. Rows
-- are pruned after two minutes (postgres.BusConfig.Retention).
CREATE TABLE bus_messages (
	id BIGSERIAL PRIMARY KEY,
	node TEXT NOT NULL,
	topic TEXT NOT NULL,
	payload BYTEA NOT NULL,
	created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
