-- A question recorded among the content gaps because of a bot answer (the
-- customer voted it not helpful, or asked for a person right after it)
-- names that answer; it is recorded once per answer, however often the
-- vote changes. Questions of no answer (answer_seq NULL) never conflict.
ALTER TABLE unanswered_questions ADD COLUMN answer_seq BIGINT;
CREATE UNIQUE INDEX unanswered_questions_once_per_answer ON unanswered_questions (conversation_id, answer_seq);
