-- Hand-off presence: when an agent's sockets were last seen (on any node),
-- apart from the availability they chose (status, kept across reloads);
-- and when a queued customer's sockets were last seen, so that a guest
-- who left stops waiting in the queue.
ALTER TABLE agent_presence ADD COLUMN seen_at INTEGER;
UPDATE agent_presence SET seen_at = updated_at;
ALTER TABLE conversations ADD COLUMN customer_seen_at INTEGER;
