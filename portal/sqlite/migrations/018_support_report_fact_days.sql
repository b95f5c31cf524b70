-- The support report's facts packed by UTC day (issue 17): each row holds
-- every chat's or case's facts of one day (kind 'chat' or 'case') in one
-- binary block, rewritten from report_chat_facts / report_case_facts
-- whenever one of the day's items changes. A year's report reads 730
-- blocks instead of 200,000 rows.
CREATE TABLE report_fact_days (
	kind TEXT NOT NULL,
	day INTEGER NOT NULL,
	items INTEGER NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (kind, day)
);
