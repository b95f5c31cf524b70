-- SLA targets per customer segment, and due times that follow changed
-- settings (issue 16).
--
-- A policy now belongs to a priority and a segment ('' = everyone else):
-- the customer analysis's RFM segments (issue 17) may get their own
-- targets, say tighter ones for Champions.
ALTER TABLE sla_policies ADD COLUMN segment TEXT NOT NULL DEFAULT '';
ALTER TABLE sla_policies DROP CONSTRAINT sla_policies_pkey;
ALTER TABLE sla_policies ADD PRIMARY KEY (priority, segment);
-- Each customer's segment from the latest analysis, written after every
-- refit, so that every node and every way a case opens reads the same.
CREATE TABLE customer_segments (
	customer_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	segment TEXT NOT NULL
);
-- The generation of the SLA settings, counted up by every change of a
-- policy or a calendar. A case keeps the generation (and the segment) its
-- due times were computed under; the open cases behind are recomputed in
-- the background (-1 marks a case whose customer changed segment).
CREATE TABLE sla_generation (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	generation BIGINT NOT NULL
);
INSERT INTO sla_generation (id, generation) VALUES (1, 0);
ALTER TABLE cases ADD COLUMN segment TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN sla_generation BIGINT NOT NULL DEFAULT 0;
CREATE INDEX cases_active_sla_generation ON cases (sla_generation) WHERE status IN ('new', 'open', 'pending', 'on_hold');
