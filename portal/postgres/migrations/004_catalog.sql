CREATE TABLE products (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE catalog_versions (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	product_id BIGINT NOT NULL REFERENCES products (id),
	version INTEGER NOT NULL,
	status TEXT NOT NULL,
	catalog TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	published_at TIMESTAMPTZ,
	UNIQUE (product_id, version)
);
CREATE INDEX catalog_versions_status ON catalog_versions (product_id, status, version DESC);

CREATE TABLE quotes (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	customer_id BIGINT NOT NULL REFERENCES users (id),
	product_id BIGINT NOT NULL REFERENCES products (id),
	version_id BIGINT NOT NULL REFERENCES catalog_versions (id),
	config TEXT NOT NULL,
	breakdown TEXT NOT NULL,
	currency TEXT NOT NULL,
	total_minor BIGINT NOT NULL,
	status TEXT NOT NULL,
	order_id BIGINT REFERENCES orders (id),
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX quotes_customer ON quotes (customer_id, created_at DESC);
