-- One node at a time refreshes the support report's marked facts (issue
-- 17): a node that read an item before another node's newer read must not
-- write its older facts last.
ALTER TABLE report_facts_state ADD COLUMN refresh_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE report_facts_state ADD COLUMN refresh_until TIMESTAMPTZ;
