-- Every unique key of a tenant table contains tenant_id, so each table can be distributed by it
-- (Citus enforces uniqueness per shard only; see docs/operations.md and distributable.int.test.ts).
--
-- Write keys are still looked up by hash before the tenant is known, so the hash leads the index.
-- Two tenants cannot hold the same key in practice: a key is 192 random bits, and its hash is what
-- is stored. Once distributed the lookup visits every shard; ingest.ts caches its answer per process.
DROP INDEX cdp_sources_key;
CREATE UNIQUE INDEX cdp_sources_key ON cdp_sources (key_hash, tenant_id);
