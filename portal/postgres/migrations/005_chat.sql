-- Chat (times TIMESTAMPTZ): conversations, messages with a gap-free per-conversation sequence,
-- agent presence, cases left when nobody could take a chat, settings.
CREATE TABLE conversations (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	visitor_id TEXT NOT NULL DEFAULT '',
	customer_id BIGINT REFERENCES users (id),
	state TEXT NOT NULL CHECK (state IN ('bot', 'queued', 'agent', 'closed')),
	agent_id BIGINT REFERENCES users (id),
	bot_failures INTEGER NOT NULL DEFAULT 0,
	last_seq BIGINT NOT NULL DEFAULT 0,
	subject TEXT NOT NULL DEFAULT '',
	queued_at TIMESTAMPTZ,
	closed_at TIMESTAMPTZ,
	rating INTEGER,
	rating_comment TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX conversations_visitor ON conversations (visitor_id, id DESC);
CREATE INDEX conversations_customer ON conversations (customer_id, id DESC);
CREATE INDEX conversations_state ON conversations (state, queued_at);

CREATE TABLE messages (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	seq BIGINT NOT NULL,
	client_id TEXT NOT NULL DEFAULT '',
	author TEXT NOT NULL,
	author_id BIGINT,
	body TEXT NOT NULL,
	internal BOOLEAN NOT NULL DEFAULT FALSE,
	meta TEXT NOT NULL DEFAULT '{}',
	created_at TIMESTAMPTZ NOT NULL,
	UNIQUE (conversation_id, seq)
);
CREATE UNIQUE INDEX messages_client ON messages (conversation_id, client_id) WHERE client_id <> '';

CREATE TABLE agent_presence (
	agent_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE cases (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id BIGINT REFERENCES conversations (id),
	customer_id BIGINT REFERENCES users (id),
	email TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	transcript TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX cases_customer ON cases (customer_id, id DESC);
CREATE INDEX cases_email ON cases (email, id DESC);

CREATE TABLE case_replies (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	author_id BIGINT NOT NULL REFERENCES users (id),
	body TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_replies_case ON case_replies (case_id, id);

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
