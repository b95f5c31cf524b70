-- Times are TIMESTAMPTZ; the store reads them back in UTC.
CREATE TABLE users (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL CHECK (role IN ('customer', 'agent', 'editor', 'admin')),
	password_hash TEXT NOT NULL DEFAULT '',
	time_zone TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	disabled_at TIMESTAMPTZ
);
CREATE INDEX users_role ON users (role);

CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	user_agent TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE password_resets (
	token_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at TIMESTAMPTZ
);

CREATE TABLE outbox (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	sent_at TIMESTAMPTZ,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	next_attempt_at TIMESTAMPTZ NOT NULL,
	locked_until TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_to ON outbox (to_addr);

CREATE TABLE audit_log (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	actor_id BIGINT NOT NULL,
	actor_email TEXT NOT NULL,
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	at TIMESTAMPTZ NOT NULL
);

CREATE TABLE rate_limits (
	key TEXT NOT NULL,
	window_start TIMESTAMPTZ NOT NULL,
	window_end TIMESTAMPTZ NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (key, window_start)
);

CREATE TABLE orders (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	customer_id BIGINT NOT NULL REFERENCES users (id),
	email TEXT NOT NULL,
	status TEXT NOT NULL,
	payment_status TEXT NOT NULL,
	currency TEXT NOT NULL,
	subtotal_minor BIGINT NOT NULL,
	shipping_minor BIGINT NOT NULL,
	tax_minor BIGINT NOT NULL,
	total_minor BIGINT NOT NULL,
	shipping_address TEXT NOT NULL,
	billing_address TEXT NOT NULL,
	shipping_postcode TEXT NOT NULL DEFAULT '',
	placed_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, placed_at DESC);

CREATE TABLE order_items (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	sku TEXT NOT NULL,
	name TEXT NOT NULL,
	quantity INTEGER NOT NULL CHECK (quantity > 0),
	unit_price_minor BIGINT NOT NULL,
	total_minor BIGINT NOT NULL,
	config TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_items_order ON order_items (order_id, position);

CREATE TABLE invoices (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	order_id BIGINT NOT NULL REFERENCES orders (id),
	customer_id BIGINT NOT NULL REFERENCES users (id),
	currency TEXT NOT NULL,
	total_minor BIGINT NOT NULL,
	tax_minor BIGINT NOT NULL,
	status TEXT NOT NULL,
	issued_at TIMESTAMPTZ NOT NULL,
	due_at TIMESTAMPTZ NOT NULL,
	paid_at TIMESTAMPTZ
);
CREATE INDEX invoices_customer ON invoices (customer_id, issued_at DESC);
CREATE INDEX invoices_order ON invoices (order_id);

CREATE TABLE shipments (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	order_id BIGINT NOT NULL REFERENCES orders (id),
	customer_id BIGINT NOT NULL REFERENCES users (id),
	carrier TEXT NOT NULL,
	tracking_number TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL,
	estimated_delivery TIMESTAMPTZ,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX shipments_customer ON shipments (customer_id, created_at DESC);
CREATE INDEX shipments_order ON shipments (order_id);

CREATE TABLE tracking_events (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	shipment_id BIGINT NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
	source TEXT NOT NULL,
	event_id TEXT NOT NULL,
	carrier TEXT NOT NULL,
	status TEXT NOT NULL,
	sub_status TEXT NOT NULL DEFAULT '',
	raw_status TEXT NOT NULL DEFAULT '',
	message TEXT NOT NULL DEFAULT '',
	city TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	occurred_at TIMESTAMPTZ NOT NULL,
	local_offset_minutes INTEGER NOT NULL DEFAULT 0,
	received_at TIMESTAMPTZ NOT NULL,
	UNIQUE (shipment_id, source, event_id)
);
CREATE INDEX tracking_events_time ON tracking_events (shipment_id, occurred_at DESC);

CREATE TABLE categories (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	parent_id BIGINT REFERENCES categories (id),
	position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	category_id BIGINT REFERENCES categories (id),
	tags TEXT NOT NULL DEFAULT '[]',
	phrasings TEXT NOT NULL DEFAULT '[]',
	locale TEXT NOT NULL DEFAULT 'en',
	status TEXT NOT NULL,
	author_id BIGINT REFERENCES users (id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	published_at TIMESTAMPTZ
);
CREATE INDEX articles_status ON articles (status, locale);
