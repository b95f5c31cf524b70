-- Indexes the support report reads through without touching the tables
-- (each covers its query): the period's search counts, the articles
-- signed-in customers opened from a search (self-service deflection),
-- the no-result searches behind the content gaps, and each customer's
-- chats and cases by time for the deflection window. Cases by creation
-- time with every column the report's case figures read, their threads'
-- messages and replies for the next-response waits, and the first case
-- left in each chat.
CREATE INDEX search_log_report ON search_log (created_at, hits, article_id);
CREATE INDEX search_log_opened ON search_log (created_at, user_id) WHERE article_id IS NOT NULL AND user_id IS NOT NULL;
CREATE INDEX search_log_no_result ON search_log (created_at, norm, query) WHERE hits = 0;
CREATE INDEX conversations_customer_created ON conversations (customer_id, created_at);
CREATE INDEX cases_customer_created ON cases (customer_id, created_at);
CREATE INDEX cases_report ON cases (created_at, id, channel, priority, segment, status, merged_into_id, first_response_at, solved_at, sla_since, sla_spent, assignee_id, team_id);
CREATE INDEX cases_conversation_created ON cases (conversation_id, created_at) WHERE conversation_id IS NOT NULL;
CREATE INDEX case_entries_report ON case_entries (case_id, id, kind, created_at);
