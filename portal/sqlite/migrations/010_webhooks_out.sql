-- Outbound webhooks: the retailer's endpoints, and an outbox of events
-- written in the same transaction as the change they report, delivered by
-- a background worker (see docs/webhooks-out.md).
CREATE TABLE webhook_endpoints (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	url TEXT NOT NULL,
	secret TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	disabled_at INTEGER
);

-- One row per subscribed type or pattern ("order.cancelled", "order.*", "*").
CREATE TABLE webhook_endpoint_events (
	endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
	event TEXT NOT NULL,
	PRIMARY KEY (endpoint_id, event)
);
CREATE INDEX webhook_endpoint_events_event ON webhook_endpoint_events (event);

CREATE TABLE webhook_events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	event_id TEXT NOT NULL UNIQUE,
	type TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	event_id INTEGER NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
	endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	last_status_code INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	locked_until INTEGER,
	delivered_at INTEGER,
	created_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('scheduled', 'retrying');
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
