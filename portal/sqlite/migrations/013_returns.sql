-- Returns and exchanges (issue 19): the request with its items, photos
-- and steps, the rules that decide them, and exchange reservations. Items
-- keep their order line's SKU, name and price, since the back office may
-- replace an order's lines.
CREATE TABLE return_policies (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	body TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE returns (
	id INTEGER PRIMARY KEY,
	order_id BIGINT NOT NULL REFERENCES orders (id),
	customer_id BIGINT NOT NULL REFERENCES users (id),
	kind TEXT NOT NULL CHECK (kind IN ('return', 'exchange')),
	status TEXT NOT NULL,
	reason TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	rma TEXT UNIQUE,
	shipping_paid_by TEXT NOT NULL,
	shipping_fee_minor BIGINT NOT NULL DEFAULT 0,
	refund_minor BIGINT NOT NULL DEFAULT 0,
	refunded_minor BIGINT NOT NULL DEFAULT 0,
	refund_reference TEXT NOT NULL DEFAULT '',
	currency TEXT NOT NULL,
	needs_approval INTEGER NOT NULL DEFAULT 0,
	carrier TEXT NOT NULL DEFAULT '',
	tracking_number TEXT NOT NULL DEFAULT '',
	shipment_id BIGINT REFERENCES shipments (id),
	decision_note TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX returns_customer ON returns (customer_id, created_at DESC);
CREATE INDEX returns_order ON returns (order_id);
CREATE INDEX returns_status ON returns (status, created_at DESC);
CREATE INDEX returns_shipment ON returns (shipment_id);

CREATE TABLE return_items (
	id INTEGER PRIMARY KEY,
	return_id BIGINT NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	sku TEXT NOT NULL,
	name TEXT NOT NULL,
	quantity INTEGER NOT NULL CHECK (quantity > 0),
	unit_price_minor BIGINT NOT NULL,
	category TEXT NOT NULL DEFAULT ''
);
CREATE INDEX return_items_return ON return_items (return_id);

CREATE TABLE return_photos (
	id INTEGER PRIMARY KEY,
	return_id BIGINT NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	stored_name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX return_photos_return ON return_photos (return_id);

CREATE TABLE return_events (
	id INTEGER PRIMARY KEY,
	return_id BIGINT NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	actor TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL
);
CREATE INDEX return_events_return ON return_events (return_id, id);

CREATE TABLE return_reservations (
	id INTEGER PRIMARY KEY,
	return_id BIGINT NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	sku TEXT NOT NULL,
	name TEXT NOT NULL,
	quantity INTEGER NOT NULL,
	status TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX return_reservations_return ON return_reservations (return_id);

-- Returns are in the account history: bump its version (see 006).
CREATE TRIGGER returns_history_ins AFTER INSERT ON returns BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER returns_history_upd AFTER UPDATE OF customer_id, status, rma, refund_minor, created_at ON returns
WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.status IS NOT NEW.status OR OLD.rma IS NOT NEW.rma OR OLD.refund_minor IS NOT NEW.refund_minor OR OLD.created_at IS NOT NEW.created_at BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL AND OLD.customer_id IS NOT NEW.customer_id ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER returns_history_del AFTER DELETE ON returns BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 WHERE OLD.customer_id IS NOT NULL ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
