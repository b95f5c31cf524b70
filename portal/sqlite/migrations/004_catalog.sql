CREATE TABLE products (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE catalog_versions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	product_id INTEGER NOT NULL REFERENCES products (id),
	version INTEGER NOT NULL,
	status TEXT NOT NULL,
	catalog TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	published_at INTEGER,
	UNIQUE (product_id, version)
);
CREATE INDEX catalog_versions_status ON catalog_versions (product_id, status, version DESC);

CREATE TABLE quotes (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	number TEXT NOT NULL UNIQUE,
	customer_id INTEGER NOT NULL REFERENCES users (id),
	product_id INTEGER NOT NULL REFERENCES products (id),
	version_id INTEGER NOT NULL REFERENCES catalog_versions (id),
	config TEXT NOT NULL,
	breakdown TEXT NOT NULL,
	currency TEXT NOT NULL,
	total_minor INTEGER NOT NULL,
	status TEXT NOT NULL,
	order_id INTEGER REFERENCES orders (id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX quotes_customer ON quotes (customer_id, created_at DESC);
