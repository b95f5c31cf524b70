-- Changes a customer makes to an order before it is packed (cancel, new
-- delivery address), shown on the order page and in the account history.
CREATE TABLE order_events (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	customer_id BIGINT NOT NULL,
	kind TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '',
	at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);
CREATE INDEX order_events_customer ON order_events (customer_id, at);

CREATE TRIGGER order_events_history_insdel AFTER INSERT OR DELETE ON order_events FOR EACH ROW EXECUTE FUNCTION bump_history_version();

-- The delivery option chosen at checkout ('' for orders from the back office).
ALTER TABLE orders ADD COLUMN delivery_option TEXT NOT NULL DEFAULT '';
