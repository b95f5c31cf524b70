-- The staff's case views read only active cases (new, open, pending, on
-- hold): partial indexes in the order each view pages, so a page and its
-- count touch active cases only, with 100,000 cases of which most are done.
-- Queries spell the predicate exactly so that both databases use them.
CREATE INDEX cases_active_id ON cases (id) WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX cases_active_assignee ON cases (assignee_id, id) WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX cases_active_team ON cases (team_id, id) WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX cases_active_due ON cases (due_at) WHERE status IN ('new', 'open', 'pending', 'on_hold');
