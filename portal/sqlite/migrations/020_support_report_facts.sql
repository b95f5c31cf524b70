-- The support report's facts (issue 17): one row per conversation and per
-- case with what the report sums (who handled it, hand-off, waits and
-- times to close in wall and business time, CSAT, SLA outcomes or the due
-- times that decide them), worked out by the server when an item changes
-- and when the settings the facts depend on change. A report then reads
-- narrow rows in creation order instead of every chat, case and thread
-- entry of the period. Triggers mark the items whose facts are out of
-- date; the server refreshes them before a report.
CREATE TABLE report_chat_facts (
	conversation_id INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	handler_id INTEGER,
	flags INTEGER NOT NULL,
	wait_ns INTEGER,
	business_wait_ns INTEGER,
	resolution_ns INTEGER,
	business_resolution_ns INTEGER,
	rating INTEGER NOT NULL,
	comment TEXT NOT NULL,
	comment_at INTEGER,
	PRIMARY KEY (created_at, conversation_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX report_chat_facts_id ON report_chat_facts (conversation_id);
CREATE TABLE report_case_facts (
	case_id INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	channel TEXT NOT NULL,
	handler_id INTEGER,
	team_id INTEGER,
	flags INTEGER NOT NULL,
	first_response_ns INTEGER,
	first_response_sla INTEGER NOT NULL,
	first_response_due INTEGER,
	next_met INTEGER NOT NULL,
	next_breached INTEGER NOT NULL,
	next_due INTEGER,
	resolution_ns INTEGER,
	resolution_sla INTEGER NOT NULL,
	resolution_due INTEGER,
	PRIMARY KEY (created_at, case_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX report_case_facts_id ON report_case_facts (case_id);
CREATE TABLE report_facts_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	fingerprint TEXT NOT NULL,
	built INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
-- n counts the changes, so that a refresh clears only marks it has seen.
CREATE TABLE report_fact_dirty (
	kind TEXT NOT NULL,
	item_id INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (kind, item_id)
) WITHOUT ROWID;

CREATE TRIGGER report_facts_conversation_ins AFTER INSERT ON conversations BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('chat', NEW.id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_facts_conversation_upd AFTER UPDATE OF created_at, agent_id, bot_failures, queued_at, closed_at, rating, rating_comment, first_agent_at, bot_messages ON conversations
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.agent_id IS NOT NEW.agent_id OR OLD.bot_failures IS NOT NEW.bot_failures OR OLD.queued_at IS NOT NEW.queued_at
	OR OLD.closed_at IS NOT NEW.closed_at OR OLD.rating IS NOT NEW.rating OR OLD.rating_comment IS NOT NEW.rating_comment
	OR OLD.first_agent_at IS NOT NEW.first_agent_at OR OLD.bot_messages IS NOT NEW.bot_messages BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('chat', NEW.id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_facts_conversation_del AFTER DELETE ON conversations BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('chat', OLD.id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_facts_vote_ins AFTER INSERT ON chat_answer_votes BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('chat', NEW.conversation_id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_facts_vote_upd AFTER UPDATE ON chat_answer_votes BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('chat', NEW.conversation_id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_facts_case_ins AFTER INSERT ON cases BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('case', NEW.id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
	INSERT INTO report_fact_dirty (kind, item_id, n) SELECT 'chat', NEW.conversation_id, 1 WHERE NEW.conversation_id IS NOT NULL ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_facts_case_upd AFTER UPDATE OF created_at, channel, priority, segment, status, merged_into_id, first_response_at, solved_at, sla_since, sla_spent, assignee_id, team_id, conversation_id ON cases
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.channel IS NOT NEW.channel OR OLD.priority IS NOT NEW.priority OR OLD.segment IS NOT NEW.segment OR OLD.status IS NOT NEW.status OR OLD.merged_into_id IS NOT NEW.merged_into_id OR OLD.first_response_at IS NOT NEW.first_response_at OR OLD.solved_at IS NOT NEW.solved_at OR OLD.sla_since IS NOT NEW.sla_since OR OLD.sla_spent IS NOT NEW.sla_spent OR OLD.assignee_id IS NOT NEW.assignee_id OR OLD.team_id IS NOT NEW.team_id OR OLD.conversation_id IS NOT NEW.conversation_id BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('case', NEW.id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
	INSERT INTO report_fact_dirty (kind, item_id, n) SELECT 'chat', NEW.conversation_id, 1 WHERE NEW.conversation_id IS NOT NULL AND (NEW.conversation_id IS NOT OLD.conversation_id OR NEW.created_at IS NOT OLD.created_at) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
	INSERT INTO report_fact_dirty (kind, item_id, n) SELECT 'chat', OLD.conversation_id, 1 WHERE OLD.conversation_id IS NOT NULL AND NEW.conversation_id IS NOT OLD.conversation_id ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_facts_case_del AFTER DELETE ON cases BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('case', OLD.id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
	INSERT INTO report_fact_dirty (kind, item_id, n) SELECT 'chat', OLD.conversation_id, 1 WHERE OLD.conversation_id IS NOT NULL ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_facts_entry_ins AFTER INSERT ON case_entries BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('case', NEW.case_id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_facts_entry_upd AFTER UPDATE OF case_id, kind, author_id, created_at ON case_entries BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('case', NEW.case_id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
	INSERT INTO report_fact_dirty (kind, item_id, n) SELECT 'case', OLD.case_id, 1 WHERE OLD.case_id IS NOT NEW.case_id ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_facts_entry_del AFTER DELETE ON case_entries BEGIN
	INSERT INTO report_fact_dirty (kind, item_id, n) VALUES ('case', OLD.case_id, 1) ON CONFLICT (kind, item_id) DO UPDATE SET n = n + 1;
END;
