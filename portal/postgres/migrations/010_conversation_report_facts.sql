-- What the support report needs of a conversation's messages, kept on the
-- conversation as messages are stored: the number of bot answers and the
-- first agent message the customer saw (not an internal note).
ALTER TABLE conversations ADD COLUMN bot_messages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN first_agent_at TIMESTAMPTZ;
UPDATE conversations c SET
	bot_messages = (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.author = 'bot'),
	first_agent_at = (SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.author = 'agent' AND NOT m.internal);
CREATE INDEX conversations_created ON conversations (created_at);
