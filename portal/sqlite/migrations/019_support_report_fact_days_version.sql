-- A day block's version (issue 17): a random number written with each
-- rewrite, so that a node keeping decoded blocks in memory reads only the
-- blocks that changed.
ALTER TABLE report_fact_days ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
