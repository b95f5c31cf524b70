-- Full-text search of cases (issue 16): the words of every message and
-- note, and of each case's subject and customer name, so that staff search
-- stays fast with 100,000 cases. Events are not searched.
CREATE INDEX case_entries_search ON case_entries USING gin (to_tsvector('simple', body)) WHERE kind <> 'event';
CREATE INDEX cases_search ON cases USING gin (to_tsvector('simple', subject || ' ' || name));
