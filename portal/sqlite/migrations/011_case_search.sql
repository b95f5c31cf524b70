-- Full-text search of cases (issue 16): the words of every message and
-- note, and of each case's subject and customer name, so that staff search
-- stays fast with 100,000 cases. Events are not searched.
CREATE VIRTUAL TABLE case_entries_fts USING fts5(body, content='case_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
INSERT INTO case_entries_fts (rowid, body) SELECT id, body FROM case_entries WHERE kind <> 'event';
CREATE TRIGGER case_entries_fts_ins AFTER INSERT ON case_entries WHEN NEW.kind <> 'event' BEGIN
	INSERT INTO case_entries_fts (rowid, body) VALUES (NEW.id, NEW.body);
END;
CREATE TRIGGER case_entries_fts_del AFTER DELETE ON case_entries WHEN OLD.kind <> 'event' BEGIN
	INSERT INTO case_entries_fts (case_entries_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body);
END;
CREATE TRIGGER case_entries_fts_upd AFTER UPDATE OF body ON case_entries WHEN OLD.kind <> 'event' BEGIN
	INSERT INTO case_entries_fts (case_entries_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body);
	INSERT INTO case_entries_fts (rowid, body) VALUES (NEW.id, NEW.body);
END;

CREATE VIRTUAL TABLE cases_fts USING fts5(subject, name, content='cases', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
INSERT INTO cases_fts (rowid, subject, name) SELECT id, subject, name FROM cases;
CREATE TRIGGER cases_fts_ins AFTER INSERT ON cases BEGIN
	INSERT INTO cases_fts (rowid, subject, name) VALUES (NEW.id, NEW.subject, NEW.name);
END;
CREATE TRIGGER cases_fts_del AFTER DELETE ON cases BEGIN
	INSERT INTO cases_fts (cases_fts, rowid, subject, name) VALUES ('delete', OLD.id, OLD.subject, OLD.name);
END;
CREATE TRIGGER cases_fts_upd AFTER UPDATE OF subject, name ON cases BEGIN
	INSERT INTO cases_fts (cases_fts, rowid, subject, name) VALUES ('delete', OLD.id, OLD.subject, OLD.name);
	INSERT INTO cases_fts (rowid, subject, name) VALUES (NEW.id, NEW.subject, NEW.name);
END;
