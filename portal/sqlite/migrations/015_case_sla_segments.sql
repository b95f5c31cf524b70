-- SLA targets per customer segment, and due times that follow changed
-- settings (issue 16).
--
-- A policy now belongs to a priority and a segment ('' = everyone else):
-- the customer analysis's RFM segments (issue 17) may get their own
-- targets, say tighter ones for Champions.
CREATE TABLE sla_policies_by_segment (
	priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	segment TEXT NOT NULL DEFAULT '',
	calendar_id INTEGER NOT NULL REFERENCES sla_calendars (id),
	first_response_minutes INTEGER NOT NULL,
	next_response_minutes INTEGER NOT NULL,
	resolution_minutes INTEGER NOT NULL,
	PRIMARY KEY (priority, segment)
);
INSERT INTO sla_policies_by_segment (priority, segment, calendar_id, first_response_minutes, next_response_minutes, resolution_minutes)
	SELECT priority, '', calendar_id, first_response_minutes, next_response_minutes, resolution_minutes FROM sla_policies;
DROP TABLE sla_policies;
ALTER TABLE sla_policies_by_segment RENAME TO sla_policies;
-- Each customer's segment from the latest analysis, written after every
-- refit, so that every node and every way a case opens reads the same.
CREATE TABLE customer_segments (
	customer_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	segment TEXT NOT NULL
);
-- The generation of the SLA settings, counted up by every change of a
-- policy or a calendar. A case keeps the generation (and the segment) its
-- due times were computed under; the open cases behind are recomputed in
-- the background (-1 marks a case whose customer changed segment).
CREATE TABLE sla_generation (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	generation INTEGER NOT NULL
);
INSERT INTO sla_generation (id, generation) VALUES (1, 0);
ALTER TABLE cases ADD COLUMN segment TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN sla_generation INTEGER NOT NULL DEFAULT 0;
CREATE INDEX cases_active_sla_generation ON cases (sla_generation) WHERE status IN ('new', 'open', 'pending', 'on_hold');
