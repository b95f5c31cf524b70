-- The hand-off threshold an editor chose per knowledge base (locale); none
-- means the one fitted when the index is built.
CREATE TABLE kb_thresholds (
	locale TEXT PRIMARY KEY,
	threshold DOUBLE PRECISION NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
	updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
