-- The funnel and first-response dashboards select the leads created in a period; without this
-- index every request scanned all of the tenant's leads (1M in the funnel benchmark).
-- `timestamptz` comparison is leakproof, so the index condition applies ahead of the RLS policy.
CREATE INDEX leads_created ON leads (tenant_id, created_at);
