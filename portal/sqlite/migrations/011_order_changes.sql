-- Changes a customer makes to an order before it is packed (cancel, new
-- delivery address), shown on the order page and in the account history.
CREATE TABLE order_events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	customer_id INTEGER NOT NULL,
	kind TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);
CREATE INDEX order_events_customer ON order_events (customer_id, at);

CREATE TRIGGER order_events_history_ins AFTER INSERT ON order_events BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT NEW.customer_id, 1 ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER order_events_history_del AFTER DELETE ON order_events BEGIN
	INSERT INTO history_versions (customer_id, version) SELECT OLD.customer_id, 1 ON CONFLICT (customer_id) DO UPDATE SET version = version + 1;
END;

-- The delivery option chosen at checkout ('' for orders from the back office).
ALTER TABLE orders ADD COLUMN delivery_option TEXT NOT NULL DEFAULT '';
