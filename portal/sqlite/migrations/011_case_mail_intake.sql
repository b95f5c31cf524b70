-- Mail into cases: the quoted history below a customer's emailed answer is
-- kept apart from the new text (shown folded); automatic replies we send
-- say so (RFC 3834 Auto-Submitted).
ALTER TABLE case_entries ADD COLUMN quoted TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN auto_submitted TEXT NOT NULL DEFAULT '';
