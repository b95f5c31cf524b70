-- The support report's facts (issue 17): one row per conversation and per
-- case with what the report sums (who handled it, hand-off, waits and
-- times to close in wall and business time, CSAT, SLA outcomes or the due
-- times that decide them), worked out by the server when an item changes
-- and when the settings the facts depend on change. A report then reads
-- narrow rows in creation order instead of every chat, case and thread
-- entry of the period. Triggers mark the items whose facts are out of
-- date; the server refreshes them before a report.
CREATE TABLE report_chat_facts (
	conversation_id BIGINT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	handler_id BIGINT,
	flags INTEGER NOT NULL,
	wait_ns BIGINT,
	business_wait_ns BIGINT,
	resolution_ns BIGINT,
	business_resolution_ns BIGINT,
	rating INTEGER NOT NULL,
	comment TEXT NOT NULL,
	comment_at TIMESTAMPTZ,
	PRIMARY KEY (created_at, conversation_id)
);
CREATE UNIQUE INDEX report_chat_facts_id ON report_chat_facts (conversation_id);
CREATE TABLE report_case_facts (
	case_id BIGINT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	channel TEXT NOT NULL,
	handler_id BIGINT,
	team_id BIGINT,
	flags INTEGER NOT NULL,
	first_response_ns BIGINT,
	first_response_sla INTEGER NOT NULL,
	first_response_due TIMESTAMPTZ,
	next_met INTEGER NOT NULL,
	next_breached INTEGER NOT NULL,
	next_due TIMESTAMPTZ,
	resolution_ns BIGINT,
	resolution_sla INTEGER NOT NULL,
	resolution_due TIMESTAMPTZ,
	PRIMARY KEY (created_at, case_id)
);
CREATE UNIQUE INDEX report_case_facts_id ON report_case_facts (case_id);
CREATE TABLE report_facts_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	fingerprint TEXT NOT NULL,
	built BOOLEAN NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
-- n counts the changes, so that a refresh clears only marks it has seen.
CREATE TABLE report_fact_dirty (
	kind TEXT NOT NULL,
	item_id BIGINT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (kind, item_id)
);

CREATE FUNCTION report_fact_mark(k TEXT, id BIGINT) RETURNS void LANGUAGE sql AS $$
	INSERT INTO report_fact_dirty AS d (kind, item_id, n) VALUES (k, id, 1)
	ON CONFLICT (kind, item_id) DO UPDATE SET n = d.n + 1;
$$;

CREATE FUNCTION report_facts_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM report_fact_mark('chat', OLD.id);
	ELSE
		PERFORM report_fact_mark('chat', NEW.id);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER report_facts_conversation_insdel AFTER INSERT OR DELETE ON conversations FOR EACH ROW EXECUTE FUNCTION report_facts_conversation();
CREATE TRIGGER report_facts_conversation_upd AFTER UPDATE OF created_at, agent_id, bot_failures, queued_at, closed_at, rating, rating_comment, first_agent_at, bot_messages ON conversations FOR EACH ROW
	WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.agent_id IS DISTINCT FROM NEW.agent_id OR OLD.bot_failures IS DISTINCT FROM NEW.bot_failures
		OR OLD.queued_at IS DISTINCT FROM NEW.queued_at OR OLD.closed_at IS DISTINCT FROM NEW.closed_at OR OLD.rating IS DISTINCT FROM NEW.rating
		OR OLD.rating_comment IS DISTINCT FROM NEW.rating_comment OR OLD.first_agent_at IS DISTINCT FROM NEW.first_agent_at OR OLD.bot_messages IS DISTINCT FROM NEW.bot_messages)
	EXECUTE FUNCTION report_facts_conversation();

CREATE FUNCTION report_facts_vote() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM report_fact_mark('chat', NEW.conversation_id);
	RETURN NULL;
END
$$;
CREATE TRIGGER report_facts_vote AFTER INSERT OR UPDATE ON chat_answer_votes FOR EACH ROW EXECUTE FUNCTION report_facts_vote();

CREATE FUNCTION report_facts_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'DELETE' THEN
		PERFORM report_fact_mark('case', NEW.id);
		IF NEW.conversation_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.conversation_id IS DISTINCT FROM OLD.conversation_id OR NEW.created_at IS DISTINCT FROM OLD.created_at) THEN
			PERFORM report_fact_mark('chat', NEW.conversation_id);
		END IF;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		IF TG_OP = 'DELETE' THEN
			PERFORM report_fact_mark('case', OLD.id);
		END IF;
		IF OLD.conversation_id IS NOT NULL AND (TG_OP = 'DELETE' OR NEW.conversation_id IS DISTINCT FROM OLD.conversation_id) THEN
			PERFORM report_fact_mark('chat', OLD.conversation_id);
		END IF;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER report_facts_case_insdel AFTER INSERT OR DELETE ON cases FOR EACH ROW EXECUTE FUNCTION report_facts_case();
CREATE TRIGGER report_facts_case_upd AFTER UPDATE OF created_at, channel, priority, segment, status, merged_into_id, first_response_at, solved_at, sla_since, sla_spent, assignee_id, team_id, conversation_id ON cases FOR EACH ROW
	WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.channel IS DISTINCT FROM NEW.channel OR OLD.priority IS DISTINCT FROM NEW.priority OR OLD.segment IS DISTINCT FROM NEW.segment OR OLD.status IS DISTINCT FROM NEW.status OR OLD.merged_into_id IS DISTINCT FROM NEW.merged_into_id OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at OR OLD.solved_at IS DISTINCT FROM NEW.solved_at OR OLD.sla_since IS DISTINCT FROM NEW.sla_since OR OLD.sla_spent IS DISTINCT FROM NEW.sla_spent OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id OR OLD.team_id IS DISTINCT FROM NEW.team_id OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id)
	EXECUTE FUNCTION report_facts_case();

CREATE FUNCTION report_facts_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'DELETE' THEN
		PERFORM report_fact_mark('case', NEW.case_id);
	END IF;
	IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' AND OLD.case_id IS DISTINCT FROM NEW.case_id THEN
		PERFORM report_fact_mark('case', OLD.case_id);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER report_facts_entry_insdel AFTER INSERT OR DELETE ON case_entries FOR EACH ROW EXECUTE FUNCTION report_facts_entry();
CREATE TRIGGER report_facts_entry_upd AFTER UPDATE OF case_id, kind, author_id, created_at ON case_entries FOR EACH ROW EXECUTE FUNCTION report_facts_entry();
