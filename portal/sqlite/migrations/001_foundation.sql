-- Times are INTEGER microseconds since the Unix epoch, UTC.
CREATE TABLE users (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL CHECK (role IN ('customer', 'agent', 'editor', 'admin')),
	password_hash TEXT NOT NULL DEFAULT '',
	time_zone TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	disabled_at INTEGER
);
CREATE INDEX users_role ON users (role);

CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	user_agent TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE password_resets (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER
);

CREATE TABLE outbox (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	sent_at INTEGER,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	next_attempt_at INTEGER NOT NULL,
	locked_until INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_to ON outbox (to_addr);

CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	actor_id INTEGER NOT NULL,
	actor_email TEXT NOT NULL,
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL
);

CREATE TABLE rate_limits (
	key TEXT NOT NULL,
	window_start INTEGER NOT NULL,
	window_end INTEGER NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (key, window_start)
);

CREATE TABLE orders (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	number TEXT NOT NULL UNIQUE,
	customer_id INTEGER NOT NULL REFERENCES users (id),
	email TEXT NOT NULL,
	status TEXT NOT NULL,
	payment_status TEXT NOT NULL,
	currency TEXT NOT NULL,
	subtotal_minor INTEGER NOT NULL,
	shipping_minor INTEGER NOT NULL,
	tax_minor INTEGER NOT NULL,
	total_minor INTEGER NOT NULL,
	shipping_address TEXT NOT NULL,
	billing_address TEXT NOT NULL,
	shipping_postcode TEXT NOT NULL DEFAULT '',
	placed_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, placed_at DESC);

CREATE TABLE order_items (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	sku TEXT NOT NULL,
	name TEXT NOT NULL,
	quantity INTEGER NOT NULL CHECK (quantity > 0),
	unit_price_minor INTEGER NOT NULL,
	total_minor INTEGER NOT NULL,
	config TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_items_order ON order_items (order_id, position);

CREATE TABLE invoices (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	number TEXT NOT NULL UNIQUE,
	order_id INTEGER NOT NULL REFERENCES orders (id),
	customer_id INTEGER NOT NULL REFERENCES users (id),
	currency TEXT NOT NULL,
	total_minor INTEGER NOT NULL,
	tax_minor INTEGER NOT NULL,
	status TEXT NOT NULL,
	issued_at INTEGER NOT NULL,
	due_at INTEGER NOT NULL,
	paid_at INTEGER
);
CREATE INDEX invoices_customer ON invoices (customer_id, issued_at DESC);
CREATE INDEX invoices_order ON invoices (order_id);

CREATE TABLE shipments (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	order_id INTEGER NOT NULL REFERENCES orders (id),
	customer_id INTEGER NOT NULL REFERENCES users (id),
	carrier TEXT NOT NULL,
	tracking_number TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL,
	estimated_delivery INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX shipments_customer ON shipments (customer_id, created_at DESC);
CREATE INDEX shipments_order ON shipments (order_id);

CREATE TABLE tracking_events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
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
	occurred_at INTEGER NOT NULL,
	local_offset_minutes INTEGER NOT NULL DEFAULT 0,
	received_at INTEGER NOT NULL,
	UNIQUE (shipment_id, source, event_id)
);
CREATE INDEX tracking_events_time ON tracking_events (shipment_id, occurred_at DESC);

CREATE TABLE categories (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	parent_id INTEGER REFERENCES categories (id),
	position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	category_id INTEGER REFERENCES categories (id),
	tags TEXT NOT NULL DEFAULT '[]',
	phrasings TEXT NOT NULL DEFAULT '[]',
	locale TEXT NOT NULL DEFAULT 'en',
	status TEXT NOT NULL,
	author_id INTEGER REFERENCES users (id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	published_at INTEGER
);
CREATE INDEX articles_status ON articles (status, locale);
