-- The queue's counters group every visible ticket by status and category (/service/stats, each
-- load of the tickets page). Narrow and covering — the visibility columns included — so at 1M
-- tickets the count is an index-only scan instead of a pass over the wide ticket rows.
CREATE INDEX service_tickets_status_counts ON service_tickets (tenant_id, status, category_key)
  INCLUDE (unit_id, assignee_id, created_by);
