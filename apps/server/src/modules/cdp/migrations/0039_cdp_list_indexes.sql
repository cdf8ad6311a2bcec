-- The merge history is listed newest first in (at, id) pages; without this every page sorted all
-- of the tenant's merges.
CREATE INDEX cdp_merges_at ON cdp_merges (tenant_id, at DESC, id DESC);
-- The profile search finds identities by exact value. Kinds without a namespace use the unique
-- (tenant, kind, namespace, value) index; the namespaced ones (openid per app, wecom per corp,
-- custom per name) need the value alone. Partial, so anonymous ids and phones pay nothing.
CREATE INDEX cdp_identities_namespaced_value ON cdp_identities (tenant_id, value) WHERE namespace <> '';
