-- Unique fields of the record engine (custom fields marked unique, standard fields like a
-- product's code or a contract's number) are claimed in this side table in the same
-- transaction as the record write. Its primary key makes two writers of the same value
-- serialise on the index: the second one's INSERT … ON CONFLICT DO NOTHING waits for the first
-- to commit and then claims nothing, so the engine answers 422 `unique` instead of storing a
-- duplicate (a SELECT-then-INSERT check cannot see an uncommitted row).
-- Only live records hold a claim: a soft delete releases the value, a restore claims it again.
CREATE TABLE record_unique_values (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  object text NOT NULL,
  field text NOT NULL,
  value_key text NOT NULL,
  record_id uuid NOT NULL,
  PRIMARY KEY (tenant_id, object, field, value_key)
);
CREATE INDEX record_unique_values_record ON record_unique_values (tenant_id, record_id);
ALTER TABLE record_unique_values ENABLE ROW LEVEL SECURITY;
ALTER TABLE record_unique_values FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON record_unique_values USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON record_unique_values TO kehu_app;

-- The normalised key of one stored value, from its JSON form (a JSONB custom value, or
-- to_jsonb of a typed column): numbers compare by value (1 = 1.0), money by its amount,
-- times by instant; long values are hashed to keep index entries small. The engine computes
-- keys with this same function, so the backfill and live writes can never disagree.
CREATE FUNCTION kehu_unique_key(kind text, v jsonb) RETURNS text
  LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN length(k) > 200 THEN 'sha256:' || encode(sha256(convert_to(k, 'UTF8')), 'hex') ELSE k END
  FROM (
    SELECT CASE
      WHEN v IS NULL OR jsonb_typeof(v) = 'null' THEN NULL
      WHEN kind = 'number' THEN trim_scale((v #>> '{}')::numeric)::text
      WHEN kind = 'currency' THEN trim_scale((v ->> 'amount')::numeric)::text
      WHEN kind = 'datetime' THEN trim_scale(extract(epoch FROM (v #>> '{}')::timestamptz))::text
      WHEN kind = 'json' THEN v::text
      ELSE v #>> '{}'
    END AS k
  ) s
$$;
GRANT EXECUTE ON FUNCTION kehu_unique_key(text, jsonb) TO kehu_app;

-- Backfill from live records. Where existing data already holds duplicates, the oldest record
-- keeps the claim and the others stay unclaimed (they can still be edited; their value cannot
-- be given to a new record while the claim holder lives).
DO $$
DECLARE
  f record;
BEGIN
  FOR f IN
    SELECT NULL::uuid AS tenant_id, s.object, s.field, s.tbl, s.expr, s.kind, NULL::text AS discriminator
    FROM (VALUES ('product', 'code', 'products', 'to_jsonb(r.code)', 'text'),
                 ('contract', 'contractNo', 'contracts', 'to_jsonb(r.contract_no)', 'text')) AS s(object, field, tbl, expr, kind)
    UNION ALL
    SELECT d.tenant_id, d.object_api_name, d.api_name,
      coalesce(std.tbl, 'custom_records'),
      format('r.%I -> %L', CASE WHEN std.tbl IS NULL THEN 'data' ELSE 'custom' END, d.api_name),
      CASE WHEN d.type IN ('number', 'percent') THEN 'number'
           WHEN d.type = 'currency' THEN 'currency'
           WHEN d.type = 'datetime' THEN 'datetime'
           WHEN d.type IN ('json', 'multipicklist') THEN 'json'
           ELSE 'text' END,
      CASE WHEN std.tbl IS NULL THEN d.object_api_name END
    FROM field_defs d
    LEFT JOIN (VALUES ('customer', 'customers'), ('contact', 'contacts'), ('lead', 'leads'),
                      ('activity', 'activities'), ('opportunity', 'opportunities'), ('product', 'products'),
                      ('price_list', 'price_lists'), ('quote', 'quotes'), ('contract', 'contracts'),
                      ('order', 'orders'), ('payment', 'payments'), ('target', 'targets')) AS std(object, tbl)
      ON std.object = d.object_api_name
    WHERE d.is_unique AND d.deleted_at IS NULL
      AND (std.tbl IS NOT NULL OR EXISTS (
        SELECT 1 FROM object_defs o WHERE o.tenant_id = d.tenant_id AND o.api_name = d.object_api_name
          AND o.is_custom AND o.deleted_at IS NULL))
  LOOP
    IF to_regclass(f.tbl) IS NULL THEN CONTINUE; END IF;
    EXECUTE format(
      'INSERT INTO record_unique_values (tenant_id, object, field, value_key, record_id)
         SELECT s.tenant_id, %L, %L, s.k, s.id FROM (
           SELECT r.tenant_id, r.id, r.created_at, kehu_unique_key(%L, %s) AS k FROM %I r
           WHERE r.deleted_at IS NULL %s %s) s
         WHERE s.k IS NOT NULL ORDER BY s.created_at, s.id
       ON CONFLICT DO NOTHING',
      f.object, f.field, f.kind, f.expr, f.tbl,
      CASE WHEN f.tenant_id IS NULL THEN '' ELSE format('AND r.tenant_id = %L', f.tenant_id) END,
      CASE WHEN f.discriminator IS NULL THEN '' ELSE format('AND r.object = %L', f.discriminator) END);
  END LOOP;
END $$;

-- An import started with an API key keeps running within that key's scopes (the job rebuilds
-- the user's principal and narrows it again; a revoked key stops the import).
ALTER TABLE imports ADD COLUMN api_key_id uuid;
ALTER TABLE imports ADD COLUMN api_scopes text[];
