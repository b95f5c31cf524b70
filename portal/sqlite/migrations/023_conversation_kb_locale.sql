-- The knowledge base (locale) a chat was asked in, so that the editors'
-- threshold page of one locale replays only that locale's chat questions.
-- Chats so far were all answered from the default knowledge base.
ALTER TABLE conversations ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
