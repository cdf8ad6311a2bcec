-- The messageId claims are written in arrival order and only ever swept by age (retention,
-- 30 days): a BRIN index serves that sweep at a fraction of a B-tree's cost per ingested event.
DROP INDEX IF EXISTS cdp_message_ids_received;
CREATE INDEX cdp_message_ids_received ON cdp_message_ids USING brin (received_at);
