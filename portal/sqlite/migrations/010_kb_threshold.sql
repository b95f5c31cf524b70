-- The hand-off threshold an editor chose per knowledge base (locale); none
-- means the one fitted when the index is built.
CREATE TABLE kb_thresholds (
	locale TEXT PRIMARY KEY,
	threshold REAL NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
	updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	updated_at INTEGER NOT NULL
);
