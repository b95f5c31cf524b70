-- A version per customer, bumped by triggers whenever anything shown in the
-- customer's account history changes (updates that change nothing shown do
-- not count: a tracking event that leaves a parcel's status as it was does
-- not), so that the history page can be cached and checked with one
-- indexed read, on any node.
CREATE TABLE history_versions (
	customer_id INTEGER PRIMARY KEY,
	version INTEGER NOT NULL
);

CREATE TRIGGER orders_history_ins AFTER INSERT ON orders BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER orders_history_upd AFTER UPDATE OF customer_id, number, status, total_minor, currency, placed_at ON orders
WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.number IS NOT NEW.number OR OLD.status IS NOT NEW.status OR OLD.total_minor IS NOT NEW.total_minor OR OLD.currency IS NOT NEW.currency OR OLD.placed_at IS NOT NEW.placed_at BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL AND OLD.customer_id IS NOT NEW.customer_id ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER orders_history_del AFTER DELETE ON orders BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER invoices_history_ins AFTER INSERT ON invoices BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER invoices_history_upd AFTER UPDATE OF customer_id, number, status, total_minor, currency, issued_at ON invoices
WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.number IS NOT NEW.number OR OLD.status IS NOT NEW.status OR OLD.total_minor IS NOT NEW.total_minor OR OLD.currency IS NOT NEW.currency OR OLD.issued_at IS NOT NEW.issued_at BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL AND OLD.customer_id IS NOT NEW.customer_id ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER invoices_history_del AFTER DELETE ON invoices BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER quotes_history_ins AFTER INSERT ON quotes BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER quotes_history_upd AFTER UPDATE OF customer_id, number, status, total_minor, currency, created_at ON quotes
WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.number IS NOT NEW.number OR OLD.status IS NOT NEW.status OR OLD.total_minor IS NOT NEW.total_minor OR OLD.currency IS NOT NEW.currency OR OLD.created_at IS NOT NEW.created_at BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL AND OLD.customer_id IS NOT NEW.customer_id ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER quotes_history_del AFTER DELETE ON quotes BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER shipments_history_ins AFTER INSERT ON shipments BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER shipments_history_upd AFTER UPDATE OF customer_id, tracking_number, status, created_at ON shipments
WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.tracking_number IS NOT NEW.tracking_number OR OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL AND OLD.customer_id IS NOT NEW.customer_id ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER shipments_history_del AFTER DELETE ON shipments BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER conversations_history_ins AFTER INSERT ON conversations BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER conversations_history_upd AFTER UPDATE OF customer_id, state, subject, created_at, last_seq ON conversations
WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.state IS NOT NEW.state OR OLD.subject IS NOT NEW.subject OR OLD.created_at IS NOT NEW.created_at OR (OLD.last_seq = 0) <> (NEW.last_seq = 0) BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL AND OLD.customer_id IS NOT NEW.customer_id ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER conversations_history_del AFTER DELETE ON conversations BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER cases_history_ins AFTER INSERT ON cases BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER cases_history_upd AFTER UPDATE OF customer_id, status, updated_at ON cases
WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.status IS NOT NEW.status OR OLD.updated_at IS NOT NEW.updated_at BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL AND OLD.customer_id IS NOT NEW.customer_id ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER cases_history_del AFTER DELETE ON cases BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
