-- Indexes the support report reads through without touching the tables
-- (each covers its query): the period's search counts, the articles
-- signed-in customers opened from a search (self-service deflection),
-- the no-result searches behind the content gaps, and each customer's
-- chats and cases by time for the deflection window. Cases by creation
-- time for the report's case figures, and their threads' messages and
-- replies for the next-response waits.
CREATE INDEX search_log_report ON search_log (created_at, hits, article_id);
CREATE INDEX search_log_opened ON search_log (created_at, user_id) WHERE article_id IS NOT NULL AND user_id IS NOT NULL;
CREATE INDEX search_log_no_result ON search_log (created_at, norm, query) WHERE hits = 0;
CREATE INDEX conversations_customer_created ON conversations (customer_id, created_at);
CREATE INDEX cases_customer_created ON cases (customer_id, created_at);
CREATE INDEX cases_created ON cases (created_at);
CREATE INDEX case_entries_report ON case_entries (case_id, id, kind, created_at);
