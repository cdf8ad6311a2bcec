-- The delivery log keeps how long an attempt took beside its status code: the target's
-- response itself is never stored (webhook SSRF, issue 8).
ALTER TABLE webhook_deliveries ADD COLUMN duration_ms integer;
