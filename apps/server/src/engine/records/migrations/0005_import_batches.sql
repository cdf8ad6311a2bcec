-- Committed batches of an import job (R10.1). Each batch transaction inserts its own row, so
-- several batches of one import may commit concurrently and a resumed job skips exactly the
-- batches that committed, in whatever order they did.
CREATE TABLE import_batches (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  import_id uuid NOT NULL,
  batch_no integer NOT NULL,
  rows integer NOT NULL,
  PRIMARY KEY (tenant_id, import_id, batch_no)
);
ALTER TABLE import_batches ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_batches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_batches USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON import_batches TO kehu_app;
