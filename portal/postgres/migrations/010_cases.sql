-- Case management (issue 16): a case is worked by staff (status, priority,
-- assignee, team, tags), carries a thread of entries of every kind
-- (customer messages from the portal, email or chat, agent replies, internal
-- notes, automatic events), attachments, SLA due times in business hours
-- and the escalations that fired. Existing cases keep their numbers; their
-- message and replies become entries.
CREATE TABLE teams (
	id BIGSERIAL PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	lead_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE team_members (
	team_id BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- Business-hours calendars: hours is JSON [[weekday, open minute, close minute], ...]
-- (weekday 0 = Sunday, minutes from local midnight), holidays JSON ["YYYY-MM-DD", ...].
CREATE TABLE sla_calendars (
	id BIGSERIAL PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	time_zone TEXT NOT NULL,
	hours TEXT NOT NULL,
	holidays TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO sla_calendars (id, name, time_zone, hours, holidays) VALUES
	(1, 'Business hours', 'UTC', '[[1,540,1020],[2,540,1020],[3,540,1020],[4,540,1020],[5,540,1020]]', '[]');
SELECT setval(pg_get_serial_sequence('sla_calendars', 'id'), 1);
-- One policy per priority; targets in business minutes, 0 = none.
CREATE TABLE sla_policies (
	priority TEXT PRIMARY KEY CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	calendar_id BIGINT NOT NULL REFERENCES sla_calendars (id),
	first_response_minutes INTEGER NOT NULL,
	next_response_minutes INTEGER NOT NULL,
	resolution_minutes INTEGER NOT NULL
);
INSERT INTO sla_policies VALUES ('low', 1, 1440, 1440, 7200), ('normal', 1, 480, 480, 2400), ('high', 1, 120, 240, 960), ('urgent', 1, 30, 60, 240);
-- Escalation rules: at percent of a target (100 = at breach) do action.
CREATE TABLE escalation_rules (
	id BIGSERIAL PRIMARY KEY,
	metric TEXT NOT NULL CHECK (metric IN ('first_response', 'next_response', 'resolution')),
	percent INTEGER NOT NULL CHECK (percent BETWEEN 1 AND 1000),
	action TEXT NOT NULL CHECK (action IN ('raise_priority', 'assign_team', 'assign_user', 'notify_lead')),
	team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE,
	user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
	enabled INTEGER NOT NULL DEFAULT 1
);
INSERT INTO escalation_rules (metric, percent, action) VALUES ('first_response', 80, 'notify_lead'), ('first_response', 100, 'raise_priority'), ('resolution', 100, 'notify_lead');

ALTER TABLE cases ADD COLUMN token TEXT;
ALTER TABLE cases ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT 'chat';
ALTER TABLE cases ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE cases ADD COLUMN order_id BIGINT REFERENCES orders (id) ON DELETE SET NULL;
ALTER TABLE cases ADD COLUMN assignee_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE cases ADD COLUMN team_id BIGINT REFERENCES teams (id) ON DELETE SET NULL;
-- tags as ' a b ' (each tag between spaces), so one LIKE finds a tag.
ALTER TABLE cases ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN merged_into_id BIGINT REFERENCES cases (id);
ALTER TABLE cases ADD COLUMN first_response_at TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN last_customer_at TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN last_agent_at TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN solved_at TIMESTAMPTZ;
-- SLA clocks: due times (NULL when met, not applicable or paused), the
-- start of the next-response clock, and the resolution clock's business
-- seconds spent before sla_since (NULL while paused in pending).
ALTER TABLE cases ADD COLUMN first_response_due TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN next_response_from TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN next_response_due TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN resolution_due TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN sla_since TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN sla_spent BIGINT NOT NULL DEFAULT 0;
-- due_at: the earliest of the three due times, for views and escalation.
ALTER TABLE cases ADD COLUMN due_at TIMESTAMPTZ;

UPDATE cases SET token = replace(gen_random_uuid()::text, '-', ''), status = CASE status WHEN 'answered' THEN 'pending' WHEN 'closed' THEN 'closed' ELSE 'open' END,
	subject = substr(translate(body, E'\n\r', '  '), 1, 80), last_customer_at = created_at, sla_since = created_at;
CREATE UNIQUE INDEX cases_token ON cases (token);
CREATE INDEX cases_status_due ON cases (status, due_at);
CREATE INDEX cases_assignee ON cases (assignee_id, status, id DESC);
CREATE INDEX cases_team ON cases (team_id, status, id DESC);
CREATE INDEX cases_order ON cases (order_id);
CREATE INDEX cases_status_id ON cases (status, id DESC);

-- The thread. kind: customer (a message from the customer, any channel),
-- reply (an agent's answer, sent to the customer), note (internal, staff
-- only), event (an automatic or staff action, for the history).
-- channel: portal, email, chat, api, agent, system. message_id,
-- in_reply_to and refs carry email threading (message_id is unique).
CREATE TABLE case_entries (
	id BIGSERIAL PRIMARY KEY,
	case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('customer', 'reply', 'note', 'event')),
	channel TEXT NOT NULL,
	author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
	author_name TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	message_id TEXT,
	in_reply_to TEXT NOT NULL DEFAULT '',
	refs TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_entries_case ON case_entries (case_id, id);
CREATE UNIQUE INDEX case_entries_message_id ON case_entries (message_id) WHERE message_id IS NOT NULL;

INSERT INTO case_entries (case_id, kind, channel, author_id, author_name, body, created_at)
	SELECT id, 'customer', channel, customer_id, name, body, created_at FROM cases;
INSERT INTO case_entries (case_id, kind, channel, author_id, author_name, body, created_at)
	SELECT r.case_id, 'reply', 'agent', r.author_id, COALESCE(u.name, ''), r.body, r.created_at FROM case_replies r LEFT JOIN users u ON u.id = r.author_id ORDER BY r.id;
UPDATE cases SET first_response_at = (SELECT MIN(created_at) FROM case_replies r WHERE r.case_id = cases.id),
	last_agent_at = (SELECT MAX(created_at) FROM case_replies r WHERE r.case_id = cases.id);
DROP TABLE case_replies;

-- Files attached to an entry, stored under storage_key (a path below the
-- data directory's attachments folder, or another store's key).
CREATE TABLE case_attachments (
	id BIGSERIAL PRIMARY KEY,
	case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	entry_id BIGINT NOT NULL REFERENCES case_entries (id) ON DELETE CASCADE,
	filename TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	storage_key TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_attachments_entry ON case_attachments (entry_id);
CREATE INDEX case_attachments_case ON case_attachments (case_id);

-- Escalations and notices that fired, one row per case and key: the
-- primary key makes each fire once however many nodes evaluate.
CREATE TABLE case_escalations (
	case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (case_id, key)
);
-- Once-only jobs across nodes (the daily digest): the key names the period.
CREATE TABLE job_runs (
	key TEXT PRIMARY KEY,
	node TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);
-- Alerts for staff in the agent console.
CREATE TABLE staff_notifications (
	id BIGSERIAL PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	case_id BIGINT REFERENCES cases (id) ON DELETE CASCADE,
	body TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	read_at TIMESTAMPTZ
);
CREATE INDEX staff_notifications_user ON staff_notifications (user_id, id DESC);
