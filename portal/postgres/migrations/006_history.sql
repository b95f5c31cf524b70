-- A version per customer, bumped by triggers whenever anything shown in the
-- customer's account history changes (updates that change nothing shown do
-- not count: a tracking event that leaves a parcel's status as it was does
-- not), so that the history page can be cached and checked with one
-- indexed read, on any node.
CREATE TABLE history_versions (
	customer_id BIGINT PRIMARY KEY,
	version BIGINT NOT NULL
);

CREATE FUNCTION bump_history_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'DELETE' AND NEW.customer_id IS NOT NULL THEN
		INSERT INTO history_versions AS h (customer_id, version) VALUES (NEW.customer_id, 1)
		ON CONFLICT (customer_id) DO UPDATE SET version = h.version + 1;
	END IF;
	IF TG_OP <> 'INSERT' AND OLD.customer_id IS NOT NULL AND (TG_OP = 'DELETE' OR OLD.customer_id IS DISTINCT FROM NEW.customer_id) THEN
		INSERT INTO history_versions AS h (customer_id, version) VALUES (OLD.customer_id, 1)
		ON CONFLICT (customer_id) DO UPDATE SET version = h.version + 1;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER orders_history_insdel AFTER INSERT OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER orders_history_upd AFTER UPDATE OF customer_id, number, status, total_minor, currency, placed_at ON orders FOR EACH ROW
	WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.number IS DISTINCT FROM NEW.number OR OLD.status IS DISTINCT FROM NEW.status OR OLD.total_minor IS DISTINCT FROM NEW.total_minor OR OLD.currency IS DISTINCT FROM NEW.currency OR OLD.placed_at IS DISTINCT FROM NEW.placed_at) EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER invoices_history_insdel AFTER INSERT OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER invoices_history_upd AFTER UPDATE OF customer_id, number, status, total_minor, currency, issued_at ON invoices FOR EACH ROW
	WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.number IS DISTINCT FROM NEW.number OR OLD.status IS DISTINCT FROM NEW.status OR OLD.total_minor IS DISTINCT FROM NEW.total_minor OR OLD.currency IS DISTINCT FROM NEW.currency OR OLD.issued_at IS DISTINCT FROM NEW.issued_at) EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER quotes_history_insdel AFTER INSERT OR DELETE ON quotes FOR EACH ROW EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER quotes_history_upd AFTER UPDATE OF customer_id, number, status, total_minor, currency, created_at ON quotes FOR EACH ROW
	WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.number IS DISTINCT FROM NEW.number OR OLD.status IS DISTINCT FROM NEW.status OR OLD.total_minor IS DISTINCT FROM NEW.total_minor OR OLD.currency IS DISTINCT FROM NEW.currency OR OLD.created_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER shipments_history_insdel AFTER INSERT OR DELETE ON shipments FOR EACH ROW EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER shipments_history_upd AFTER UPDATE OF customer_id, tracking_number, status, created_at ON shipments FOR EACH ROW
	WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.tracking_number IS DISTINCT FROM NEW.tracking_number OR OLD.status IS DISTINCT FROM NEW.status OR OLD.created_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER conversations_history_insdel AFTER INSERT OR DELETE ON conversations FOR EACH ROW EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER conversations_history_upd AFTER UPDATE OF customer_id, state, subject, created_at, last_seq ON conversations FOR EACH ROW
	WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.state IS DISTINCT FROM NEW.state OR OLD.subject IS DISTINCT FROM NEW.subject OR OLD.created_at IS DISTINCT FROM NEW.created_at OR (OLD.last_seq = 0) <> (NEW.last_seq = 0)) EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER cases_history_insdel AFTER INSERT OR DELETE ON cases FOR EACH ROW EXECUTE FUNCTION bump_history_version();
CREATE TRIGGER cases_history_upd AFTER UPDATE OF customer_id, status, updated_at ON cases FOR EACH ROW
	WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.status IS DISTINCT FROM NEW.status OR OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION bump_history_version();
