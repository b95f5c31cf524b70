-- Background report exports (long customer lists as CSV) with their
-- files, so that every node of a cluster can show their progress and hand
-- them out; kept an hour.
CREATE TABLE report_exports (
	id TEXT PRIMARY KEY,
	owner_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	progress DOUBLE PRECISION NOT NULL DEFAULT 0,
	done BOOLEAN NOT NULL DEFAULT FALSE,
	failed BOOLEAN NOT NULL DEFAULT FALSE,
	data BYTEA
);
CREATE INDEX report_exports_owner ON report_exports (owner_id, created_at);
CREATE INDEX report_exports_created ON report_exports (created_at);
