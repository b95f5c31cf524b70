-- The draft article each content gap was turned into, by the gap's
-- normalised question: "Turn into a draft" twice opens the same draft.
CREATE TABLE gap_drafts (
	norm TEXT PRIMARY KEY,
	article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL
);
