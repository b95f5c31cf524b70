-- Knowledge base: revisions, votes, search log, unanswered bot questions.
ALTER TABLE articles ADD COLUMN views INTEGER NOT NULL DEFAULT 0;

CREATE TABLE article_revisions (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	version INTEGER NOT NULL,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	category_id BIGINT,
	tags TEXT NOT NULL DEFAULT '[]',
	phrasings TEXT NOT NULL DEFAULT '[]',
	locale TEXT NOT NULL,
	status TEXT NOT NULL,
	author_id BIGINT REFERENCES users (id),
	note TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	UNIQUE (article_id, version)
);

CREATE TABLE article_votes (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	helpful INTEGER NOT NULL,
	comment TEXT NOT NULL DEFAULT '',
	user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX article_votes_article ON article_votes (article_id, created_at);

CREATE TABLE search_log (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	query TEXT NOT NULL,
	norm TEXT NOT NULL,
	locale TEXT NOT NULL,
	hits INTEGER NOT NULL,
	article_id BIGINT,
	source TEXT NOT NULL,
	user_id BIGINT,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX search_log_gaps ON search_log (created_at, hits);

CREATE TABLE unanswered_questions (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	question TEXT NOT NULL,
	norm TEXT NOT NULL,
	locale TEXT NOT NULL,
	confidence DOUBLE PRECISION NOT NULL,
	best_article_id BIGINT,
	conversation_id BIGINT,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX unanswered_questions_at ON unanswered_questions (created_at);

-- Articles stored before revisions existed get their first revision now.
INSERT INTO article_revisions (article_id, version, title, summary, body, category_id, tags, phrasings, locale, status, author_id, note, created_at)
SELECT id, version, title, summary, body, category_id, tags, phrasings, locale, status, author_id, 'imported', updated_at FROM articles;
