-- A customer's "Helpful? Yes / No" on a bot answer in the chat (issue
-- 17: a chat whose answer was not helpful is not settled by the bot).
-- One vote per answer: voting again replaces it.
CREATE TABLE chat_answer_votes (
	conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	helpful INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (conversation_id, seq)
);
