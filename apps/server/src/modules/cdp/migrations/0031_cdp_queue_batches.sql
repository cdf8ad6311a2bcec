-- The event processor's queue holds one row per ingest request (the ids and times of the events
-- it stored, in message order) instead of one per event: an ingest writes one queue row and
-- the processor deletes one. Single-event rows (event_id, ts) stay valid.
ALTER TABLE cdp_pending ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE cdp_pending ALTER COLUMN ts DROP NOT NULL;
ALTER TABLE cdp_pending ADD COLUMN event_ids uuid[];
ALTER TABLE cdp_pending ADD COLUMN tss timestamptz[];
ALTER TABLE cdp_pending ADD CONSTRAINT cdp_pending_events CHECK (
  (event_id IS NOT NULL AND ts IS NOT NULL) OR
  (event_ids IS NOT NULL AND tss IS NOT NULL AND cardinality(event_ids) = cardinality(tss)));

-- The messageId claims are written per event on the ingest path, like the events themselves,
-- which (partitioned) carry no foreign key either: the key check on every row cost about a
-- tenth of the insert statement. The tenant is the write key's, resolved before the insert.
ALTER TABLE cdp_message_ids DROP CONSTRAINT IF EXISTS cdp_message_ids_tenant_id_fkey;
