-- A template sent to a segment: a durable job walks the members through sendMessage (guards and
-- idempotency per member); the row is the progress the page shows.
CREATE TABLE messaging_bulk_sends (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  template_id uuid NOT NULL,
  segment_id uuid NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('marketing', 'service')),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done')),
  total integer NOT NULL DEFAULT 0,
  processed integer NOT NULL DEFAULT 0,
  queued integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  variables jsonb NOT NULL DEFAULT '{}',
  idempotency_key text NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX messaging_bulk_sends_key ON messaging_bulk_sends (tenant_id, idempotency_key);
ALTER TABLE messaging_bulk_sends ENABLE ROW LEVEL SECURITY;
ALTER TABLE messaging_bulk_sends FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON messaging_bulk_sends USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON messaging_bulk_sends TO kehu_app;
