-- The SLA breach scan (the 已超时 view, the queue's breached counter) reads open tickets whose clock
-- has not been met and is past due. At 1M tickets (bench/service-tickets.bench.ts) without these it
-- read the whole table; each partial index holds only the open, unmet tickets, so it stays as small
-- as the live queue however many closed tickets pile up.
CREATE INDEX service_tickets_open_response_due ON service_tickets (tenant_id, first_response_due_at)
  WHERE first_responded_at IS NULL AND status IN ('new', 'assigned', 'in_progress', 'waiting_customer', 'reopened');
CREATE INDEX service_tickets_open_resolution_due ON service_tickets (tenant_id, resolution_due_at)
  WHERE resolved_at IS NULL AND status IN ('new', 'assigned', 'in_progress', 'waiting_customer', 'reopened');
