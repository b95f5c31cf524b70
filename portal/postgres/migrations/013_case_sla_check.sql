-- When the escalation pass must look at a case next (issue 16): reset to
-- the epoch by every change of the case (and of the rules), set by the pass
-- to the earliest moment a rule could be reached, so that a pass reads the
-- cases near a target, not every running case. The epoch means "at the
-- next pass" (not NULL, so that one index range finds the cases due).
ALTER TABLE cases ADD COLUMN sla_check_at TIMESTAMPTZ;
UPDATE cases SET sla_check_at = 'epoch';
CREATE INDEX cases_active_check ON cases (sla_check_at) WHERE status IN ('new', 'open', 'pending', 'on_hold');
